"""The report basket: collected passages, reorder or remove them, export Markdown."""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import ListItem, ListView, Static

from ...present import CLOSEST_MARK, citation_line
from ...report import ReportBasket, ReportItem
from ...text import strip_control
from .. import messages
from ..widgets.footer import KeysFooter


class ReportList(ListView):
    """The report's passages. Home, End, Page Up and Page Down move the selection, not only the
    view: a first-use audit pressed End, then x, and removed the first passage, off screen."""

    BINDINGS = [
        Binding("home", "select(0)", "First", show=False),
        Binding("end", "select(-1)", "Last", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
    ]

    def action_select(self, index: int) -> None:
        if len(self):
            self.index = index % len(self)

    def action_page(self, direction: int) -> None:
        if len(self):
            current = self.highlighted_child
            tall = current.outer_size.height if current is not None else 1
            step = max(1, self.scrollable_content_region.height // max(tall, 1))  # about a screenful
            self.index = max(0, min(len(self) - 1, (self.index or 0) + direction * step))


class ReportScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("e", "export", "Export", tooltip="Export the report (Markdown, plain text, BibTeX or CSL-JSON)"),
        Binding("x,delete", "remove", "Remove"),
        Binding("u", "undo", "Put back", tooltip="Put back what x or clearing removed"),
        Binding("ctrl+d", "clear", "Clear all", tooltip="Clear the report (u puts it back)"),
        Binding("K,shift+up", "move(-1)", "Move up", show=False),
        Binding("J,shift+down", "move(1)", "Move down", show=False),
    ]

    def __init__(self, basket: ReportBasket, saved_in: str = ""):
        super().__init__()
        self.basket = basket
        self.saved_in = saved_in
        self.removals: list[list[tuple[int, ReportItem]]] = []
        """What each removal or clearing took out, newest last, with the places: u puts back."""

    def compose(self) -> ComposeResult:
        yield Static("", id="report-title", markup=False)
        yield ReportList(id="report-items")
        yield Static("", id="report-path", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.refresh_items(0)

    def refresh_items(self, selected: int | None = None) -> None:
        count = len(self.basket.items)
        questions = len(self.basket.questions())
        self.query_one("#report-title", Static).update(
            f"Report: {count} passage{'s' if count != 1 else ''} from {questions} "
            f"question{'s' if questions != 1 else ''}."
            + ("" if count else "  Add passages with a on a result.")
            + (f"\nKept as you work in {self.saved_in} (restored at the next start)." if self.saved_in else "")
        )
        items = self.query_one("#report-items", ListView)
        items.clear()
        for number, item in enumerate(self.basket.items, start=1):
            label = Text()
            label.append(f"{number}. {strip_control(citation_line(item.citation))}\n", style="bold")
            if item.closest:
                label.append(f"{CLOSEST_MARK}\n", style="italic")
            if item.out_of_date:
                gone = {
                    True: "its file is no longer in the corpus (removed or renamed since it was added)",
                    False: "its file has changed since it was added",
                    None: "its file has changed or been removed since it was added",
                }
                label.append(f"{gone[item.file_removed]}\n", style="bold")
            for caution in item.cautions:
                label.append(f"{strip_control(caution)}\n", style="italic")
            excerpt = strip_control(item.text).replace("\n", " ")
            label.append("“" + textwrap.shorten(excerpt, 220, placeholder=" …") + "”")  # whole words
            items.append(ListItem(Static(label, markup=False)))
        if count:
            items.index = min(selected or 0, count - 1)
            items.focus()

    def _selected(self) -> int | None:
        index = self.query_one("#report-items", ListView).index
        return index if index is not None and 0 <= index < len(self.basket.items) else None

    def action_remove(self) -> None:
        index = self._selected()
        if index is None:
            return
        self.removals.append([(index, self.basket.remove(index))])
        self.refresh_items(index)
        self.post_message(messages.ReportChanged())
        self.app.notify("Passage removed from the report and the case note (u puts it back).", timeout=4)

    def action_undo(self) -> None:
        if not self.removals:
            self.app.notify("Nothing removed to put back.", timeout=3)
            return
        removed = self.removals.pop()
        self.basket.put_back(removed)
        self.refresh_items(removed[-1][0] if len(removed) == 1 else 0)
        self.post_message(messages.ReportChanged(put_back=[item for _, item in removed]))
        count = len(removed)
        self.app.notify(f"{count} passage{'s' if count != 1 else ''} put back in the report.", timeout=4)

    def action_clear(self) -> None:
        if not self.basket.items:
            return
        from .confirm import ConfirmScreen

        def cleared(answer: bool | None) -> None:
            if answer:
                self.removals.append(list(enumerate(self.basket.items)))
                self.basket.clear()
                self.refresh_items(0)
                self.post_message(messages.ReportChanged())
                self.app.notify("The report is empty (u puts its passages back).", timeout=4)

        count = len(self.basket.items)
        self.app.push_screen(
            ConfirmScreen(f"Remove all {count} passage{'s' if count != 1 else ''} from the report?", yes="Clear"),
            cleared,
        )

    def action_move(self, offset: int) -> None:
        index = self._selected()
        if index is None:
            return
        self.refresh_items(self.basket.move(index, offset))
        self.post_message(messages.ReportChanged())

    def action_export(self) -> None:
        self.post_message(messages.ExportReport())

    def show_exported(self, path) -> None:
        self.query_one("#report-path", Static).update(f"Exported to {path}")
