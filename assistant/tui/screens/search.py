"""The main screen: question box, filter line, ranked result cards or a clear abstention, status."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Static

from ...ingest.formats import supported_suffixes
from ...models import NO_ANSWER
from ...text import safe_line, strip_control
from .. import messages
from ..actions import passage_bindings
from ..widgets.footer import KeysFooter
from ..widgets.query_bar import QueryInput
from ..widgets.result_card import ResultCard
from .filters import describe_filters

NO_INDEX_HELP = (
    "There is no index yet.\n\n"
    "1. Put documents (" + supported_suffixes() + ") in the corpus folder: {corpus}\n"
    "2. Press ctrl+b to build the index here, or to choose another folder of documents; or {advice}\n"
)
WELCOME = (
    'Type a question in plain words ("why do some victims decline help?") or keywords '
    '("Resolution 2331") and press Enter. Then ask follow-ups ("and for children?"): the '
    "conversation stays on screen, and a follow-up is searched with the words of your earlier "
    "questions (ctrl+o asks it alone instead; ctrl+n starts a new topic).\n\n"
    "Every passage shown is quoted from a document, with its citation. When nothing in the "
    "corpus answers, you are told so.\n\nAfter a search, ↓ or Tab reaches the passages; "
    "Ctrl+P lists every action; F1 lists every key."
)
MAX_TURNS_SHOWN = 20
"""Turns kept on screen (the whole thread stays in memory, for the case note)."""


class TurnView(Vertical):
    """One turn of the conversation: the question as typed, how it was searched, its cards or
    the refusal."""

    DEFAULT_CSS = """
    TurnView { height: auto; margin: 0 0 1 0; }
    TurnView > .turn-question { background: $boost; padding: 0 1; text-style: bold; }
    TurnView > .turn-how { padding: 0 1; color: $text-muted; }
    TurnView > .abstained { border: heavy $warning; padding: 1 2; margin: 1 0 0 0; height: auto; }
    TurnView Button { margin: 1 0 0 2; }
    """

    def __init__(self, turn, number: int, collected: set[int], room: int):
        super().__init__()
        self.turn = turn
        self.number = number
        self.collected = collected
        self.room = room

    def compose(self) -> ComposeResult:
        turn, answer = self.turn, self.turn.answer
        yield Static(Text(f"{self.number}. {strip_control(turn.question)}"), classes="turn-question")
        how = Text()
        if turn.context.words:
            how.append(
                f"Searched with: {', '.join(map(safe_line, turn.context.words))} (from your earlier questions) · "
                "ctrl+o: this question alone\n"
            )
        elif turn.new_topic:
            how.append("New topic: asked on its own.\n")
        elif turn.context.alone:
            how.append("Asked on its own (ctrl+o): no words of the earlier questions, the words as typed.\n")
        if answer.corrections:
            how.append(
                f"Searched for: {safe_line(' '.join([answer.searched_for or '']))} (misspelt words corrected) · "
                "ctrl+o: the words as typed\n"
            )
        for notice in answer.notices:
            if not notice.startswith("searched for:"):
                how.append(f"Note: {safe_line(notice)}\n")
        if not turn.filters.is_empty():
            # The titles the turn was asked with: no read of every document's title per turn shown.
            how.append(describe_filters(turn.filters, turn.filter_titles or None) + "\n")
        if how.plain:
            how.rstrip()
            yield Static(how, classes="turn-how")
        if answer.abstained:
            message = Text()
            message.append(strip_control(answer.message or NO_ANSWER) + "\n\n", style="bold")
            if answer.filtered_out:
                # A key, not "Tab, then Enter": after earlier turns, Tab went to one of their passages
                # (first-use audit).
                message.append("ctrl+x (or the button below): clear the filters and ask again.")
            elif answer.closest:
                message.append("No passage matched well enough to be taken for an answer; the tool never guesses.\n")
                message.append(
                    "• The closest passages follow: judge them yourself.\n• Try other words, or fewer of them."
                )
            else:
                message.append("Nothing is shown because no passage matched well enough; the tool never guesses.\n")
                message.append(
                    "• Try other words, or fewer of them.\n• Check what is indexed (i, or Ctrl+P then Index)."
                )
            yield Static(message, classes="abstained")
            if answer.filtered_out:
                yield Button(
                    "Clear the filters and ask again", id=f"clear-filters-{self.number}", classes="clear-filters"
                )
            if not answer.closest:
                return
        for hit in answer.cards():
            yield ResultCard(
                hit, turn.question, collected=hit.chunk_id in self.collected, max_chars=self.room, turn=self.number
            )


def region_in(widget: Widget, container: Widget) -> Region:
    """Where ``widget`` is inside ``container``'s scrolled content. A card's own
    ``virtual_region`` is relative to its turn, not to the results column: the newest turn's
    cards, read as if at the column's top, were taken for off screen and the selection jumped."""
    region = widget.virtual_region
    node = widget.parent
    while isinstance(node, Widget) and node is not container:
        region = region.translate(node.styles.border.spacing.top_left).translate(node.virtual_region.offset)
        node = node.parent
    return region


