"""The terminal UI driven as a user would, with the real index and model."""

import asyncio

from assistant.config import Settings
from assistant.tui.app import GuidanceApp
from assistant.tui.widgets.result_card import ResultCard


async def wait_for(pilot, condition, timeout=20.0):
    waited = 0.0
    while not condition():
        await pilot.pause(0.05)
        waited += 0.05
        assert waited < timeout, "timed out waiting for the UI"


def make_app(index_dir, tmp_path=None) -> GuidanceApp:
    settings = Settings()
    if tmp_path is not None:
        settings.tui.report_dir = tmp_path / "reports"
    return GuidanceApp(settings, index_dir=index_dir, corpus_dir=index_dir.parent / "corpus")


def test_a_typed_question_shows_a_result_card_with_its_citation(bundled_index):
    async def scenario():
        app = make_app(bundled_index)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*"Why do Indonesian trafficking victims often go unidentified?", "enter")
            await wait_for(pilot, lambda: bool(app.screen.query(ResultCard)))
            card = app.screen.query(ResultCard).first()
            rendered = str(card.render())
            assert "Seeing the Unseen" in rendered and "NEXUS Institute, 2018" in rendered

    asyncio.run(scenario())
