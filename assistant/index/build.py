"""Building an index generation: ingest -> chunk -> embed -> store -> FAISS, incrementally.

A build compares the corpus with the current generation's manifest (size and mtime first, then
content hash) and only ingests and embeds added or changed files; removed files leave SQLite and
FAISS. Embeddings are reused by the hash of the embedded text, so a file whose chunks did not
change costs no model time even when it is re-ingested. What the previous generation was built
with is compared with what this build would use by ``fingerprint.compare``: another model or
index format rebuilds from scratch, other chunker settings or reading code re-read every file,
other BM25 or vector-index parameters rewrite the search structures; the report says why.

The new generation is written beside the current one and published atomically (see layout.py);
a build that dies leaves the previous index untouched and usable.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import numpy as np

from ..chunk import chunk_document, embed_text_of, sentence_units
from ..config import Settings
from ..embed import Embedder, NumpyEmbedder, SentenceTransformerEmbedder, model_info, resolve_model_dir
from ..errors import IndexCorruptError, IndexWriteError, NothingToIndexError
from ..files import open_regular
from ..ingest import (
    Catalogue,
    CorpusFile,
    catalogue_path,
    discover_files,
    entry_hash,
    file_sha256,
    ingest_file,
    load_catalogue,
    repeated_line_set,
    web_line_hashes,
)
from ..ingest.formats import WEB_LIKE, supported_suffixes
from ..models import (
    SCHEMA_VERSION,
    BuildReport,
    Chunk,
    FileEntry,
    FileReport,
    IndexCounts,
    IndexManifest,
    ModelInfo,
)
from ..tokens import word_pieces_for
from . import fingerprint
from .background import PROBES, measure_background
from .fingerprint import Verdict, chunker_info, compare, lexical_parameters, vector_index_wanted
from .layout import DATA_FILES, PROBE_VECTORS, STORE, VECTORS, IndexLayout, damaged_files, read_manifest, write_manifest
from .lexical import LexicalIndex, SpellingWords, weighted_counts
from .store import Store
from .vectors import SentenceVectors, TokenVectors, VectorIndex

log = logging.getLogger(__name__)

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

EMBED_WINDOW = 1024
"""Chunks collected before they are embedded together: large enough for the encoder to sort
them by length, small enough to bound memory on any corpus."""


class BuildProgress(Protocol):
    def stage(self, name: str, total: int | None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...

    def close(self) -> None: ...


class _NoProgress:
    def stage(self, name: str, total: int | None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


EmbedderFactory = Callable[[Path], Embedder]


def default_embedder_factory(batch_size: int) -> EmbedderFactory:
    return lambda model_dir: SentenceTransformerEmbedder(model_dir, batch_size=batch_size)


@dataclass
class _Plan:
    previous: IndexManifest | None
    full_reason: str | None
    files: list[CorpusFile]
    shas: dict[str, str]
    catalogue_hashes: dict[str, str]
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    recleaned: list[str] = field(default_factory=list)
    catalogue_changed: list[str] = field(default_factory=list)
    """Changed files whose content is the same: only their catalogue entry changed."""
    duplicates: dict[str, str] = field(default_factory=dict)
    """Files whose content another file has, by path, with the path their content is indexed under."""
    verdict: Verdict = field(default_factory=lambda: Verdict(action="unchanged"))
    """What the previous generation's fingerprint asks of this build (``fingerprint.compare``)."""

    @property
    def reread_reason(self) -> str | None:
        """Why every file is read and chunked again (embeddings of unchanged text are reused)."""
        return self.verdict.reason if self.verdict.action == "reread" else None


def peak_memory_mb() -> float | None:
    """This process's peak resident set size in MB (Linux reports kilobytes, macOS bytes)."""
    try:
        import resource
        import sys
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def unreadable_again(before: FileEntry, corpus_file: CorpusFile, sha256: str) -> bool:
    """A file that could not be read at the last build, still unreadable and unchanged in size
    and time: it stays reported as it was, rather than make every build (and staleness) count it
    as added."""
    return (
        not before.sha256
        and not sha256
        and before.status == "skipped"
        and before.size == corpus_file.size
        and before.mtime_ns == corpus_file.mtime_ns
    )


