"""Filters, from the values present in the index: region, type, organisation, year range."""

from __future__ import annotations

from rich.segment import Segment
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Button, Input, SelectionList, Static
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

from ...models import Filters
from ...text import safe_line, strip_control


class TickList(SelectionList[str]):
    """A SelectionList whose ticked options show a tick, not only another colour."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        try:
            ticked = self.get_option_at_index(self.scroll_offset.y + y).value in self.selected
        except OptionDoesNotExist:
            return strip
        segments[1] = Segment("✓" if ticked else " ", segments[1].style)
        return Strip(segments, strip.cell_length)


class FilterScreen(ModalScreen[Filters | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "apply", "Apply", priority=True),
        # Priority: in a year box, ctrl+x would otherwise cut the text, not clear the filters.
        Binding("ctrl+x", "clear", "Clear all", priority=True),
    ]
    DEFAULT_CSS = """
    FilterScreen { align: center middle; }
    FilterScreen > VerticalScroll { width: 90%; max-width: 100; height: 100%; border: heavy $accent; background: $surface; padding: 0 1; }
    FilterScreen SelectionList { height: auto; max-height: 8; }
    FilterScreen .filter-label { margin-top: 1; text-style: bold; }
    FilterScreen Horizontal { height: auto; }
    FilterScreen Input { width: 16; }
    FilterScreen Button { margin: 0 0 0 1; min-width: 10; }
    """

    def __init__(self, facets: dict[str, list[str]], current: Filters, document_titles: dict[str, str] | None = None):
        super().__init__()
        self.facets = facets
        self.current = current
        self.document_titles = document_titles or {}

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Filters (space to tick; Ctrl+S apply, Ctrl+X clear, Esc cancel)", markup=False)
            if self.current.documents:
                titles = "; ".join(strip_control(self.document_titles.get(d, d)) for d in self.current.documents)
                yield Static(f"Only within: {titles}  (Clear all removes this)", id="filter-documents", markup=False)
            # The year and the buttons first: at 80x24 the lists below would push them off screen.
            yield Static("Year", classes="filter-label", markup=False)
            with Horizontal():
                # Not selected on focus: a year started on a list (``on_key``) keeps its first digit.
                for key, year in (("from", self.current.year_from), ("to", self.current.year_to)):
                    yield Input(
                        value=str(year or ""),
                        placeholder=key,
                        restrict=r"\d{0,4}",
                        id=f"year-{key}",
                        select_on_focus=False,
                    )
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Clear all", id="clear")
                yield Button("Cancel", id="cancel")
            for key, label, chosen in (
                ("region", "Region", self.current.regions),
                ("type", "Resource type", self.current.resource_types),
                ("organisation", "Organisation", self.current.organisations),
            ):
                yield Static(label, classes="filter-label", markup=False)
                values = self.facets.get(key, [])
                if values:
                    # Catalogue values are data: shown as plain text, never read as markup.
                    yield TickList(
                        *[(Content(safe_line(value)), value, value in chosen) for value in values], id=f"filter-{key}"
                    )
                else:
                    yield Static("(none in this index)", markup=False)

    def on_mount(self) -> None:
        lists = list(self.query(TickList))
        (lists[0] if lists else self.query_one("#year-from", Input)).focus()

    _year_begun = False
    """Digits typed on a list are going into the year "from" box (``on_key``)."""

    def on_key(self, event: events.Key) -> None:
        """A digit typed on a list starts a new year "from" (a list ignored it: the year was lost),
        and the digits typed at once after it follow it: in a burst (fast typing, a terminal's
        paste) they all reach the list before the box takes the focus, and each had started the
        year again ("2019" came out "9")."""
        if event.character and event.character.isdigit() and isinstance(self.focused, SelectionList):
            event.stop()
            self._start_year(event.character)

    def on_paste(self, event: events.Paste) -> None:
        """A year pasted on a list goes into the year "from" box too."""
        if isinstance(self.focused, SelectionList) and event.text.strip().isdigit():
            event.stop()
            self._start_year(event.text.strip())

    def _start_year(self, digits: str) -> None:
        year = self.query_one("#year-from", Input)
        year.value = (year.value + digits) if self._year_begun else digits
        year.cursor_position = len(year.value)
        self._year_begun = True
        year.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, SelectionList):
            self._year_begun = False  # back on a list: a digit typed there starts a new year

    def _selected(self, key: str) -> list[str]:
        matches = self.query(f"#filter-{key}")
        return list(matches.first(SelectionList).selected) if matches else []

    def _year(self, widget_id: str) -> int | None:
        value = self.query_one(f"#{widget_id}", Input).value.strip()
        return int(value) if len(value) == 4 else None

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        self.dismiss(
            Filters(
                regions=self._selected("region"),
                resource_types=self._selected("type"),
                organisations=self._selected("organisation"),
                year_from=self._year("year-from"),
                year_to=self._year("year-to"),
                documents=list(self.current.documents),
            )
        )

    @on(Button.Pressed, "#clear")
    def action_clear(self) -> None:
        self.dismiss(Filters())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def describe_filters(filters: Filters, document_titles: dict[str, str] | None = None) -> str:
    return "Filters: " + (filters.describe(document_titles) or "none") + "  (f on a passage, or Ctrl+P)"
