"""The conversation on screen: every turn stays, follow-ups say what they carried, ctrl+o asks
alone, ctrl+n starts a new topic, earlier cards stay usable, and the case note is exported."""

import pytest
from textual.widgets import Button, Static

from assistant.models import Filters
from assistant.tui.app import TOPIC_NOTE
from assistant.tui.screens.confirm import ConfirmScreen
from assistant.tui.screens.export import ExportScreen, with_format_suffix
from assistant.tui.widgets.query_bar import QueryInput
from assistant.tui.widgets.result_card import ResultCard

from .conftest import act, make_app, ready, wait_for
from .test_pilot import ask, cards, turns

pytestmark = pytest.mark.anyio  # each async test runs in its own asyncio event loop

FIRST = "Why do Indonesian trafficking victims often go unidentified?"


async def a_conversation(pilot, *follow_ups: str) -> None:
    """Wait for the app, ask the first question, then each follow-up, as a user types them."""
    await ready(pilot)
    for question in (FIRST, *follow_ups):
        await ask(pilot, question)


async def exported_case_note(pilot, target) -> str:
    """Export the case note with ctrl+s as Markdown to ``target`` and read it."""
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportScreen))
    pilot.app.screen.query_one("#export-path").value = str(target)
    await pilot.press("enter")
    await wait_for(pilot, lambda: target.exists())
    return target.read_text()


def text_of(widget) -> str:
    rendered = widget.render()
    return rendered.plain if hasattr(rendered, "plain") else str(rendered)


async def test_a_three_turn_conversation_stays_on_screen_and_its_first_card_goes_into_the_case_note(
    bundled_index, tmp_path
):
    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(120, 40)) as pilot:
        await a_conversation(pilot, "and what about their access to justice?")
        how = text_of(turns(app)[-1].query_one(".turn-how", Static))
        assert how.startswith("Searched with:") and "indonesian" in how and "ctrl+o" in how
        await ask(pilot, "and for children?")
        assert len(turns(app)) == 3 and [t.question for t in app.thread.turns][0] == FIRST
        results = app.screen.query_one("#results")
        assert results.scroll_y > 0, "the newest turn is in view"
        await pilot.press("escape", "home")  # scrolled back up to the first turn
        results.scroll_home(animate=False)
        await pilot.pause()
        first_turn_cards = list(turns(app)[0].query(ResultCard))
        assert first_turn_cards[0].region.y < app.screen.region.height, "the first turn is on screen again"
        first_turn_cards[0].focus(scroll_visible=False)  # its cards are usable
        await act(pilot, "a")
        await wait_for(pilot, lambda: len(app.basket.items) == 1)
        assert app.basket.items[0].question == FIRST and app.thread.turns[0].kept == [first_turn_cards[0].hit.rank]
        note = await exported_case_note(pilot, tmp_path / "note.md")
        assert f"## 1. {FIRST}" in note and "## 3. and for children?" in note
        assert "Searched with:" in note and first_turn_cards[0].hit.text.split()[0] in note