def build_index(
    settings: Settings,
    corpus_dir: Path | None = None,
    index_dir: Path | None = None,
    full: bool = False,
    progress: BuildProgress | None = None,
    embedder_factory: EmbedderFactory | None = None,
) -> BuildReport:
    """Bring the index of ``corpus_dir`` up to date in ``index_dir``; see the module docstring."""
    corpus_dir = Path(corpus_dir or settings.paths.corpus_dir)
    index_dir = Path(index_dir or settings.paths.index_dir)
    progress = progress or _NoProgress()
    embedder_factory = embedder_factory or default_embedder_factory(settings.embed.batch_size)
    started = time.perf_counter()
    if corpus_dir.exists() and not corpus_dir.is_dir():
        raise NothingToIndexError(f"{corpus_dir} is a file, not a folder: give the folder that holds the documents")
    if not corpus_dir.is_dir():
        raise NothingToIndexError(f"corpus folder {corpus_dir} does not exist")
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexWriteError(f"{index_dir} is a file, not an index folder: name another folder with --index")
    layout = IndexLayout(index_dir)
    try:
        with layout.build_lock():
            layout.cleanup(keep=settings.index.keep_generations)  # leftovers of builds that died
            return _Builder(settings, corpus_dir, layout, progress, embedder_factory, full, started).run()
    except sqlite3.OperationalError as error:  # the database could not be written (disk full, read-only)
        raise IndexWriteError(
            f"the index in {index_dir} could not be written ({error}); the previous index is unchanged"
        ) from error
    except OSError as error:
        raise IndexWriteError(
            f"the index in {index_dir} could not be written ({error.strerror or error}); the previous index is "
            "unchanged"
        ) from error


