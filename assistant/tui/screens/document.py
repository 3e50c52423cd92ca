"""Read in context: the whole document in a read-only text view, opened at the passage (which is
selected), with search inside the document (/, then n and N) and a line that says where the
cursor is: page and section."""

from __future__ import annotations

from bisect import bisect_right

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea
from textual.widgets.text_area import Selection

from ...models import Document, Hit
from ...present import citation_line, page_words
from ...text import strip_control
from .. import messages
from ..actions import passage_bindings
from ..widgets.footer import KeysFooter

PASSAGE_NOT_FOUND = (
    "This passage is not in the document as indexed now: its file has changed since the passage was found. "
    "The document opens at its beginning."
)


class DocumentScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "back", "Back", tooltip="Back to the results"),
        *passage_bindings("document"),
        Binding("p", "jump_to_passage", "Passage", tooltip="Back to the passage"),
        Binding("slash", "find", "Find", tooltip="Find in the document"),
        Binding("n", "find_next(1)", "Next match"),
        Binding("N", "find_next(-1)", "Previous match", show=False),
    ]

    def __init__(self, document: Document, hit: Hit, question: str, turn: int = 0):
        super().__init__()
        self.document = document
        self.hit = hit
        self.question = question
        self.turn = turn
        # Document text is sanitised at ingest; should an old index hold a control character,
        # the view shows the sanitised text and finds the passage by its words instead.
        self.text = strip_control(document.text)
        self.offsets_hold = len(self.text) == len(document.text)
        self.passage_span = self._passage_span()
        """Where the passage is in the text shown; None when it is no longer there."""
        self.block_starts = [block.start for block in document.blocks]
        self.matches: list[int] = []
        self.match_at = -1
        self.query_text = ""

    def compose(self) -> ComposeResult:
        header = Text()
        line = citation_line(self.hit.citation)
        title = strip_control(self.hit.citation.title)
        header.append(title, style="bold")
        header.append(line[len(title) :] if line.startswith(title) else "\n" + line)
        header.append(
            f"\nFile: {strip_control(self.document.path)} · passage id {self.hit.passage_id or self.hit.chunk_id} (for `cite`)   Esc: back, "
            "p: the passage, /: find"
        )
        yield Static(header, id="document-header", markup=False)
        yield TextArea(self.text, read_only=True, soft_wrap=True, show_cursor=True, id="document-body")
        yield Input(placeholder="Find in this document, then Enter (n / N: next / previous)", id="find")
        yield Static("", id="document-position", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#find", Input).display = False
        self.action_jump_to_passage()
        if self.passage_span is None:
            self.notify(PASSAGE_NOT_FOUND, severity="warning", markup=False, timeout=10)

    # -- where the reader is ---------------------------------------------------------------------

    def _passage_span(self) -> tuple[int, int] | None:
        """Where the passage is in the document as indexed now: at its offsets when the text there
        is the passage, else where its first words are found, else nowhere. A passage kept in the
        report before its file was replaced and indexed again has offsets into the old text: a
        first-use audit's reader raised at them."""
        start, end = self.hit.location.char_start, self.hit.location.char_end
        passage = strip_control(self.hit.text)
        if self.offsets_hold and 0 <= start <= end <= len(self.text) and self.text[start:end] == passage:
            return start, end
        found = self.text.find(passage[:80]) if passage else -1
        return (found, min(found + len(passage), len(self.text))) if found >= 0 else None

    def _select(self, start: int, end: int) -> None:
        """Select a span with the cursor at its start, so that a long passage opens at its
        beginning, not scrolled to its end."""
        body = self.query_one("#document-body", TextArea)
        document = body.document
        start_location = document.get_location_from_index(start)
        body.selection = Selection(document.get_location_from_index(end), start_location)
        # The passage's first line a quarter of the way down, once the reader has its size (at
        # mount it has none, and at 80x24 the first line came out on the last row).
        self.call_after_refresh(self._scroll_to_line, start_location)

    def _scroll_to_line(self, location) -> None:
        body = self.query_one("#document-body", TextArea)
        row = body.wrapped_document.location_to_offset(location).y
        body.scroll_to(y=max(0, row - body.scrollable_content_region.height // 4), animate=False)

    def where(self, index: int) -> str:
        """Page and section at a character offset of the document."""
        blocks = self.document.blocks
        position = bisect_right(self.block_starts, index) - 1
        if position < 0 or not blocks:
            return ""
        block = blocks[position]
        parts = []
        if block.page is not None:
            parts.append(page_words(block.page, self.document.page_labels.get(block.page), self.document.format))
        if block.section:
            parts.append(" › ".join(strip_control(s) for s in block.section))
        return " · ".join(parts)

    @on(TextArea.SelectionChanged, "#document-body")
    def _moved(self, event: TextArea.SelectionChanged) -> None:
        body = self.query_one("#document-body", TextArea)
        index = body.document.get_index_from_location(event.selection.end)
        place = self.where(index)
        found = (
            f"match {self.match_at + 1} of {len(self.matches)} for “{self.query_text}”"
            if self.matches and self.match_at >= 0
            else ""
        )
        self.query_one("#document-position", Static).update("  ·  ".join(p for p in (place, found) if p))

    # -- actions ---------------------------------------------------------------------------------

    def action_back(self) -> None:
        finder = self.query_one("#find", Input)
        if finder.display:
            finder.display = False
            self.query_one("#document-body", TextArea).focus()
            return
        self.app.pop_screen()

    def action_jump_to_passage(self) -> None:
        self._select(*(self.passage_span or (0, 0)))
        self.query_one("#document-body", TextArea).focus()

    def action_find(self) -> None:
        finder = self.query_one("#find", Input)
        finder.display = True
        finder.focus()

    @on(Input.Submitted, "#find")
    def _find(self, event: Input.Submitted) -> None:
        self.query_text = " ".join(event.value.split())
        finder = self.query_one("#find", Input)
        finder.display = False
        body = self.query_one("#document-body", TextArea)
        body.focus()
        self.matches = []
        if self.query_text:
            folded, needle = self.text.casefold(), self.query_text.casefold()
            start = folded.find(needle)
            while start >= 0:
                self.matches.append(start)
                start = folded.find(needle, start + 1)
        if not self.matches:
            self.match_at = -1
            self.notify(f"“{self.query_text}” is not in this document.", severity="warning", markup=False, timeout=3)
            return
        cursor = body.document.get_index_from_location(body.selection.end)
        self.match_at = next((i for i, at in enumerate(self.matches) if at >= cursor), 0) - 1
        self.action_find_next(1)

    def action_find_next(self, step: int) -> None:
        if not self.matches:
            return
        self.match_at = (self.match_at + step) % len(self.matches)
        start = self.matches[self.match_at]
        self._select(start, start + len(self.query_text))

    def action_passage(self, name: str) -> None:
        """One of the passage actions, on the passage this document was opened at; when the
        cursor has moved off it, the screen says so (a first-use audit added a p. 4 contents
        line to the report while the reader showed p. 24)."""
        span = self.passage_span
        body = self.query_one("#document-body", TextArea)
        cursor = body.document.get_index_from_location(body.selection.end)
        if span is None or not span[0] <= cursor <= span[1]:
            self.notify(self.elsewhere_note(span), markup=False, timeout=8)
        self.post_message(messages.PassageActionRequested(name, self.hit, self.question, self.turn))

    def elsewhere_note(self, span: tuple[int, int] | None) -> str:
        """Said when a passage action runs with the cursor off the passage."""
        where = self.where(span[0]) if span is not None else ""
        return (
            f"c, y, a and w act on the passage you opened{f' ({where})' if where else ''}, not on the text at the "
            "cursor; p goes back to it."
        )