async def test_ctrl_o_asks_alone_and_ctrl_n_starts_a_new_topic(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await a_conversation(pilot, "and their access to justice?")
        assert app.thread.turns[-1].context.words
        await pilot.press("ctrl+o")  # from the question box
        await wait_for(pilot, lambda: len(app.thread.turns) == 3)
        assert (
            app.thread.turns[-1].question == "and their access to justice?" and not app.thread.turns[-1].context.words
        )
        assert text_of(turns(app)[-1].query_one(".turn-how", Static)).startswith("Asked on its own (ctrl+o)")
        await pilot.press("ctrl+n")
        assert "next question: a new topic" in text_of(app.screen.query_one("#filter-line", Static))
        await ask(pilot, "and their access to justice?")
        assert app.thread.turns[-1].new_topic and not app.thread.turns[-1].context.words
        assert "New topic" in text_of(turns(app)[-1].query_one(".turn-how", Static))


async def test_after_a_new_topic_the_case_note_of_that_topic_alone_is_offered_first(bundled_index, tmp_path):
    # Found in a first-use audit: the case note written for one person's case, after a new topic
    # was started for it, held the earlier cases' questions and passages too.
    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert app.screen.style == "markdown" and app.screen.title_text == "Export the conversation as a case note"
        await pilot.press("escape")
        await pilot.press("ctrl+n")
        await ask(pilot, "Why do victims decline assistance?")
        note = await exported_case_note(pilot, tmp_path / "topic.md")
        assert "Why do victims decline assistance?" in note and FIRST not in note
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert "(2 topics;" in app.screen.title_text
        chosen = app.screen.query_one(f"#format-{TOPIC_NOTE}")
        label = str(chosen.label)
        assert "← chosen" in label and len(label) + 4 <= chosen.region.width, "its mark is on screen at 80 columns"
        await pilot.click("#format-markdown")
        app.screen.query_one("#export-path").value = str(tmp_path / "whole.md")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "whole.md").exists())
        assert FIRST in (tmp_path / "whole.md").read_text()


async def test_new_filters_ask_the_last_question_again_as_it_was_asked(bundled_index):
    # Found in a first-use audit: after ctrl+o, a year filter asked the question again with the
    # thread's words ("Searched with: compensation, claim, wales, nail"), undoing "on its own".
    from assistant.tui.screens.filters import FilterScreen

    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await a_conversation(pilot, "and their access to justice?")
        carried = app.thread.turns[-1].context.words
        assert carried
        await act(pilot, "tab", "f")  # new filters for the follow-up: asked again with its words
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
        await pilot.press(*"2000", "ctrl+s")
        await wait_for(pilot, lambda: len(app.thread.turns) == 3 and not app.searching)
        assert app.thread.turns[-1].context.words == carried, "asked in the thread as it stood before"
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: len(app.thread.turns) == 4 and not app.searching)
        assert app.thread.turns[-1].context.alone
        await act(pilot, "tab", "f")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
        app.screen.query_one("#year-from").value = "2001"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(app.thread.turns) == 5 and not app.searching)
        asked = app.thread.turns[-1]
        assert asked.filters.year_from == 2001 and asked.context.alone and not asked.context.words
        assert text_of(turns(app)[-1].query_one(".turn-how", Static)).startswith("Asked on its own (ctrl+o)")


async def test_after_ctrl_n_or_ctrl_o_on_a_passage_the_next_letters_are_the_next_question(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot)
        for key in ("ctrl+n", "ctrl+o"):
            await pilot.press("down")
            await wait_for(pilot, lambda: isinstance(app.focused, ResultCard))
            screens = len(app.screen_stack)
            await pilot.press(key)
            await wait_for(pilot, lambda: not app.searching)
            await pilot.press(*"rifh")  # report, index, filters, history on a passage
            await pilot.pause()
            box = app.screen.query_one(QueryInput)
            assert isinstance(app.focused, QueryInput) and box.value.endswith("rifh"), key
            assert len(app.screen_stack) == screens, "no passage key acted"
            box.value = ""


async def test_a_refusal_caused_by_the_filters_says_so_and_offers_to_clear_them(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.filters = Filters(regions=["Asia"])
        await ask(pilot, "Resolution 2331")
        panel = text_of(app.screen.query_one(".abstained", Static))
        assert "within the filters" in panel and "passages outside them do" in panel
        assert panel.count("lear the filters") == 2, "the message and the button's keys, said once each"
        await pilot.press("tab")  # to the button under the refusal
        assert isinstance(app.focused, Button)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.filters.is_empty() and len(app.thread.turns) == 2)
        assert any("2331" in card.hit.text for card in cards(app))
        # Found in a first-use audit: after earlier turns, "Tab, then Enter" went to one of their
        # passages and opened it; ctrl+x clears the filters from the question box.
        app.filters = Filters(regions=["Asia"])
        await ask(pilot, "Resolution 2331")
        assert "ctrl+x" in text_of(list(app.screen.query(".abstained").results(Static))[-1])
        await pilot.press("ctrl+x")
        await wait_for(pilot, lambda: app.filters.is_empty() and len(app.thread.turns) == 4)
        assert not app.thread.turns[-1].answer.abstained