class _Builder:
    def __init__(
        self,
        settings: Settings,
        corpus_dir: Path,
        layout: IndexLayout,
        progress: BuildProgress,
        embedder_factory: EmbedderFactory,
        full: bool,
        started: float,
    ):
        self.settings = settings
        self.corpus_dir = corpus_dir
        self.layout = layout
        self.progress = progress
        self.embedder_factory = embedder_factory
        self.full = full
        self.started = started
        self.model_dir = resolve_model_dir(settings.embed.model_dir)
        self.model: ModelInfo = model_info(self.model_dir)
        self.chunker = chunker_info(settings)
        self.ingest_version = fingerprint.ingest_version()
        """Taken before any file is read: the code that reads them, even if its files change on
        disk during a long build (the index then says it needs reading again)."""
        self.pieces = word_pieces_for(str(self.model_dir))
        self.lexical_parameters = lexical_parameters(settings)
        self.catalogue_file = catalogue_path(corpus_dir, settings.ingest.catalogue_name)
        self.catalogue: Catalogue = load_catalogue(self.catalogue_file)
        self._embedder: Embedder | None = None
        self.embed_seconds = 0.0
        self.embedded = 0
        self.sentences_embedded = 0
        self.pending: dict[str, str] = {}
        self.pending_sentences: set[str] = set()
        """Which pending hashes are sentence units (counted apart from passages in the report)."""
        self.previous_ids: dict[tuple[str, int, int, str], int] = {}
        """Ids of the chunks of files being read again, by (document, start, end, text)."""
        self.kept_ids: set[int] = set()
        """Ids given again to re-read chunks: their BM25 postings are recomputed (the title
        around them may have changed), not reused from the previous generation."""
        self.next_id = 1
        self.token_spill: _TokenSpill | None = None
        """Word-piece vectors of the passages embedded by this build, until the generation's
        arrays are written (on disk: a full build of 8,500 passages makes 400 MB of them)."""

    # -- planning --------------------------------------------------------------------------------

    def run(self) -> BuildReport:
        files, discover_skips = discover_files(
            self.corpus_dir,
            self.catalogue_file.name,
            int(self.settings.ingest.max_file_mb * 1e6),
            exclude=self.layout.root,
        )
        paths = {f.relative for f in files}
        self.warnings = (
            self.catalogue.warnings
            + self.catalogue.unmatched(paths | {r.path for r in discover_skips})
            + self.catalogue.not_listed(paths)
        )
        plan = self._plan(files)
        repeated, extra_reclean = self._repeated_lines(plan)
        plan.recleaned = sorted(set(plan.recleaned) | extra_reclean)
        to_ingest = sorted(set(plan.added) | set(plan.changed) | set(plan.recleaned))
        discover_paths = {r.path for r in discover_skips}
        previous_discover = {p for p, e in (plan.previous.files.items() if plan.previous else []) if p not in plan.shas}
        skips_changed = discover_paths != previous_discover or any(
            plan.previous is None
            or plan.previous.files.get(r.path) is None
            or plan.previous.files[r.path].reason != r.reason
            for r in discover_skips
        )
        nothing_changed = (
            plan.full_reason is None
            and plan.previous is not None
            and not to_ingest
            and not plan.removed
            and not skips_changed
            and sorted(repeated) == sorted(plan.previous.repeated_lines)
            and plan.verdict.unchanged
        )
        if nothing_changed:
            return BuildReport(
                generation=self.layout.current_name(),
                full=False,
                unchanged=len(plan.unchanged),
                files=[],
                documents=plan.previous.counts.documents if plan.previous else 0,
                chunks=plan.previous.counts.chunks if plan.previous else 0,
                seconds=time.perf_counter() - self.started,
                up_to_date=True,
                warnings=self.warnings,
            )
        name, temporary = self.layout.new_generation()
        try:
            return self._write_generation(name, temporary, plan, files, to_ingest, repeated, discover_skips)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise

    def _plan(self, files: list[CorpusFile]) -> _Plan:
        previous: IndexManifest | None = None
        full_reason: str | None = "--full was given" if self.full else None
        try:
            current = None if self.full else self.layout.current_dir()
        except IndexCorruptError as error:
            current, full_reason = None, f"the previous index is unreadable ({error})"
        verdict = Verdict(action="unchanged")
        if current is not None:
            try:
                previous = read_manifest(current)
                verdict = compare(previous, self.settings, self.model)
                full_reason = verdict.reason if verdict.action == "full" else self._damage(previous, current)
            except IndexCorruptError as error:
                full_reason = f"the previous index is unreadable ({error})"
                previous = None
        if full_reason is not None:
            previous_for_diff = None
        else:
            previous_for_diff = previous
        shas: dict[str, str] = {}
        catalogue_hashes: dict[str, str] = {}
        plan = _Plan(
            previous=previous_for_diff,
            full_reason=full_reason,
            files=files,
            shas=shas,
            catalogue_hashes=catalogue_hashes,
        )
        if previous_for_diff is not None:
            plan.verdict = verdict
        old = previous_for_diff.files if previous_for_diff else {}
        for corpus_file in files:
            entry = self.catalogue.get(corpus_file.relative)
            catalogue_hashes[corpus_file.relative] = entry_hash(entry)
            before = old.get(corpus_file.relative)
            if (
                before is not None
                and before.sha256
                and before.size == corpus_file.size
                and before.mtime_ns == corpus_file.mtime_ns
            ):
                shas[corpus_file.relative] = before.sha256
            else:
                try:
                    shas[corpus_file.relative] = file_sha256(corpus_file.path)
                except OSError:
                    shas[corpus_file.relative] = ""
            if before is not None and unreadable_again(before, corpus_file, shas[corpus_file.relative]):
                plan.unchanged.append(corpus_file.relative)
            elif before is None or not before.sha256:
                plan.added.append(corpus_file.relative)
            elif (
                before.sha256 != shas[corpus_file.relative]
                or before.catalogue_hash != catalogue_hashes[corpus_file.relative]
            ):
                plan.changed.append(corpus_file.relative)
                if before.sha256 == shas[corpus_file.relative]:
                    plan.catalogue_changed.append(corpus_file.relative)
            else:
                plan.unchanged.append(corpus_file.relative)
        present = {f.relative for f in files}
        plan.removed = sorted(p for p, e in old.items() if p not in present and e.sha256)
        # A copy of another file is indexed once: under the path already indexed, else the one the
        # catalogue describes, else the first; a file whose standing changes (its original was
        # removed or edited, or a new first copy appeared) is read again.
        # The last build's standing is what it recorded: a copy was skipped, its original read.
        indexed = {p for p, e in old.items() if e.sha256 and e.status != "skipped"}
        previously = _duplicates({p: e.sha256 for p, e in old.items()}, preferred=(indexed,))
        catalogued = {p for p in shas if self.catalogue.get(p) is not None}
        plan.duplicates = _duplicates(shas, preferred=(indexed, catalogued))
        for path in list(plan.unchanged):
            if plan.duplicates.get(path) != previously.get(path):
                plan.unchanged.remove(path)
                plan.changed.append(path)
        if plan.reread_reason:
            plan.recleaned = list(plan.unchanged)
        return plan

    def _damage(self, previous: IndexManifest, current: Path) -> str | None:
        """Why a previous generation this program can read still cannot be built on. Whatever a
        build reuses from it (rows, embeddings, postings, probe vectors) is checked against the
        checksums it was published with, so damage is re-derived from the corpus instead of
        carried into the new index."""
        damage = damaged_files(current, previous)
        if damage:
            return f"the previous index is damaged ({'; '.join(damage)}): everything is rebuilt from the corpus"
        return None

    def _repeated_lines(self, plan: _Plan) -> tuple[set[str], set[str]]:
        """Lines that many web-like files repeat (site chrome), over the whole corpus: unchanged
        files contribute the line hashes stored at their last ingestion, others are read now.
        Returns the set and the unchanged files whose cleaning it changes."""
        stored: dict[str, list[str]] = {}
        if plan.previous is not None and plan.unchanged:
            store = Store.open_readonly(self.layout.current_dir() / STORE)
            try:
                stored = {row["path"]: row["line_hashes"] for row in store.file_rows() if row["format"] in WEB_LIKE}
            finally:
                store.close()
        hash_sets: list[set[str]] = [set(v) for p, v in stored.items() if p in set(plan.unchanged)]
        fresh = set(plan.added) | set(plan.changed)
        by_path = {f.relative: f for f in plan.files}
        for relative in sorted(fresh):
            hashes = web_line_hashes(by_path[relative])
            if hashes is not None:
                hash_sets.append(hashes)
        repeated = repeated_line_set(
            hash_sets, self.settings.ingest.repeated_line_min_files, self.settings.ingest.repeated_line_min_share
        )
        previous_repeated = set(plan.previous.repeated_lines) if plan.previous else set()
        flipped = repeated ^ previous_repeated
        reclean = (
            {p for p, hashes in stored.items() if p in set(plan.unchanged) and flipped.intersection(hashes)}
            if flipped
            else set()
        )
        return repeated, reclean

    # -- writing ---------------------------------------------------------------------------------

    def _write_generation(
        self,
        name: str,
        temporary: Path,
        plan: _Plan,
        files: list[CorpusFile],
        to_ingest: list[str],
        repeated: set[str],
        discover_skips: list[FileReport],
    ) -> BuildReport:
        self.token_spill = _TokenSpill(temporary, self.model.dimension)
        store_path = temporary / STORE
        if plan.previous is not None:
            shutil.copy2(self.layout.current_dir() / STORE, store_path)
            store = Store.open_writable(store_path)
            if store.schema_version() != SCHEMA_VERSION:
                raise IndexCorruptError("the previous index's database has the wrong schema version")
        else:
            store = Store.create(store_path, SCHEMA_VERSION)
        try:
            # A re-read file's chunks keep their ids where their text is unchanged (a catalogue
            # edit, a cleaning fix elsewhere in the file): an id written down (`cite 511`) stays
            # valid. New chunks get ids above every id this file had, so none is reused by another.
            for relative in to_ingest:
                self.previous_ids.update(store.chunk_identities(relative))
            self.next_id = max([store.max_chunk_id(), *self.previous_ids.values()]) + 1
            with store.transaction():
                for relative in sorted(set(plan.removed) | set(to_ingest)):
                    store.delete_file(relative)
                known = {f.relative for f in files}
                for row in store.file_rows():  # discover-time skips are re-derived every build
                    if row["path"] not in known and row["path"] not in plan.removed:
                        store.delete_file(row["path"])
                for report in discover_skips:
                    store.put_file(report, "", 0, 0, ())
            reports = self._ingest(store, plan, to_ingest, repeated)
            self._flush_embeddings(store)
            with store.transaction():
                store.drop_unused_embeddings()
            counts = self._check_and_count(store)
            if counts.chunks == 0:
                raise NothingToIndexError(_nothing_message(self.corpus_dir, reports + discover_skips))
            self.progress.stage("building vector index", counts.chunks)
            vectors = VectorIndex.build(
                _progressing(store.iter_vectors(self.model.dimension), self.progress),
                self.model.dimension,
                vector_index_wanted(self.settings, counts.chunks),
                ef_search=self.settings.index.hnsw_ef_search,
            )
            vectors.save(temporary / VECTORS)
            background = self._background(vectors, plan)
            np.save(temporary / PROBE_VECTORS, self._probe_vectors)
            self.progress.stage("writing sentence vectors", None)
            SentenceVectors.write(
                temporary, store.iter_sentence_vectors(self.model.dimension), counts.sentences, self.model.dimension
            )
            self.progress.stage("writing word-piece vectors", None)
            self._token_vectors(store, plan, temporary)
            self.progress.stage("building lexical index", None)
            self._lexical_index(store, plan).save(temporary)
            SpellingWords.save(temporary, SpellingWords.count(store.iter_chunk_texts()))
            file_entries = self._file_entries(store, plan)
            store.finish()
        finally:
            store.close()
        manifest = IndexManifest(
            generation=name,
            created_at=datetime.now(timezone.utc),
            build_seconds=round(time.perf_counter() - self.started, 3),
            corpus_dir=str(self.corpus_dir.resolve()),
            model=self.model,
            chunker=self.chunker,
            ingest_version=self.ingest_version,
            files=file_entries,
            counts=counts,
            vector_index=vectors.info,
            checksums={name: file_sha256(temporary / name) for name in DATA_FILES},
            repeated_lines=sorted(repeated),
            background=background,
            lexical_parameters=self.lexical_parameters,
        )
        write_manifest(temporary, manifest)
        self.layout.publish(name, temporary)
        self.layout.cleanup(keep=self.settings.index.keep_generations)
        self.progress.close()
        return BuildReport(
            generation=name,
            full=plan.previous is None,
            full_reason=plan.full_reason,
            reread_reason=plan.reread_reason,
            added=plan.added,
            changed=sorted(set(plan.changed) | set(plan.recleaned)),
            catalogue_changed=sorted(plan.catalogue_changed),
            removed=plan.removed,
            unchanged=len(set(plan.unchanged) - set(plan.recleaned)),
            files=sorted(reports + discover_skips, key=lambda r: r.path),
            left_out=sum(1 for entry in file_entries.values() if entry.status != "indexed")
            + sum(1 for r in discover_skips if r.path not in file_entries),
            documents=counts.documents,
            chunks=counts.chunks,
            chunks_embedded=self.embedded,
            sentences_embedded=self.sentences_embedded,
            embed_seconds=round(self.embed_seconds, 3),
            seconds=round(time.perf_counter() - self.started, 3),
            peak_memory_mb=peak_memory_mb(),
            warnings=self.warnings,
        )

    def _ingest(self, store: Store, plan: _Plan, to_ingest: list[str], repeated: set[str]) -> list[FileReport]:
        by_path = {f.relative: f for f in plan.files}
        reports: list[FileReport] = []
        self.progress.stage("reading and chunking files", len(to_ingest))
        for done, relative in enumerate(to_ingest, start=1):
            corpus_file = by_path[relative]
            original = plan.duplicates.get(relative)
            if original is not None:
                report = FileReport(
                    path=relative,
                    status="skipped",
                    reason=f"same content as {original} (indexed once, under that path)",
                )
                with store.transaction():
                    store.put_file(report, plan.shas[relative], corpus_file.size, corpus_file.mtime_ns, ())
                reports.append(report)
                self.progress.advance()
                continue
            ingested = ingest_file(corpus_file, self.catalogue, repeated, self.settings.ingest.max_seconds_per_file)
            chunked = []
            for document in ingested.documents:
                chunks = chunk_document(
                    document,
                    self.pieces,
                    self.settings.chunk,
                    self.settings.embed.context,
                    self.settings.embed.max_context_tokens,
                )
                if chunks:
                    chunked.append((document, chunks))
            chunk_total = sum(len(chunks) for _, chunks in chunked)
            report = ingested.report
            if report.status == "indexed" and chunk_total == 0:
                report = report.model_copy(update={"status": "empty", "reason": "no text left after cleaning"})
            report = report.model_copy(update={"chunks": chunk_total, "documents": len(chunked)})
            with store.transaction():
                store.put_file(
                    report, ingested.sha256 or "", corpus_file.size, corpus_file.mtime_ns, ingested.line_hashes
                )
                for document, chunks in chunked:
                    hashes = [_embed_hash(c.embed_text) for c in chunks]
                    weight = self.settings.chunk.lexical_context_weight
                    lexical = [weighted_counts(c.text, " ".join([document.title, *c.section]), weight) for c in chunks]
                    store.put_document(document)
                    chunk_ids = store.put_chunks(
                        chunks, hashes, lexical, ids=[self._chunk_id(document.id, c) for c in chunks]
                    )
                    for chunk, embed_hash in zip(chunks, hashes):
                        self.pending.setdefault(embed_hash, chunk.embed_text)
                    for chunk_id, chunk in zip(chunk_ids, chunks):
                        spans = sentence_units(chunk.text)
                        sentence_hashes = [_embed_hash(chunk.text[start:end]) for start, end in spans]
                        store.put_sentences(chunk_id, spans, sentence_hashes)
                        for (start, end), sentence_hash in zip(spans, sentence_hashes):
                            if sentence_hash not in self.pending:
                                self.pending[sentence_hash] = chunk.text[start:end]
                                self.pending_sentences.add(sentence_hash)
            reports.append(report)
            self.progress.advance()
            if len(self.pending) >= EMBED_WINDOW:
                self._flush_embeddings(store)
                # The files left get their bar again: counted on the embedding bar, they ran it
                # past its total ("4203 of 4201", a first-use audit).
                if done < len(to_ingest):
                    self.progress.stage("reading and chunking files", len(to_ingest) - done)
        return reports

    def _chunk_id(self, document_id: str, chunk: Chunk) -> int:
        kept = self.previous_ids.pop((document_id, chunk.char_start, chunk.char_end, chunk.text), None)
        if kept is not None:
            self.kept_ids.add(kept)
            return kept
        self.next_id += 1
        return self.next_id - 1

    def _flush_embeddings(self, store: Store) -> None:
        if not self.pending:
            return
        missing = store.missing_embeddings(self.pending)
        if missing:
            if self._embedder is None:
                self.progress.stage("loading the embedding model", None)
                self._embedder = self.embedder_factory(self.model_dir)
            # Longest first, as the encoder would order one big batch: similar lengths share a
            # batch, so little compute goes to padding.
            hashes = sorted(missing, key=lambda h: (-len(self.pending[h]), h))
            self.progress.stage("embedding passages and their sentences", len(hashes))
            # A window at a time: one document of 50 MB of text is 70,000 passages, whose word
            # pieces' vectors (200 KB each as float32) must reach the spill before the next ones.
            for begin in range(0, len(hashes), EMBED_WINDOW):
                self._embed_window(store, hashes[begin : begin + EMBED_WINDOW])
        self.pending = {}
        self.pending_sentences = set()

    def _embed_window(self, store: Store, hashes: list[str]) -> None:
        # Passages give their word pieces' vectors too, from the same forward pass.
        passages = [h for h in hashes if h not in self.pending_sentences]
        sentences = [h for h in hashes if h in self.pending_sentences]
        began = time.perf_counter()
        passage_vectors, tokens = self._embedder.embed_passages(
            [self.pending[h] for h in passages], progress=self.progress.advance
        )
        sentence_vectors = self._embedder.embed_documents(
            [self.pending[h] for h in sentences], progress=self.progress.advance
        )
        self.embed_seconds += time.perf_counter() - began
        for embed_hash, rows in zip(passages, tokens):
            self.token_spill.add(embed_hash, rows)
        self.sentences_embedded += len(sentences)
        self.embedded += len(passages)
        with store.transaction():
            store.put_embeddings(passages, passage_vectors)
            store.put_embeddings(sentences, sentence_vectors)

    def _token_vectors(self, store: Store, plan: _Plan, temporary: Path) -> None:
        """Write the generation's word-piece vectors in chunk id order: those of passages embedded
        by this build from the spill, the others copied from the previous generation by their
        text's hash; a passage found in neither (its embedding was reused but its word pieces
        were not kept) is encoded again."""
        chunks = store.chunk_hashes()
        previous: TokenVectors | None = None
        previous_chunk: dict[str, int] = {}
        if plan.previous is not None:
            try:
                previous = TokenVectors.load(self.layout.current_dir())
                old = Store.open_readonly(self.layout.current_dir() / STORE)
                try:
                    previous_chunk = {embed_hash: chunk_id for chunk_id, embed_hash in old.chunk_hashes()}
                finally:
                    old.close()
            except IndexCorruptError:
                previous, previous_chunk = None, {}
        missing = [
            (chunk_id, embed_hash)
            for chunk_id, embed_hash in chunks
            if not self.token_spill.has(embed_hash) and not (previous is not None and embed_hash in previous_chunk)
        ]
        if missing:
            if self._embedder is None:
                self._embedder = self.embedder_factory(self.model_dir)
            contexts = store.chunk_contexts([chunk_id for chunk_id, _ in missing])
            texts = [
                embed_text_of(
                    *contexts[chunk_id],
                    self.pieces,
                    self.settings.embed.context,
                    self.settings.embed.max_context_tokens,
                )[0]
                for chunk_id, _ in missing
            ]
            for begin in range(0, len(texts), EMBED_WINDOW):
                _, tokens = self._embedder.embed_passages(texts[begin : begin + EMBED_WINDOW])
                for (_, embed_hash), rows in zip(missing[begin : begin + EMBED_WINDOW], tokens):
                    self.token_spill.add(embed_hash, rows)

        def rows_of(embed_hash: str) -> tuple[np.ndarray, np.ndarray]:
            if self.token_spill.has(embed_hash):
                return self.token_spill.rows(embed_hash)
            return previous.rows(previous_chunk[embed_hash])

        lengths = [len(rows_of(embed_hash)[0]) for _, embed_hash in chunks]
        TokenVectors.write(
            temporary,
            ((chunk_id, *rows_of(embed_hash)) for chunk_id, embed_hash in chunks),
            lengths,
            self.model.dimension,
        )
        self.token_spill.remove()

    def _lexical_index(self, store: Store, plan: _Plan) -> LexicalIndex:
        """The previous generation's term postings are reused for chunks that are still there;
        only new chunks are read from the store."""
        previous = None
        if plan.previous is not None:  # a sound previous generation: CURRENT was checked
            try:
                previous = LexicalIndex.load(self.layout.current_dir())
            except (OSError, ValueError):
                previous = None
        if previous is None:
            return LexicalIndex.build(store.iter_lexical(), **self.lexical_parameters)
        present = store.chunk_ids()
        known = set(np.asarray(previous.chunk_ids).tolist())
        new = sorted((present - known) | (present & self.kept_ids))
        return LexicalIndex.build(
            store.iter_lexical(new),
            previous=previous,
            keep=(present & known) - self.kept_ids,
            **self.lexical_parameters,
        )

    def _background(self, vectors: VectorIndex, plan: _Plan):
        """The index's best cosine for unrelated questions, embedded as questions are (NumPy
        encoder): what abstention compares a question's best passage against. The probes'
        vectors depend only on the model, so a build on a sound previous generation of the same
        model (``plan.previous``) reuses them."""
        probes = None
        if plan.previous is not None:
            try:
                with open_regular(self.layout.current_dir() / PROBE_VECTORS, follow_symlinks=False) as handle:
                    probes = np.load(handle)
            except (OSError, ValueError):
                probes = None
        if probes is None or probes.shape != (len(PROBES), self.model.dimension):
            probes = NumpyEmbedder(self.model_dir).embed_queries(list(PROBES))
        self._probe_vectors = probes
        return measure_background(
            probes, lambda vector: max((score for _, score in vectors.search(vector, 1)), default=0.0)
        )

    def _check_and_count(self, store: Store) -> IndexCounts:
        for table in ("chunks", "sentences"):
            missing = store.without_embedding(table)
            if missing:
                raise IndexCorruptError(f"{missing} {table} have no embedding after the build")
        rows = store.file_rows()
        return IndexCounts(
            files=len(rows),
            indexed_files=sum(1 for r in rows if r["status"] == "indexed"),
            skipped_files=sum(1 for r in rows if r["status"] != "indexed"),
            documents=store.count("documents"),
            chunks=store.count("chunks"),
            vectors=store.count("chunks"),
            sentences=store.count("sentences"),
        )

    def _file_entries(self, store: Store, plan: _Plan) -> dict[str, FileEntry]:
        entries: dict[str, FileEntry] = {}
        for row in store.file_rows():
            entries[row["path"]] = FileEntry(
                sha256=row["sha256"],
                size=row["size"],
                mtime_ns=row["mtime_ns"],
                status=row["status"],
                reason=row["reason"],
                documents=row["documents"],
                chunks=row["chunks"],
                catalogue_hash=plan.catalogue_hashes.get(row["path"], ""),
            )
        return entries


