"""Screenshots of the main screens at 60x20, 80x24 and 120x40, compared with the accepted SVGs in
__snapshots__/ (update with `pytest --snapshot-update` and review the diff). The app runs on a
real index of the bundled corpus; times are shown as fixed text so that runs compare."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.tui.screens.search import TurnView
from assistant.tui.widgets.query_bar import QueryInput

from .conftest import StableApp, act, make_app, ready, wait_for

SIZES = [(60, 20), (80, 24), (120, 40)]
INDONESIA = "Why do Indonesian trafficking victims often go unidentified?"


def stable_app(report_dir: Path | None = None) -> StableApp:
    basket = Path("report-basket.json")  # relative: the path is shown on the report screen
    basket.unlink(missing_ok=True)
    return make_app(Path("index"), Path("corpus"), report_dir=report_dir, cls=StableApp, basket_file=basket)


async def ask(pilot, question: str) -> None:
    """Type the question, press Enter and wait for its turn of the conversation to be shown."""
    await ready(pilot)
    box = pilot.app.screen.query_one(QueryInput)
    box.focus()
    before = len(pilot.app.thread.turns)
    await pilot.press(*question, "enter")
    await wait_for(
        pilot, lambda: len(pilot.app.thread.turns) > before and len(pilot.app.screen.query(TurnView)) > before
    )
    await pilot.pause()


class TestSearch:
    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_results(self, snap_compare, in_workspace, size):
        assert snap_compare(stable_app(), terminal_size=size, run_before=lambda pilot: ask(pilot, INDONESIA))

    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_abstention(self, snap_compare, in_workspace, size):
        assert snap_compare(
            stable_app(), terminal_size=size, run_before=lambda pilot: ask(pilot, "best sourdough bread recipe")
        )

    def test_welcome(self, snap_compare, in_workspace):
        assert snap_compare(stable_app(), terminal_size=(80, 24), run_before=ready)


class TestConversation:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
    def test_follow_up(self, snap_compare, in_workspace, size):
        """A follow-up is shown under its question with the words carried from the thread."""

        async def converse(pilot):
            await ask(pilot, INDONESIA)
            await ask(pilot, "and who refers them?")

        assert snap_compare(stable_app(), terminal_size=size, run_before=converse)


class TestReading:
    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_document_view(self, snap_compare, in_workspace, size):
        async def open_first(pilot):
            await ask(pilot, INDONESIA)
            await pilot.press("down", "enter")
            await pilot.pause(0.3)

        assert snap_compare(stable_app(), terminal_size=size, run_before=open_first)


class TestReport:
    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_report_with_two_passages(self, snap_compare, in_workspace, size, tmp_path):
        async def collect(pilot):
            await ask(pilot, INDONESIA)
            await act(pilot, "down", "a", "down", "a", "r")
            await pilot.pause(0.3)

        assert snap_compare(stable_app(tmp_path), terminal_size=size, run_before=collect)


class TestOtherScreens:
    @pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
    def test_help(self, snap_compare, in_workspace, size):
        async def help_screen(pilot):
            await ready(pilot)
            pilot.app.screen.query_one(QueryInput).blur()
            await pilot.press("question_mark")
            await pilot.pause(0.2)

        assert snap_compare(stable_app(), terminal_size=size, run_before=help_screen)

    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_index_screen(self, snap_compare, in_workspace, size):
        async def index_screen(pilot):
            await ready(pilot)
            pilot.app.screen.query_one(QueryInput).blur()
            await act(pilot, "i")
            await pilot.pause(0.3)

        assert snap_compare(stable_app(), terminal_size=size, run_before=index_screen)

    def test_filters(self, snap_compare, in_workspace):
        async def filters(pilot):
            await ready(pilot)
            pilot.app.screen.query_one(QueryInput).blur()
            await act(pilot, "f")
            await pilot.pause(0.3)

        assert snap_compare(stable_app(), terminal_size=(120, 40), run_before=filters)

    def test_missing_index(self, snap_compare, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        assert snap_compare(stable_app(), terminal_size=(80, 24), run_before=ready)