async def test_a_misspelt_question_says_what_it_searched_and_ctrl_o_searches_the_words_as_typed(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await ask(pilot, "Why do Indonesian trafiking victims go unidentifed?")
        how = text_of(turns(app)[-1].query_one(".turn-how", Static))
        assert "Searched for: Why do Indonesian trafficking victims go unidentified?" in how and "as typed" in how
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: len(app.thread.turns) == 2)
        assert not app.thread.turns[-1].answer.corrections


async def test_cards_say_how_strongly_they_match(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(120, 40)) as pilot:
        await a_conversation(pilot)
        rendered = [text_of(card) for card in cards(app)]
        assert "match ■■■ strong" in rendered[0]
        assert all("match" in r for r in rendered) and not any(" · id " in r for r in rendered)


async def test_keys_pressed_right_after_enter_act_on_the_answer_when_it_comes(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        box = app.screen.query_one(QueryInput)
        box.value = FIRST
        await act(pilot, "enter", "tab", "a")  # before the answer is shown
        await wait_for(pilot, lambda: len(app.basket.items) == 1)
        assert isinstance(app.focused, ResultCard) and app.basket.items[0].chunk_id == cards(app)[0].hit.chunk_id
        assert box.value in ("", FIRST) and "a" not in box.value.replace(FIRST, "")


async def export_dialog_after_a_question(pilot, *keys) -> None:
    """Ask the first question, press ``keys``, and wait for the export dialog they open."""
    await a_conversation(pilot)
    await act(pilot, *keys)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportScreen))


async def test_exporting_over_an_existing_file_asks_first(bundled_index, tmp_path):
    existing = tmp_path / "report.md"
    existing.write_text("my notes")

    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await export_dialog_after_a_question(pilot, "tab", "a", "r", "e")
        app.screen.query_one("#export-path").value = str(existing)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await pilot.pause(0.2)
        assert existing.read_text() == "my notes", "kept unless the user says to replace it"
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await act(pilot, "y")
        await wait_for(pilot, lambda: existing.read_text().startswith("# Guidance Lookup report"))


async def test_an_export_that_cannot_be_written_opens_the_dialog_again_with_the_path_and_format_chosen(
    bundled_index, tmp_path
):
    # Found in a first-use audit: the dialog closed, and the path had to be typed again.
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await export_dialog_after_a_question(pilot, "ctrl+s")
        app.screen.query_one("#format-bibtex").value = True
        target = blocked / "note.bib"
        app.screen.query_one("#export-path").value = str(target)
        first = app.screen
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Could not write" in n.message for n in app._notifications))
        await pilot.pause(0.2)
        assert isinstance(app.screen, ExportScreen) and app.screen is not first and app.screen.style == "bibtex"
        assert app.screen.query_one("#export-path").value == str(target) and not target.exists()


async def test_choosing_a_format_with_the_file_box_emptied_gives_the_default_name_instead_of_crashing(
    bundled_index, tmp_path
):
    # Found in a first-use audit: ctrl+s, Backspace over the name, then a format chosen ended the
    # app with a traceback ("PosixPath('.') has an empty name"), and the conversation was lost.
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await export_dialog_after_a_question(pilot, "ctrl+s")
        box = app.screen.query_one("#export-path")
        default = box.value
        box.value = ""
        app.screen.query_one("#format-bibtex").value = True
        await pilot.pause(0.2)
        assert box.value.endswith(".bib") and box.value.removesuffix(".bib") == default.rsplit(".", 1)[0]
        # Found in the same audit: back in the box with shift+Tab, a key typed replaced the name.
        await pilot.press("shift+tab", "tab", "x")
        assert box.value == default.rsplit(".", 1)[0] + ".bibx", box.value
        box.value = str(tmp_path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("is a folder" in n.message for n in app._notifications))
        assert isinstance(app.screen, ExportScreen), "the dialog stays, to add a file name"
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert turns(app), "and the conversation too"


