"""The intermediate form every reader produces: a sequence of lines with what the format says
about them (heading level, list item, page). Cleaning and structure work on this, whatever the
source format was."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from ..errors import IngestError

LineKind = Literal["text", "heading", "list_item", "table_row", "blank"]


@dataclass
class Line:
    text: str
    number: int
    """1-based position in the extracted text (for plain text: the physical line)."""
    kind: LineKind = "text"
    level: int | None = None
    """Heading level when the format states it (Markdown #, docx Heading N, HTML hN)."""
    page: int | None = None
    page_end: int | None = None
    """Last page of a paragraph that runs over a page break (None: same as ``page``)."""
    page_breaks: list[tuple[int, str]] = field(default_factory=list)
    """Where such a paragraph goes on to each later page: the page, and the text that begins it
    there (``structure`` finds it again in the paragraph, so that a quotation of the paragraph's
    second half cites only the page it is on)."""
    removed: str | None = None
    """Why cleaning dropped this line; None while it is kept."""
    signal: str | None = None
    """What a dropped line told us about its neighbours: 'cta' (a call to action ends a listed
    resource), 'more' (a summary was cut off with Read More), 'download' (a download label)."""

    @property
    def kept(self) -> bool:
        return self.removed is None and self.kind != "blank" and bool(self.text.strip())


WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’][A-Za-z]+)?")
"""A word of running text (letters, with an apostrophe's ending: "victim’s")."""


CONTENTS_TITLE = r"(?:table of )?contents?(?: page)?"
"""The title of a table of contents ("Contents", "Table of contents"): a PDF page under it is
navigation (``readers.pdf``), and it heads no section path beyond itself (``structure``)."""


def vocabulary(lines: list[Line]) -> Counter[str]:
    """How often each word (lower-cased) occurs in the lines: a document's own vocabulary, by
    which a word broken in two ("Oper ates") or two run together ("SLAVERYAWARENESS") is judged."""
    return Counter(word.lower() for line in lines if line.kind != "blank" for word in WORD.findall(line.text))


@dataclass
class Extraction:
    """What a reader got out of one file."""

    format: str
    lines: list[Line]
    metadata: dict[str, object] = field(default_factory=dict)
    """What the file says about itself: title, organisation (author/publisher), year, language."""
    warnings: list[str] = field(default_factory=list)


class SkipFile(IngestError):
    """This file cannot be indexed; the message is the reason shown in the skip report."""

    def __init__(self, reason: str, status: str = "skipped"):
        super().__init__(reason)
        self.reason = reason
        self.status = status  # "skipped" (unreadable/unsupported) or "empty" (no text)


def lines_from_text(text: str, page: int | None = None, start_number: int = 1) -> list[Line]:
    """One Line per physical line; blank lines kept as separators."""
    lines = []
    for offset, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        lines.append(Line(text=stripped, number=start_number + offset, kind="text" if stripped else "blank", page=page))
    return lines
