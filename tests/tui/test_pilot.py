"""The terminal UI driven as a user would, against real indexes and the real model."""

import asyncio

from textual.widgets import SelectionList, Static

from assistant.tui.screens.document import DocumentScreen
from assistant.tui.screens.filters import FilterScreen
from assistant.tui.screens.help import HelpScreen
from assistant.tui.screens.index_screen import IndexScreen
from assistant.tui.screens.report import ReportScreen
from assistant.tui.widgets.query_bar import QueryInput
from assistant.tui.widgets.result_card import ResultCard

from ..conftest import write
from .conftest import make_app, ready, wait_for

INDONESIA = "Why do Indonesian trafficking victims often go unidentified?"


def run(scenario):
    asyncio.run(scenario())


def cards(app) -> list[ResultCard]:
    return list(app.screen.query(ResultCard))


async def ask(pilot, question: str) -> None:
    box = pilot.app.screen.query_one(QueryInput)
    box.focus()
    box.value = ""
    await pilot.press(*question, "enter")
    await wait_for(pilot, lambda: bool(cards(pilot.app)) or bool(pilot.app.screen.query(".abstained")))


def bundled_app(bundled_index, tmp_path=None):
    return make_app(bundled_index, bundled_index.parent / "corpus", report_dir=(tmp_path / "reports") if tmp_path else None)


