"""At 80x24, what a reader needs is on screen: the filter dialog's year fields and buttons, a
passage's first line when its document opens, the find counter; a restored report is mentioned
at start; the report can be exported as plain text, with no Markdown escapes; the arrows walk a
follow-up's passages from its first."""

import re
from pathlib import Path

import pytest
from textual.widgets import Button, Input, Static, TextArea

from assistant.report import BasketFile, ReportBasket
from assistant.tui.screens.document import DocumentScreen
from assistant.tui.screens.filters import FilterScreen
from assistant.tui.widgets.result_card import ResultCard

from .conftest import act, make_app, ready, wait_for
from .test_pilot import INDONESIA, ask, bundled_app, cards, turns

pytestmark = pytest.mark.anyio  # each async test runs in its own asyncio event loop

SMALL = (80, 24)


def on_screen(app, widget) -> bool:
    region = widget.region
    return region.width > 0 and region.height > 0 and app.screen.region.contains_region(region)


async def test_the_filter_dialogs_year_fields_and_buttons_are_on_an_80x24_screen(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        await act(pilot, "down", "f")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen))
        await pilot.pause()
        for widget in (*app.screen.query(Input), *app.screen.query(Button)):
            assert on_screen(app, widget), f"#{widget.id} is off screen at 80x24"


async def test_a_passage_opens_at_its_first_line_and_find_says_where_it_is_at_80x24(bundled_index):
    app = bundled_app(bundled_index)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await ask(pilot, "Blue Dot safe spaces for children fleeing Ukraine")  # a passage deep in a long page
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
        await pilot.pause()
        body = app.screen.query_one("#document-body", TextArea)
        first = min(body.selection.start, body.selection.end)
        row = body.wrapped_document.location_to_offset(first).y - body.scroll_offset.y
        # Found in a first-use audit: it opened on the last row, the passage below the screen.
        assert 0 <= row <= body.scrollable_content_region.height // 3, "the passage's first line is near the top"
        await pilot.press("slash", *"victims", "enter")
        await pilot.pause()
        position = app.screen.query_one("#document-position", Static)
        assert re.search(r"match \d+ of \d+", str(position.render())) and on_screen(app, position)


async def a_saved_report(bundled_index, basket_file, also_gone: bool = False) -> None:
    """A report of the first card for INDONESIA, saved as a session that quit without exporting
    leaves it; ``also_gone`` adds that passage again under an id the index no longer holds (its
    file changed since)."""
    first = bundled_app(bundled_index)
    async with first.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        hit = cards(first)[0].hit
    kept = ReportBasket()
    kept.add(INDONESIA, hit)
    if also_gone:  # the same words, kept under an id of an earlier index (ReportBasket.add keeps them once)
        kept.items.append(kept.items[0].model_copy(update={"chunk_id": 999_999}))
    BasketFile(basket_file).save(kept)


async def test_a_restored_report_is_mentioned_at_start(bundled_index, tmp_path):
    basket_file = tmp_path / "basket.json"
    await a_saved_report(bundled_index, basket_file)
    app = make_app(bundled_index, bundled_index.parent / "corpus", basket_file=basket_file)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await ready(pilot)
        assert len(app.basket.items) == 1
        notice = next(n.message for n in app._notifications if "report you were building is restored" in n.message)
        assert "1 passage" in notice and "Ctrl+P" in notice, "it names a key that works from the question box"
        # Found in a first-use audit: a second case's report opened holding the first case's passage.
        assert f"kept for “{INDONESIA[:59]}" in notice and "For a new case, clear it first" in notice
        await pilot.press("ctrl+p")
        await pilot.press(*"Report", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReportScreen")


async def test_the_report_exports_as_plain_text_to_paste(bundled_index, tmp_path):
    target = tmp_path / "report.txt"
    app = bundled_app(bundled_index, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        await act(pilot, "down", "a", "r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReportScreen")
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportScreen")
        app.screen.query_one("#format-text").value = True
        await pilot.pause()
        assert app.screen.query_one("#export-path", Input).value.endswith(".txt")
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, target.exists)
    text = Path(target).read_text(encoding="utf-8")
    assert text.startswith("Guidance Lookup report") and "\\" not in text and "Source: " in text


async def test_a_follow_ups_first_passage_is_the_one_selected_and_the_arrows_walk_the_thread_at_80x24(bundled_index):
    # Cards sit inside their turn: read as if at the top of the results column, the newest turn's
    # were taken for off screen, and the selection jumped to its last card (↑ then looped 2 -> 5).
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await ask(pilot, "Why do victims not self-identify?")
        await ask(pilot, "and for children?")
        await pilot.pause(0.3)
        older, newest = (list(t.query(ResultCard)) for t in turns(app))
        assert len(newest) >= 3 and app.screen.selected is newest[0]
        await pilot.press("down")
        assert app.focused is newest[0]
        await pilot.press("down")
        assert app.focused is newest[1]
        await pilot.press("up", "up")
        assert app.focused is older[-1], "above the newest turn's first passage comes the last turn's last"


async def test_a_restored_report_says_when_a_passage_comes_from_a_file_the_index_no_longer_holds(
    bundled_index, tmp_path
):
    # Found in a first-use audit: after a file was renamed and the index rebuilt, the restored
    # report still cited the old file, and nothing said so.
    basket_file = tmp_path / "basket.json"
    await a_saved_report(bundled_index, basket_file, also_gone=True)
    app = make_app(bundled_index, bundled_index.parent / "corpus", basket_file=basket_file)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: any("changed, renamed or removed" in n.message for n in app._notifications))
        notice = next(n.message for n in app._notifications if "changed, renamed or removed" in n.message)
        assert notice.startswith("1 passage of the report comes from a file")