async def test_enter_on_the_format_list_writes_the_file_in_the_format_highlighted(bundled_index, tmp_path):
    # Found in a first-use audit: Enter on the formats only chose one, though the dialog says
    # "Enter to write", and the auditor took two exports for written.
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await export_dialog_after_a_question(pilot, "ctrl+s")
        app.screen.query_one("#export-path").value = str(tmp_path / "visit.md")
        await pilot.press("shift+tab")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#export-format"))
        await pilot.press("down", "enter")
        written = tmp_path / "visit.bib"
        await wait_for(pilot, lambda: written.exists())
        assert not isinstance(app.screen, ExportScreen) and not (tmp_path / "visit.md").exists()


async def test_a_character_typed_on_the_formats_or_a_button_goes_to_the_file_name(bundled_index, tmp_path):
    # Found in a first-use audit: after Tab, a file name typed on the Export button went nowhere.
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await export_dialog_after_a_question(pilot, "ctrl+s")
        box = app.screen.query_one("#export-path")
        box.value = str(tmp_path / "visit")
        await pilot.press("tab", "tab")  # past the questions of the note
        assert app.focused is app.screen.query_one("#export")
        await pilot.press(*"-a")
        assert app.focused is box, "the box takes the focus with the first character"
        await pilot.press("shift+tab")
        assert app.focused is app.screen.query_one("#export-format")
        await pilot.press(*".md")
        assert box.value == str(tmp_path / "visit-a.md") and app.focused is box
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "visit-a.md").exists())


def test_a_format_suffix_is_given_to_the_name_typed_or_to_the_default_name_in_a_folder(tmp_path):
    default = tmp_path / "case-note.md"
    assert with_format_suffix("notes/visit.md", default, ".bib") == "notes/visit.bib"
    assert with_format_suffix("", default, ".bib") == str(tmp_path / "case-note.bib")
    assert with_format_suffix("  ", default, ".json") == str(tmp_path / "case-note.json")
    assert with_format_suffix(".", default, ".bib") == "case-note.bib"
    assert with_format_suffix("reports/", default, ".txt") == "reports/case-note.txt"
    assert with_format_suffix(str(tmp_path), default, ".bib") == str(tmp_path / "case-note.bib")


async def test_a_slash_typed_to_reach_the_box_is_not_part_of_the_question(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await ask(pilot, "/Resolution 2331")
        assert app.thread.turns[-1].question == "Resolution 2331"


async def test_ctrl_c_says_how_to_quit(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause(0.2)
        assert any("Ctrl+Q quits" in n.message for n in app._notifications) and app.is_running


async def test_quitting_with_questions_in_no_case_note_asks_first(bundled_index, tmp_path):
    # Found in a first-use audit: with the report empty, ctrl+q quit at once and the
    # conversation, which lives in memory only, could no longer be written as a case note.
    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot, "and for children?")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = text_of(app.screen.query_one("#confirm-question", Static))
        assert "The conversation (2 questions not in a case note) is kept only while the app runs" in question
        assert "report" not in question, "the report is empty: nothing to say of it"
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await exported_case_note(pilot, tmp_path / "note.md")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)  # every question is in the case note


async def test_quitting_asks_about_a_passage_kept_after_the_case_note_that_held_its_question(bundled_index, tmp_path):
    # Found in a first-use audit: a passage kept after the case note (and exported as BibTeX
    # only) was in no case note, and quitting did not ask.
    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot)
        await exported_case_note(pilot, tmp_path / "note.md")
        await act(pilot, "down", "a")
        await wait_for(pilot, lambda: len(app.basket.items) == 1)
        app.basket.items[0].exported = True  # the report's side is asked about apart
        app.basket.unexported = False
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = text_of(app.screen.query_one("#confirm-question", Static))
        assert "1 passage kept since the last case note is in no case note" in question
        assert "questions not in a case note" not in question
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await exported_case_note(pilot, tmp_path / "note2.md")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)  # the passage is in the new note