class _TokenSpill:
    """Word-piece vectors written to two files in the generation being built as passages are
    embedded, found again by their text's hash; removed once the generation's arrays are written."""

    def __init__(self, folder: Path, dimension: int):
        self.vectors_path = folder / ".token-spill-vectors"
        self.scales_path = folder / ".token-spill-scales"
        self.dimension = dimension
        self.where: dict[str, tuple[int, int]] = {}
        self.rows_written = 0
        self._map: tuple[np.ndarray, np.ndarray] | None = None

    def add(self, embed_hash: str, rows) -> None:
        if embed_hash in self.where:
            return
        with self.vectors_path.open("ab") as vectors, self.scales_path.open("ab") as scales:
            vectors.write(np.ascontiguousarray(rows.vectors, dtype=np.int8).tobytes())
            scales.write(np.ascontiguousarray(rows.scales, dtype=np.float16).tobytes())
        self.where[embed_hash] = (self.rows_written, len(rows.vectors))
        self.rows_written += len(rows.vectors)
        self._map = None

    def has(self, embed_hash: str) -> bool:
        return embed_hash in self.where

    def rows(self, embed_hash: str) -> tuple[np.ndarray, np.ndarray]:
        if self._map is None:
            if self.rows_written:
                self._map = (
                    np.memmap(self.vectors_path, dtype=np.int8, mode="r", shape=(self.rows_written, self.dimension)),
                    np.memmap(self.scales_path, dtype=np.float16, mode="r", shape=(self.rows_written,)),
                )
            else:
                self._map = (np.zeros((0, self.dimension), np.int8), np.zeros(0, np.float16))
        start, count = self.where[embed_hash]
        return self._map[0][start : start + count], self._map[1][start : start + count]

    def remove(self) -> None:
        self._map = None
        self.vectors_path.unlink(missing_ok=True)
        self.scales_path.unlink(missing_ok=True)


