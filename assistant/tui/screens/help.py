"""Every key binding, in one place (press ? anywhere). Built from the bindings themselves, so it
cannot fall out of date."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "escape": "Esc",
    "enter": "Enter",
    "delete": "Delete",
    "up": "↑",
    "down": "↓",
    "home": "Home",
    "end": "End",
    "space": "Space",
    "tab": "Tab",
    "pageup": "PageUp",
    "pagedown": "PageDown",
}


def key_label(keys: str) -> str:
    parts = []
    for key in keys.split(","):
        key = key.strip()
        modifiers, _, name = key.rpartition("+")
        label = _KEY_NAMES.get(
            name, name.upper() if len(name) > 1 and name.startswith("f") and name[1:].isdigit() else name
        )
        parts.append(f"{modifiers}+{label}" if modifiers else label)
    return " / ".join(parts)


def binding_groups(app_bindings) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every screen's bindings; ``app_bindings`` are the running app's own (passed in, so that
    this module does not import the app that imports it)."""
    from ..widgets.query_bar import QueryInput
    from .document import DocumentScreen
    from .filters import FilterScreen
    from .index_screen import IndexScreen
    from .report import ReportScreen
    from .search import SearchScreen

    groups = [
        ("Anywhere", app_bindings),
        (
            "Question box",
            [Binding("enter", "", "Search"), *QueryInput.BINDINGS],
        ),
        (
            "Results",
            [
                *SearchScreen.BINDINGS,
                Binding("pageup", "", "Scroll back to earlier turns (PageDown: forward)"),
            ],
        ),
        ("Reading a document", DocumentScreen.BINDINGS),
        ("Report", ReportScreen.BINDINGS),
        ("Filters", FilterScreen.BINDINGS),
        ("Index", IndexScreen.BINDINGS),
    ]
    return [
        (
            title,
            [
                (key_label(b.key), b.tooltip or b.description)
                for b in bindings
                if isinstance(b, Binding) and b.description
            ],
        )
        for title, bindings in groups
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close help")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 76; max-height: 90%; border: heavy $accent; background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        # A grid, so that a long description wraps under itself, not under the keys.
        text = Table.grid(padding=(0, 1))
        text.add_column(width=20, no_wrap=True)
        text.add_column(ratio=1)
        for group, keys in binding_groups(type(self.app).BINDINGS):
            text.add_row(Text(group, style="bold underline"), "")
            for key, action in keys:
                text.add_row(Text(f"  {key}", style="bold"), Text(action))
        with VerticalScroll():
            yield Static(
                "Keys (Esc to close). Ctrl+P lists every action by name. The questions you ask are kept "
                "only for this session (unless ASSISTANT_TUI__KEEP_HISTORY=true); the report basket, with "
                "the passages you added and the question each answered, is kept beside the index (readable "
                "by you alone) until you clear it.",
                classes="help-title",
                markup=False,
            )
            yield Static(text, id="help-keys", markup=False)