async def test_quitting_counts_the_questions_a_note_of_one_topic_holds_as_in_a_case_note(bundled_index, tmp_path):
    # Found in a first-use audit: after a whole note and a note of the next topic, quitting said
    # "12 questions not in a case note" where 5 were.
    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(100, 30)) as pilot:
        await a_conversation(pilot, "and for children?")
        await pilot.press("ctrl+n")
        await ask(pilot, "Why do victims decline assistance?")
        note = await exported_case_note(pilot, tmp_path / "topic.md")
        assert "Why do victims decline assistance?" in note and FIRST not in note, "a note of this topic alone"
        await ask(pilot, "and what about children?")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = text_of(app.screen.query_one("#confirm-question", Static))
        assert "The conversation (3 questions not in a case note)" in question, question


async def test_after_a_refusal_the_passage_keys_never_act_on_a_passage_out_of_view(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot, "best sourdough bread recipe")
        await wait_for(pilot, lambda: bool(turns(app)[-1].query(".abstained")))
        assert app.screen.focused_card() is None, "a refusal selects no passage"
        assert app.screen.check_action("passage", ("cite",)) is None, "the passage keys are dimmed"
        await pilot.press("tab")
        earlier = list(turns(app)[0].query(ResultCard))
        assert app.screen.focused is earlier[-1], "Tab goes to the nearest passage above, not the thread's first"
        earlier[0].focus(scroll_visible=False)  # a passage far up the thread, then the refusal in view
        results = app.screen.query_one("#results")
        results.scroll_end(animate=False)
        await pilot.pause()
        await pilot.pause()
        acting = app.screen.acting_card()
        assert acting is not earlier[0], "the passage far up is not the one the keys act on"
        await act(pilot, "a")
        await pilot.pause()
        if acting is None:
            assert not app.basket.items, "with no passage in view, nothing goes into the report"
        else:
            assert acting.region.overlaps(results.region), "the keys act on a passage in view"
            await wait_for(pilot, lambda: [i.chunk_id for i in app.basket.items] == [acting.hit.chunk_id])


async def test_a_follow_ups_passage_goes_into_the_report_with_the_words_it_was_searched_with(bundled_index, tmp_path):
    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(120, 40)) as pilot:
        await a_conversation(pilot, "and who refers them?")
        carried = app.thread.turns[-1].context.words
        list(turns(app)[-1].query(ResultCard))[0].focus()
        await act(pilot, "a")
        await wait_for(pilot, lambda: len(app.basket.items) == 1)
        assert carried and app.basket.items[0].searched_with == carried
        assert app.basket.items[0].asked.startswith("and who refers them? (searched with: ")


async def within_the_document_of(pilot, turn: int) -> ResultCard:
    """Scroll back to the first card of turn ``turn`` (from 0), press `w` on it, and wait for
    the new turn it asks; the card."""
    app = pilot.app
    asked = len(app.thread.turns)
    app.screen.query_one("#results").scroll_home(animate=False)  # the keys act on a card on screen only
    await pilot.pause()
    card = list(turns(app)[turn].query(ResultCard))[0]
    card.focus(scroll_visible=True)
    await pilot.pause()
    await act(pilot, "w")
    await wait_for(pilot, lambda: len(app.thread.turns) == asked + 1 and not app.searching)
    return card