def test_a_cards_excerpt_goes_back_to_the_passages_opening_before_going_on():
    # Found in a first-use audit: for "What is the time limit for applying to CICA?" the card
    # began at "This is most commonly due to trauma" and left out the rule the passage opens with.
    from assistant.tui.widgets.result_card import excerpt

    rule = "An application to CICA must be made within two years of the criminal injury suffered. "
    why = "Many survivors apply late. This is most commonly due to trauma or a lack of knowledge of the scheme. "
    best = "CICA has the discretion to extend the time limit in exceptional circumstances. "
    after = "Evidence must show that the claim could not have been made earlier, and that it can be decided. " * 3
    text = rule + why + best + after
    start = text.index(best)
    shown, shifted, cut = excerpt(text, [(start, start + len(best) - 1)], 320)
    assert shown.startswith(rule.strip()) and best.strip() in shown and cut
    assert shown[shifted[0][0] : shifted[0][1]] == best.strip()


async def test_the_filter_line_shows_every_filter_at_80x24(bundled_index):
    # Found in a first-use audit: "Filters: only within: Trafficking and Exploitation Strategy –
    # First Annual" was cut there, so the organisation and the year set were not seen.
    from assistant.models import Filters

    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        longest = max(app.pipeline.document_infos(), key=lambda info: len(info.title))
        assert len(longest.title) > 60
        app.filters = Filters(documents=[longest.id], organisations=["NEXUS Institute"], year_from=2015)
        app.update_filter_line()
        await pilot.pause()
        line = app.screen.query_one("#filter-line", Static)
        shown = str(line.render())
        assert "organisation: NEXUS Institute" in shown and "year: 2015" in shown and "…" in shown
        assert line.size.height == 2 and len(shown) <= 2 * (80 - 2)


async def test_a_damaged_saved_report_is_moved_aside_unchanged_and_said_so_in_words(bundled_index, tmp_path):
    # Found in a first-use audit: the toast named the exception ("ValidationError").
    basket_file = tmp_path / "basket.json"
    basket_file.write_text('{"items": [{"question": 1}]}', encoding="utf-8")
    app = make_app(bundled_index, bundled_index.parent / "corpus", basket_file=basket_file)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await ready(pilot)
        notice = next(n.message for n in app._notifications if "saved report could not be read" in n.message)
        assert "the file is damaged" in notice and "Error" not in notice and "starts with an empty report" in notice
        assert not app.basket.items
    aside = tmp_path / "basket.json.unreadable"
    assert aside.read_text(encoding="utf-8") == '{"items": [{"question": 1}]}'


async def test_a_resized_screen_shows_the_selected_passage_and_its_question_not_an_earlier_one(bundled_index):
    # Found in a first-use audit: from 120 to 80 columns, the text wrapped anew and the same
    # scroll offset showed an earlier question, one of its passages selected.
    app = make_app(bundled_index, bundled_index.parent / "corpus")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        for question in ("Why do victims not self-identify?", "and for children?", INDONESIA, "and for men?"):
            await ask(pilot, question)
        await pilot.pause(0.3)
        newest = list(turns(app)[-1].query(ResultCard))
        assert app.screen.selected is newest[0]
        await pilot.resize_terminal(*SMALL)
        await pilot.pause(0.5)
        assert app.screen.selected is newest[0] and app.screen.is_seen(newest[0])
        assert on_screen(app, turns(app)[-1].query_one(".turn-question")), "with its question"
        await pilot.press("down", "down")
        assert app.focused is newest[1]
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.5)
        assert app.focused is newest[1] and app.screen.is_seen(newest[1])


def footer_keys_in_view(app) -> list[str]:
    """The descriptions of the footer's keys that are wholly on screen."""
    from textual.widgets._footer import FooterKey

    return [key.description for key in app.screen.query(FooterKey) if on_screen(app, key)]


async def test_quit_and_help_stay_in_the_footer_of_every_screen_at_80x24(bundled_index):
    # Found in a first-use audit: at 80 columns the passage and report footers lost "^q Quit" and
    # "? Help" to their own keys and the command palette's ("^d Clear the r▏^p palette").
    app = bundled_app(bundled_index)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await ask(pilot, INDONESIA)
        await act(pilot, "down")
        assert {"Open", "Cite", "Add", "Report", "Quit", "Help"} <= set(footer_keys_in_view(app))
        await act(pilot, "a", "r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReportScreen")
        await pilot.pause()
        assert {"Back", "Export", "Remove", "Quit", "Help"} <= set(footer_keys_in_view(app))
        await act(pilot, "escape", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DocumentScreen))
        await pilot.pause()
        assert {"Back", "Find", "Quit", "Help"} <= set(footer_keys_in_view(app))
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.3)
        assert app.screen.query_one("KeysFooter").show_command_palette, "the palette's key where there is room"
