"""What built an index, in one place, and the one comparison with what this program would build.

An index's content is decided by the on-disk format (``SCHEMA_VERSION``), the embedding model,
the chunker settings, the code that reads and chunks files together with the versions of the
libraries that read each format (``ingest.formats``), the BM25 and vector-index parameters, and
how the abstention background is measured. Each is recorded in the manifest. ``compare`` says
what a build must do about a difference, and why:

- ``full``: the index cannot be read by this program or model: rebuild from scratch;
- ``reread``: every file is read and chunked again (embeddings of unchanged text are reused);
- ``reindex``: a new generation is written from the stored passages, no file read;
- ``unchanged``.

The build plan, staleness (``index status``), ``index verify`` and opening a generation all use
it, so they cannot disagree. ``hnsw_ef_search`` is a search-time setting, applied on opening.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from ..chunk import CHUNKER_VERSION
from ..config import Settings
from ..ingest.clean import CLEANING_VERSION
from ..ingest.formats import READING_LIBRARIES
from ..models import SCHEMA_VERSION, ChunkerInfo, IndexManifest, ModelInfo, VectorIndexInfo
from .background import BACKGROUND_METHOD

Action = Literal["unchanged", "reindex", "reread", "full"]


class Verdict(BaseModel):
    """What a build must do with an index built as its manifest says, and why."""

    action: Action
    reason: str | None = None

    @property
    def unchanged(self) -> bool:
        return self.action == "unchanged"

    def consequence(self) -> str:
        """What the next build does, in words (empty when unchanged)."""
        return {
            "unchanged": "",
            "reindex": "the next build rewrites the search structures from the stored passages",
            "reread": "the next build reads every file again",
            "full": "the next build starts from scratch",
        }[self.action]


def ingest_version() -> str:
    """Fingerprint of the code that turns files into chunks (every module of the ingest package,
    and chunk, language, text, tokens) and of the installed reading libraries (another pdfium or
    pypdf can give another text from the same file). Modules are found by listing the package,
    so a new reader counts."""
    import assistant.ingest as ingest_package

    from .. import chunk, language, text, tokens

    digest = hashlib.sha256(str(CLEANING_VERSION).encode())
    sources = sorted(Path(ingest_package.__file__).parent.rglob("*.py"))
    for path in [*sources, *(Path(m.__file__) for m in (chunk, language, text, tokens))]:
        digest.update(path.read_bytes())
    for library in READING_LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=absent".encode())
    return digest.hexdigest()[:16]


def chunker_info(settings: Settings) -> ChunkerInfo:
    return ChunkerInfo(
        max_tokens=settings.chunk.max_tokens,
        overlap_tokens=settings.chunk.overlap_tokens,
        min_tokens=settings.chunk.min_tokens,
        paragraph_fill=settings.chunk.paragraph_fill,
        lexical_context_weight=settings.chunk.lexical_context_weight,
        context=settings.embed.context,
        max_context_tokens=settings.embed.max_context_tokens,
        version=CHUNKER_VERSION,
    )


def lexical_parameters(settings: Settings) -> dict[str, float]:
    return {"k1": settings.index.lexical_k1, "b": settings.index.lexical_b}


def vector_index_wanted(settings: Settings, vectors: int) -> VectorIndexInfo:
    """The vector index a build would make for this many vectors: exact (flat) up to
    ``exact_search_max_vectors``, HNSW beyond. ``ef_search`` is left out: it is read on opening."""
    if vectors <= settings.index.exact_search_max_vectors:
        return VectorIndexInfo(kind="flat")
    return VectorIndexInfo(
        kind="hnsw", parameters={"m": settings.index.hnsw_m, "ef_construction": settings.index.hnsw_ef_construction}
    )


def incompatibility(manifest: IndexManifest, model: ModelInfo | None) -> str | None:
    """Why an index cannot be read with this program and model (None when it can)."""
    if manifest.schema_version != SCHEMA_VERSION:
        return f"the index format changed: the index was built with format {manifest.schema_version}, this program reads format {SCHEMA_VERSION}"
    if model is None:
        return None
    if manifest.model.dimension != model.dimension:
        return f"the embedding model changed: the index holds {manifest.model.dimension}-dimensional vectors, the installed model gives {model.dimension}"
    if manifest.model.fingerprint != model.fingerprint:
        return (
            f"the embedding model changed: the index was built with another embedding model ({manifest.model.name}, "
            "fingerprint "
            f"{manifest.model.fingerprint[:12]}) than the one installed ({model.name}, fingerprint "
            f"{model.fingerprint[:12]})"
        )
    return None


def compare(manifest: IndexManifest, settings: Settings, model: ModelInfo | None) -> Verdict:
    """The one comparison of what built an index with what this program and these settings would
    build (``model`` None: the model is not checked)."""
    reason = incompatibility(manifest, model)
    if reason is not None:
        return Verdict(action="full", reason=reason)
    if manifest.chunker != chunker_info(settings):
        return Verdict(action="reread", reason="the chunker settings changed")
    if manifest.ingest_version != ingest_version():
        return Verdict(action="reread", reason="the ingestion or chunking code changed")
    if manifest.lexical_parameters != lexical_parameters(settings):
        return Verdict(action="reindex", reason="the BM25 parameters changed")
    built = manifest.vector_index
    wanted = vector_index_wanted(settings, manifest.counts.vectors)
    if (
        built.kind != wanted.kind
        or {k: v for k, v in built.parameters.items() if k != "ef_search"} != wanted.parameters
    ):
        return Verdict(
            action="reindex", reason=f"the vector index settings changed ({built.kind} built, {wanted.kind} wanted)"
        )
    if manifest.background is None or manifest.background.method != BACKGROUND_METHOD:
        return Verdict(action="reindex", reason="the abstention background is measured another way")
    return Verdict(action="unchanged")