async def test_searching_within_an_earlier_cards_document_asks_that_cards_question_again(bundled_index):
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(120, 40)) as pilot:
        await a_conversation(pilot, "How are children exploited in Ukraine?")
        earlier = await within_the_document_of(pilot, turn=0)
        assert app.thread.turns[-1].question == FIRST, "the card's own question, not the last one asked"
        assert app.filters.documents == [earlier.hit.document.id]
        # The box says what was asked again (a first-use audit saw the last question typed there).
        assert app.screen.query_one(QueryInput).value == FIRST
        assert all(hit.document.id == earlier.hit.document.id for hit in app.thread.turns[-1].answer.hits)


async def test_searching_within_an_earlier_follow_ups_document_carries_what_it_carried_then(bundled_index):
    # Found in a first-use audit: `w` on a card of the second turn searched with words of the
    # third question.
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(120, 40)) as pilot:
        await a_conversation(pilot, "and what about their access to justice?", "and for children?")
        second = app.thread.turns[1]
        assert second.context.words and second.context.words != app.thread.turns[2].context.words
        await within_the_document_of(pilot, turn=1)
        again = app.thread.turns[-1]
        assert again.question == second.question and again.context.words == second.context.words


async def test_a_new_topic_searches_the_whole_library_again_after_searching_within_a_document(bundled_index):
    # Found in a first-use audit: after `w`, ctrl+n and a new question were still searched
    # within the document, and its passages were called strong.
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(120, 40)) as pilot:
        await a_conversation(pilot)
        await within_the_document_of(pilot, turn=0)
        assert app.filters.documents
        await pilot.press("ctrl+n")
        await ask(pilot, "How do county lines gangs recruit children?")
        assert app.thread.turns[-1].new_topic and app.filters.documents == []
        assert app.thread.turns[-1].filters.documents == [], "the question was asked in the whole library"


async def test_a_passage_removed_from_the_report_leaves_the_case_note_too(bundled_index, tmp_path):
    # Found in a first-use audit: two wrong passages removed from the report with x were still
    # quoted in full in the case note exported after.
    from assistant.tui.screens.report import ReportScreen

    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot)
        await act(pilot, "down", "a", "down", "a")
        await wait_for(pilot, lambda: len(app.basket.items) == 2)
        removed, kept = app.basket.items
        await act(pilot, "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("x")  # the first passage, selected
        await wait_for(pilot, lambda: len(app.basket.items) == 1)
        assert [hit.chunk_id for hit in app.thread.turns[0].kept_hits()] == [kept.chunk_id]
        await pilot.press("escape")
        # Nor does its card still say "[in report]" (another audit's did).
        in_report = {card.hit.chunk_id for card in app.screen.query(ResultCard) if card.collected}
        assert in_report == {kept.chunk_id}
        note = await exported_case_note(pilot, tmp_path / "note.md")
        first_line = lambda text: text.split("\n")[0]  # noqa: E731
        assert first_line(kept.text) in note and first_line(removed.text) not in note


async def test_u_in_the_report_puts_back_what_x_or_clearing_removed_in_the_report_and_the_case_note(
    bundled_index, tmp_path
):
    # Found in a first-use audit: x removed a passage at once, with nothing to bring it back.
    from assistant.report import ReportBasket
    from assistant.tui.screens.report import ReportScreen

    basket = tmp_path / "basket.json"
    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports", basket_file=basket)
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot)
        await act(pilot, "down", "a", "down", "a", "down", "a")
        await wait_for(pilot, lambda: len(app.basket.items) == 3)
        ids = [item.chunk_id for item in app.basket.items]
        await act(pilot, "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("down", "x")  # the second passage
        await wait_for(pilot, lambda: len(app.basket.items) == 2)
        assert sorted(hit.chunk_id for hit in app.thread.turns[0].kept_hits()) == sorted([ids[0], ids[2]])
        await pilot.press("u")
        await wait_for(pilot, lambda: len(app.basket.items) == 3)
        assert [item.chunk_id for item in app.basket.items] == ids, "back in its place"
        assert [item.chunk_id for item in ReportBasket.load(basket).items] == ids, "and saved"
        assert sorted(hit.chunk_id for hit in app.thread.turns[0].kept_hits()) == sorted(ids), "and in the case note"
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.basket.items)
        await pilot.press("u")
        await wait_for(pilot, lambda: len(app.basket.items) == 3)
        assert [item.chunk_id for item in app.basket.items] == ids
        await pilot.press("escape")
        note = await exported_case_note(pilot, tmp_path / "note.md")
        assert all(item.text.split("\n")[0] in note for item in app.basket.items)


