"""What screens ask the app to do. Screens post these messages; ``GuidanceApp`` handles each in
one ``on_*`` method, so a new action is one message, one handler and the key that posts it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..models import Hit


@dataclass
class SearchRequested(Message):
    question: str


@dataclass
class OpenDocument(Message):
    hit: Hit
    question: str


@dataclass
class CopyCitation(Message):
    hit: Hit


@dataclass
class CopyPassage(Message):
    """Copy the passage's text, quoted, with its citation."""

    hit: Hit


@dataclass
class AddToReport(Message):
    hit: Hit
    question: str


@dataclass
class SearchWithinDocument(Message):
    """Restrict searches to one document (shown on the filter line; cleared from the filters)."""

    document_id: str
    title: str


class ShowReport(Message):
    pass


class ReportChanged(Message):
    """The report screen reordered, removed or cleared passages: the app saves the basket."""


class ExportReport(Message):
    pass


class EditFilters(Message):
    pass


class ShowIndex(Message):
    pass


class IndexSummaryRequested(Message):
    """The index screen wants its summary (what is indexed, staleness, skipped files) refreshed."""


class RebuildIndex(Message):
    pass


class ReloadIndex(Message):
    pass
