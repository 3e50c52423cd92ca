"""Read in context: the whole document, scrolled to the passage, which is marked."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...models import Document, Hit
from ...present import citation_line
from ...text import strip_control
from .. import messages


class DocumentScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to results"),
        Binding("c", "copy_citation", "Copy citation"),
        Binding("a", "add_to_report", "Add to report"),
        Binding("p", "jump_to_passage", "Back to the passage"),
        Binding("w", "search_within", "Search within this document"),
        Binding("home", "scroll_top", "Top", show=False),
        Binding("end", "scroll_bottom", "End", show=False),
    ]

    def __init__(self, document: Document, hit: Hit, question: str):
        super().__init__()
        self.document = document
        self.hit = hit
        self.question = question

    def compose(self) -> ComposeResult:
        header = Text()
        header.append(strip_control(self.document.title), style="bold")
        header.append("\n" + strip_control(citation_line(self.hit.citation)))
        if self.document.source_title:
            header.append(f"\nListed on: {strip_control(self.document.source_title)}")
        header.append(f"\nFile: {strip_control(self.document.path)}   (Esc: back, p: back to the passage)")
        yield Static(header, id="document-header", markup=False)
        start, end = self.hit.location.char_start, self.hit.location.char_end
        text = self.document.text
        with VerticalScroll(id="document-body"):
            if text[:start].strip():
                yield Static(Text(strip_control(text[:start].rstrip("\n"))), markup=False, classes="context")
            passage = Text("▶ passage from the results ▶\n", style="bold")
            body = Text(strip_control(text[start:end]))
            body.stylize("reverse")
            passage.append_text(body)
            passage.append("\n◀ end of passage ◀", style="bold")
            yield Static(passage, id="passage", markup=False)
            if text[end:].strip():
                yield Static(Text(strip_control(text[end:].lstrip("\n"))), markup=False, classes="context")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self.action_jump_to_passage)

    def action_jump_to_passage(self) -> None:
        body = self.query_one("#document-body", VerticalScroll)
        body.scroll_to_widget(self.query_one("#passage"), animate=False, top=True)
        body.focus()

    def action_scroll_top(self) -> None:
        self.query_one("#document-body", VerticalScroll).scroll_home(animate=False)

    def action_scroll_bottom(self) -> None:
        self.query_one("#document-body", VerticalScroll).scroll_end(animate=False)

    def action_copy_citation(self) -> None:
        self.post_message(messages.CopyCitation(self.hit))

    def action_add_to_report(self) -> None:
        self.post_message(messages.AddToReport(self.hit, self.question))

    def action_search_within(self) -> None:
        """Back to the question box, with searches restricted to this document."""
        self.post_message(messages.SearchWithinDocument(self.document.id, self.document.title))
