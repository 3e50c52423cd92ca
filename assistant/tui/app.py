"""The Textual application: a thin layer over ``Pipeline``. Slow work (opening the index,
loading the model, searching, rebuilding) runs in worker threads so the window stays responsive;
failures become toasts, never crashes. Document text is always shown literally."""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from datetime import datetime
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.worker import get_current_worker

from ..config import Settings
from ..conversation import Thread, Turn, case_note, case_note_references, out_of_date_test
from ..errors import AssistantError, IndexMissingError
from ..files import MIB, read_regular, write_private
from ..models import Filters
from ..pipeline import Pipeline, Staleness
from ..present import status_lines
from ..report import BasketFile, ReportBasket
from ..text import safe_line, strip_control
from . import messages
from .actions import ACTIONS_BY_NAME
from .screens.confirm import ConfirmScreen
from .screens.export import ExportScreen
from .screens.filters import FilterScreen, describe_filters
from .screens.help import HelpScreen, key_label
from .screens.index_screen import IndexScreen
from .screens.report import ReportScreen
from .screens.search import NO_INDEX_HELP, WELCOME, SearchScreen
from .screens.setup import SetupScreen

log = logging.getLogger(__name__)

HISTORY_FILE = "question-history.json"
"""Questions of earlier sessions, written only with ASSISTANT_TUI__KEEP_HISTORY=true."""
BASKET_FILE = "report-basket.json"
"""The report basket is saved beside the index as the user works, and restored at start."""
FILTER_TITLE = 40
"""Characters of a document's title the filter line shows (the rest is "…")."""
REPORT_EXPORT = "Export the report"
CASE_NOTE_EXPORT = "Export the conversation as a case note"
CASE_NOTE_FORMATS = {
    "markdown": ("Markdown case note", ".md"),
    "bibtex": ("BibTeX references", ".bib"),
    "csl-json": ("CSL-JSON references", ".json"),
}
TOPIC_NOTE = "markdown-topic"
"""The case note of the current topic alone, offered first once a conversation has several: a
first-use audit's note for one person's case held two other people's cases, asked before a new
topic was started for it."""
TOPIC_NOTE_FORMATS = {
    TOPIC_NOTE: ("Markdown, this topic only", ".md"),
    "markdown": ("Markdown, every topic", ".md"),
} | {style: named for style, named in CASE_NOTE_FORMATS.items() if style != "markdown"}


class BuildStopped(Exception):
    """Raised inside a build by its progress callback when the app quits."""


