"""The terminal UI driven as a user would, against real indexes and the real model."""

import io
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import SelectionList, Static, TextArea

from assistant.models import NO_ANSWER
from assistant.tui.actions import PASSAGE_ACTIONS
from assistant.tui.app import FILTER_TITLE
from assistant.tui.screens.document import DocumentScreen
from assistant.tui.screens.filters import FilterScreen
from assistant.tui.screens.help import HelpScreen
from assistant.tui.screens.index_screen import IndexScreen
from assistant.tui.screens.report import ReportScreen
from assistant.tui.screens.search import SearchScreen, TurnView
from assistant.tui.widgets.query_bar import QueryInput
from assistant.tui.widgets.result_card import ResultCard

from ..conftest import write
from .conftest import act, make_app, ready, wait_for

pytestmark = pytest.mark.anyio  # each async test runs in its own asyncio event loop

INDONESIA = "Why do Indonesian trafficking victims often go unidentified?"


def cards(app) -> list[ResultCard]:
    """The cards of the newest turn of the conversation."""
    turns = list(app.screen.query(TurnView))
    return list(turns[-1].query(ResultCard)) if turns else list(app.screen.query(ResultCard))


def turns(app) -> list:
    return list(app.screen.query(TurnView))


async def ask(pilot, question: str) -> None:
    box = pilot.app.screen.query_one(QueryInput)
    box.focus()
    box.value = ""
    before = len(pilot.app.thread.turns)
    await pilot.press(*question, "enter")
    await wait_for(pilot, lambda: len(pilot.app.thread.turns) > before and bool(turns(pilot.app)))


def bundled_app(bundled_index, tmp_path=None):
    return make_app(
        bundled_index, bundled_index.parent / "corpus", report_dir=(tmp_path / "reports") if tmp_path else None
    )


