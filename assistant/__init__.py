"""Guidance Lookup: offline, retrieval-only lookup of anti-trafficking guidance.

The pipeline, top to bottom: ``ingest -> chunk -> embed -> index -> retrieve -> present``.
``Pipeline`` is the entry point; the CLI (``python -m assistant``) and the TUI use nothing else.
"""

from .config import Settings
from .errors import AssistantError
from .models import Answer, BuildReport, Chunk, Citation, Document, DocumentInfo, Filters, Hit, IndexManifest
from .pipeline import Pipeline

__all__ = [
    "Answer",
    "AssistantError",
    "BuildReport",
    "Chunk",
    "Citation",
    "Document",
    "DocumentInfo",
    "Filters",
    "Hit",
    "IndexManifest",
    "Pipeline",
    "Settings",
]
