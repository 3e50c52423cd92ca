"""What screens ask the app to do. Screens post these messages; ``GuidanceApp`` handles each in
one ``on_*`` method. Actions on a passage are one message, ``PassageActionRequested``, whose
name picks the action from ``actions.PASSAGE_ACTIONS``."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..models import Hit


@dataclass
class SearchRequested(Message):
    question: str


@dataclass
class PassageActionRequested(Message):
    """Run one of ``actions.PASSAGE_ACTIONS`` on a passage."""

    name: str
    hit: Hit
    question: str
    turn: int = 0
    """The number (from 1) of the conversation's turn whose card it is; 0 when not known."""


class ShowReport(Message):
    pass


class ReportChanged(Message):
    """The report screen reordered, removed, cleared or put back passages: the app saves the
    basket, and the case note keeps what it keeps."""

    def __init__(self, put_back: list | None = None):
        super().__init__()
        self.put_back = put_back or []
        """The report items a removal's undo put back (``report.ReportItem``): the case note
        keeps them again."""


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


class ClearFiltersAndAsk(Message):
    """Clear every filter and ask the last question again."""


class AskAlone(Message):
    """Ask the last question again on its own, as typed."""


class NewTopic(Message):
    """The next question starts a new topic (toggles)."""


class ExportCaseNote(Message):
    pass


class SetUpIndex(Message):
    """Build the index, or index another folder (the first screen of an empty index)."""
