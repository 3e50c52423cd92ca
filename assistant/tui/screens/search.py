"""The main screen: question box, filter line, ranked result cards or a clear abstention, status."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static

from ...models import Answer
from ...ingest.formats import supported_suffixes
from ...text import safe_line, strip_control
from .. import messages
from ..actions import passage_bindings
from ..widgets.query_bar import QueryInput
from ..widgets.result_card import ResultCard

NO_INDEX_HELP = (
    "There is no index yet.\n\n"
    "1. Put documents (" + supported_suffixes() + ") in the corpus folder: {corpus}\n"
    "2. Press b to build the index here, or {advice}\n"
)
WELCOME = (
    "Type a question in plain words (\"why do some victims decline help?\") or keywords "
    "(\"Resolution 2331\") and press Enter.\n\n"
    "Every passage shown is quoted from a document, with its citation. When nothing in the "
    "corpus answers, you are told so.\n\nAfter a search, ↓ or Tab reaches the passages; "
    "Ctrl+P lists every action; F1 lists every key."
)


class ResultsScroll(VerticalScroll, can_focus=False):
    """The results column. Not a focus stop of its own (Tab goes from the question box straight to
    the first passage); when it scrolls, the selection moves to a passage that is in view."""

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        screen = self.screen
        if isinstance(screen, SearchScreen):
            # Checked once the layout has settled: moving between passages scrolls too, and then
            # the passage moved to is in view by the time this runs.
            screen.call_after_refresh(screen.keep_selection_in_view)


class SearchScreen(Screen):
    BINDINGS = [
        *passage_bindings("results"),
        Binding("r", "show_report", "Report", tooltip="Open the report of collected passages"),
        Binding("f", "filters", "Filters", tooltip="Filters: region, type, organisation, year"),
        Binding("i", "index_screen", "Index: contents, staleness, rebuild", show=False),
        Binding("h", "toggle_history", "History of questions", show=False),
        Binding("slash,escape", "focus_question", "Back to the question box", show=False),
        Binding("down,j", "move(1)", "Next passage", show=False),
        Binding("up,k", "move(-1)", "Previous passage", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Guidance Lookup — retrieval only: passages are quoted verbatim from the corpus", id="title-bar", markup=False)
        yield QueryInput(id="question")
        yield Static("Filters: none  (f on a passage, or Ctrl+P)", id="filter-line", markup=False)
        with Horizontal(id="main"):
            yield ResultsScroll(Static(WELCOME, markup=False, classes="placeholder"), id="results")
            yield OptionList(id="history-panel")
        yield Static("loading model…", id="status-bar", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history-panel").display = False
        box = self.query_one(QueryInput)
        box.cursor_blink = self.app.settings.tui.cursor_blink
        box.history = list(self.app.saved_history())
        box.focus()

    # -- events -------------------------------------------------------------------------------

    @on(Input.Submitted, "#question")
    def submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            self.app.notify("Type a question first.", severity="warning")
            return
        box = self.query_one(QueryInput)
        box.remember(question)
        box.select_all()  # the next question replaces this one as it is typed (→ or End to extend it)
        self._refresh_history()
        self.post_message(messages.SearchRequested(question))

    @on(OptionList.OptionSelected, "#history-panel")
    def history_chosen(self, event: OptionList.OptionSelected) -> None:
        question = str(event.option.prompt)
        box = self.query_one(QueryInput)
        box.value = question
        box.focus()
        self.post_message(messages.SearchRequested(question))

    # -- rendering ----------------------------------------------------------------------------

    async def show_placeholder(self, text: str) -> None:
        results = self.query_one("#results", VerticalScroll)
        await results.remove_children()
        await results.mount(Static(text, markup=False, classes="placeholder"))

    async def show_answer(self, answer: Answer, collected: set[int]) -> None:
        results = self.query_one("#results", VerticalScroll)
        await results.remove_children()
        widgets = []
        for notice in answer.notices:
            widgets.append(Static(f"Note: {notice}", markup=False, classes="notice"))
        if answer.abstained:
            message = Text()
            message.append("No passage in the corpus answers this question.\n\n", style="bold")
            message.append(f"Question: {strip_control(answer.query)}\n\n")
            message.append("Nothing is shown because no passage matched well enough; the tool never guesses.\n")
            message.append("• Try other words, or fewer of them.\n• Remove filters if any are set (Ctrl+P, then Filters).\n• Check what is indexed (Ctrl+P, then Index).")
            widgets.append(Static(message, classes="abstained", markup=False))
        else:
            width, height = self.app.size
            room = max(280, (width - 8) * max(5, (height - 12) // 2))  # about two cards per screen
            for hit in answer.hits:
                widgets.append(ResultCard(hit, answer.query, collected=hit.chunk_id in collected, max_chars=room))
        await results.mount_all(widgets)
        results.scroll_home(animate=False)
        cards = list(results.query(ResultCard))
        self.select(cards[0] if cards else None)  # selected, not focused: typing stays in the box

    def set_status(self, text: str) -> None:
        self.query_one("#status-bar", Static).update(text)

    def set_filter_line(self, text: str) -> None:
        self.query_one("#filter-line", Static).update(text)

    def _refresh_history(self) -> None:
        panel = self.query_one("#history-panel", OptionList)
        panel.clear_options()
        # Questions are the user's text: plain, never markup ("debt bondage [/] signs").
        panel.add_options([Content(safe_line(question)) for question in reversed(self.query_one(QueryInput).history)])

    # -- actions ------------------------------------------------------------------------------

    selected: ResultCard | None = None

    def focused_card(self) -> ResultCard | None:
        """The passage card actions apply to: the focused one, else the selected one."""
        focused = self.focused
        if isinstance(focused, ResultCard):
            return focused
        return self.selected if self.selected is not None and self.selected.is_attached else None

    def select(self, card: ResultCard | None) -> None:
        for other in self.query(ResultCard):
            other.set_class(other is card, "-selected")
        self.selected = card

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, ResultCard):
            self.select(event.widget)

    def keep_selection_in_view(self) -> None:
        """After End, PageDown or the wheel, the selection follows to a passage on screen, so that
        a key never acts on a passage the reader cannot see."""
        card = self.focused_card()
        results = self.query_one("#results", VerticalScroll)
        # Positions inside the scrolled column (the screen's regions lag one refresh behind).
        window = Region(0, round(results.scroll_y), max(1, results.size.width), max(1, results.size.height))
        if card is None or window.overlaps(card.virtual_region):
            return
        visible = [c for c in self.query(ResultCard) if window.overlaps(c.virtual_region)]
        if visible:
            target = visible[0]
            if isinstance(self.focused, ResultCard):
                target.focus(scroll_visible=False)
            else:
                self.select(target)

    def action_move(self, step: int) -> None:
        cards = list(self.query(ResultCard))
        if not cards:
            return
        current = self.focused if isinstance(self.focused, ResultCard) else None
        if current is None:
            target = (self.selected if self.selected in cards else cards[0]) if step > 0 else cards[-1]
        else:
            index = cards.index(current) + step
            if index < 0:
                self.query_one(QueryInput).focus()
                return
            target = cards[min(index, len(cards) - 1)]
        target.focus()
        target.scroll_visible(animate=False)

    def action_focus_question(self) -> None:
        self.query_one(QueryInput).focus()

    def action_toggle_history(self) -> None:
        panel = self.query_one("#history-panel", OptionList)
        panel.display = not panel.display
        if panel.display:
            self._refresh_history()
            panel.focus()

    def action_passage(self, name: str) -> None:
        """One of the passage actions, on the selected card."""
        card = self.focused_card()
        if card is not None:
            self.post_message(messages.PassageActionRequested(name, card.hit, card.question))

    def mark_collected(self, chunk_id: int) -> None:
        for card in self.query(ResultCard):
            if card.hit.chunk_id == chunk_id:
                card.mark_collected()

    def action_show_report(self) -> None:
        self.post_message(messages.ShowReport())

    def action_filters(self) -> None:
        self.post_message(messages.EditFilters())

    def action_index_screen(self) -> None:
        self.post_message(messages.ShowIndex())