def _duplicates(shas: dict[str, str], preferred: tuple[set[str], ...] = ()) -> dict[str, str]:
    """Each file whose content another has, mapped to that one: of the files with the same
    content, the one in the first of the ``preferred`` sets that holds any, else one not named as
    a copy ("copy of risk indicators.doc", "guide (1).pdf", "guide - Copy.pdf": a first-use audit's
    citations took the copy's file name for a title), else the first in path order (a copy named
    "OLD DRAFT ..." must not take over the file already indexed)."""
    by_content: dict[str, list[str]] = {}
    for path in sorted(shas):
        # Empty files are each reported empty, not as copies of one another.
        if shas[path] and shas[path] != EMPTY_SHA256:
            by_content.setdefault(shas[path], []).append(path)
    copies: dict[str, str] = {}
    for paths in by_content.values():
        original = min(
            paths, key=lambda path: ([path not in wanted for wanted in preferred], _named_as_a_copy(path), path)
        )
        copies.update({path: original for path in paths if path != original})
    return copies


_COPY_NAME = re.compile(r"(?:^|/)copy of |(?:\bcopy| \(\d+\))(?:\.[^./]+)?$", re.IGNORECASE)


def _named_as_a_copy(path: str) -> bool:
    """Whether a file's name says it is a copy, as file managers and browsers name one."""
    return _COPY_NAME.search(path) is not None


def _progressing(batches, progress: BuildProgress):
    for ids, vectors in batches:
        yield ids, vectors
        progress.advance(len(ids))


def _embed_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _nothing_message(corpus_dir: Path, reports: list[FileReport]) -> str:
    if not reports:
        return f"nothing to index: {corpus_dir} has no documents (add {supported_suffixes()} files)"
    reasons = "; ".join(f"{r.path}: {r.reason}" for r in reports[:5])
    more = f" (and {len(reports) - 5} more)" if len(reports) > 5 else ""
    return f"nothing to index in {corpus_dir}: no file gave any text ({reasons}{more})"