HOLD_SECONDS = 0.6
"""A passage key acts when no other character follows it within this time; typed with more,
it begins a question. A person typing a question's words leaves about 0.3 s between keys (a
first-use audit typed "are there" at 330 ms a key on a passage, and at 0.3 s its letters added
the passage, opened the report and its export), a slow typist more; a key pressed alone acts
when its time is up."""

SEEN_ROWS = 3
"""Rows of a passage on screen for it to count as seen (its border and a line or two of text)."""


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
        Binding(
            "ctrl+o",
            "alone",
            "Ask alone",
            tooltip="Ask the last question again on its own, as typed (no earlier words, no spelling corrections)",
            priority=True,
        ),
        Binding(
            "ctrl+n",
            "new_topic",
            "New topic",
            tooltip="The next question starts a new topic (carries nothing of the conversation; searches the whole library, not only within a document)",
            priority=True,
        ),
        Binding(
            "ctrl+s",
            "case_note",
            "Case note",
            tooltip="Export the conversation as a case note (Markdown, BibTeX or CSL-JSON)",
            priority=True,
            show=False,
        ),
        Binding(
            "ctrl+b",
            "setup",
            "Build an index",
            tooltip="Build the index, or choose another folder of documents to index",
            priority=True,
            show=False,
        ),
        Binding(
            "ctrl+x",
            "clear_filters",
            "Clear the filters and ask again",
            tooltip="Clear the filters and ask the last question again",
            priority=True,
            show=False,
        ),
        Binding("i", "index_screen", "Index: contents, staleness, rebuild", show=False),
        Binding("h", "toggle_history", "History of questions", show=False),
        Binding("slash,escape", "focus_question", "Back to the question box", show=False),
        Binding("down,j", "move(1)", "Next passage", show=False),
        Binding("up,k", "move(-1)", "Previous passage", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static(
            "Guidance Lookup — retrieval only: passages are quoted verbatim from the corpus",
            id="title-bar",
            markup=False,
        )
        yield QueryInput(id="question")
        yield Static("Filters: none  (f on a passage, or Ctrl+P)", id="filter-line", markup=False)
        with Horizontal(id="main"):
            yield ResultsScroll(Static(WELCOME, markup=False, classes="placeholder"), id="results")
            yield OptionList(id="history-panel")
        yield Static("loading model…", id="status-bar", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.pending_focus, self.pending_actions = False, []
        self.query_one("#history-panel").display = False
        box = self.query_one(QueryInput)
        box.cursor_blink = self.app.settings.tui.cursor_blink
        box.history = list(self.app.saved_history())
        box.focus()

    # -- events -------------------------------------------------------------------------------

    pending_focus: bool = False
    """Tab or ↓ was pressed while the answer was on its way: its first card takes the focus."""
    pending_actions: list[str] = []
    """Passage keys pressed then: run on that first card once it is shown."""

    @on(Input.Submitted, "#question")
    def submitted(self, event: Input.Submitted) -> None:
        # "/" is the key that returns to the question box: typed in the box, it is not the question's.
        # Escape sequences pasted with a question are not part of it (the box showed "^[[31m").
        question = safe_line(event.value).lstrip("/").strip()
        if not question:
            self.app.notify("Type a question first.", severity="warning")
            return
        box = self.query_one(QueryInput)
        if box.value != question:
            box.value = question
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

    async def add_turn(self, turn, number: int, collected: set[int]) -> None:
        """Show a new turn of the conversation under the earlier ones, in view; its first card
        is selected (typing stays in the question box)."""
        results = self.query_one("#results", VerticalScroll)
        for placeholder in list(results.query(".placeholder")):
            await placeholder.remove()
        turns = list(results.query(TurnView))
        for old in turns[: max(0, len(turns) - MAX_TURNS_SHOWN + 1)]:
            await old.remove()
        width, height = self.app.size
        room = max(280, (width - 8) * max(5, (height - 12) // 2))  # about two cards per screen
        view = TurnView(turn, number, collected, room)
        await results.mount(view)
        self.call_after_refresh(results.scroll_to_widget, view, animate=False, top=True)
        cards = list(view.query(ResultCard))
        self.select(cards[0] if cards else None)  # selected, not focused: typing stays in the box
        if cards and self.pending_focus:
            cards[0].focus(scroll_visible=False)
            for name in self.pending_actions:
                self.post_message(messages.PassageActionRequested(name, cards[0].hit, cards[0].question, cards[0].turn))
        self.pending_focus, self.pending_actions = False, []

    @on(Button.Pressed, ".clear-filters")
    def action_clear_filters(self) -> None:
        self.post_message(messages.ClearFiltersAndAsk())

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
        self.refresh_bindings()

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, ResultCard):
            self.select(event.widget)

    def rows_seen(self, card: ResultCard) -> int:
        """How many rows of ``card`` the results column shows."""
        results = self.query_one("#results", VerticalScroll)
        # Positions inside the scrolled column (the screen's regions lag one refresh behind).
        window = Region(0, round(results.scroll_y), max(1, results.size.width), max(1, results.size.height))
        return window.intersection(region_in(card, results)).height

    def is_seen(self, card: ResultCard) -> bool:
        """Whether the reader sees enough of ``card`` to know which passage it is: a card of
        which only a border or a last line shows is not one a key should act on."""
        return self.rows_seen(card) >= min(SEEN_ROWS, card.virtual_region.height)

    def on_resize(self, event: events.Resize) -> None:
        """A resized screen shows what it showed: the selected passage (with its question, when it
        is its turn's first), or the newest turn. Text wraps anew, and the same scroll offset
        showed an earlier question, its passage selected (a first-use audit, 120 to 80 columns)."""
        results = self.query_one("#results", VerticalScroll)
        card = self.focused_card()
        turns = list(results.query(TurnView))
        turn = next((t for t in turns if card is not None and card in t.query(ResultCard)), None)
        first_of_turn = turn is not None and next(iter(turn.query(ResultCard)), None) is card
        anchor = turn if first_of_turn else card if card is not None else turns[-1] if turns else None
        if anchor is None:
            return
        focused = card is not None and self.focused is card

        def restore() -> None:
            if card is not None and card.is_attached:
                if focused:
                    card.focus(scroll_visible=False)
                else:
                    self.select(card)
            if anchor.is_attached:
                results.scroll_to_widget(anchor, animate=False, top=True)

        self.call_after_refresh(restore)

    def keep_selection_in_view(self) -> None:
        """After End, PageDown or the wheel, the selection follows to the passage the reader sees
        most of (the first of equals), so that a key never acts on a passage the reader cannot
        see (with none on screen, the passage keys are dimmed: ``check_action``)."""
        self.refresh_bindings()
        card = self.focused_card()
        if card is None or self.is_seen(card):
            return
        seen = [(self.rows_seen(c), -n, c) for n, c in enumerate(self.query(ResultCard))]
        best = max(seen, key=lambda entry: entry[:2], default=None)
        if best is not None and best[0] > 0:
            target = best[2]
            if isinstance(self.focused, ResultCard):
                target.focus(scroll_visible=False)
            else:
                self.select(target)

    def action_move(self, step: int) -> None:
        cards = list(self.query(ResultCard))
        if getattr(self.app, "searching", False) and step > 0 and isinstance(self.focused, QueryInput):
            self.expect_answer()  # the new turn's first card takes the focus when it comes
            return
        if not cards:
            if step > 0:
                self.focus_next()  # a button under a refusal ("Clear the filters")
            return
        current = self.focused if isinstance(self.focused, ResultCard) else None
        if current is None:
            # The selection; else the newest turn's first passage; after a refusal, the nearest
            # passage above it, scrolled into view (never one far up the thread).
            turn_views = self.query(TurnView)
            newest = list(turn_views.last().query(ResultCard)) if turn_views else []
            fallback = newest[0] if newest else cards[-1]
            target = (self.selected if self.selected in cards else fallback) if step > 0 else cards[-1]
        else:
            index = cards.index(current) + step
            if index < 0:
                self.query_one(QueryInput).focus()
                return
            target = cards[min(index, len(cards) - 1)]
        target.focus()
        target.scroll_visible(animate=False)

    def action_focus_question(self) -> None:
        """Back to the question box; the history of questions, if open, closes (a first-use
        audit found no key but `h` on a passage that closed it)."""
        self.query_one("#history-panel").display = False
        self.query_one(QueryInput).focus()

    def show_asked(self, question: str) -> None:
        """Put the question just asked for the user in the box, selected (the next one typed
        replaces it), as a question submitted there is."""
        box = self.query_one(QueryInput)
        box.value = question
        box.select_all()

    _held: tuple[str, str] | None = None
    """A passage key waiting to act (its character and key), see ``on_key``."""
    _held_timer: Timer | None = None

    async def on_key(self, event: events.Key) -> None:
        """On a passage, a character that is no key of this screen starts a new question: it
        takes the question box's place, and what is typed after it follows. A letter that is a
        passage key acts only when no other character follows it within ``HOLD_SECONDS``: typed
        at once with more ("who should I tell?", "and for children?"), it begins a question
        instead (two first-use audits typed questions after Tab, and their letters added
        passages to the report and searched within one document)."""
        box = self.query_one(QueryInput)
        if self.focused is box and event.is_printable and event.character:
            # Typed on a passage while the box was taking the focus, and handled after it came
            # (the box stops the keys it takes itself): the question's, not a key of this screen
            # (a first-use audit's "and for the farm workers?" was asked as "and for the farm wo").
            held = self._take_held()
            box.insert_text_at_cursor((held[0] if held else "") + event.character)
            event.stop()
            event.prevent_default()
            return
        if not isinstance(self.focused, ResultCard) or not event.is_printable or not event.character:
            await self.run_held_key()  # another key (↓, Enter): the passage key acts first, in order
            return
        if (
            self._held is not None
            and not event.character.isalnum()
            and not event.character.isspace()
            and event.key in self.active_bindings
        ):
            # A key of its own (/ back to the question box, ? help) right after a passage key
            # begins no question: each acts, in order (a first-use audit pressed a then / and
            # asked "a/What are the signs...", the passage not added).
            await self.run_held_key()
            return
        if self._held is not None:
            # A second character right after a passage key: a question is being typed.
            held = self._take_held()
            box.start_with(held[0] + event.character)
        elif box.taking_focus:
            box.start_with(event.character)  # once a question is begun, every key belongs to it
        elif event.character.isalpha() and self._acts(event.key):
            self._held = (event.character, event.key)
            self._held_timer = self.set_timer(HOLD_SECONDS, self.run_held_key)
        elif event.key in self.active_bindings or event.character.isspace():
            return
        else:
            box.start_with(event.character)
        event.stop()
        event.prevent_default()

    def _acts(self, key: str) -> bool:
        """A letter bound to something other than moving between passages (j, k): adding to
        the report, searching within a document, opening another screen."""
        active = self.active_bindings.get(key)
        return active is not None and not active.binding.action.removeprefix("screen.").startswith("move")

    def _take_held(self) -> tuple[str, str] | None:
        """The passage key waiting to act, if any, no longer waiting (its timer stopped)."""
        held, self._held = self._held, None
        if self._held_timer is not None:
            self._held_timer.stop()
        return held

    async def run_held_key(self) -> None:
        """The passage key pressed alone: its action runs (when its time is up, or at once when
        another key comes)."""
        held = self._take_held()
        if held is None:
            return
        active = self.active_bindings.get(held[1])
        if active is not None and active.enabled:
            await self.app.run_action(active.binding.action, active.node)

    def action_toggle_history(self) -> None:
        panel = self.query_one("#history-panel", OptionList)
        panel.display = not panel.display
        if panel.display:
            self._refresh_history()
            panel.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The passage keys are shown dimmed and do nothing while no passage is selected (a
        refusal in view, or no question asked yet)."""
        if action == "passage" and not self.pending_focus and self.acting_card() is None:
            return None
        if action == "clear_filters":
            # Without filters, ctrl+x is the question box's own (cut).
            return not self.app.filters.is_empty()
        return True

    def acting_card(self) -> ResultCard | None:
        """The card a passage key acts on: the focused or selected one, if it is on screen (after
        a refusal scrolled into view, a passage further up is not)."""
        card = self.focused_card()
        return card if card is not None and self.is_seen(card) else None

    def action_passage(self, name: str) -> None:
        """One of the passage actions, on the selected card (or, while an answer is on its way
        after Tab, on its first card when it comes)."""
        card = self.acting_card()
        if card is not None and not self.pending_focus:
            self.post_message(messages.PassageActionRequested(name, card.hit, card.question, card.turn))
        elif self.pending_focus:
            self.pending_actions.append(name)

    def expect_answer(self) -> None:
        """Tab or ↓ pressed before the cards came: the first card will take the focus, and keys
        pressed meanwhile act on it, not on the question box."""
        self.pending_focus = True
        self.pending_actions = []
        self.app.set_focus(None)

    def action_alone(self) -> None:
        # The question box takes the focus, as after any search: letters typed next are the
        # next question, not passage keys.
        self.query_one(QueryInput).focus()
        self.post_message(messages.AskAlone())

    def action_new_topic(self) -> None:
        self.query_one(QueryInput).focus()
        self.post_message(messages.NewTopic())

    def action_case_note(self) -> None:
        self.post_message(messages.ExportCaseNote())

    def action_setup(self) -> None:
        self.post_message(messages.SetUpIndex())

    def mark_collected(self, chunk_id: int) -> None:
        for card in self.query(ResultCard):
            if card.hit.chunk_id == chunk_id:
                card.mark_collected()

    def collected_only(self, chunk_ids: set[int]) -> None:
        """Every card says "[in report]" only while its passage is in the report (a first-use
        audit's card still said so after the passage was removed in the report screen)."""
        for card in self.query(ResultCard):
            card.mark_collected(card.hit.chunk_id in chunk_ids)

    def action_show_report(self) -> None:
        self.post_message(messages.ShowReport())

    def action_filters(self) -> None:
        self.post_message(messages.EditFilters())

    def action_index_screen(self) -> None:
        self.post_message(messages.ShowIndex())
