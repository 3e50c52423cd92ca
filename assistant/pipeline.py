"""The library's public face: ``Pipeline`` builds, opens, searches, cites and checks an index.
The CLI and the TUI are thin layers over it and hold no retrieval logic."""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from .config import Settings
from .embed import Embedder, load_query_embedder, model_info, resolve_model_dir
from .errors import (
    AssistantError,
    CatalogueError,
    CitationError,
    CorpusMismatchError,
    IndexCorruptError,
    IndexMissingError,
    IndexProblem,
)
from .index.advice import build_advice
from .index.build import BuildProgress, EmbedderFactory, build_index, unreadable_again
from .index.fingerprint import Verdict, compare
from .index.generation import OpenIndex
from .index.layout import IndexLayout, read_manifest
from .index.verify import Problem, verify_index
from .ingest import catalogue_path, discover_files, entry_hash, file_sha256, load_catalogue
from .ingest.formats import formats_for_suffix
from .models import (
    Answer,
    BuildReport,
    Citation,
    Document,
    DocumentInfo,
    Filters,
    Hit,
    IndexManifest,
    Mode,
    PassageId,
    ThreadFocus,
    pages_of_span,
)
from .present import format_citations, make_citation
from .retrieve import Retriever
from .text import safe_line, safe_path
from .tokens import word_pieces_for

log = logging.getLogger(__name__)

UNKNOWN_CORPUS = "YOUR-DOCUMENTS-FOLDER"
"""Stands in the repair command of an index that no longer knows its corpus."""


def _holds_documents(folder: Path) -> bool:
    """Whether ``folder`` holds a file of a format this program reads (at its top level)."""
    try:
        return any(entry.is_file() and formats_for_suffix(entry.suffix) for entry in Path(folder).iterdir())
    except OSError:
        return False


def _reading_the_index(method):
    """A damaged database (a flipped page, a dropped table) found while reading is a named
    index error, and every index error ends with the build that mends this index (``advice``),
    never a traceback."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as error:
            raise IndexCorruptError(
                f"the index database in {self.index_dir} is damaged ({error}): {self.advice(full=True)}"
            ) from error
        except IndexProblem as error:
            if getattr(error, "advised", False):
                raise
            advised = type(error)(f"{error}: {self.advice(full=error.repair == 'full')}")
            advised.advised = True
            raise advised from error

    return wrapper


class Staleness(BaseModel):
    """Corpus files that differ from what the index was built from, and whether the files would be
    read again anyway (this program reads or chunks them differently from the one that built it)."""

    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    verdict: Verdict = Field(default_factory=lambda: Verdict(action="unchanged"))
    """What the next build does although no file changed, and why (``fingerprint.compare``):
    e.g. reads every file again because "the chunker settings changed"."""
    catalogue_problem: str | None = None
    """Why the corpus's catalogue cannot be read, when it cannot: the next build stops on it,
    and what it changes is not known (a first-use audit's status said "up to date" of a
    catalogue with a year 3024)."""

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed or not self.verdict.unchanged or self.catalogue_problem)

    @property
    def changed_or_removed(self) -> set[str]:
        """The files whose passages may no longer be what the file says (changed, or gone)."""
        return set(self.changed) | set(self.removed)

    def about(self, hits: list[Hit]) -> list[str]:
        """What a reader must know of the cards whose file was changed or removed since the build:
        the quotation or the file the citation names may no longer be there."""
        notes = []
        for hit in hits:
            file = hit.document.path
            if file in self.removed:
                notes.append(
                    f"passage {hit.rank}: {file} is no longer in the corpus; rebuild the index before citing it"
                )
            elif file in self.changed:
                notes.append(
                    f"passage {hit.rank}: {file} has changed since the index was built; check the quotation against "
                    "the file, or rebuild the index"
                )
        return notes

    def _file_counts(self) -> list[str]:
        return [
            f"{len(v)} {name}"
            for name, v in (("added", self.added), ("changed", self.changed), ("removed", self.removed))
            if v
        ]

    def brief(self) -> str:
        """What makes the index out of date, in a few words for a status line: "2 added, 1
        changed", else why every file would be read again (``summary`` says both)."""
        reason = self.verdict.reason
        parts = self._file_counts() or ([reason.removeprefix("the ")] if reason else [])
        return ", ".join(parts) if parts else "up to date"

    def summary(self) -> str:
        if not self.stale:
            return "up to date"
        parts = self._file_counts()
        files = "changed since the last build: " + ", ".join(parts) if parts else "unchanged"
        if self.catalogue_problem:
            files += f"; the catalogue cannot be used, and the next build stops on it: {self.catalogue_problem}"
        if self.verdict.unchanged:
            return files
        return f"{files}; {self.verdict.consequence()} ({self.verdict.reason})"


