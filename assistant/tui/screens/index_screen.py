"""What is indexed (documents, records, skipped files with reasons), whether the corpus changed
since, and a rebuild that runs in the background with a progress bar."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from ...text import strip_control
from .. import messages
from ..widgets.footer import KeysFooter


class IndexScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("b", "rebuild", "Rebuild"),
        Binding("R", "reload", "Newest index", tooltip="Switch to the newest index"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Index", id="index-title", markup=False)
        yield Static("", id="build-stage", markup=False)
        yield ProgressBar(id="build-progress", show_eta=False)
        with VerticalScroll(id="index-body"):
            yield Static("", id="index-summary", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#build-progress").display = False
        self.refresh_status()

    def refresh_status(self) -> None:
        self.post_message(messages.IndexSummaryRequested())

    def show_summary(self, summary: Text) -> None:
        self.query_one("#index-summary", Static).update(summary)

    def action_rebuild(self) -> None:
        self.post_message(messages.RebuildIndex())

    def action_reload(self) -> None:
        self.post_message(messages.ReloadIndex())

    def show_stage(self, name: str, total: int | None) -> None:
        self.query_one("#build-stage", Static).update(Text(f"Building: {name}…"))
        bar = self.query_one("#build-progress", ProgressBar)
        bar.display = True
        bar.update(total=total, progress=0)

    def advance(self, amount: int) -> None:
        self.query_one("#build-progress", ProgressBar).advance(amount)

    def finish(self, message: str) -> None:
        self.query_one("#build-stage", Static).update(Text(strip_control(message)))
        self.query_one("#build-progress").display = False
        self.refresh_status()