async def test_the_window_accepts_typing_before_the_model_has_loaded(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await act(pilot, "h", "i")
        assert app.screen.query_one(QueryInput).value == "hi"
        await ready(pilot)


async def test_a_typed_question_shows_result_cards_with_citations(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        first = cards(app)[0]
        rendered = str(first.render())
        assert "Seeing the Unseen" in rendered and "listed by NEXUS Institute on" in rendered and "2018" in rendered
        assert isinstance(app.focused, QueryInput), "after a search, typing goes on in the question box"
        assert first.has_class("-selected")
        assert "passages in" in str(app.screen.query_one("#status-bar", Static).render())


async def test_keyboard_navigation_between_results_and_back_to_the_question(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        found = cards(app)
        await pilot.press("down")
        assert app.focused is found[0]
        await pilot.press("down")
        assert app.focused is found[1]
        await pilot.press("j")
        assert app.focused is found[2]
        await pilot.press("up", "up")
        assert app.focused is found[0]
        await pilot.press("up")


async def test_enter_opens_the_passage_in_its_document_and_escape_returns(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, "Blue Dot safe spaces for children fleeing Ukraine")
        hit = cards(app)[0].hit
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
        body = app.screen.query_one("#document-body", TextArea)
        assert body.selected_text == hit.text, "the view opens with the passage selected"
        assert "Trafficking in persons" in body.text, "the surrounding document is there too"
        await pilot.pause()
        position = str(app.screen.query_one("#document-position", Static).render())
        assert (hit.location.section or "").split(" > ")[0] in position
        await pilot.press("escape")
        assert not isinstance(app.screen, DocumentScreen) and cards(app)
        # q, as in a pager, closes the reader: it quit the app and lost the conversation.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
        await pilot.press("q")
        await wait_for(pilot, lambda: not isinstance(app.screen, DocumentScreen))
        assert app.is_running and cards(app)


async def open_filter_dialog(app, pilot) -> SelectionList:
    """Ask a question, open the filter dialog from the first passage, return its region list."""
    await ready(pilot)
    await ask(pilot, "trafficking research")
    await act(pilot, "tab", "f")
    await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
    return app.screen.query_one("#filter-region", SelectionList)


async def test_filters_that_change_nothing_ask_nothing_again(bundled_index):
    # Found in a first-use audit: each Apply or Clear of the filter dialog added the last
    # question's turn again, filters changed or not.
    app = bundled_app(bundled_index)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_filter_dialog(app, pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.pause(0.5)
        assert len(app.screen.query(TurnView)) == 1 and len(app.thread.turns) == 1


async def test_filters_come_from_the_index_and_restrict_results(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(100, 40)) as pilot:
        regions = await open_filter_dialog(app, pilot)
        assert [str(o.prompt) for o in regions._options] == ["Asia", "Europe", "Global"]
        regions.focus()
        await pilot.press("space", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen))
        assert "region: Asia" in str(app.screen.query_one("#filter-line", Static).render())
        await wait_for(pilot, lambda: bool(cards(app)) and all(c.hit.document.region == "Asia" for c in cards(app)))


async def test_a_year_typed_as_the_filter_dialog_opens_goes_into_its_year_box(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_filter_dialog(app, pilot)
        await pilot.press(*"2019", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen))
        assert app.filters.year_from == 2019
        assert "2019" in str(app.screen.query_one("#filter-line", Static).render())


async def test_a_year_typed_in_a_burst_on_a_list_or_pasted_there_is_kept_whole(bundled_index):
    # Found in a first-use audit: "2019" sent at once (fast typing, a terminal's paste) left "9":
    # every digit reached the list before the year box took the focus, and each began the year.
    from textual import events

    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_filter_dialog(app, pilot)
        screen = app.screen
        listed = screen.query_one("#filter-region")
        listed.focus()
        await pilot.pause()
        for digit in "2019":  # as a burst arrives: the list still has the focus for each
            screen.on_key(events.Key(digit, digit))
            listed.focus()
        year = screen.query_one("#year-from")
        assert year.value == "2019", year.value
        await pilot.pause()
        listed.focus()
        await pilot.pause()
        screen.on_paste(events.Paste("2021"))
        assert year.value == "2021", "back on a list, a year pasted starts the year again"


async def test_c_copies_the_citation_with_a_fallback_message(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        await act(pilot, "down", "c")
        assert app.clipboard.startswith("Seeing the Unseen") and "Accessed" in app.clipboard
        messages = [n.message for n in app._notifications]
        assert any("OSC 52" in m and app.clipboard in m for m in messages)


async def test_three_passages_collected_and_exported_as_markdown(bundled_index, tmp_path):
    app = bundled_app(bundled_index, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        await pilot.press("down")
        chosen = []
        for _ in range(2):
            chosen.append(app.focused.hit)
            await act(pilot, "a", "down")
        await ask(pilot, "What did resolution 2331 address?")
        await pilot.press("down")
        chosen.append(app.focused.hit)
        await act(pilot, "a")
        await pilot.pause(0.5)
        await act(pilot, "a")  # the second press is refused: already collected
        await pilot.pause(0.5)
        assert len(app.basket.items) == 3
        await act(pilot, "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("J")  # move the first passage down
        assert [i.chunk_id for i in app.basket.items][:2] == [chosen[1].chunk_id, chosen[0].chunk_id]
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportScreen")
        await pilot.press("enter")  # the default: Markdown in reports/
        await wait_for(
            pilot, lambda: isinstance(app.screen, ReportScreen) and bool(list((tmp_path / "reports").glob("*.md")))
        )
        exported = list((tmp_path / "reports").glob("*.md"))
        assert len(exported) == 1
        assert str(exported[0]) in str(app.screen.query_one("#report-path", Static).render())
        markdown = exported[0].read_text()
        for hit in chosen:
            first_line = hit.text.split("\n")[0]
            assert f"> {first_line}" in markdown, "each passage is quoted verbatim"
            assert hit.citation.title in markdown
        assert INDONESIA in markdown and "## References" in markdown
        await pilot.press("x")
        assert len(app.basket.items) == 2


async def test_an_off_topic_question_shows_the_abstention_not_results(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, "[bold]best sourdough[/bold] recipe")
        assert all(card.hit.closest for card in cards(app)), "no passage is shown as an answer"
        panel = str(app.screen.query_one(".abstained", Static).render())
        assert NO_ANSWER in panel
        question = str(turns(app)[-1].query_one(".turn-question", Static).render())
        assert "[bold]best sourdough[/bold] recipe" in question, "the question is shown literally, above its answer"


async def test_a_refusal_near_the_field_shows_the_closest_passages_under_it_and_they_can_be_kept(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, "What training do hotel receptionists get?")
        panel = str(app.screen.query_one(".abstained", Static).render())
        assert NO_ANSWER in panel and "closest passages follow" in panel
        shown = cards(app)
        assert shown and all(card.hit.closest for card in shown)
        assert "closest, not an answer" in str(shown[0].render()) and "strong" not in str(shown[0].render())
        await pilot.press("tab")
        await act(pilot, "a")
        await wait_for(pilot, lambda: len(app.basket.items) == 1)
        assert app.basket.items[0].chunk_id == shown[0].hit.chunk_id
        assert app.thread.turns[-1].kept == [shown[0].hit.rank], "kept for the case note too"


async def test_question_history_recalls_earlier_questions(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, "first question about forced labour")
        await ask(pilot, "second question about debt bondage")
        box = app.screen.query_one(QueryInput)
        box.focus()
        box.value = ""
        await pilot.press("up")
        assert box.value == "second question about debt bondage"
        await pilot.press("up")
        assert box.value == "first question about forced labour"
        await pilot.press("down", "down")
        assert box.value == ""
        await pilot.press("escape")
        await pilot.press("tab")
        await act(pilot, "h")
        panel = app.screen.query_one("#history-panel")
        assert panel.display and app.focused is panel
        await pilot.press("escape")  # closes it, back in the question box
        assert not panel.display and app.focused is box


async def test_help_lists_every_binding(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.screen.query_one(QueryInput).blur()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#help-keys", Static).content)
        text = " ".join(console.export_text().split())
        for needed in (
            "Export the report",
            "Rebuild",
            "Back to the passage",
            "Light / dark theme",
            "Earlier question",
        ):
            assert needed in text
        results, document = text.split("Reading a document")
        for action in PASSAGE_ACTIONS:
            assert action.description in results, "every passage action is listed for the results"
            assert (action.description in document.split("Report")[0]) == ("document" in action.where)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_theme_switches_between_dark_and_light(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != before
        await pilot.press("ctrl+t")
        assert app.theme == before


async def test_an_empty_index_folder_opens_the_setup_and_the_keys_it_names_work(tmp_path):
    from assistant.tui.screens.setup import SetupScreen

    app = make_app(tmp_path / "no-index", tmp_path / "corpus")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen) and bool(app.screen.query("#setup-message")))
        assert "no index has been built" in str(app.screen.query_one("#setup-message", Static).render()).lower()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SetupScreen))
        placeholder = str(app.screen.query_one(".placeholder", Static).render())
        assert "ctrl+b" in placeholder and f"--index {tmp_path / 'no-index'}" in placeholder
        assert "ctrl+b" in str(app.screen.query_one("#status-bar", Static).render())
        assert isinstance(app.focused, QueryInput)
        await pilot.press("ctrl+b")  # works from the question box, as the screen says
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        await wait_for(pilot, lambda: bool(app.screen.query("#setup-corpus")) and app.screen.focused is not None)
        await pilot.press(*"/tmp/my-documents")
        assert app.screen.query_one("#setup-corpus").value == "/tmp/my-documents", (
            "a typed folder replaces the proposal"
        )


async def test_a_folder_of_documents_named_as_the_index_is_indexed_beside_it_not_among_the_files(
    tmp_path, shared_embedder_factory, monkeypatch
):
    import assistant.index.build as build_module
    from assistant.tui.screens.setup import SetupScreen

    monkeypatch.setattr(build_module, "default_embedder_factory", lambda batch_size: shared_embedder_factory)
    documents = tmp_path / "my-guidance"
    write(
        documents / "shelters.md",
        "# Shelters\n\nShelter staff explain the rights of survivors in their own language.\n",
    )

    app = make_app(documents, tmp_path / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen) and bool(app.screen.query("#setup-message")))
        message = str(app.screen.query_one("#setup-message", Static).render())
        assert "holds 1 document" in message and "not an index" in message
        assert app.screen.query_one("#setup-index").value == str(tmp_path / "my-guidance-index")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.model_ready, timeout=120)
        assert (tmp_path / "my-guidance-index" / "CURRENT").is_file()
        assert sorted(p.name for p in documents.iterdir()) == ["shelters.md"], "nothing written among the user's files"
        while not isinstance(app.screen, SearchScreen):
            await pilot.press("escape")
        placeholder = lambda: str(app.screen.query_one(".placeholder", Static).render())  # noqa: E731
        await wait_for(pilot, lambda: "no index yet" not in placeholder())
        assert placeholder().startswith("Type a question"), "once built, the column says how to ask"
        await ask(pilot, "what do shelter staff explain to survivors?")
        assert "Shelter staff explain" in cards(app)[0].hit.text


def build_index(corpus: Path, index: Path, embedder_factory) -> None:
    """Build (or bring up to date) ``index`` from ``corpus``, as `index build` does."""
    from assistant.config import Settings
    from assistant.pipeline import Pipeline

    Pipeline(Settings(), index_dir=index, corpus_dir=corpus).build(embedder_factory=embedder_factory)


async def test_a_card_shown_before_its_file_changed_and_was_indexed_again_opens_its_document_and_says_so(
    tmp_path, shared_embedder_factory
):
    # Found in a first-use audit: a card from before a rebuild (the file replaced by a shorter
    # version) opened the reader at offsets past the new text, and a traceback ended the app.
    from assistant.tui.screens.document import PASSAGE_NOT_FOUND

    corpus = tmp_path / "corpus"
    long = " ".join(f"Labour inspectors visit farm {n} at night to find hidden workers." for n in range(40))
    write(corpus / "a.md", f"# Inspections\n\n{long}\n\nSeasonal workers are often housed in caravans on site.\n")
    build_index(corpus, tmp_path / "index", shared_embedder_factory)
    app = make_app(tmp_path / "index", corpus)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await ask(pilot, "where are seasonal workers housed?")
        hit = cards(app)[0].hit
        assert "caravans" in hit.text and hit.location.char_end > 200
        write(corpus / "a.md", "# Inspections\n\nA shorter, newer version.\n")
        build_index(corpus, tmp_path / "index", shared_embedder_factory)
        app.reload_index()
        cards(app)[0].focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
        await pilot.pause()
        body = app.screen.query_one("#document-body", TextArea)
        assert body.text.startswith("Inspections") and "shorter, newer" in body.text
        assert body.selection.start == (0, 0) and body.selected_text == ""
        assert PASSAGE_NOT_FOUND in [n.message for n in app._notifications]
        await pilot.press("escape")
        assert app.is_running and cards(app)


async def test_a_card_of_a_document_the_rebuilt_index_left_out_says_so_and_sets_no_filter(
    tmp_path, shared_embedder_factory
):
    # Found in a first-use audit: Enter on such a card said "run index build" of an index just
    # built, and `w` set a filter on the missing document that every later question failed on.
    from assistant.tui.actions import DOCUMENT_GONE

    corpus = tmp_path / "corpus"
    write(corpus / "a.md", "# Housing\n\nSeasonal workers are often housed in caravans on the farm.\n")
    write(corpus / "b.md", "# Wages\n\nWorkers must be paid at least the minimum wage for every hour.\n")
    build_index(corpus, tmp_path / "index", shared_embedder_factory)
    app = make_app(tmp_path / "index", corpus)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await ask(pilot, "where are seasonal workers housed?")
        assert cards(app)[0].hit.document.id == "a.md"
        (corpus / "a.md").unlink()
        build_index(corpus, tmp_path / "index", shared_embedder_factory)
        app.reload_index()
        cards(app)[0].focus()
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, DocumentScreen)
        assert DOCUMENT_GONE in [n.message for n in app._notifications]
        cards(app)[0].focus()
        await pilot.press("w")
        await pilot.pause()
        assert app.filters.documents == [], "no filter on a document the index does not hold"
        await ask(pilot, "what must workers be paid?")
        assert cards(app) and cards(app)[0].hit.document.id == "b.md"


async def test_the_index_screen_rebuilds_in_the_background(tmp_path, shared_embedder_factory):
    from assistant.config import Settings
    from assistant.pipeline import Pipeline

    corpus = tmp_path / "corpus"
    write(corpus / "a.md", "# Shelters\n\nShelter staff explain the rights of survivors in their own language.\n")
    Pipeline(Settings(), index_dir=tmp_path / "index", corpus_dir=corpus).build(
        embedder_factory=shared_embedder_factory
    )
    write(corpus / "b.md", "# Inspections\n\nLabour inspectors visit farms at night to find hidden workers.\n")

    app = make_app(tmp_path / "index", corpus)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        assert "1 added" in app.staleness_text
        # First on the status line: at 80 columns its end is cut off.
        status = str(app.screen.query_one("#status-bar", Static).render())
        assert status.startswith("ready  ·  out of date (1 added; i: why, b: rebuild)")
        app.screen.query_one(QueryInput).blur()
        await act(pilot, "i")
        await wait_for(pilot, lambda: isinstance(app.screen, IndexScreen))
        summary = str(app.screen.query_one("#index-summary", Static).render())
        assert "added: b.md" in summary
        await pilot.press("b")
        await wait_for(pilot, lambda: any("Rebuilt" in n.message for n in app._notifications), timeout=120)
        summary = str(app.screen.query_one("#index-summary", Static).render())
        assert ": up to date" in summary
        await pilot.press("escape")
        await ask(pilot, "labour inspectors visiting farms at night")
        assert any(c.hit.document.path == "b.md" for c in cards(app))


async def test_quitting_during_a_build_asks_then_stops_it_and_the_index_stays_as_it_was(
    tmp_path, shared_embedder_factory
):
    """Quitting waited, on a blank terminal, for the whole build to end (a first-use audit), and
    then published it: now it asks, and the build stops at its next file or batch."""
    import time

    from assistant.config import Settings
    from assistant.index.layout import IndexLayout
    from assistant.pipeline import Pipeline
    from assistant.tui.screens.confirm import ConfirmScreen

    corpus = tmp_path / "corpus"
    write(corpus / "a.md", "# Shelters\n\nShelter staff explain the rights of survivors in their own language.\n")
    Pipeline(Settings(), index_dir=tmp_path / "index", corpus_dir=corpus).build(
        embedder_factory=shared_embedder_factory
    )
    published = (tmp_path / "index" / "CURRENT").read_text()
    for n in range(120):  # enough passages that the build is still embedding when the app quits
        paragraphs = "\n\n".join(
            f"Inspection {n}.{p}: labour inspectors visited farm {n} at night and found {p + 2} workers "
            f"whose passports were held by the gangmaster."
            for p in range(6)
        )
        write(corpus / f"farm-{n:03}.md", f"# Farm {n}\n\n{paragraphs}\n")

    app = make_app(tmp_path / "index", corpus)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.screen.query_one(QueryInput).blur()
        await act(pilot, "i")
        await wait_for(pilot, lambda: isinstance(app.screen, IndexScreen))
        await pilot.press("b")
        await wait_for(pilot, lambda: any(w.group == "build" and w.is_running for w in app.workers))
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "An index build is running. Quitting stops it: the index stays as it was" in question
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running)

    deadline = time.monotonic() + 60
    while True:  # the build's thread lets go of the index once it has stopped
        try:
            with IndexLayout(tmp_path / "index").build_lock():
                break
        except Exception:
            assert time.monotonic() < deadline, "the build went on after the app quit"
            time.sleep(0.2)
    assert (tmp_path / "index" / "CURRENT").read_text() == published, "the stopped build published nothing"
    assert [p.name for p in (tmp_path / "index" / "generations").iterdir()] == [published.strip()], (
        "nothing half-written left behind"
    )


