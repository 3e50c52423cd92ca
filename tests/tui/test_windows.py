"""Two windows on one index: the report basket file is shared, and each save merges, so that no
window's passage is lost to the other's save; the quit dialog counts what the file holds."""

import os
import stat

import pytest

from assistant.report import BasketFile, ReportBasket
from assistant.tui.screens.confirm import ConfirmScreen
from assistant.tui.screens.report import ReportScreen
from assistant.tui.widgets.result_card import ResultCard

from .conftest import act, make_app, ready, wait_for
from .test_pilot import INDONESIA, ask

pytestmark = pytest.mark.anyio  # each async test runs in its own asyncio event loop


async def test_two_windows_on_one_index_keep_every_passage_either_added(bundled_index, tmp_path):
    basket = tmp_path / "report-basket.json"

    async def scenario():
        first = make_app(bundled_index, bundled_index.parent / "corpus", basket_file=basket)
        second = make_app(bundled_index, bundled_index.parent / "corpus", basket_file=basket)
        async with first.run_test(size=(100, 30)) as a, second.run_test(size=(100, 30)) as b:
            await ready(a)
            await ready(b)
            await ask(a, INDONESIA)
            await ask(b, "What did Security Council resolution 2331 address?")
            cards_a = list(first.screen.query(ResultCard))
            cards_b = list(second.screen.query(ResultCard))
            await act(a, "down", "a", "down", "a")  # A adds its first two passages
            await act(b, "down", "a")  # B adds one, and saves after A: A's two stay
            await act(a, "r")
            await wait_for(a, lambda: isinstance(first.screen, ReportScreen))
            await a.press("x")  # A removes its first passage and saves: B's passage stays
            await wait_for(a, lambda: len(ReportBasket.load(basket).items) == 2)
            on_disk = {item.chunk_id for item in ReportBasket.load(basket).items}
            assert on_disk == {cards_a[1].hit.chunk_id, cards_b[0].hit.chunk_id}
            assert {item.chunk_id for item in first.basket.items} == on_disk, "A now shows B's passage too"
            await b.press("ctrl+q")
            await wait_for(b, lambda: isinstance(second.screen, ConfirmScreen))
            question = str(second.screen.query_one("#confirm-question").render())
            assert "holds 2 passages not exported yet" in question, question
        assert stat.S_IMODE(os.stat(basket).st_mode) == 0o600, "the report holds questions: its owner's alone"

    await scenario()


def test_merging_follows_what_each_window_did_since_it_last_read_the_file(tmp_path):
    from assistant.report import ReportItem

    def item(number):
        return ReportItem.model_validate(
            {
                "question": "q",
                "chunk_id": number,
                "text": f"t{number}",
                "citation": {"chunk_id": number, "title": "T", "path": "p", "indexed_at": "2026-12-01T00:00:00+00:00"},
            }
        )

    path = tmp_path / "basket.json"
    one, two = BasketFile(path), BasketFile(path)
    mine, theirs = one.load(), two.load()
    mine.items = [item(1), item(2)]
    one.save(mine)
    theirs.items = [item(3)]
    two.save(theirs)
    assert [i.chunk_id for i in theirs.items] == [1, 2, 3]
    mine.items = [item(2)]  # one removes 1; it has not seen 3
    one.save(mine)
    assert [i.chunk_id for i in mine.items] == [2, 3] and [i.chunk_id for i in ReportBasket.load(path).items] == [2, 3]
    mine.items = [item(3), item(2)]  # nobody else changed the file: this window's order stands
    one.save(mine)
    assert [i.chunk_id for i in ReportBasket.load(path).items] == [3, 2]