class GuidanceApp(App):
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute: subclasses may live elsewhere
    TITLE = "Guidance Lookup"
    ENABLE_COMMAND_PALETTE = True  # ctrl+p: every action of the screen, by name
    BINDINGS = [
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
        Binding("ctrl+c", "ctrl_c", "Copy the selection, or say how to quit", show=False),
        Binding("question_mark,f1", "help", "Help"),
        Binding("ctrl+t", "toggle_theme", "Light / dark theme", show=False),
        Binding("ctrl+r", "reload_index", "Switch to the newest index", show=False),
    ]

    def __init__(
        self,
        settings: Settings | None = None,
        index_dir: Path | None = None,
        corpus_dir: Path | None = None,
        pipeline: Pipeline | None = None,
    ):
        super().__init__()
        self.settings = settings or Settings()
        self.pipeline = pipeline or Pipeline(self.settings, index_dir=index_dir, corpus_dir=corpus_dir)
        self.index_problem: str | None = None
        """Why the index could not be opened, when it could not (the build dialog says so)."""
        self.basket = ReportBasket()
        self.basket_path = self.settings.tui.basket_file or self.pipeline.index_dir / BASKET_FILE
        self.basket_file = BasketFile(self.basket_path)
        self.filters = Filters()
        self.model_ready = False
        self.index_missing = False
        self.pending_question: str | None = None
        self.last_question: str | None = None
        self.export_folder = Path(self.settings.tui.report_dir).expanduser().resolve()
        """Where exports go by default: the reports folder as started, then the last one used."""
        self.thread = Thread()
        """The conversation, in memory only."""
        self.turns_in_case_note: set[int] = set()
        """The thread's turns (numbered from 1) that a Markdown case note written holds: quitting
        with others asks first (a note of one topic holds that topic's; a first-use audit was told
        of 12 questions in no note where 5 were)."""
        self.kept_after_note: set[tuple[int, int]] = set()
        """Passages (turn number, card rank) kept for a question after a case note held it."""
        self.next_new_topic = False
        self.searching = False
        self.launched = time.perf_counter()
        self.ready_after: float | None = None
        self.staleness_text = ""
        self.staleness = Staleness()
        self.theme = self.settings.tui.theme

    def notify(self, message: str, *, markup: bool = False, **options) -> None:
        """Every toast is plain text unless a caller asks for markup: messages quote file names,
        catalogue values and questions, which are data."""
        super().notify(message, markup=markup, **options)

    # -- start-up -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._restore_basket()
        self.push_screen(SearchScreen())
        self.load_index()
        self.set_interval(5.0, self.check_for_newer_index)

    @property
    def search_screen(self) -> SearchScreen:
        return next(s for s in self.screen_stack if isinstance(s, SearchScreen))

    @work(thread=True, exclusive=True, group="load")
    def load_index(self) -> None:
        try:
            self.pipeline.open()
        except IndexMissingError:
            self.call_from_thread(self._no_index)
            return
        except AssistantError as error:
            self.call_from_thread(self._load_failed, str(error))
            return
        self.call_from_thread(self.search_screen.set_status, "loading model…  " + self.index_facts())
        try:
            self.pipeline.load_model()
            self.pipeline.retriever().facets()
        except AssistantError as error:
            self.call_from_thread(self._load_failed, str(error))
            return
        self._refresh_staleness()
        self.call_from_thread(self._on_index_ready)
        self._check_report_against_index()

    def _check_report_against_index(self) -> None:
        """Say when passages of the restored report come from files changed, renamed or removed
        since they were added: their citations would name a file the index no longer holds."""
        message = self._mark_report_out_of_date()
        if message:
            self.call_from_thread(self.notify, message, severity="warning", markup=False, timeout=10)

    def _mark_report_out_of_date(self) -> str | None:
        """Mark the report's passages whose file changed, was renamed or removed since they were
        added (by the open index, and by the files now: ``staleness``); what to tell the user, or
        None when none is."""
        store = self.pipeline.open().store
        corpus = self.pipeline.corpus_dir
        count = self.basket.mark_out_of_date(
            lambda ids: {i: row[1].path for i, row in store.chunk_rows(ids).items()},
            self.staleness.changed_or_removed,
            lambda path: (corpus / path).is_file(),
        )
        if not count:
            return None
        passages = "1 passage of the report comes" if count == 1 else f"{count} passages of the report come"
        return (
            f"{passages} from a file changed, renamed or removed since it was added: check the citations in the "
            "report (r) before you export it."
        )

    def _refresh_staleness(self) -> None:
        """Look at the files again: which changed since the build (``staleness``, for each answer
        to say which of its passages come from them) and the status line's words on it."""
        try:
            staleness = self.pipeline.staleness()
        except Exception:  # a corpus folder that vanished must not stop searching
            staleness = Staleness()
        self.staleness = staleness
        # Short, and put before the index facts: at 80 columns the end of the status line is cut.
        self.staleness_text = (
            "" if not staleness.stale else f"  ·  out of date ({staleness.brief()}; i: why, b: rebuild)"
        )

    def _on_index_ready(self) -> None:
        self.model_ready = True
        self.index_missing = False
        self.index_problem = None
        self.ready_after = time.perf_counter() - self.launched
        self.search_screen.set_status("ready" + self.staleness_text + "  ·  " + self.index_facts())
        if self.pending_question:
            question, self.pending_question = self.pending_question, None
            self.run_search(question)
        elif not self.thread.turns:
            # What the column said may be out of date ("There is no index yet" before a build).
            self.run_worker(self.search_screen.show_placeholder(WELCOME))

    async def _no_index(self) -> None:
        screen = self.search_screen
        await screen.show_placeholder(
            NO_INDEX_HELP.format(corpus=self.pipeline.corpus_dir, advice=self.pipeline.advice())
        )
        screen.set_status(f"no index yet ({safe_line(str(self.pipeline.index_dir))})  ·  ctrl+b builds one")
        self.index_missing = True  # set once the screen says so
        self.set_up_index()

    @on(messages.SetUpIndex)
    def set_up_index(self) -> None:
        """Ask which folder of documents to index and where (a folder of documents named as the
        index is recognised, and its index proposed beside it); then build, with progress."""
        if any(isinstance(s, SetupScreen) for s in self.screen_stack):
            return
        self.push_screen(
            SetupScreen(self.pipeline.index_dir, self.pipeline.corpus_dir, self.index_problem), self._folders_chosen
        )

    def _folders_chosen(self, folders) -> None:
        if folders is None:
            return
        corpus, index = folders
        if (index.resolve(), corpus.resolve()) != (
            self.pipeline.index_dir.resolve(),
            self.pipeline.corpus_dir.resolve(),
        ):
            self.pipeline.close()
            self.pipeline = Pipeline(self.settings, index_dir=index, corpus_dir=corpus)
            if self.settings.tui.basket_file is None:
                self.basket_path = index / BASKET_FILE
                self.basket_file = BasketFile(self.basket_path)
                self._restore_basket()
        self.push_screen(IndexScreen())
        self.run_rebuild()

    async def _load_failed(self, message: str) -> None:
        # The status line is one line: the message (often two) is above it and in the toast (a
        # first-use audit read "index unusable:" with nothing after it; a later one, "the message
        # below", looked below for it).
        self.index_problem = safe_line(message)
        self.search_screen.set_status("index unusable (the message above says why)  ·  ctrl+b builds it again")
        await self.search_screen.show_placeholder("The index could not be opened:\n\n" + strip_control(message))
        self.notify(strip_control(message), title="Index", severity="error", markup=False, timeout=10)

    def index_facts(self) -> str:
        manifest = self.pipeline.opened_manifest()
        if manifest is None:
            return ""
        return (
            f"{manifest.counts.documents} documents, {manifest.counts.chunks} passages from "
            f"{manifest.counts.indexed_files} files  ·  built {self.when(manifest.created_at)}"
        )

    def when(self, moment) -> str:
        """How a timestamp is shown (local time, to the minute)."""
        return f"{moment.astimezone():%Y-%m-%d %H:%M}"

    def shown_path(self, path) -> str:
        """A folder as the user would type it: relative to the working folder when inside it."""
        path = Path(path)
        try:
            path = path.resolve().relative_to(Path.cwd().resolve())
        except (OSError, ValueError):
            pass
        return strip_control(str(path))

    def took(self, seconds: float) -> str:
        """How a duration is shown."""
        return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"

    # -- searching ----------------------------------------------------------------------------

    @on(messages.SearchRequested)
    def _search_requested(self, message: messages.SearchRequested) -> None:
        if self.settings.tui.keep_history:
            self._save_history()
        self.run_search(message.question)

    @property
    def history_path(self) -> Path:
        return self.pipeline.index_dir / HISTORY_FILE

    def saved_history(self) -> list[str]:
        """Questions of earlier sessions, only when the user turned keeping them on."""
        if not self.settings.tui.keep_history:
            return []
        try:
            questions = json.loads(read_regular(self.history_path, 16 * MIB))
        except (OSError, ValueError):
            return []
        return [q for q in questions if isinstance(q, str)][-500:] if isinstance(questions, list) else []

    def _save_history(self) -> None:
        from .widgets.query_bar import QueryInput

        try:
            write_private(
                self.history_path,
                json.dumps(self.search_screen.query_one(QueryInput).history[-500:], ensure_ascii=False),
            )
        except OSError:
            pass

    def run_search(
        self, question: str, alone: bool = False, before: int | None = None, new_topic: bool = False
    ) -> None:
        """Ask a question as the next turn of the conversation: a follow-up carries the topic's
        words and favours the last answer's documents, unless ``alone`` (asked as typed, on its
        own) or a new topic was asked for (ctrl+n, or ``new_topic``). ``before``: asked in the
        thread as it stood before that turn (an earlier question asked again). A new topic
        searches the whole library again: "within this document" belonged to the topic before."""
        self.last_question = question
        screen = self.search_screen
        if self.index_missing:
            self.run_worker(
                screen.show_placeholder(
                    NO_INDEX_HELP.format(corpus=self.pipeline.corpus_dir, advice=self.pipeline.advice())
                )
            )
            return
        if not self.model_ready:
            self.pending_question = question
            self.run_worker(
                screen.show_placeholder("Loading the model… your question will be searched as soon as it is ready.")
            )
            return
        screen.set_status("searching…  " + self.index_facts())
        new_topic, self.next_new_topic = self.next_new_topic or new_topic, False
        if new_topic and self.filters.documents and before is None:
            self.filters = self.filters.model_copy(update={"documents": []})
            self.notify("New topic: searching the whole library again, not only within one document.", timeout=4)
        self.update_filter_line()
        self.searching = True
        asked_in = self.thread if before is None else Thread(turns=self.thread.turns[:before])
        self.search_worker(question, self.filters, alone, new_topic, asked_in)

    @work(thread=True, exclusive=True, group="search")
    def search_worker(self, question: str, filters: Filters, alone: bool, new_topic: bool, asked_in: Thread) -> None:
        started = time.perf_counter()
        try:
            turn = asked_in.ask(
                self.pipeline, question, alone=alone, new_topic=new_topic, filters=filters, as_typed=alone
            )
        except AssistantError as error:
            self.call_from_thread(self._search_failed, str(error))
            return
        except Exception as error:  # an unforeseen failure is a toast; the window stays open
            log.debug("search failed", exc_info=True)
            self.call_from_thread(self._search_failed, f"the search failed ({type(error).__name__}: {error})")
            return
        elapsed = time.perf_counter() - started
        # Files may have changed while the window was open (a first-use audit deleted one and was
        # shown its passage as a strong match, with no note): looked at again for each answer
        # (a few milliseconds for a library of 155 files).
        self._refresh_staleness()
        turn.answer.notices.extend(self.staleness.about(turn.answer.cards()))
        self.call_from_thread(self._show_turn, turn, elapsed)

    async def _show_turn(self, turn: Turn, elapsed: float) -> None:
        self.thread.turns.append(turn)
        self.searching = False
        screen = self.search_screen
        await screen.add_turn(turn, len(self.thread.turns), {item.chunk_id for item in self.basket.items})
        answer = turn.answer
        outcome = (
            "no passage found that answers"
            if answer.abstained
            else f"{len(answer.hits)} passage{'s' if len(answer.hits) != 1 else ''}"
        )
        screen.set_status(f"{outcome} in {self.took(elapsed)}" + self.staleness_text + "  ·  " + self.index_facts())

    def _search_failed(self, message: str) -> None:
        self.searching = False
        self.search_screen.pending_focus = False
        self.search_screen.set_status("ready  ·  " + self.index_facts())
        self.notify(strip_control(message), title="Search", severity="error", markup=False, timeout=10)

    # -- the report basket, kept on disk -------------------------------------------------------

    def _restore_basket(self) -> None:
        try:
            self.basket = self.basket_file.load()
            if self.basket.items:
                count = len(self.basket.items)
                # Kept beside the index, it outlives the session: for a new case, the last
                # case's passages are still in it (a first-use audit's second case opened with
                # the first's passage in its report).
                asked = safe_line(self.basket.questions()[0])
                asked = asked if len(asked) <= 60 else asked[:59] + "…"
                self.notify(
                    f"The report you were building is restored: {count} passage{'s' if count != 1 else ''}, kept for "
                    f"“{asked}”{' and more' if len(self.basket.questions()) > 1 else ''}. For a new case, clear it "
                    "first: Ctrl+P, then Report, shows it (Ctrl+D there clears it).",
                    timeout=15,
                    markup=False,
                )
        except (OSError, ValueError):
            aside = self.basket_path.with_name(self.basket_path.name + ".unreadable")
            try:
                self.basket_path.replace(aside)
            except OSError:
                aside = self.basket_path
            self.notify(
                # Said in words, not as the exception's class ("ValidationError", a first-use audit).
                f"The saved report could not be read (the file is damaged, or not a report); it was moved, "
                f"unchanged, to {aside}. This session starts with an empty report.",
                severity="warning",
                markup=False,
                timeout=8,
            )

    def save_basket(self) -> None:
        """Save the report, merged with what any other window on this index saved meanwhile."""
        try:
            self.basket_file.save(self.basket)
        except OSError as error:
            self.notify(
                f"The report could not be saved in {self.basket_path} ({error.strerror}).",
                severity="error",
                markup=False,
                timeout=8,
            )

    @on(messages.ReportChanged)
    def _report_changed(self, message: messages.ReportChanged) -> None:
        self.save_basket()
        # The case note keeps what the report keeps: a passage removed from one leaves both, and
        # one put back returns to both (kept again on the card it was added from).
        for item in message.put_back:
            if turn := self.thread.turn_showing(item.question, item.chunk_id):
                turn.keep(next(hit.rank for hit in turn.cards() if hit.chunk_id == item.chunk_id))
        self.thread.keep_only({item.chunk_id for item in self.basket.items})
        self.search_screen.collected_only({item.chunk_id for item in self.basket.items})

    def action_request_quit(self) -> None:
        """Quit, but never lose a report, a conversation or a build silently: with passages not
        yet exported, questions in no case note, or an index build running, ask first (after
        taking in what other windows saved, so the count is the file's). A build stopped this way
        publishes nothing: the index stays as it was."""
        self.save_basket()
        count = self.basket.not_exported()
        building = self.building()
        unsaved = sum(1 for n in range(1, len(self.thread.turns) + 1) if n not in self.turns_in_case_note)
        kept_since = len(self.kept_after_note)
        if not count and not building and unsaved <= 0 and not kept_since:
            self.exit()
            return
        questions = []
        if building:
            questions.append(f"An index build is running. Quitting stops it: {self.stopped_build_result()}.")
        if count:
            questions.append(
                f"The report holds {count} passage{'s' if count != 1 else ''} not exported yet. {'They are' if count != 1 else 'It is'} kept in "
                f"{self.basket_path} and restored next time."
            )
        if unsaved > 0:
            asked = f"{unsaved} question{'s' if unsaved != 1 else ''}"
            questions.append(
                f"The conversation ({asked} not in a case note) is kept only while the app runs: "
                "ctrl+s writes its case note."
            )
        if kept_since:
            passages = f"{kept_since} passage{'s' if kept_since != 1 else ''} kept since the last case note"
            questions.append(f"{passages} {'is' if kept_since == 1 else 'are'} in no case note: ctrl+s writes one.")

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                stopped = self.building()  # it may have ended while the question was open
                self.exit(
                    message=Text(f"The index build was stopped: {self.stopped_build_result()}.") if stopped else None
                )

        self.push_screen(
            ConfirmScreen(" ".join([*questions, "Quit now?"]), yes="Quit", no="Stay"),
            answered,
        )

    def building(self) -> bool:
        return any(w.group == "build" and w.is_running for w in self.workers)

    def stopped_build_result(self) -> str:
        """What a stopped build leaves: a generation is published whole or not at all."""
        if self.index_missing:
            return "no index is made"
        return f"the index stays as it was ({strip_control(self.shown_path(self.pipeline.index_dir))})"

    def get_system_commands(self, screen):
        """The command palette (ctrl+p) lists every action of the screen in front, and the app's
        own, by the names the key help uses."""
        seen: set[str] = set()
        titles: set[str] = set()
        for bindings, target in ((screen.BINDINGS, screen), (self.BINDINGS, self)):
            for binding in bindings:
                if (
                    not isinstance(binding, Binding)
                    or not binding.description
                    or binding.action in seen
                    or binding.description in titles  # a screen's own binding for the app's action
                ):
                    continue
                seen.add(binding.action)
                titles.add(binding.description)
                action = (
                    binding.action
                    if target is self or binding.action.startswith(("app.", "screen."))
                    else f"screen.{binding.action}"
                )
                yield SystemCommand(
                    binding.description,
                    f"{binding.tooltip or binding.description} ({key_label(binding.key)})",
                    partial(self.run_action, action),
                )
        yield SystemCommand(
            "Rebuild the index",
            "Read what changed in the corpus and rebuild",
            partial(self.post_message, messages.RebuildIndex()),
        )
        if "export" not in seen:  # the report screen's own e does it already
            yield SystemCommand(
                "Export the report",
                "Write the report's passages: Markdown, plain text, BibTeX or CSL-JSON",
                partial(self.post_message, messages.ExportReport()),
            )

    # -- results ------------------------------------------------------------------------------

    @on(messages.PassageActionRequested)
    def _passage_action(self, message: messages.PassageActionRequested) -> None:
        ACTIONS_BY_NAME[message.name].run(self, message.hit, message.question or self.last_question or "", message.turn)

    def add_to_report(self, hit, question: str, number: int = 0) -> None:
        """Add a passage to the report, and keep it for the case note under the turn numbered
        ``number`` that showed it (or the latest turn that did, when not known)."""
        searched_with: list[str] = []
        earlier: list[str] = []
        if turn := self.thread.turn_showing(question, hit.chunk_id, number):
            place = next(n for n, t in enumerate(self.thread.turns, start=1) if t is turn)
            if turn.keep(hit.rank) and place in self.turns_in_case_note:  # kept for the case note too
                # A note written before holds the question, not this passage (a first-use audit's
                # passage kept after the note was in none, and quitting said nothing).
                self.kept_after_note.add((place, hit.rank))
            searched_with = list(turn.context.words)
            earlier = self.thread.asked_before(turn)
        added = self.basket.add(question, hit, searched_with, earlier)
        count = len(self.basket.items)
        if added == "already":
            self.notify("This passage is already in the report.", severity="warning", markup=False, timeout=3)
            return
        self.save_basket()
        self.search_screen.mark_collected(hit.chunk_id)
        passages = f"{count} passage{'s' if count != 1 else ''}"
        if added == "widened":
            self.notify(
                f"Added to the report, in place of the part of it kept before ({passages}).", markup=False, timeout=3
            )
        else:
            self.notify(f"Added to the report ({passages}).", markup=False, timeout=3)

    @on(messages.ShowReport)
    def show_report(self) -> None:
        self.save_basket()  # shows what other windows on this index added too
        if self.model_ready:
            self._mark_report_out_of_date()  # which passages' files changed since: marked in the list
        self.push_screen(ReportScreen(self.basket, saved_in=str(self.basket_path)))

    @on(messages.ExportReport)
    def export_report(self) -> None:
        if not self.basket.items:
            self.notify("The report is empty: add passages with a on a result first.", severity="warning", timeout=4)
            return
        self.push_screen(ExportScreen(REPORT_EXPORT, self.basket.default_path(self.export_folder)), self._export_chosen)

    def _export_chosen(self, choice) -> None:
        if choice is None:
            return
        path, style, _ = choice
        manifest = self.pipeline.opened_manifest()
        if self.model_ready:
            # Files may have changed since the window opened: the export says which passages.
            self._refresh_staleness()
            self._mark_report_out_of_date()
        try:
            path = self.basket.export_to(path, style, index_name=manifest.generation if manifest else None)
        except OSError as error:
            self.notify(f"Could not write {path}: {error.strerror or error}", severity="error", markup=False, timeout=8)
            # The dialog again, with the path as typed: nothing to type twice.
            self.push_screen(ExportScreen(REPORT_EXPORT, path, style=style), self._export_chosen)
            return
        self.export_folder = path.parent.resolve()
        self.save_basket()
        self.notify(f"Report written to {path}", title="Export", markup=False, timeout=6)
        screen = next((s for s in self.screen_stack if isinstance(s, ReportScreen)), None)
        if screen is not None:
            screen.show_exported(path)

    # -- filters ------------------------------------------------------------------------------

    @on(messages.EditFilters)
    def edit_filters(self) -> None:
        if not self.model_ready:
            self.notify("Filters are available once the index has loaded.", severity="warning")
            return
        self.push_screen(
            FilterScreen(self.pipeline.facets(), self.filters, self.document_titles()), self._filters_chosen
        )

    def search_within_document(
        self, document_id: str, title: str, question: str = "", chunk_id: int | None = None
    ) -> None:
        """Restrict searches to one document and ask ``question`` (the question of the card
        ``chunk_id`` came from; the last question when none) again within it, with what the
        thread held when it was first asked (not the words of later questions)."""
        while not isinstance(self.screen, SearchScreen):
            self.pop_screen()
        self.last_question = question or self.last_question  # what the new filters ask again
        within = self.filters.model_copy(update={"documents": [document_id]})
        if within != self.filters:
            self.filters = within
            self.update_filter_line()
        if self.last_question:
            place = self._turn_of(question, chunk_id) if question else self._turn_of(self.last_question)
            self.ask_again(self.last_question, place)
        self.search_screen.action_focus_question()
        if self.last_question:
            # The box says what was asked again, not the question typed last (first-use audit).
            self.search_screen.show_asked(self.last_question)
        self.notify(f"Searching only within: {strip_control(title)} (f: filters, Clear all to remove)", markup=False)

    def _turn_of(self, question: str, chunk_id: int | None = None) -> int | None:
        """The place in the thread of the newest turn that asked ``question`` and showed the
        passage ``chunk_id`` (any passage, when None); None when no turn did."""
        for place in reversed(range(len(self.thread.turns))):
            turn = self.thread.turns[place]
            if turn.question == question and (chunk_id is None or any(h.chunk_id == chunk_id for h in turn.cards())):
                return place
        return None

    def ask_again(self, question: str, place: int | None) -> None:
        """``question`` asked again (within new filters) as the turn at ``place`` asked it: on its
        own if it was (a first-use audit's filter change after ctrl+o searched with the thread's
        words again), in the thread as it stood before that turn, a new topic if it began one.
        With no such turn, as the next question."""
        if place is None:
            self.run_search(question)
            return
        turn = self.thread.turns[place]
        self.run_search(question, alone=turn.context.alone, before=place, new_topic=turn.new_topic)

    def document_titles(self) -> dict[str, str]:
        try:
            return {info.id: info.title for info in self.pipeline.document_infos()}
        except AssistantError:
            return {}

    def _filters_chosen(self, filters: Filters | None) -> None:
        """New filters, and the last question asked again within them; filters that change
        nothing ask nothing again (the thread would hold the same answer twice)."""
        if filters is None or filters == self.filters:
            return
        self.filters = filters
        self.update_filter_line()
        if self.last_question:
            self.ask_again(self.last_question, self._turn_of(self.last_question))

    def filters_text(self, filters: Filters, title_chars: int | None = None) -> str:
        """Filters in words, a document named by its title (not its file name), shortened to
        ``title_chars`` when given."""
        if not filters.documents:
            return describe_filters(filters, None)
        titles = self.document_titles()
        if title_chars is not None:
            titles = {d: t if len(t) <= title_chars else t[: title_chars - 1] + "…" for d, t in titles.items()}
        return describe_filters(filters, titles)

    def update_filter_line(self) -> None:
        """The filters in effect, and whether the next question starts a new topic, on at most two
        lines: a document's long title is shortened there, so that the filters after it show (a
        first-use audit's bar was cut inside the title, and the organisation and year it had set
        were not seen)."""
        line = self.filters_text(self.filters, FILTER_TITLE)
        self.search_screen.set_filter_line(line + ("  ·  next question: a new topic" if self.next_new_topic else ""))

    @on(messages.ClearFiltersAndAsk)
    def _clear_filters_and_ask(self) -> None:
        self._filters_chosen(Filters())

    @on(messages.AskAlone)
    def _ask_alone(self) -> None:
        if self.last_question is None:
            self.notify("Ask a question first.", severity="warning", timeout=3)
            return
        self.run_search(self.last_question, alone=True)

    @on(messages.NewTopic)
    def _new_topic(self) -> None:
        self.next_new_topic = not self.next_new_topic
        self.update_filter_line()
        self.notify(
            "The next question starts a new topic."
            if self.next_new_topic
            else "The next question continues the conversation.",
            timeout=3,
        )

    @on(messages.ExportCaseNote)
    def export_case_note(self) -> None:
        if not self.thread.turns:
            self.notify("Ask a question first: the case note is the conversation.", severity="warning", timeout=4)
            return
        stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
        self.push_screen(self._case_note_dialog(self.export_folder / f"case-note-{stamp}.md"), self._case_note_chosen)

    def _case_note_dialog(self, path: Path, style: str | None = None) -> ExportScreen:
        """The case note's export dialog: its formats (the current topic's note first once there
        are several), and each question of the conversation, with whether it is in the note."""
        topics = self.thread.topic_count()
        # Short labels: at 80 columns a longer one hid its "← chosen" (a first-use audit).
        title = CASE_NOTE_EXPORT + (f" ({topics} topics; this topic: since the last new topic)" if topics > 1 else "")
        return ExportScreen(
            title,
            path,
            TOPIC_NOTE_FORMATS if topics > 1 else CASE_NOTE_FORMATS,
            style,
            questions=[
                (f"{number}. {strip_control(turn.question)}", not turn.left_out)
                for number, turn in enumerate(self.thread.turns, start=1)
            ],
            written_by={TOPIC_NOTE: set(self.thread.topic_numbers())},
        )

    def _case_note_chosen(self, choice) -> None:
        if choice is None:
            return
        path, style, left_out = choice
        for number, turn in enumerate(self.thread.turns, start=1):
            turn.left_out = number in left_out
        chosen = self.thread.topic_numbers() if style == TOPIC_NOTE else list(range(1, len(self.thread.turns) + 1))
        written = [n for n in chosen if n not in left_out]
        if style in (TOPIC_NOTE, "markdown"):
            # A passage kept before its file changed, or before a rebuild moved it, is marked.
            self._refresh_staleness()
            try:
                slice_of = self.pipeline.open().store.document_slice
            except AssistantError:  # no index to compare with: the files alone say what changed
                slice_of = None
            out_of_date = out_of_date_test(slice_of, self.staleness.changed_or_removed)
            text = case_note(self.thread, written, out_of_date=out_of_date)
        else:
            text = case_note_references(self.thread, style)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_private(path, text)
        except OSError as error:
            self.notify(f"Could not write {path}: {error.strerror or error}", severity="error", markup=False, timeout=8)
            self.push_screen(self._case_note_dialog(path, style), self._case_note_chosen)
            return
        self.export_folder = path.parent.resolve()
        if style in (TOPIC_NOTE, "markdown"):  # BibTeX and CSL-JSON hold the references, not the questions
            # A question left out is settled too: quitting does not ask about it.
            self.turns_in_case_note.update(chosen)
            self.kept_after_note = {(place, rank) for place, rank in self.kept_after_note if place not in chosen}
        kept = any(self.thread.turns[n - 1].kept for n in written)
        hint = "" if kept else "\nIt holds no passage: a on a passage keeps it (and adds it to the report)."
        self.notify(f"Case note written to {path}{hint}", title="Export", markup=False, timeout=6)

    # -- index --------------------------------------------------------------------------------

    @on(messages.ShowIndex)
    def show_index_screen(self) -> None:
        self.push_screen(IndexScreen())

    @on(messages.IndexSummaryRequested)
    def _index_summary_requested(self) -> None:
        screen = self._index_screen()
        if screen is not None:
            screen.show_summary(self.index_summary())

    def index_summary(self) -> Text:
        text = Text()
        try:
            status = self.pipeline.status()
        except IndexMissingError:
            text.append(NO_INDEX_HELP.format(corpus=self.pipeline.corpus_dir, advice=self.pipeline.advice()))
            return text
        except AssistantError as error:
            text.append(
                f"The index cannot be read: {strip_control(str(error))}\n\nPress b to rebuild it (a full build)."
            )
            return text
        records = (
            sum(1 for info in self.pipeline.document_infos() if info.record is not None)
            if self.pipeline.opened_manifest() is not None
            else 0
        )
        for line, heading in status_lines(status, self.shown_path, self.when, self.took, listed_records=records):
            text.append(line + "\n", style="bold" if heading else "")
        if status.problem is not None:
            text.append("Press b to rebuild it (a full build).\n", style="bold")
        if self.pipeline.opened_manifest() is not None:
            text.append("Documents:\n", style="bold")
            for info in self.pipeline.document_infos():
                facts = ", ".join(str(p) for p in (info.organisation, info.year, info.region) if p)
                text.append(f"  {strip_control(info.title)}" + (f" ({strip_control(facts)})" if facts else "") + "\n")
        return text

    def _index_screen(self) -> IndexScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, IndexScreen)), None)

    @on(messages.RebuildIndex)
    def run_rebuild(self) -> None:
        if self.building():
            self.notify("A rebuild is already running.", severity="warning")
            return
        conflict = self.pipeline.corpus_conflict()
        if conflict is None:
            self.rebuild()
            return

        def answered(replace: bool | None) -> None:
            if replace:
                self.rebuild(replace_corpus=True)

        self.push_screen(
            ConfirmScreen(f"{conflict[0].upper()}{conflict[1:]}. Replace them?", yes="Replace", no="Keep the index"),
            answered,
        )

    @work(thread=True, exclusive=True, group="build")
    def rebuild(self, replace_corpus: bool = False) -> None:
        app = self
        worker = get_current_worker()

        class Progress:
            """Shows the build on the index screen, and stops it (at the next file or batch) once
            the worker is cancelled: when the app quits, Textual cancels its workers, and the
            process would otherwise wait, on a blank terminal, for the whole build to end."""

            def stage(self, name: str, total: int | None) -> None:
                if worker.is_cancelled:
                    raise BuildStopped
                screen = app._index_screen()
                if screen is not None:
                    app.call_from_thread(screen.show_stage, name, total)

            def advance(self, amount: int = 1) -> None:
                if worker.is_cancelled:
                    raise BuildStopped
                screen = app._index_screen()
                if screen is not None:
                    app.call_from_thread(screen.advance, amount)

            def close(self) -> None:
                pass

        try:
            report = self.pipeline.build(progress=Progress(), replace_corpus=replace_corpus)
        except BuildStopped:
            return  # the app is quitting; the build removed what it had written
        except AssistantError as error:
            self.call_from_thread(self._rebuild_done, f"Rebuild failed: {error}", False)
            return
        except Exception as error:  # an unforeseen failure is a toast; the window stays open
            log.debug("rebuild failed", exc_info=True)
            self.call_from_thread(self._rebuild_done, f"Rebuild failed ({type(error).__name__}: {error})", False)
            return
        if report.up_to_date:
            message = "The index is already up to date."
        else:
            message = (
                f"Rebuilt: {len(report.added)} added, {len(report.changed)} changed, {len(report.removed)} removed, "
                f"{report.unchanged} unchanged; {report.chunks_embedded} "
                f"passage{'s' if report.chunks_embedded != 1 else ''} "
                f"embedded in {self.took(report.seconds)}."
            )
        self.call_from_thread(self._rebuild_done, message, True)

    def _rebuild_done(self, message: str, succeeded: bool) -> None:
        screen = self._index_screen()
        if screen is not None:
            screen.finish(message)
        self.notify(message, title="Index", severity="information" if succeeded else "error", markup=False, timeout=10)
        if succeeded:
            self.reload_index(quiet=True)

    def reload_index(self, quiet: bool = False) -> None:
        try:
            changed = self.pipeline.reload()
        except AssistantError as error:
            self.notify(strip_control(str(error)), severity="error", markup=False)
            return
        if self.index_missing or not self.model_ready:
            self.index_missing = False
            self.load_index()
            return
        self._refresh_staleness()
        self.search_screen.set_status(
            ("reloaded" if changed else "ready") + self.staleness_text + "  ·  " + self.index_facts()
        )
        message = self._mark_report_out_of_date()
        if message:
            self.notify(message, severity="warning", markup=False, timeout=10)
        screen = self._index_screen()
        if screen is not None:
            screen.refresh_status()
        if changed and not quiet:
            self.notify("Switched to the newest index.", markup=False)

    def action_reload_index(self) -> None:
        self.reload_index()

    @on(messages.ReloadIndex)
    def _reload_requested(self) -> None:
        self.reload_index()

    def check_for_newer_index(self) -> None:
        if self.model_ready and self.pipeline.newer_index_available():
            self.search_screen.set_status(
                "a newer index is available: press ctrl+r to use it  ·  " + self.index_facts()
            )

    # -- app actions --------------------------------------------------------------------------

    def action_ctrl_c(self) -> None:
        """Ctrl+C copies selected text where there is some; otherwise it says how to quit, rather
        than do nothing visible."""
        focused = self.focused
        selected = getattr(focused, "selected_text", "") if focused is not None else ""
        if selected:
            self.copy_to_clipboard(selected)
            self.notify("Copied (OSC 52).", timeout=2)
        else:
            self.notify("Ctrl+Q quits (asking first if the report has passages not yet exported).", timeout=4)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme != "textual-light" else "textual-dark"


def run_app(settings: Settings, index_dir: Path, corpus_dir: Path | None) -> None:
    # When the terminal goes away (a closed window, a killed tmux), nothing is left to draw on or
    # restore, and a left-over app would spin on a dead terminal: end at once. The report basket
    # is already on disk (it is saved at every change).
    signal.signal(signal.SIGHUP, lambda *_: os._exit(129))
    GuidanceApp(settings, index_dir=index_dir, corpus_dir=corpus_dir).run()
