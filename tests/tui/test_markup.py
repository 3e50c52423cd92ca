"""Text from documents, file names, the catalogue and the user is data on every screen: Textual
and Rich markup in it is shown as written, never styles, links, runs an action or breaks a widget."""

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.widgets import OptionList, SelectionList, Static

from assistant.config import Settings
from assistant.conversation import Turn
from assistant.models import Answer, Citation, Document, DocumentInfo, Filters, Hit, Location
from assistant.pipeline import Pipeline
from assistant.present import citation_line
from assistant.report import ReportBasket
from assistant.text import safe_line
from assistant.tui import messages
from assistant.tui.screens.confirm import ConfirmScreen
from assistant.tui.screens.document import DocumentScreen
from assistant.tui.screens.filters import FilterScreen
from assistant.tui.screens.report import ReportScreen
from assistant.tui.screens.setup import SetupScreen
from assistant.tui.widgets.query_bar import QueryInput
from assistant.tui.widgets.result_card import ResultCard

from ..conftest import write
from .conftest import act, make_app, ready, wait_for

ACTION = "[@click=app.screenshot('X.svg','{folder}')]Europe[/]"
CATALOGUE = """
[[file]]
path = "guide [b]bold[/b].md"
title = "Guide [/bold] to [red]inspections[/red]"
organisation = "[link='https://evil.example']Trusted Org[/link]"
type = "Guidance [/bold]"
region = "{region}"
"""


def plain(widget) -> str:
    rendered = widget.render()
    return rendered.plain if hasattr(rendered, "plain") else str(rendered)


async def test_catalogue_values_file_names_and_questions_are_plain_text_on_every_screen(
    tmp_path, shared_embedder_factory
):
    clicked = tmp_path / "screenshots"
    clicked.mkdir()
    region = ACTION.format(folder=clicked)
    corpus = tmp_path / "corpus"
    write(
        corpus / "guide [b]bold[/b].md",
        "# Inspections\n\nLabour inspectors ask to see identity documents: employers who hold passports commit an "
        "offence.\n",
    )
    write(corpus / "catalogue.toml", CATALOGUE.format(region=region.replace("'", "\\u0027")))
    Pipeline(Settings(), index_dir=tmp_path / "index", corpus_dir=corpus).build(
        embedder_factory=shared_embedder_factory
    )

    app = make_app(tmp_path / "index", corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        box = app.screen.query_one(QueryInput)
        box.value = "debt bondage [/] signs passports [@click=app.quit]x[/]"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.screen.query(ResultCard)) or bool(app.screen.query(".abstained")))
        box.value = "passports held by employers"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.screen.query(ResultCard)))
        card = app.screen.query(ResultCard).first()
        shown = plain(card)
        assert "Guide [/bold] to [red]inspections[/red]" in shown
        assert "[link='https://evil.example']Trusted Org[/link]" in shown

        box.blur()
        await act(pilot, "h")  # the history panel: questions as typed
        panel = app.screen.query_one("#history-panel", OptionList)
        prompts = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
        assert "debt bondage [/] signs passports [@click=app.quit]x[/]" in prompts
        await act(pilot, "h")

        app.post_message(messages.EditFilters())
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
        options = {
            key: [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
            for key, lst in ((w.id, w) for w in app.screen.query(SelectionList))
        }
        assert options["filter-type"] == ["Guidance [/bold]"]
        assert options["filter-region"] == [region]
        await pilot.click("#filter-region", offset=(4, 0))  # clicking the option runs nothing
        await pilot.pause(0.3)
        assert not list(clicked.iterdir()), "a catalogue value ran an action"
        await pilot.press("escape")

        await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen))
        card = app.screen.query(ResultCard).first()
        card.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
        header = plain(app.screen.query_one("#document-header", Static))
        assert "Guide [/bold] to [red]inspections[/red]" in header and "guide [b]bold[/b].md" in header
        await act(pilot, "a")
        await pilot.press("escape")
        await act(pilot, "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        items = " ".join(plain(s) for s in app.screen.query("#report-items Static"))
        assert "Guide [/bold] to [red]inspections[/red]" in items
        await pilot.press("escape")
        await act(pilot, "i")
        await wait_for(pilot, lambda: "Documents" in plain(app.screen.query_one("#index-summary", Static)))
        assert "Guide [/bold] to [red]inspections[/red]" in plain(app.screen.query_one("#index-summary", Static))
        app.notify("Exported [/bold] [@click=app.quit]x[/]")
        await pilot.pause(0.2)
        assert app.is_running


MARKUP_LIKE = (
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "[/]",
                    "[bold]",
                    "[/bold]",
                    "[@click=app.quit]",
                    "[link=https://evil.example]",
                    "[red on blue]",
                    "\\[",
                    "$accent",
                ]
            ),
            st.text(alphabet="[]/@=()'\"\\:;,.#~*_`<>!| abcXYZ\n\t\x1b\u202e\u2028", min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=8,
    )
    .map("".join)
    .filter(lambda text: safe_line(text) != "")
)