def test_the_window_accepts_typing_before_the_model_has_loaded(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("h", "i")
            assert app.screen.query_one(QueryInput).value == "hi"
            await ready(pilot)

    run(scenario)


def test_a_typed_question_shows_result_cards_with_citations(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await ask(pilot, INDONESIA)
            first = cards(app)[0]
            rendered = str(first.render())
            assert "Seeing the Unseen" in rendered and "NEXUS Institute, 2018" in rendered
            assert app.focused is first
            assert "passages in" in str(app.screen.query_one("#status-bar", Static).render())

    run(scenario)


def test_keyboard_navigation_between_results_and_back_to_the_question(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await ask(pilot, INDONESIA)
            found = cards(app)
            await pilot.press("down")
            assert app.focused is found[1]
            await pilot.press("j")
            assert app.focused is found[2]
            await pilot.press("up", "up")
            assert app.focused is found[0]
            await pilot.press("up")

    run(scenario)


def test_enter_opens_the_passage_in_its_document_and_escape_returns(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await ask(pilot, "Blue Dot safe spaces for children fleeing Ukraine")
            hit = cards(app)[0].hit
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
            passage = str(app.screen.query_one("#passage").render())
            assert hit.text[:60] in passage and "passage from the results" in passage
            context = " ".join(str(w.render()) for w in app.screen.query(".context"))
            assert "Trafficking in persons" in context, "the surrounding document is there too"
            await pilot.press("escape")
            assert not isinstance(app.screen, DocumentScreen) and cards(app)

    run(scenario)


def test_filters_come_from_the_index_and_restrict_results(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(100, 40)) as pilot:
            await ready(pilot)
            await ask(pilot, "trafficking research")
            await pilot.press("f")
            await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
            regions = app.screen.query_one("#filter-region", SelectionList)
            assert [str(o.prompt) for o in regions._options] == ["Asia", "Europe", "Global"]
            regions.focus()
            await pilot.press("space", "ctrl+s")
            await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen))
            assert "region: Asia" in str(app.screen.query_one("#filter-line", Static).render())
            await wait_for(pilot, lambda: bool(cards(app)) and all(c.hit.document.region == "Asia" for c in cards(app)))

    run(scenario)


def test_c_copies_the_citation_with_a_fallback_message(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await ready(pilot)
            await ask(pilot, INDONESIA)
            await pilot.press("c")
            assert app.clipboard.startswith("Seeing the Unseen") and "Indexed" in app.clipboard
            messages = [n.message for n in app._notifications]
            assert any("OSC 52" in m and app.clipboard in m for m in messages)

    run(scenario)


def test_three_passages_collected_and_exported_as_markdown(bundled_index, tmp_path):
    async def scenario():
        app = bundled_app(bundled_index, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await ask(pilot, INDONESIA)
            chosen = []
            for _ in range(2):
                chosen.append(app.focused.hit)
                await pilot.press("a", "down")
            await ask(pilot, "What did resolution 2331 address?")
            chosen.append(app.focused.hit)
            await pilot.press("a", "a")  # the second press is refused: already collected
            assert len(app.basket.items) == 3
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
            await pilot.press("J")  # move the first passage down
            assert [i.chunk_id for i in app.basket.items][:2] == [chosen[1].chunk_id, chosen[0].chunk_id]
            await pilot.press("e")
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

    run(scenario)


def test_an_off_topic_question_shows_the_abstention_not_results(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await ask(pilot, "[bold]best sourdough[/bold] recipe")
            assert not cards(app)
            panel = str(app.screen.query_one(".abstained", Static).render())
            assert "No passage in the corpus answers this question." in panel
            assert "[bold]best sourdough[/bold] recipe" in panel, "the question is shown literally"
            assert "Remove filters" in panel or "filters" in panel

    run(scenario)


def test_question_history_recalls_earlier_questions(bundled_index):
    async def scenario():
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
            await pilot.press("h")

    run(scenario)


def test_help_lists_every_binding(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            app.screen.query_one(QueryInput).blur()
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            text = str(app.screen.query_one("#help-keys").render())
            for needed in ("Copy citation", "Add to report", "Export Markdown", "Rebuild", "Back to the passage", "Light / dark theme", "Earlier question"):
                assert needed in text
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)

    run(scenario)


def test_theme_switches_between_dark_and_light(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(80, 24)) as pilot:
            before = app.theme
            await pilot.press("ctrl+t")
            assert app.theme != before
            await pilot.press("ctrl+t")
            assert app.theme == before

    run(scenario)


def test_a_missing_index_shows_how_to_build_one(tmp_path):
    async def scenario():
        app = make_app(tmp_path / "no-index", tmp_path / "corpus")
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            placeholder = str(app.screen.query_one(".placeholder", Static).render())
            assert "There is no index yet" in placeholder and "python -m assistant index build" in placeholder

    run(scenario)


def test_the_index_screen_rebuilds_in_the_background(tmp_path, shared_embedder_factory):
    from assistant.config import Settings
    from assistant.pipeline import Pipeline

    corpus = tmp_path / "corpus"
    write(corpus / "a.md", "# Shelters\n\nShelter staff explain the rights of survivors in their own language.\n")
    Pipeline(Settings(), index_dir=tmp_path / "index", corpus_dir=corpus).build(embedder_factory=shared_embedder_factory)
    write(corpus / "b.md", "# Inspections\n\nLabour inspectors visit farms at night to find hidden workers.\n")

    async def scenario():
        app = make_app(tmp_path / "index", corpus)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await ready(pilot)
            assert "1 added" in app.staleness_text
            app.screen.query_one(QueryInput).blur()
            await pilot.press("i")
            await wait_for(pilot, lambda: isinstance(app.screen, IndexScreen))
            summary = str(app.screen.query_one("#index-summary", Static).render())
            assert "added: b.md" in summary
            await pilot.press("b")
            await wait_for(pilot, lambda: any("Rebuilt" in n.message for n in app._notifications), timeout=120)
            summary = str(app.screen.query_one("#index-summary", Static).render())
            assert "up to date with the corpus" in summary
            await pilot.press("escape")
            await ask(pilot, "labour inspectors visiting farms at night")
            assert any(c.hit.document.path == "b.md" for c in cards(app))

    run(scenario)


def test_document_text_cannot_style_or_control_the_terminal(hostile_index):
    async def scenario():
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
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
            whole = " ".join(str(w.render()) for w in app.screen.query(Static))
            assert "[bold red]" in whole and "\x1b" not in whole

    run(scenario)


def test_the_status_line_says_when_a_newer_index_is_available(tmp_path, shared_embedder_factory):
    from assistant.config import Settings
    from assistant.pipeline import Pipeline

    corpus = tmp_path / "corpus"
    write(corpus / "a.md", "# Shelters\n\nShelter staff explain the rights of survivors in their own language.\n")
    Pipeline(Settings(), index_dir=tmp_path / "index", corpus_dir=corpus).build(embedder_factory=shared_embedder_factory)

    async def scenario():
        app = make_app(tmp_path / "index", corpus)
        async with app.run_test(size=(100, 24)) as pilot:
            await ready(pilot)
            write(corpus / "b.md", "# Inspections\n\nLabour inspectors visit farms at night.\n")
            Pipeline(Settings(), index_dir=tmp_path / "index", corpus_dir=corpus).build(embedder_factory=shared_embedder_factory)
            app.check_for_newer_index()
            assert "a newer index is available" in str(app.screen.query_one("#status-bar", Static).render())
            await pilot.press("ctrl+r")
            await pilot.pause(0.2)
            assert "reloaded" in str(app.screen.query_one("#status-bar", Static).render())

    run(scenario)


def test_search_within_this_document_restricts_results_and_survives_the_filter_dialog(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(100, 40)) as pilot:
            await ready(pilot)
            await ask(pilot, "trafficking research")
            chosen = cards(app)[1].hit.document
            cards(app)[1].focus()
            await pilot.press("w")
            await wait_for(pilot, lambda: bool(cards(app)) and all(c.hit.document.id == chosen.id for c in cards(app)))
            filter_line = str(app.screen.query_one("#filter-line", Static).render())
            assert f"only within: {chosen.title}" in filter_line
            await pilot.press("f")
            await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
            assert chosen.title in str(app.screen.query_one("#filter-documents", Static).render())
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen))
            assert app.filters.documents == [chosen.id]
            assert f"only within: {chosen.title}" in str(app.screen.query_one("#filter-line", Static).render())
            await pilot.press("f")
            await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
            await pilot.press("ctrl+x")
            await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen))
            assert app.filters.documents == []
            assert "Filters: none" in str(app.screen.query_one("#filter-line", Static).render())

    run(scenario)


def test_search_within_this_document_from_the_document_view(bundled_index):
    async def scenario():
        app = bundled_app(bundled_index)
        async with app.run_test(size=(100, 40)) as pilot:
            await ready(pilot)
            await ask(pilot, INDONESIA)
            document = cards(app)[0].hit.document
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
            await pilot.press("w")
            await wait_for(pilot, lambda: not isinstance(app.screen, DocumentScreen))
            assert app.filters.documents == [document.id]
            await wait_for(pilot, lambda: bool(cards(app)) and all(c.hit.document.id == document.id for c in cards(app)))

    run(scenario)