async def test_end_then_x_in_the_report_removes_the_last_passage_the_one_in_view(bundled_index, tmp_path):
    # Found in a first-use audit: End scrolled the list but left the first passage selected, off
    # screen, and x removed it.
    from assistant.tui.screens.report import ReportScreen

    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot)
        await act(pilot, "down", *["a", "down"] * 5)
        await wait_for(pilot, lambda: len(app.basket.items) == 5)
        ids = [item.chunk_id for item in app.basket.items]
        await act(pilot, "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("end")
        await pilot.pause()
        await pilot.press("x")
        await wait_for(pilot, lambda: len(app.basket.items) == 4)
        assert [item.chunk_id for item in app.basket.items] == ids[:4]
        await pilot.press("home", "x")
        await wait_for(pilot, lambda: len(app.basket.items) == 3)
        assert [item.chunk_id for item in app.basket.items] == ids[1:4]


async def test_a_report_passage_whose_file_was_removed_since_is_exported_with_a_warning(bundled_index, tmp_path):
    # Found in a first-use audit: passages of a file deleted while the window was open were
    # exported as cited quotations, with no word of it.
    import shutil

    from assistant.report import FILE_REMOVED
    from assistant.tui.screens.report import ReportScreen

    shutil.copytree(bundled_index, tmp_path / "index")
    shutil.copytree(bundled_index.parent / "corpus", tmp_path / "corpus")
    app = make_app(tmp_path / "index", tmp_path / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot)
        await act(pilot, "down", "a")
        await wait_for(pilot, lambda: len(app.basket.items) == 1)
        kept = app.basket.items[0]
        gone = kept.citation.path.split("#")[0]
        (tmp_path / "corpus" / gone).unlink()
        # Asked again in the same window, the answer says which of its passages come from it.
        await pilot.press("escape")
        await ask(pilot, FIRST)
        assert any(f"{gone} is no longer in the corpus" in notice for notice in app.thread.turns[-1].answer.notices)
        await act(pilot, "down", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert app.basket.items[0].out_of_date, "marked in the report list before any export"
        listed = str(app.screen.query_one("#report-items").query(Static).first().render())
        assert "its file is no longer in the corpus (removed or renamed since it was added)" in listed
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(list((tmp_path / "reports").glob("*.md"))))
        exported = next((tmp_path / "reports").glob("*.md")).read_text()
        assert FILE_REMOVED in exported and app.basket.items[0].out_of_date and app.basket.items[0].file_removed


async def test_a_card_of_an_earlier_turn_is_kept_under_that_turn_when_a_later_one_asked_the_same(bundled_index):
    # Found in a first-use audit: a passage added from the first asking of a question was filed
    # in the case note under its later re-ask (after filters were set and cleared).
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(120, 40)) as pilot:
        await a_conversation(pilot, "What is cuckooing?")
        await ask(pilot, FIRST)
        assert app.thread.turns[0].question == app.thread.turns[2].question == FIRST
        first_turn_card = list(turns(app)[0].query(ResultCard))[0]
        assert first_turn_card.hit.chunk_id in {hit.chunk_id for hit in app.thread.turns[2].cards()}
        await pilot.press("escape")  # out of the question box
        app.screen.query_one("#results").scroll_home(animate=False)
        await pilot.pause()
        first_turn_card.focus(scroll_visible=False)
        await act(pilot, "a")
        await wait_for(pilot, lambda: len(app.basket.items) == 1)
        assert app.thread.turns[0].kept == [first_turn_card.hit.rank] and app.thread.turns[2].kept == []


