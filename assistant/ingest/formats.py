"""The one registry of document formats: for each, its name, the file suffixes it is expected
under, how its bytes are recognised, its reader, and whether it is web-like (scraped pages whose
site chrome is cleaned by repeated-line rules and whose listings split into resource records).

Detection (``detect.py``), the expected-suffix warning, the user-facing lists of supported files
and the ingestion-code fingerprint all derive from this table: adding a format is one reader
module in ``readers/`` plus one entry here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .base import Extraction


@dataclass(frozen=True)
class Format:
    name: str
    """Short name recorded in the index (``FileReport.format``, ``DocumentInfo.format``)."""
    suffixes: tuple[str, ...]
    """Suffixes files of this format are expected under (lower case, with the dot)."""
    reader: str
    """``module:function`` under ``assistant.ingest.readers``, imported on first use (office and
    PDF libraries are slow to import and a corpus may not need them)."""
    web_like: bool = False
    """Scraped pages: site chrome is removed by rules that would damage a report's text."""
    zip_member: str | None = None
    """For a zip-based format: a member only this format's packages have..."""
    zip_mimetype: str | None = None
    """...or the package's ``mimetype`` member (OpenDocument)."""
    ole: bool = False
    """A legacy OLE compound file (recognised by its magic, told apart by its suffix)."""
    slides: bool = False
    """Its pages are slides: cited as "slide 3", and no page numbers go to a reference manager."""
    libraries: tuple[str, ...] = ()
    """Installed distributions whose version changes the text read: an upgrade re-reads every file."""

    def read(self, data: bytes) -> Extraction:
        module, function = self.reader.split(":")
        return getattr(importlib.import_module(f"{__package__}.readers.{module}"), function)(data)


FORMATS: tuple[Format, ...] = (
    Format("txt", (".txt", ".text"), "text:read_text", web_like=True),
    Format("md", (".md", ".markdown"), "markdown:read_markdown", web_like=True),
    Format("html", (".html", ".htm", ".xhtml"), "html:read_html", web_like=True, libraries=("selectolax",)),
    Format("pdf", (".pdf",), "pdf:read_pdf", libraries=("pypdf", "pypdfium2", "fonttools", "cryptography")),
    Format("docx", (".docx",), "docx:read_docx", zip_member="word/document.xml", libraries=("python-docx",)),
    Format(
        "pptx", (".pptx",), "pptx:read_pptx", zip_member="ppt/presentation.xml", slides=True, libraries=("python-pptx",)
    ),
    Format(
        "odt", (".odt",), "odt:read_odt", zip_mimetype="application/vnd.oasis.opendocument.text", libraries=("odfpy",)
    ),
    Format("doc", (".doc", ".dot"), "doc:read_doc", ole=True, libraries=("msdoc2docx", "python-docx")),
    Format(
        "image",
        (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".webp"),
        "image:read_image",
        libraries=("pillow", "pypdfium2"),
    ),
)

BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}
WEB_LIKE: frozenset[str] = frozenset(f.name for f in FORMATS if f.web_like)
READING_LIBRARIES: tuple[str, ...] = tuple(sorted({library for f in FORMATS for library in f.libraries}))
"""Libraries whose version (or absence) changes the text read from a file (``index.fingerprint``)."""


def is_web_like(format_name: str | None) -> bool:
    return format_name in WEB_LIKE


def has_slides(format_name: str | None) -> bool:
    return format_name in BY_NAME and BY_NAME[format_name].slides


def formats_for_suffix(suffix: str) -> set[str]:
    """Names of the formats a file with this suffix is expected to be (empty: unknown suffix)."""
    suffix = suffix.lower()
    return {f.name for f in FORMATS if suffix in f.suffixes}


def supported_suffixes() -> str:
    """The main suffix of every supported format, for messages: '.txt, .md, ... .doc or an
    image (.png, .jpg...)' (the image formats are many, and read alike)."""
    names = [f.suffixes[0] for f in FORMATS if f.name != "image"]
    images = next((f.suffixes for f in FORMATS if f.name == "image"), ())
    if images:
        return ", ".join(names) + f" or an image ({', '.join(images[:2])}...)"
    return ", ".join(names[:-1]) + " or " + names[-1]
