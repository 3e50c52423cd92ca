"""``index verify``: the thorough check of one generation. Manifest, SQLite and FAISS are checked
against each other (schema version, model fingerprint, checksums, counts, ids, vectors), and each
problem found is named together with the command that fixes it. What built the index is
compared with what this program would build by ``fingerprint.compare``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from ..config import Settings
from ..errors import IndexCorruptError
from ..models import ModelInfo
from .fingerprint import compare
from .layout import STORE, VECTORS, IndexLayout, damaged_files, read_manifest
from .lexical import LexicalIndex
from .store import Store
from .vectors import TokenVectors, VectorIndex


class Problem(BaseModel):
    what: str
    fix: str


def verify_index(index_dir: Path, model: ModelInfo, settings: Settings, build: str, rebuild: str) -> list[Problem]:
    """Every problem found in the current generation, each with its fix: ``build`` or
    ``rebuild`` (a full build), the advice naming this index's folders."""
    layout = IndexLayout(index_dir)
    try:
        name = layout.current_name()
    except IndexCorruptError as error:
        return [Problem(what=str(error), fix=rebuild)]
    if name is None:
        return [Problem(what=f"no index in {index_dir}", fix=build)]
    directory = layout.generations_dir / name
    try:
        manifest = read_manifest(directory)
    except IndexCorruptError as error:
        return [Problem(what=str(error), fix=rebuild)]

    problems: list[Problem] = []
    verdict = compare(manifest, settings, model)
    if verdict.action == "full":
        problems.append(Problem(what=verdict.reason or "", fix=rebuild))
    elif not verdict.unchanged:
        problems.append(Problem(what=f"{verdict.reason}: {verdict.consequence()}", fix=build))
    problems.extend(Problem(what=what, fix=rebuild) for what in damaged_files(directory, manifest))
    if any(p.what.endswith("is missing") or " cannot be read " in p.what for p in problems):
        return problems

    try:
        store = Store.open_readonly(directory / STORE)
        integrity = store.quick_check()
    except (IndexCorruptError, sqlite3.DatabaseError) as error:
        return problems + [Problem(what=f"{STORE} is not a readable database ({error})", fix=rebuild)]
    try:
        if integrity != "ok":
            problems.append(Problem(what=f"{STORE} integrity check: {integrity}", fix=rebuild))
        try:
            vectors = VectorIndex.load(directory / VECTORS, manifest.vector_index)
        except IndexCorruptError as error:
            return problems + [Problem(what=str(error), fix=rebuild)]
        try:
            lexical = LexicalIndex.load(directory)
        except (OSError, ValueError) as error:
            return problems + [Problem(what=f"the lexical index cannot be read ({error})", fix=rebuild)]
        try:
            tokens = TokenVectors.load(directory)
        except IndexCorruptError as error:
            return problems + [Problem(what=str(error), fix=rebuild)]
        try:
            problems.extend(_cross_check(manifest, store, vectors, lexical, tokens, rebuild))
        except sqlite3.DatabaseError as error:  # a table dropped or damaged past what quick_check sees
            problems.append(Problem(what=f"{STORE} cannot be read as an index database ({error})", fix=rebuild))
    finally:
        store.close()
    return problems


def _cross_check(
    manifest, store: Store, vectors: VectorIndex, lexical: LexicalIndex, tokens: TokenVectors, rebuild: str
) -> list[Problem]:
    problems: list[Problem] = []
    counts = {name: store.count(name) for name in ("files", "documents", "chunks")}
    if store.schema_version() != manifest.schema_version:
        problems.append(
            Problem(what=f"database schema {store.schema_version()}, manifest {manifest.schema_version}", fix=rebuild)
        )
    if counts["chunks"] != manifest.counts.chunks:
        problems.append(
            Problem(
                what=f"database holds {counts['chunks']} chunks, manifest says {manifest.counts.chunks}", fix=rebuild
            )
        )
    if counts["documents"] != manifest.counts.documents:
        problems.append(
            Problem(
                what=f"database holds {counts['documents']} documents, manifest says {manifest.counts.documents}",
                fix=rebuild,
            )
        )
    chunk_ids = store.sorted_chunk_ids()
    # An incremental build appends the new chunks' postings after the kept ones: the lexical
    # index holds the same ids as the database, in another order.
    if lexical.size != counts["chunks"] or not np.array_equal(np.sort(np.asarray(lexical.chunk_ids)), chunk_ids):
        only_lexical = np.setdiff1d(np.asarray(lexical.chunk_ids), chunk_ids)[:5].tolist()
        only_db = np.setdiff1d(chunk_ids, np.asarray(lexical.chunk_ids))[:5].tolist()
        problems.append(
            Problem(
                what=f"lexical index holds {lexical.size} chunks, the database {counts['chunks']} "
                f"(only in the lexical index: {only_lexical}, only in the database: {only_db})",
                fix=rebuild,
            )
        )
    if not np.array_equal(np.asarray(tokens.chunk_ids()), chunk_ids):
        problems.append(
            Problem(
                what=f"word-piece vectors for {tokens.size} chunks, the database holds {counts['chunks']}", fix=rebuild
            )
        )
    if vectors.size != manifest.counts.vectors:
        problems.append(
            Problem(what=f"FAISS holds {vectors.size} vectors, manifest says {manifest.counts.vectors}", fix=rebuild)
        )
    if vectors.dimension != manifest.model.dimension:
        problems.append(
            Problem(what=f"FAISS dimension {vectors.dimension}, manifest {manifest.model.dimension}", fix=rebuild)
        )
    db_files = {row["path"] for row in store.file_rows()}
    if db_files != set(manifest.files):
        missing = sorted(set(manifest.files) - db_files)[:3]
        extra = sorted(db_files - set(manifest.files))[:3]
        problems.append(
            Problem(
                what=f"files in manifest and database differ (only in manifest: {missing}, only in database: {extra})",
                fix=rebuild,
            )
        )

    faiss_ids = np.sort(vectors.ids())
    if faiss_ids.shape != chunk_ids.shape or not np.array_equal(faiss_ids, chunk_ids):
        only_faiss = np.setdiff1d(faiss_ids, chunk_ids)[:5].tolist()
        only_db = np.setdiff1d(chunk_ids, faiss_ids)[:5].tolist()
        problems.append(
            Problem(
                what=f"FAISS ids and database chunk ids differ (only in FAISS: {only_faiss}, only in database: "
                f"{only_db})",
                fix=rebuild,
            )
        )
        return problems
    missing_embeddings = store.without_embedding()
    if missing_embeddings:
        problems.append(Problem(what=f"{missing_embeddings} chunks have no stored embedding", fix=rebuild))
        return problems
    mismatched = 0
    for ids, stored in store.iter_vectors(manifest.model.dimension):
        for chunk_id, vector in zip(ids, stored):
            if not np.allclose(vectors.reconstruct(int(chunk_id)), vector, atol=1e-5):
                mismatched += 1
    if mismatched:
        problems.append(Problem(what=f"{mismatched} FAISS vectors differ from the stored embeddings", fix=rebuild))
    return problems
