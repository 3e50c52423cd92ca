"""The main screen: question box, filter line, ranked result cards or a clear abstention, status."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static

from ...models import Answer
from ...ingest.formats import supported_suffixes
from ...text import strip_control
from .. import messages
from ..widgets.query_bar import QueryInput
from ..widgets.result_card import ResultCard

NO_INDEX_HELP = (
    "There is no index yet.\n\n"
    "1. Put documents (" + supported_suffixes() + ") in the corpus folder: {corpus}\n"
    "2. Press b to build the index here, or run:  python -m assistant index build\n"
)
WELCOME = (
    "Type a question in plain words (\"why do some victims decline help?\") or keywords "
    "(\"Resolution 2331\") and press Enter.\n\n"
    "Every passage shown is quoted from a document, with its citation. When nothing in the "
    "corpus answers, you are told so.\n\nPress ? for all keys."
)


class SearchScreen(Screen):
    BINDINGS = [
        Binding("enter", "open_document", "Open", tooltip="Read the passage in its document"),
        Binding("c", "copy_citation", "Cite", tooltip="Copy the citation (terminal clipboard, OSC 52)"),
        Binding("a", "add_to_report", "Add", tooltip="Add the passage to the report"),
        Binding("r", "show_report", "Report", tooltip="Open the report of collected passages"),
        Binding("f", "filters", "Filters", tooltip="Filters: region, type, organisation, year"),
        Binding("w", "search_within", "Within", tooltip="Search only within this passage's document"),
        Binding("i", "index_screen", "Index: contents, staleness, rebuild", show=False),
        Binding("h", "toggle_history", "History of questions", show=False),
        Binding("slash,escape", "focus_question", "Back to the question box", show=False),
        Binding("down,j", "move(1)", "Next passage", show=False),
        Binding("up,k", "move(-1)", "Previous passage", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Guidance Lookup — retrieval only: passages are quoted verbatim from the corpus", id="title-bar", markup=False)
        yield QueryInput(id="question")
        yield Static("Filters: none  (f to change)", id="filter-line", markup=False)
        with Horizontal(id="main"):
            yield VerticalScroll(Static(WELCOME, markup=False, classes="placeholder"), id="results")
            yield OptionList(id="history-panel")
        yield Static("loading model…", id="status-bar", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history-panel").display = False
        box = self.query_one(QueryInput)
        box.cursor_blink = self.app.settings.tui.cursor_blink
        box.focus()

    # -- events -------------------------------------------------------------------------------

    @on(Input.Submitted, "#question")
    def submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            self.app.notify("Type a question first.", severity="warning")
            return
        self.query_one(QueryInput).remember(question)
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
            message.append("• Try other words, or fewer of them.\n• Remove filters (f) if any are set.\n• Check what is indexed (i).")
            widgets.append(Static(message, classes="abstained", markup=False))
        else:
            width, height = self.app.size
            room = max(280, (width - 8) * max(5, (height - 12) // 2))  # about two cards per screen
            for hit in answer.hits:
                widgets.append(ResultCard(hit, answer.query, collected=hit.chunk_id in collected, max_chars=room))
        await results.mount_all(widgets)
        results.scroll_home(animate=False)
        cards = list(results.query(ResultCard))
        if cards:
            cards[0].focus()

    def set_status(self, text: str) -> None:
        self.query_one("#status-bar", Static).update(text)

    def set_filter_line(self, text: str) -> None:
        self.query_one("#filter-line", Static).update(text)

    def _refresh_history(self) -> None:
        panel = self.query_one("#history-panel", OptionList)
        panel.clear_options()
        panel.add_options(list(reversed(self.query_one(QueryInput).history)))

    # -- actions ------------------------------------------------------------------------------

    def focused_card(self) -> ResultCard | None:
        focused = self.focused
        return focused if isinstance(focused, ResultCard) else None

    def action_move(self, step: int) -> None:
        cards = list(self.query(ResultCard))
        if not cards:
            return
        current = self.focused_card()
        if current is None:
            target = cards[0] if step > 0 else cards[-1]
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

    def action_open_document(self) -> None:
        card = self.focused_card()
        if card is not None:
            self.post_message(messages.OpenDocument(card.hit, card.question))

    def action_copy_citation(self) -> None:
        card = self.focused_card()
        if card is not None:
            self.post_message(messages.CopyCitation(card.hit))

    def action_add_to_report(self) -> None:
        card = self.focused_card()
        if card is not None:
            self.post_message(messages.AddToReport(card.hit, card.question))

    def action_search_within(self) -> None:
        card = self.focused_card()
        if card is not None:
            self.post_message(messages.SearchWithinDocument(card.hit.document.id, card.hit.document.title))

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
