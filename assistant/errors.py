"""Named errors, one per stage. The CLI turns them into one-line messages; the TUI into toasts.

Every message names what went wrong and, where there is one, the command that fixes it.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class of every error this library raises on purpose."""


class ConfigError(AssistantError):
    """A setting or a command-line value is not usable."""


class IngestError(AssistantError):
    """A file could not be read into a document (it is reported and skipped, never fatal)."""


class CatalogueError(AssistantError):
    """The corpus catalogue (corpus/catalogue.toml) is malformed."""


class ChunkError(AssistantError):
    """A document could not be split into chunks that fit the model."""


class EmbedError(AssistantError):
    """The embedding model could not be loaded or used."""


class IndexProblem(AssistantError):
    """An index that cannot be read as it is. ``repair`` says which build mends it ("build" or
    "full"); the pipeline, which knows the index and corpus folders, adds the command."""

    repair = "full"


class IndexMissingError(IndexProblem):
    """There is no usable index at the given location."""

    repair = "build"


class IndexCorruptError(IndexProblem):
    """The index on disk is damaged or inconsistent (manifest, SQLite and FAISS disagree)."""


class IndexMismatchError(IndexProblem):
    """The index was built with another model, dimension, chunker or schema version."""


class BuildLockedError(AssistantError):
    """Another build holds the index lock."""


class NothingToIndexError(AssistantError):
    """A build found no indexable document in the corpus."""


class QueryError(AssistantError):
    """A question cannot be searched (empty, or an unknown filter value)."""


class CitationError(AssistantError):
    """A citation was asked for a chunk that is not in the index, or in an unknown format."""


class CorpusMismatchError(AssistantError):
    """A build would replace an index with the documents of another corpus than its own."""


class IndexWriteError(AssistantError):
    """The index folder cannot be written (disk full, read-only, not a folder)."""