async def test_the_case_note_dialog_lists_only_the_questions_the_format_chosen_writes(bundled_index, tmp_path):
    # Found in a first-use audit: with "this topic only" chosen, the earlier topic's questions
    # were listed ticked, and none of them was written.
    from textual.widgets import SelectionList

    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(120, 40)) as pilot:
        await a_conversation(pilot, "and for children?")
        await pilot.press("ctrl+n")
        await ask(pilot, "What is cuckooing?")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        listed = app.screen.query_one("#export-questions", SelectionList)
        assert app.screen.style == TOPIC_NOTE and listed.option_count == 1 and listed.selected == [3]
        await act(pilot, "shift+tab", "down")  # to "every topic"
        await pilot.press("space")
        await wait_for(pilot, lambda: listed.option_count == 3)
        assert app.screen.style == "markdown" and listed.selected == [1, 2, 3]
        listed.deselect(2)
        await pilot.pause()
        # Back to this topic's note, a .bib name would widen it to every topic's references:
        # refused (a first-use audit's "topic.bib" held another case's passage).
        app.screen.style = TOPIC_NOTE
        app.screen.query_one("#export-path").value = str(tmp_path / "topic.bib")
        app.screen.query_one("#export-path").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen) and not (tmp_path / "topic.bib").exists()
        app.screen.query_one("#export-path").value = str(tmp_path / "forteam.docx")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen) and not (tmp_path / "forteam.docx").exists()
        app.screen.style = "markdown"
        target = tmp_path / "note.md"
        app.screen.query_one("#export-path").value = str(target)
        app.screen.query_one("#export-path").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists())
        assert "and for children?" not in target.read_text() and "cuckooing" in target.read_text()


async def test_the_export_dialog_writes_the_format_the_file_name_says_and_makes_no_folder_named_like_a_file(
    bundled_index, tmp_path
):
    # Found in a first-use audit: "team.bib" typed with Markdown chosen was written as Markdown,
    # and a path typed after the name in the box made a folder "guidance-report-….md".
    from assistant.tui.screens.report import ReportScreen

    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await a_conversation(pilot)
        await act(pilot, "down", "a", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        box = app.screen.query_one("#export-path")
        appended = f"{box.value}{tmp_path}/exports/team.md"
        box.value = appended
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen), "not written"
        assert any("is named like a file, not a folder" in n.message for n in app._notifications)
        assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())
        box.value = str(tmp_path / "team.bib")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "team.bib").exists())
        assert (tmp_path / "team.bib").read_text().lstrip().startswith("@"), "BibTeX, as the name says"


async def test_the_case_note_dialog_leaves_out_a_question_the_user_unticks(bundled_index, tmp_path):
    # Found in a first-use audit: a question asked by mistake (a ward's bleep number) stayed in
    # the patient's case note, with no way to take it out.
    from textual.widgets import SelectionList

    app = make_app(bundled_index, bundled_index.parent / "corpus", report_dir=tmp_path / "reports")
    mistake = "what is the [bold]bleep[/bold] number for the registrar tonight"
    async with app.run_test(size=(80, 24)) as pilot:
        await a_conversation(pilot, mistake)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        questions = app.screen.query_one("#export-questions", SelectionList)
        assert questions.selected == [1, 2], "every question is in the note at first"
        assert "[bold]bleep[/bold]" in str(questions.get_option_at_index(1).prompt), "the user's words, not markup"
        questions.deselect(2)
        target = tmp_path / "note.md"
        app.screen.query_one("#export-path").value = str(target)
        app.screen.query_one("#export-path").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists())
        note = target.read_text()
        assert f"## 1. {FIRST}" in note and "bleep" not in note
        assert app.thread.turns[1].left_out, "remembered for the next export"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert app.screen.query_one("#export-questions", SelectionList).selected == [1]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)  # no question waits for a case note