pytestmark = pytest.mark.anyio  # each async test runs in its own asyncio event loop


def a_hit(text: str) -> Hit:
    info = DocumentInfo(
        id="doc.md", path=f"{text}.md", title=text, organisation=text, region=text, resource_types=[text]
    )
    citation = Citation(
        chunk_id=1,
        title=text,
        organisation=text,
        section=text,
        path=f"{text}.md",
        indexed_at=datetime.now(timezone.utc),
    )
    return Hit(
        rank=1,
        score=0.9,
        chunk_id=1,
        text=text,
        document=info,
        location=Location(section=text, char_start=0, char_end=len(text)),
        citation=citation,
    )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(text=MARKUP_LIKE)
@example(text="100% \x1b[31mred")  # the sanitiser shortens the title: the line after it stays whole
async def test_any_text_reaches_every_widget_as_written(tmp_path, text):
    """Arbitrary text (markup, escapes, controls) as a passage, a title, a catalogue value, a
    question, a report item, a confirmation and a toast: every screen shows it and stays up."""
    expected = safe_line(text)

    async def scenario():
        app = make_app(tmp_path / "no-index", tmp_path / "no-corpus")
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(pilot)
            await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
            await pilot.press("escape")  # the setup of an empty index, offered at start
            await wait_for(pilot, lambda: app.screen is app.search_screen)
            screen = app.search_screen
            hit = a_hit(text)
            await screen.add_turn(Turn(question=text, answer=Answer(query=text, abstained=False, hits=[hit])), 1, set())
            shown = " ".join(plain(screen.query_one(ResultCard)).split())
            assert expected in shown, "the card shows the text as written"
            assert " ".join(citation_line(hit.citation).split()) in shown, "and its whole citation line"

            box = screen.query_one(QueryInput)
            box.history = [text]
            box.blur()
            await act(pilot, "h")
            assert str(screen.query_one("#history-panel", OptionList).get_option_at_index(0).prompt) == expected
            await act(pilot, "h")
            app.push_screen(
                FilterScreen({"region": [text], "type": [text], "organisation": []}, Filters(regions=[text]))
            )
            await pilot.pause()
            assert str(app.screen.query(SelectionList).first().get_option_at_index(0).prompt) == expected
            app.pop_screen()
            document = Document(id="doc.md", path=f"{text}.md", title=text, text=text)
            app.push_screen(DocumentScreen(document, hit, text))
            await pilot.pause()
            app.pop_screen()
            basket = ReportBasket()
            basket.add(text, hit)
            app.push_screen(ReportScreen(basket, saved_in=text))
            await pilot.pause()
            app.pop_screen()
            app.push_screen(ConfirmScreen(text))
            await pilot.pause()
            app.pop_screen()
            app.notify(text)
            await pilot.pause()
            assert app.is_running

    await scenario()


async def test_folder_and_file_names_the_user_types_are_plain_text_in_notifications(tmp_path):
    from textual.widgets import Input

    app = make_app(tmp_path / "no-index", tmp_path / "no-corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen) and bool(app.screen.query("#setup-corpus")))
        app.screen.query_one("#setup-corpus", Input).value = str(tmp_path / "[b]missing[/b]")
        app.screen._build()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.search_screen)
        app._case_note_chosen((tmp_path / "[red]notes[/red]" / "note.md", "markdown", set()))
        await pilot.pause()
        named = [n for n in app._notifications if "[b]missing[/b]" in n.message or "[red]notes[/red]" in n.message]
        assert len(named) == 2 and not any(n.markup for n in named), "shown as typed, never as markup"


async def test_an_escape_sequence_pasted_with_a_question_is_neither_shown_nor_searched(bundled_index):
    # Found in a first-use audit: the box and the turn's heading showed "^[[31m", and the CLI
    # searched "[31mdecline" corrected to "ecline".
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        box = app.screen.query_one(QueryInput)
        box.focus()
        box.value = "victims \x1b[31mdecline\x1b[0m assistance"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.thread.turns) == 1)
        turn = app.thread.turns[0]
        assert turn.question == "victims decline assistance" == box.value == turn.answer.query
        assert not turn.answer.corrections and "\x1b" not in (turn.answer.searched_for or "")
