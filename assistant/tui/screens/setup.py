"""The first screen of an empty index: which folder of documents to index, and where to keep the
index. A folder that holds documents is taken for what it is, and its index is proposed beside
it, never among the user's files."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ...ingest import discover_files
from ...ingest.formats import formats_for_suffix, supported_suffixes
from ...text import safe_line


def documents_in(folder: Path, limit: int = 10_000) -> int:
    """How many files of a folder could be indexed (0 for a folder that does not exist)."""
    try:
        if not folder.is_dir():
            return 0
        found, _ = discover_files(folder, "catalogue.toml", 1 << 40)
    except OSError:
        return 0
    return sum(1 for f in found[:limit] if formats_for_suffix(f.path.suffix.lower()))


def proposed_folders(index_dir: Path, corpus_dir: Path, problem: str | None = None) -> tuple[Path, Path, str]:
    """(documents folder, index folder, what to tell the user) for an index folder with no usable
    index (``problem``: why the one there could not be opened): when it holds documents, they
    are the corpus and the index goes beside it."""
    held = documents_in(index_dir)
    if held:
        return (
            index_dir,
            index_dir.with_name(index_dir.name + "-index"),
            (
                f"{safe_line(str(index_dir))} holds {held} document{'s' if held != 1 else ''}: it looks like a folder "
                "of documents, not an "
                "index. Index them, with the index kept beside it, not among your files?"
            ),
        )
    if problem:
        # A first-use audit's damaged index was called "No index has been built yet".
        return (
            corpus_dir,
            index_dir,
            f"The index in {safe_line(str(index_dir))} could not be opened ({safe_line(problem)}). Build it again "
            "from a folder of documents:",
        )
    return (
        corpus_dir,
        index_dir,
        f"No index has been built yet (index folder: {safe_line(str(index_dir))}). Build one from a folder of "
        "documents:",
    )


class SetupScreen(ModalScreen[tuple[Path, Path] | None]):
    """Returns (documents folder, index folder), or None."""

    BINDINGS = [Binding("escape", "cancel", "Not now")]
    DEFAULT_CSS = """
    SetupScreen { align: center middle; }
    SetupScreen > Vertical { width: 90%; max-width: 96; height: auto; max-height: 100%; border: heavy $accent; background: $surface; padding: 0 1; }
    SetupScreen Horizontal { height: auto; }
    SetupScreen Button { margin: 0 1 0 0; }
    SetupScreen #setup-check { color: $text-muted; }
    """

    def __init__(self, index_dir: Path, corpus_dir: Path, problem: str | None = None):
        super().__init__()
        self.corpus, self.index, self.message = proposed_folders(index_dir, corpus_dir, problem)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.message, id="setup-message", markup=False)
            yield Static("Folder of documents (" + supported_suffixes() + "):", markup=False)
            yield Input(value=str(self.corpus), id="setup-corpus")
            yield Static("Index folder (made if needed):", markup=False)
            yield Input(value=str(self.index), id="setup-index")
            yield Static("", id="setup-check", markup=False)
            with Horizontal():
                yield Button("Build the index (Enter)", variant="primary", id="setup-build")
                yield Button("Not now (Esc)", id="setup-cancel")

    def on_mount(self) -> None:
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        # The folder field takes what is typed first, replacing the proposal (with the button
        # focused, a typed folder went nowhere and Enter built the proposed one); Enter builds.
        folder = self.query_one("#setup-corpus", Input)
        folder.focus()
        folder.select_all()
        self._check()

    @on(Input.Changed)
    def _check(self) -> str | None:
        """Say what the folders hold; returns why they cannot be used, if they cannot."""
        corpus, index = self._folders()
        count = documents_in(corpus)
        problem = None
        if not corpus.is_dir():
            problem = f"{safe_line(str(corpus))} is not a folder"
        elif not count:
            problem = f"{safe_line(str(corpus))} holds no document this tool can read"
        elif corpus.resolve() == index.resolve():
            problem = "keep the index in another folder than the documents"
        elif index.exists() and not index.is_dir():
            problem = f"{safe_line(str(index))} is a file"
        self.query_one("#setup-check", Static).update(
            problem or f"{count} document{'s' if count != 1 else ''} to index into {safe_line(str(index))}"
        )
        return problem

    def _folders(self) -> tuple[Path, Path]:
        return (
            Path(self.query_one("#setup-corpus", Input).value.strip() or ".").expanduser(),
            Path(self.query_one("#setup-index", Input).value.strip() or ".").expanduser(),
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#setup-build")
    def _build(self) -> None:
        problem = self._check()
        if problem:
            self.notify(problem, severity="warning", markup=False, timeout=5)  # it names the folder typed
            return
        self.dismiss(self._folders())

    @on(Button.Pressed, "#setup-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