class IndexStatus(BaseModel):
    index_dir: str
    generation: str
    built_at: datetime
    build_seconds: float
    corpus_dir: str
    """The corpus the index was built from."""
    compared_with: str
    """The corpus the staleness was checked against (the same, unless the user named another)."""
    model: str
    model_fingerprint: str
    vector_index: str
    files: int
    indexed_files: int
    skipped: list[tuple[str, str, str]]
    """(path, status, reason) of every file not indexed."""
    documents: int
    chunks: int
    staleness: Staleness | None = None
    warnings: list[tuple[str, str]] = Field(default_factory=list)
    """(path, warning) of the files indexed with a warning (read by OCR, an odd extension...)."""
    problem: str | None = None
    """Why the index could not be opened, when it could not: the facts above are its manifest's,
    and its files' warnings are not known (a first-use audit's damaged index showed nothing)."""


class Pipeline:
    """One index (and the corpus it is built from), with the model loaded on first need."""

    def __init__(
        self,
        settings: Settings | None = None,
        index_dir: Path | None = None,
        corpus_dir: Path | None = None,
        query_embedder: Embedder | None = None,
    ):
        """``query_embedder`` replaces the packaged model for questions (tests of storage mechanics
        use a deterministic one); by default the model is loaded on the first question."""
        self.settings = settings or Settings()
        self.index_dir = Path(index_dir or self.settings.paths.index_dir)
        self.named_corpus = Path(corpus_dir) if corpus_dir is not None else None
        """The corpus the user named; None: the one the index was built from."""
        self._index: OpenIndex | None = None
        self._embedder: Embedder | None = query_embedder
        self._retriever: Retriever | None = None
        self._lock = threading.RLock()

    @property
    def corpus_dir(self) -> Path:
        """The corpus named by the user, else the one the index remembers it was built from, else
        the default corpus/ (a new index): a rebuild or a staleness check never compares an
        index with another corpus than its own unless the user says so."""
        return self._corpus(self.recorded_corpus())

    def _corpus(self, recorded: Path | None) -> Path:
        return self.named_corpus or recorded or Path(self.settings.paths.corpus_dir)

    def recorded_corpus(self) -> Path | None:
        """The corpus folder the index was built from: the current generation's, else that of the
        newest generation whose manifest can still be read (a damaged index keeps its corpus);
        None for a new index."""
        layout = IndexLayout(self.index_dir)
        try:
            current = layout.current_dir()
        except AssistantError:
            current = None
        for generation in [current] + sorted(layout.generations(), reverse=True):
            if generation is None:
                continue
            try:
                return Path(read_manifest(generation).corpus_dir)
            except AssistantError:
                continue
        return None

    def advice(self, full: bool = False) -> str:
        """How to build this index (again): the command names the index folder, and the corpus
        when the user named one or the index does not know its own. An index whose every
        manifest is damaged has forgotten its corpus: the command asks for the folder rather than
        naming the default corpus/ (which would replace the library with the bundled pages)."""
        if self.index_dir.exists() and not self.index_dir.is_dir():
            # No build can make an index of a file: "index build --index report.txt" was advised.
            return "name the folder that holds the index with --index, not a file"
        if not IndexLayout(self.index_dir).generations() and _holds_documents(self.index_dir):
            # A folder of documents named as the index ("--index corpus"): building an index
            # into it was advised.
            return (
                f"{safe_path(str(self.index_dir))} holds documents: name the index folder with --index, and this "
                "folder with --corpus"
            )
        if self.named_corpus is not None or self.recorded_corpus() is not None:
            return build_advice(self.index_dir, self.named_corpus, full)
        if IndexLayout(self.index_dir).generations():
            return build_advice(self.index_dir, Path(UNKNOWN_CORPUS), full) + (
                f" ({UNKNOWN_CORPUS}: the folder of documents this index was built from)"
            )
        if not _same_folder(self.index_dir, Path(self.settings.paths.index_dir)):
            # An index folder of the user's own that holds nothing yet: the bundled corpus is not
            # what it is for (a first-use audit was told "--corpus corpus" for her library's).
            return build_advice(self.index_dir, Path(UNKNOWN_CORPUS), full) + (
                f" ({UNKNOWN_CORPUS}: the folder of documents to index)"
            )
        return build_advice(self.index_dir, Path(self.settings.paths.corpus_dir), full)

    def corpus_conflict(self, recorded: Path | None = None) -> str | None:
        """Why building would replace this index with another corpus's documents, or None.
        ``recorded``: the index's corpus, when the caller has already read it."""
        recorded = recorded or self.recorded_corpus()
        if recorded is None or self.named_corpus is None or _same_folder(recorded, self.named_corpus):
            return None
        return (
            f"the index in {self.index_dir} was built from {recorded}; building it from {self.named_corpus} would "
            f"replace its documents"
        )

    # -- building ---------------------------------------------------------------------------------

    def build(
        self,
        full: bool = False,
        progress: BuildProgress | None = None,
        embedder_factory: EmbedderFactory | None = None,
        replace_corpus: bool = False,
    ) -> BuildReport:
        """Bring the index up to date with its corpus. Building an existing index from another
        corpus than the one it was built from needs ``replace_corpus``."""
        recorded = self.recorded_corpus()
        conflict = self.corpus_conflict(recorded)
        if conflict and not replace_corpus:
            raise CorpusMismatchError(
                f"{conflict}: to do that, add --replace-corpus; to keep both, give --index another folder"
            )
        return build_index(
            self.settings,
            self._corpus(recorded),
            self.index_dir,
            full=full or bool(conflict),
            progress=progress,
            embedder_factory=embedder_factory,
        )

    # -- opening ----------------------------------------------------------------------------------

    @property
    def model_dir(self) -> Path:
        return resolve_model_dir(self.settings.embed.model_dir)

    @_reading_the_index
    def open(self) -> OpenIndex:
        """Open the current generation (checked against the installed model)."""
        with self._lock:
            if self._index is None:
                self._index = OpenIndex.open(
                    self.index_dir, model_info(self.model_dir), self.settings.index.hnsw_ef_search
                )
                self._retriever = None
            return self._index

    def load_model(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = load_query_embedder(self.model_dir, self.settings.embed.query_backend)
            return self._embedder

    def retriever(self) -> Retriever:
        with self._lock:
            index = self.open()
            if self._retriever is None or self._retriever.index is not index:
                self._retriever = Retriever(
                    index, self.load_model(), word_pieces_for(str(self.model_dir)), self.settings.retrieve
                )
            return self._retriever

    def opened_manifest(self) -> IndexManifest | None:
        """The manifest of the generation this pipeline has open (None before ``open``)."""
        return self._index.manifest if self._index is not None else None

    @_reading_the_index
    def document_infos(self) -> list[DocumentInfo]:
        """Every document of the open generation (opening it if needed)."""
        return self.open().store.document_infos()

    def document_titles(self) -> list[str]:
        """Every document's title, as cited."""
        return [info.title for info in self.document_infos()]

    def newer_index_available(self) -> bool:
        return self._index is not None and self._index.newer_generation_available()

    @_reading_the_index
    def reload(self) -> bool:
        """Switch to the newest published generation; True if it changed."""
        with self._lock:
            old = self._index
            fresh = OpenIndex.open(self.index_dir, model_info(self.model_dir), self.settings.index.hnsw_ef_search)
            if old is not None and fresh.name == old.name:
                fresh.close()
                return False
            self._index, self._retriever = fresh, None
            if old is not None:
                old.close()
            return True

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
                self._retriever = None

    # -- asking -----------------------------------------------------------------------------------

    @_reading_the_index
    def ask(
        self,
        question: str,
        k: int | None = None,
        mode: Mode | None = None,
        filters: Filters | None = None,
        as_typed: bool = False,
        context: list[str] | None = None,
        thread: ThreadFocus | None = None,
    ) -> Answer:
        """The cards that answer a question, or a refusal (misspelt words corrected unless
        ``as_typed``; ``context``: words of earlier questions of a conversation, and ``thread``
        what the last answer showed)."""
        with self._lock:
            return self.retriever().search(
                question,
                k=k,
                mode=mode,
                filters=filters,
                as_typed=as_typed,
                context=context,
                thread=thread,
            )

    @_reading_the_index
    def idf(self, word: str) -> float:
        """How telling a word is in this corpus (the IDF of its stem)."""
        return self.retriever().lookups.idf(word)

    @_reading_the_index
    def facets(self) -> dict[str, list[str]]:
        return self.retriever().facets()

    @_reading_the_index
    def document(self, document_id: str) -> Document:
        document = self.open().store.document(document_id)
        if document is None:
            raise IndexMissingError(f"no document {document_id!r} in the index")
        return document

    @_reading_the_index
    def citation(self, passage: int | str | PassageId) -> Citation:
        """The citation of a stored passage, or of a card's text (``PassageId`` with a span: its
        own pages, which may run beyond the stored passage's)."""
        found = passage if isinstance(passage, PassageId) else PassageId.parse(str(passage))
        if found is None:
            raise CitationError(f"{safe_line(str(passage))!r} is not a passage id (a number, or N@START-END)")
        store = self.open().store
        rows = store.chunk_rows([found.chunk_id])
        if found.chunk_id not in rows:
            raise CitationError(
                f"no chunk {found.chunk_id} in the current index (ids change only when their file changes or is renamed; see "
                "`ask --json`)"
            )
        chunk, document, indexed_at = rows[found.chunk_id]
        if found.span is not None:
            start, end = found.span
            length = store.document_length(document.id)
            if not (start < chunk.char_end and chunk.char_start < end and end <= length):
                raise CitationError(f"passage {found} is not around chunk {found.chunk_id} of its document")
            first, last = pages_of_span(store.document_blocks(document.id), start, end)
            if first is not None:
                chunk = chunk.model_copy(update={"page": first, "page_end": last if last != first else None})
        return make_citation(chunk, document, indexed_at)

    def cite(self, passages: int | str | list, style: str = "text") -> str:
        """One or several passages' citations in one style (CSL-JSON: always an array)."""
        ids = passages if isinstance(passages, list) else [passages]
        return format_citations([self.citation(passage) for passage in ids], style)

    # -- status and checks ------------------------------------------------------------------------

    @_reading_the_index
    def manifest(self) -> IndexManifest:
        current = IndexLayout(self.index_dir).current_dir()
        if current is None:
            raise IndexMissingError(f"no index has been built in {self.index_dir} yet")
        return read_manifest(current)

    @_reading_the_index
    def status(self, check_staleness: bool = True) -> IndexStatus:
        """What the manifest says was built, the corpus's changes since, and the files' warnings;
        an index that cannot be opened still has its manifest's facts, and ``problem`` says why."""
        manifest = self.manifest()
        try:
            warnings = [(row["path"], warning) for row in self.open().store.file_rows() for warning in row["warnings"]]
            problem = None
        except AssistantError as error:
            warnings, problem = [], str(error)
        skipped = [
            (path, entry.status, entry.reason or "")
            for path, entry in sorted(manifest.files.items())
            if entry.status != "indexed"
        ]
        return IndexStatus(
            index_dir=str(self.index_dir),
            generation=manifest.generation,
            built_at=manifest.created_at,
            build_seconds=manifest.build_seconds,
            corpus_dir=manifest.corpus_dir,
            compared_with=str(self._corpus(Path(manifest.corpus_dir))),
            model=manifest.model.name,
            model_fingerprint=manifest.model.fingerprint,
            vector_index=manifest.vector_index.kind,
            files=manifest.counts.files,
            indexed_files=manifest.counts.indexed_files,
            skipped=skipped,
            documents=manifest.counts.documents,
            chunks=manifest.counts.chunks,
            staleness=self.staleness(manifest) if check_staleness else None,
            warnings=warnings,
            problem=problem,
        )

    def staleness(self, manifest: IndexManifest | None = None) -> Staleness:
        """Cheap check first (size and mtime), content hash only for files that look changed."""
        manifest = manifest or self.manifest()
        corpus = self._corpus(Path(manifest.corpus_dir))
        # The catalogue in use (a catalogue.csv, when there is no catalogue.toml) is no document.
        catalogue_file = catalogue_path(corpus, self.settings.ingest.catalogue_name)
        files, _ = discover_files(
            corpus, catalogue_file.name, int(self.settings.ingest.max_file_mb * 1e6), exclude=self.index_dir
        )
        result = Staleness()
        try:
            catalogue = load_catalogue(catalogue_file)
        except CatalogueError as error:
            catalogue = None
            result.catalogue_problem = safe_line(str(error))
        present = set()
        for corpus_file in files:
            present.add(corpus_file.relative)
            entry = manifest.files.get(corpus_file.relative)
            if (
                entry is not None
                and not entry.sha256
                and unreadable_again(entry, corpus_file, _sha_or_empty(corpus_file.path))
            ):
                continue
            if entry is None or not entry.sha256:
                result.added.append(corpus_file.relative)
            elif catalogue is not None and entry.catalogue_hash != entry_hash(catalogue.get(corpus_file.relative)):
                result.changed.append(corpus_file.relative)  # its catalogue entry: the citation changes
            elif entry.size != corpus_file.size or entry.mtime_ns != corpus_file.mtime_ns:
                try:
                    if file_sha256(corpus_file.path) != entry.sha256:
                        result.changed.append(corpus_file.relative)
                except OSError:
                    result.changed.append(corpus_file.relative)
        # As the build does: a file indexed before and skipped now (a .guidanceignore added, a file
        # grown over the size limit) leaves the index (a first-use audit's status did not say so).
        result.removed = sorted(p for p, e in manifest.files.items() if p not in present and e.sha256)
        result.verdict = compare(manifest, self.settings, model_info(self.model_dir))
        return result

    def verify(self) -> list[Problem]:
        """Check manifest, SQLite and FAISS against each other; each problem names its fix."""
        return verify_index(
            self.index_dir,
            model_info(self.model_dir),
            self.settings,
            build=self.advice(),
            rebuild=self.advice(full=True),
        )


def _sha_or_empty(path: Path) -> str:
    try:
        return file_sha256(path)
    except OSError:
        return ""


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b
