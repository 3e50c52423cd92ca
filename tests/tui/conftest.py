"""TUI fixtures: apps over real indexes, and helpers to wait for background work."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.pipeline import Pipeline
from assistant.tui.app import GuidanceApp

from ..conftest import BUNDLED_CORPUS, write


async def wait_for(pilot, condition, timeout: float = 30.0) -> None:
    waited = 0.0
    while not condition():
        await pilot.pause(0.05)
        waited += 0.05
        assert waited < timeout, "timed out waiting for the UI"


async def act(pilot, *keys: str) -> None:
    """Press keys one at a time, as a person does: a letter that is a passage key acts only when
    nothing follows it at once (``screens.search.HOLD_SECONDS``), so each letter's action is run
    before the next key, as its time running out would (without waiting for the clock)."""
    for key in keys:
        await pilot.press(key)
        if len(key) == 1 and key.isalpha() and hasattr(pilot.app.screen, "run_held_key"):
            await pilot.app.screen.run_held_key()
            await pilot.pause()


async def ready(pilot) -> None:
    await wait_for(pilot, lambda: pilot.app.model_ready or pilot.app.index_missing)


class StableApp(GuidanceApp):
    """The real app with times shown as fixed text, so that screenshots compare across runs."""

    def when(self, moment) -> str:
        return "(build time)"

    def took(self, seconds: float) -> str:
        return "(time)"


@pytest.fixture(scope="session")
def snapshot_workspace(tmp_path_factory, shared_embedder_factory) -> Path:
    """A folder holding `corpus/` (the bundled corpus) and its built `index/`, used through
    relative paths so that what the screens show does not depend on where tests run."""
    root = tmp_path_factory.mktemp("snapshot-workspace")
    shutil.copytree(BUNDLED_CORPUS, root / "corpus")
    settings = Settings()
    settings.show_progress = False
    previous = os.getcwd()
    os.chdir(root)  # the manifest records the corpus folder as given: relative, as a user types it
    try:
        Pipeline(settings, index_dir=Path("index"), corpus_dir=Path("corpus")).build(
            embedder_factory=shared_embedder_factory
        )
    finally:
        os.chdir(previous)
    return root


@pytest.fixture
def in_workspace(snapshot_workspace, monkeypatch):
    monkeypatch.chdir(snapshot_workspace)
    return snapshot_workspace


BASKET_FOLDER: list[Path] = []


def basket_folder() -> Path:
    """Where make_app keeps each app's report basket: one temporary folder per test process,
    removed when it ends, so that runs leave nothing in /tmp (743 basket folders had gathered)."""
    if not BASKET_FOLDER:
        BASKET_FOLDER.append(Path(tempfile.mkdtemp(prefix="baskets-")))
        atexit.register(shutil.rmtree, BASKET_FOLDER[0], True)
    return BASKET_FOLDER[0]


def make_app(
    index_dir: Path, corpus_dir: Path, report_dir: Path | None = None, cls=GuidanceApp, basket_file: Path | None = None
) -> GuidanceApp:
    settings = Settings()
    settings.show_progress = False
    settings.tui.cursor_blink = False
    # The screens are tested on a full page of cards to move through; the floor that hides weak
    # cards is a retrieval rule, tested in test_retrieve.
    settings.retrieve.relative_floor = 0.0
    # Each app keeps its report basket apart unless a test shares one (a restart), so that tests
    # sharing the session's index never see each other's passages.
    settings.tui.basket_file = (
        basket_file or Path(tempfile.mkdtemp(prefix="basket-", dir=basket_folder())) / "report-basket.json"
    )
    if report_dir is not None:
        settings.tui.report_dir = report_dir
    return cls(settings, index_dir=index_dir, corpus_dir=corpus_dir)


@pytest.fixture(scope="session")
def hostile_index(tmp_path_factory, shared_embedder_factory) -> Path:
    """An index of a document whose text tries to style and control the terminal."""
    root = tmp_path_factory.mktemp("hostile")
    write(
        root / "corpus" / "hostile.txt",
        "Notice [bold red]about forced labour[/bold red] in [link=https://example.org]fisheries[/link].\n\n"
        "Inspectors reported \x1b[31mwithheld passports\x1b[0m and \x1b]52;c;aGFja2Vk\x07unpaid wages on fishing "
        "boats.\n",
    )
    settings = Settings()
    settings.show_progress = False
    Pipeline(settings, index_dir=root / "index", corpus_dir=root / "corpus").build(
        embedder_factory=shared_embedder_factory
    )
    return root