async def test_document_text_cannot_style_or_control_the_terminal(hostile_index):
    app = make_app(hostile_index / "index", hostile_index / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await ask(pilot, "withheld passports on fishing boats")
        card = cards(app)[0]
        rendered = card.render()
        plain = rendered.plain if hasattr(rendered, "plain") else str(rendered)
        assert "[bold red]about forced labour[/bold red]" in plain
        assert "[link=https://example.org]fisheries[/link]" in plain
        assert "\x1b" not in plain and "\x07" not in plain
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
        whole = app.screen.query_one("#document-body", TextArea).text
        assert "[bold red]" in whole and "\x1b" not in whole


async def test_the_status_line_says_when_a_newer_index_is_available(tmp_path, shared_embedder_factory):
    from assistant.config import Settings
    from assistant.pipeline import Pipeline

    corpus = tmp_path / "corpus"
    write(corpus / "a.md", "# Shelters\n\nShelter staff explain the rights of survivors in their own language.\n")
    Pipeline(Settings(), index_dir=tmp_path / "index", corpus_dir=corpus).build(
        embedder_factory=shared_embedder_factory
    )

    app = make_app(tmp_path / "index", corpus)
    async with app.run_test(size=(100, 24)) as pilot:
        await ready(pilot)
        write(corpus / "b.md", "# Inspections\n\nLabour inspectors visit farms at night.\n")
        Pipeline(Settings(), index_dir=tmp_path / "index", corpus_dir=corpus).build(
            embedder_factory=shared_embedder_factory
        )
        app.check_for_newer_index()
        assert "a newer index is available" in str(app.screen.query_one("#status-bar", Static).render())
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        assert "reloaded" in str(app.screen.query_one("#status-bar", Static).render())


async def test_search_within_this_document_restricts_results_and_survives_the_filter_dialog(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await ask(pilot, "trafficking research")
        chosen = cards(app)[1].hit.document
        cards(app)[1].focus()
        await act(pilot, "w")
        await wait_for(pilot, lambda: bool(cards(app)) and all(c.hit.document.id == chosen.id for c in cards(app)))
        filter_line = str(app.screen.query_one("#filter-line", Static).render())
        assert f"only within: {chosen.title[: FILTER_TITLE - 1]}" in filter_line
        header = str(app.screen.query(".turn-how").last().render())
        assert f"only within: {chosen.title}" in header and chosen.id not in header, "the turn names the title too"
        await act(pilot, "tab", "f")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
        assert chosen.title in str(app.screen.query_one("#filter-documents", Static).render())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen))
        assert app.filters.documents == [chosen.id]
        assert f"only within: {chosen.title[: FILTER_TITLE - 1]}" in str(
            app.screen.query_one("#filter-line", Static).render()
        )
        await wait_for(pilot, lambda: bool(cards(app)))
        await act(pilot, "escape", "tab", "f")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
        await pilot.press("ctrl+x")
        await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen))
        assert app.filters.documents == []
        assert "Filters: none" in str(app.screen.query_one("#filter-line", Static).render())


