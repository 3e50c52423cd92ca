"""One published index generation opened for reading. Whether this program can read it at all
(schema version, model fingerprint, dimension) is decided by ``fingerprint.incompatibility``, the
same rule building and verifying apply: a wrong index is a clear error instead of silently wrong
results."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from ..models import IndexManifest, ModelInfo
from .fingerprint import incompatibility
from .layout import DATA_FILES, MANIFEST, STORE, VECTORS, IndexLayout, read_manifest
from .lexical import LexicalIndex, SpellingWords
from .store import Store
from .vectors import SentenceVectors, TokenVectors, VectorIndex


class OpenIndex:
    """One generation: its manifest, SQLite store and FAISS vectors, opened read-only."""

    def __init__(
        self,
        layout: IndexLayout,
        name: str,
        manifest: IndexManifest,
        store: Store,
        vectors: VectorIndex,
        lexical: LexicalIndex,
        sentences: SentenceVectors,
        tokens: TokenVectors,
    ):
        self.layout = layout
        self.name = name
        self.manifest = manifest
        self.store = store
        self.vectors = vectors
        self.lexical = lexical
        self.sentences = sentences
        self.tokens = tokens
        self._spelling: dict[str, int] | None = None

    @classmethod
    def open(cls, index_dir: Path, model: ModelInfo | None = None, ef_search: int | None = None) -> OpenIndex:
        """The current generation, checked against this program and ``model``. ``ef_search`` (how
        widely an HNSW index searches) is a search-time setting: it applies here, not at build."""
        layout = IndexLayout(index_dir)
        if not Path(index_dir).exists():
            raise IndexMissingError(f"no index at {index_dir}")
        if not Path(index_dir).is_dir():
            raise IndexMissingError(f"{index_dir} is a file, not an index folder")
        name = layout.current_name()
        if name is None:
            raise IndexMissingError(f"no index has been built in {index_dir} yet")
        directory = layout.generations_dir / name
        odd = not_regular_files(directory)
        if odd:
            raise IndexCorruptError(f"{directory} holds {', '.join(odd)} where the index keeps its data")
        manifest = read_manifest(directory)
        check_compatible(manifest, model)
        store = Store.open_readonly(directory / STORE)
        try:
            vectors = VectorIndex.load(directory / VECTORS, manifest.vector_index, ef_search)
        except IndexCorruptError:
            store.close()
            raise
        try:
            lexical = LexicalIndex.load(directory)
        except (OSError, ValueError) as error:
            store.close()
            raise IndexCorruptError(f"the lexical index of {name} is missing or damaged ({error})") from error
        try:
            sentences = SentenceVectors.load(directory)
            tokens = TokenVectors.load(directory)
        except IndexCorruptError:
            store.close()
            raise
        problem = (
            _quick_consistency(manifest, store, vectors)
            or (
                f"lexical index holds {lexical.size} chunks, manifest says {manifest.counts.chunks}"
                if lexical.size != manifest.counts.chunks
                else None
            )
            or (
                f"{sentences.size} sentence vectors, manifest says {manifest.counts.sentences}"
                if sentences.size != manifest.counts.sentences
                else None
            )
            or (
                f"word-piece vectors for {tokens.size} chunks, manifest says {manifest.counts.chunks}"
                if tokens.size != manifest.counts.chunks
                else None
            )
        )
        if problem:
            store.close()
            raise IndexCorruptError(f"index {name} is inconsistent ({problem})")
        return cls(layout, name, manifest, store, vectors, lexical, sentences, tokens)

    def spelling_words(self) -> dict[str, int]:
        """The corpus's words and their counts (read once, at the first need)."""
        if self._spelling is None:
            try:
                self._spelling = SpellingWords.load(self.layout.generations_dir / self.name)
            except (OSError, ValueError) as error:
                raise IndexCorruptError(
                    f"the spelling words of {self.name} are missing or damaged ({error})"
                ) from error
        return self._spelling

    def newer_generation_available(self) -> bool:
        current = self.layout.current_name_or_none()
        return current is not None and current != self.name

    def close(self) -> None:
        self.store.close()


def not_regular_files(directory: Path) -> list[str]:
    """The data files of a generation that are present but not regular files (a FIFO would block
    the database or array reader for ever, a symlink to a device would feed it endless bytes),
    each named with what it is."""
    found = []
    for name in (MANIFEST, *DATA_FILES):
        try:
            mode = os.lstat(directory / name).st_mode
        except OSError:
            continue  # missing: the manifest and each reader say so
        if not stat.S_ISREG(mode):
            found.append(f"{name} ({'a symlink' if stat.S_ISLNK(mode) else 'not a regular file'})")
    return found


def check_compatible(manifest: IndexManifest, model: ModelInfo | None) -> None:
    reason = incompatibility(manifest, model)
    if reason is not None:
        raise IndexMismatchError(reason)


def _quick_consistency(manifest: IndexManifest, store: Store, vectors: VectorIndex) -> str | None:
    """Cheap checks done on every open; ``index verify`` does the thorough ones."""
    if vectors.dimension != manifest.model.dimension:
        return f"FAISS dimension {vectors.dimension}, manifest {manifest.model.dimension}"
    if vectors.size != manifest.counts.vectors:
        return f"FAISS holds {vectors.size} vectors, manifest says {manifest.counts.vectors}"
    try:
        chunks = store.chunk_count()
        schema = store.schema_version()
    except Exception as error:  # sqlite3.DatabaseError on a damaged file
        return f"database unreadable: {error}"
    if schema != manifest.schema_version:
        return f"database schema {schema}, manifest {manifest.schema_version}"
    if chunks != manifest.counts.chunks:
        return f"database holds {chunks} chunks, manifest says {manifest.counts.chunks}"
    return None
