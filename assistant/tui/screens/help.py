"""Every key binding, in one place (press ? anywhere)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Anywhere", [
        ("?  or  F1", "this help"),
        ("ctrl+q", "quit"),
        ("ctrl+t", "switch light / dark theme"),
    ]),
    ("Question box", [
        ("Enter", "search"),
        ("up / down", "earlier / later questions"),
        ("Tab", "move to the results"),
    ]),
    ("Results", [
        ("up / down, j / k", "previous / next passage"),
        ("Enter", "read the passage in its document"),
        ("c", "copy the citation (terminal clipboard, OSC 52)"),
        ("a", "add the passage to the report"),
        ("r", "open the report"),
        ("f", "filters: region, type, organisation, year"),
        ("i", "index: what is indexed, staleness, rebuild"),
        ("h", "history of questions"),
        ("/ or Esc", "back to the question box"),
        ("q", "quit (when not typing)"),
    ]),
    ("Document", [
        ("Esc", "back to the results"),
        ("p", "back to the passage"),
        ("c / a", "copy citation / add to report"),
    ]),
    ("Report", [
        ("up / down", "select a passage"),
        ("K / J  (shift)", "move the passage up / down"),
        ("x or Delete", "remove the passage"),
        ("e", "export Markdown (the file path is shown)"),
        ("Esc", "back"),
    ]),
    ("Index", [
        ("b", "rebuild (only changed files)"),
        ("R", "reload a newer index built elsewhere"),
        ("Esc", "back"),
    ]),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 76; max-height: 90%; border: heavy $accent; background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, expand=True, padding=(0, 1))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("action")
        for group, keys in KEYS:
            table.add_row(f"— {group} —", "")
            for key, action in keys:
                table.add_row(key, action)
        with VerticalScroll():
            yield Static("Keys (Esc to close)", classes="help-title", markup=False)
            yield Static(table, id="help-keys")