async def test_search_within_this_document_from_the_document_view(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        document = cards(app)[0].hit.document
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
        await act(pilot, "w")
        await wait_for(pilot, lambda: not isinstance(app.screen, DocumentScreen))
        assert app.filters.documents == [document.id]
        await wait_for(pilot, lambda: bool(cards(app)) and all(c.hit.document.id == document.id for c in cards(app)))


# --- typing is text; work is never lost ------------------------------------------------------------


async def test_typing_a_follow_up_question_after_results_runs_no_command(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        box = app.screen.query_one(QueryInput)
        await pilot.press(*"and children quota fraud", "?")  # a, c, i, q, r, f, w, ? are all commands on a card
        assert box.value == "and children quota fraud?", "the new question replaces the last one"
        assert app.is_running and app.basket.items == [] and app.clipboard == ""
        assert type(app.screen).__name__ == "SearchScreen"


async def test_quitting_with_an_unexported_report_asks_and_a_restart_restores_it(bundled_index, tmp_path):
    from assistant.tui.screens.confirm import ConfirmScreen

    basket = tmp_path / "basket.json"

    async def first_session():
        app = make_app(bundled_index, bundled_index.parent / "corpus", basket_file=basket)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await ask(pilot, INDONESIA)
            await act(pilot, "down", "a", "down", "a", "down", "a")
            assert len(app.basket.items) == 3
            await pilot.press("escape", "tab", "q")
            assert app.is_running and app.screen.query_one(QueryInput).value == "q", (
                "q on a passage starts a question ('query...'): it quit the app"
            )
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "3 passages not exported" in str(app.screen.query_one("#confirm-question", Static).render())
            await pilot.press("n")
            await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
            assert app.is_running
            await act(pilot, "ctrl+q", "y")
            await wait_for(pilot, lambda: not app.is_running)
        return [item.chunk_id for item in app.basket.items]

    async def second_session(expected):
        app = make_app(bundled_index, bundled_index.parent / "corpus", basket_file=basket)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            assert [item.chunk_id for item in app.basket.items] == expected
            await pilot.press("ctrl+p", *"Report")  # no result to stand on yet: the palette
            await pilot.pause(0.5)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
            assert str(basket) in str(app.screen.query_one("#report-title", Static).render())
            await act(pilot, "ctrl+d", "y")
            await wait_for(pilot, lambda: not app.basket.items)
        assert ReportBasket.load(basket).items == []

    from assistant.report import ReportBasket

    kept = await first_session()
    assert len(kept) == 3
    await second_session(kept)


async def test_a_pasted_case_note_of_several_lines_is_one_question(bundled_index):
    from textual import events

    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        box = app.screen.query_one(QueryInput)
        box.post_message(events.Paste("Client from Indonesia,\nreturned home last year,\nnot identified as a victim"))
        await pilot.pause()
        assert box.value == "Client from Indonesia, returned home last year, not identified as a victim"


async def test_the_command_palette_reaches_every_action(bundled_index):
    from textual.command import CommandPalette

    app = bundled_app(bundled_index)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for needed in (
            "Open",
            "Cite",
            "Add",
            "Within",
            "Report",
            "Filters",
            "Index: contents, staleness, rebuild",
            "Help",
            "Quit",
            "Export the report",
        ):
            assert needed in titles, titles
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Filters")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))


async def test_a_rebuild_uses_the_corpus_the_index_was_built_from_and_asks_before_replacing_it(
    tmp_path, shared_embedder_factory, monkeypatch
):
    import assistant.index.build as build_module
    from assistant.config import Settings
    from assistant.pipeline import Pipeline
    from assistant.tui.screens.confirm import ConfirmScreen

    monkeypatch.setattr(build_module, "default_embedder_factory", lambda batch_size: shared_embedder_factory)
    casework = tmp_path / "casework"
    write(casework / "a.md", "# Shelters\n\nShelter staff explain the rights of survivors in their own language.\n")
    other = tmp_path / "other"
    write(other / "b.md", "# Inspections\n\nLabour inspectors visit farms at night to find hidden workers.\n")
    index = tmp_path / "index"
    Pipeline(Settings(), index_dir=index, corpus_dir=casework).build(embedder_factory=shared_embedder_factory)
    write(casework / "c.md", "# Referral\n\nA referral needs the informed consent of an adult.\n")

    async def not_named():
        app = make_app(index, None)  # as `make run INDEX=...` without CORPUS
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await ready(pilot)
            app.screen.query_one(QueryInput).blur()
            await act(pilot, "i")
            await wait_for(pilot, lambda: isinstance(app.screen, IndexScreen))
            summary = str(app.screen.query_one("#index-summary", Static).render())
            assert f"Corpus {casework}: changed since the last build: 1 added" in summary and "added: c.md" in summary
            await pilot.press("b")
            await wait_for(pilot, lambda: any("Rebuilt" in n.message for n in app._notifications), timeout=120)
        paths = {d.path for d in Pipeline(Settings(), index_dir=index).document_infos()}
        assert paths == {"a.md", "c.md"}, "the index's own corpus was rebuilt, never corpus/"

    async def named_other():
        app = make_app(index, other)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await ready(pilot)
            app.screen.query_one(QueryInput).blur()
            await act(pilot, "i")
            await wait_for(pilot, lambda: isinstance(app.screen, IndexScreen))
            await pilot.press("b")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            question = str(app.screen.query_one("#confirm-question", Static).render())
            assert str(casework) in question and str(other) in question
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, IndexScreen))
            assert {d.path for d in Pipeline(Settings(), index_dir=index).document_infos()} == {"a.md", "c.md"}
            await pilot.press("b")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await act(pilot, "y")
            await wait_for(pilot, lambda: any("Rebuilt" in n.message for n in app._notifications), timeout=120)
        assert {d.path for d in Pipeline(Settings(), index_dir=index).document_infos()} == {"b.md"}

    await not_named()
    await named_other()


async def test_the_report_exports_bibtex_to_a_chosen_file_that_a_bibtex_parser_reads(bundled_index, tmp_path):
    import bibtexparser

    target = tmp_path / "casefile" / "references.bib"

    async def scenario():
        app = bundled_app(bundled_index, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await ask(pilot, INDONESIA)
            await act(pilot, "down", "a", "down", "a", "r")
            await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
            await pilot.press("e")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportScreen")
            app.screen.query_one("#format-bibtex").value = True
            await pilot.pause()
            assert app.screen.query_one("#export-path").value.endswith(".bib")
            app.screen.query_one("#export-path").value = str(target)
            await pilot.press("enter")
            await wait_for(pilot, target.exists)
            assert not app.basket.unexported

    await scenario()
    library = bibtexparser.parse_string(target.read_text())
    assert not library.failed_blocks and len(library.entries) == 2
    assert all(entry.fields_dict["title"].value for entry in library.entries)


@asynccontextmanager
async def in_the_reader(bundled_index):
    """An app at 100x30 with the first card of a question about Blue Dot spaces open in the
    reader: (app, pilot, the card's passage, the reader's text area)."""
    app = bundled_app(bundled_index)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await ready(pilot)
        await ask(pilot, "Blue Dot safe spaces for children fleeing Ukraine")
        hit = cards(app)[0].hit
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
        yield app, pilot, hit, app.screen.query_one("#document-body", TextArea)


async def test_find_inside_the_open_document_and_copy_the_passage_with_its_citation(bundled_index):
    async with in_the_reader(bundled_index) as (app, pilot, hit, body):
        occurrences = body.text.casefold().count("trafficking")
        await pilot.press("slash", *"trafficking", "enter")
        await pilot.pause()
        assert body.selected_text.casefold() == "trafficking"
        first = body.selection
        await pilot.press("n")
        assert body.selection != first and body.selected_text.casefold() == "trafficking"
        await pilot.press("N")
        assert body.selection == first
        position = str(app.screen.query_one("#document-position", Static).render())
        assert f"of {occurrences} for “trafficking”" in position
        await pilot.press("p")
        assert body.selected_text == hit.text
        await act(pilot, "y")
        assert app.clipboard.startswith("“") and hit.text.strip()[:40] in app.clipboard
        assert app.clipboard.rstrip().endswith(".") and hit.citation.title in app.clipboard.splitlines()[-1]


async def test_a_passage_key_in_the_reader_with_the_cursor_elsewhere_says_it_acts_on_the_passage_opened(bundled_index):
    # Found in a first-use audit: moved to p. 24 by find, `a` added the p. 4 passage the reader
    # was opened at, and nothing said so.
    async with in_the_reader(bundled_index) as (app, pilot, hit, body):
        await act(pilot, "a")
        assert not [n for n in app._notifications if "not on the text at the cursor" in n.message]
        body.move_cursor(body.document.end)
        await act(pilot, "a")
        said = [n.message for n in app._notifications if "not on the text at the cursor" in n.message]
        assert said and "the passage you opened" in said[0]
        assert [item.chunk_id for item in app.basket.items] == [hit.chunk_id], "the passage opened, once"


@asynccontextmanager
async def on_the_first_passage(bundled_index):
    """An app at 80x24 that has answered INDONESIA, Tab pressed: (app, pilot)."""
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        await pilot.press("tab")
        yield app, pilot


async def test_tab_reaches_the_first_passage_and_the_selection_follows_scrolling(bundled_index):
    async with on_the_first_passage(bundled_index) as (app, pilot):
        assert app.focused is cards(app)[0], "no invisible focus stop between the box and the passages"
        results = app.screen.query_one("#results")
        results.scroll_end(animate=False)  # as End, PageDown or the wheel would
        await pilot.pause(0.3)
        focused = app.focused
        assert isinstance(focused, ResultCard) and focused is not cards(app)[0]
        assert results.region.overlaps(focused.region), "the selection is a passage the reader can see"
        await act(pilot, "a")
        assert app.basket.items[0].chunk_id == focused.hit.chunk_id


async def test_a_passage_of_which_only_the_last_row_shows_is_not_the_one_a_key_acts_on(bundled_index):
    from assistant.tui.screens.search import region_in

    async with on_the_first_passage(bundled_index) as (app, pilot):
        first, second = cards(app)[:2]
        assert app.focused is first
        results = app.screen.query_one("#results")
        # As PageDown can leave it: the first passage's bottom border alone at the top.
        results.scroll_to(y=region_in(first, results).bottom - 1, animate=False)
        await pilot.pause(0.3)
        assert app.focused is second, "the selection is the passage the reader sees most of"
        await act(pilot, "a")
        assert app.basket.items[0].chunk_id == second.hit.chunk_id


async def test_a_question_typed_on_a_passage_goes_to_the_question_box(bundled_index):
    # Found in a first-use audit: after Tab, a typed question ran passage actions letter by letter.
    async with on_the_first_passage(bundled_index) as (app, pilot):
        assert isinstance(app.focused, ResultCard)
        await pilot.press(*"Does it apply to men")
        box = app.screen.query_one(QueryInput)
        assert app.focused is box and box.value == "Does it apply to men", "a new question, in the box"
        assert not app.basket.items and app.filters.is_empty(), "no passage action ran"
        await pilot.press("tab", "a")
        assert not app.basket.items, "not yet: another letter may follow"
        await wait_for(pilot, lambda: len(app.basket.items) == 1)  # a passage's own key, pressed alone, acts
        # Typed keys come faster than the focus: those before it lands follow the first.
        box.start_with("W")
        box.start_with("h")
        box.start_with("y")
        await pilot.pause()
        assert app.focused is box and box.value == "Why"


@pytest.mark.parametrize(
    "typed", ["who should I tell?", "and for children?", "/what about her children?", "if she is 17?"]
)
async def test_a_question_starting_with_a_passage_key_typed_at_once_runs_no_action(bundled_index, typed):
    # Found in two first-use audits: typed on a passage, "who..." searched within one document,
    # "and..." added a passage to the report, "/what..." lost its first letters to actions.
    async with on_the_first_passage(bundled_index) as (app, pilot):
        turns_before = len(app.thread.turns)
        await pilot.press(*typed)
        await pilot.pause(0.5)
        box = app.screen.query_one(QueryInput)
        assert app.focused is box and box.value == typed.lstrip("/"), box.value
        assert not app.basket.items and app.filters.is_empty() and len(app.thread.turns) == turns_before
        assert not app.screen.query_one("#history-panel").display, "no panel opened"


async def test_a_question_typed_on_a_passage_at_a_persons_pace_runs_no_action(bundled_index):
    # Found in a first-use audit: "are there" typed at 330 ms a key on a passage added it to the
    # report, opened the report and its export, and the rest went into the file name box.
    async with on_the_first_passage(bundled_index) as (app, pilot):
        for key in "are there":
            await pilot.press("space" if key == " " else key)
            await pilot.pause(0.4)  # slower than the 0.3 s audit pace, well within HOLD_SECONDS
        await pilot.pause(0.8)
        box = app.screen.query_one(QueryInput)
        assert app.focused is box and box.value == "are there", box.value
        assert not app.basket.items and app.screen is app.screen_stack[1], "no passage added, no screen opened"


async def test_a_passage_key_then_slash_at_once_acts_and_goes_back_to_the_question_box(bundled_index):
    # Found in a first-use audit: a then / pressed 0.2 s apart asked "a/What are the signs...",
    # and the passage was not added.
    async with on_the_first_passage(bundled_index) as (app, pilot):
        await pilot.press("a", "slash")
        box = app.screen.query_one(QueryInput)
        await wait_for(pilot, lambda: len(app.basket.items) == 1 and app.focused is box)
        assert "a/" not in box.value, "no question begun"


async def test_a_question_typed_and_not_asked_is_kept_when_another_is_begun_on_a_passage(bundled_index):
    # Found in a first-use audit: "what role do schools play in spotting CCE", Tab, then "z" on a
    # passage: the box held "z", and the draft was gone.
    async with on_the_first_passage(bundled_index) as (app, pilot):
        box = app.screen.query_one(QueryInput)
        box.value = "what role do schools play in spotting CCE"
        app.screen.query(ResultCard).first().focus()
        await pilot.pause()
        await pilot.press("z")
        await wait_for(pilot, lambda: app.focused is box)
        assert box.value == "z"
        await pilot.press("up")
        assert box.value == "what role do schools play in spotting CCE", "↑ brings the draft back"


async def test_a_double_click_opens_a_passage(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        await pilot.click(cards(app)[0], times=2)
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))


async def test_the_filter_dialog_opens_with_focus_and_ticks_that_show_without_colour(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(100, 40)) as pilot:
        regions = await open_filter_dialog(app, pilot)
        assert app.focused is regions
        before = "".join(s.text for s in regions.render_line(0))
        await pilot.press("space")
        after = "".join(s.text for s in regions.render_line(0))
        assert "✓" not in before and "✓" in after


async def test_information_toasts_are_short(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        await act(pilot, "down", "c", "a", "y")
        assert app._notifications and all(n.timeout <= 6 for n in app._notifications)


async def test_questions_are_kept_across_sessions_only_when_turned_on(bundled_index, tmp_path):
    import shutil

    index = tmp_path / "index"
    shutil.copytree(bundled_index, index)

    async def session(keep: bool, question: str | None):
        app = make_app(index, bundled_index.parent / "corpus")
        app.settings.tui.keep_history = keep
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            history = list(app.screen.query_one(QueryInput).history)
            if question:
                await ask(pilot, question)
        return history

    await session(False, "first question about forced labour")
    assert not (index / "question-history.json").exists()
    await session(True, "second question about debt bondage")
    assert await session(True, None) == ["second question about debt bondage"]
    assert await session(False, None) == []


def test_the_app_ends_when_its_terminal_hangs_up(bundled_index):
    """A closed terminal window must not leave the app spinning on a dead terminal."""
    import os
    import pty
    import signal
    import subprocess
    import sys
    import time

    parent, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "tui.py", "--index", str(bundled_index)],
        cwd=Path(__file__).resolve().parents[2],
        stdin=child,
        stdout=child,
        stderr=child,
        start_new_session=True,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"},
    )
    os.close(child)
    try:
        time.sleep(4)  # let it start drawing
        assert process.poll() is None, "the app started"
        process.send_signal(signal.SIGHUP)
        assert process.wait(timeout=30) == 129
    finally:
        if process.poll() is None:
            process.kill()
        os.close(parent)


async def test_a_key_typed_on_a_passage_and_handled_after_the_box_took_the_focus_goes_to_the_question(bundled_index):
    # Found in a first-use audit: "and for the farm workers?" typed on a passage was asked as
    # "and for the farm wo": keys sent to the passage before the question box took the focus,
    # and handled after it had, were dropped (and "r" is the report's key).
    from textual import events

    from assistant.tui.widgets.query_bar import QueryInput

    async with on_the_first_passage(bundled_index) as (app, pilot):
        await pilot.press(*"and for the farm wo")
        await pilot.pause()
        box = app.screen.query_one(QueryInput)
        assert app.focused is box and box.value == "and for the farm wo"
        for character in "rkers?":  # as the passage's queue delivers them, late
            key = events.Key(character, character)
            await app.screen.on_key(key)
            assert key._stop_propagation, "no key of the screen acts on it"
        assert box.value == "and for the farm workers?" and type(app.screen).__name__ == "SearchScreen"
