"""The actions on a passage, declared once: key, footer label, description and what each does.

The search screen (on the selected card), the document screen (on the passage it shows), the
command palette and the key help all read ``PASSAGE_ACTIONS``. A new action is one entry here
with its handler: a function of the app, the passage's ``Hit``, the question it answered and the
number of the conversation's turn that showed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.binding import Binding

from ..errors import AssistantError
from ..models import Hit
from ..present import format_citation
from ..text import strip_control

if TYPE_CHECKING:
    from .app import GuidanceApp


DOCUMENT_GONE = (
    "This passage's document is no longer in the index: its file was removed or renamed since this answer. "
    "Ask the question again to search what the index holds now."
)
"""Said of a card shown before a rebuild left its document out: "run index build" was said of
an index just built (a first-use audit)."""


def _document_held(app: GuidanceApp, hit: Hit) -> bool:
    """Whether the index open now holds the card's document; says so when it does not."""
    held = any(info.id == hit.document.id for info in app.pipeline.document_infos())
    if not held:
        app.notify(DOCUMENT_GONE, severity="warning", markup=False, timeout=8)
    return held


def open_document(app: GuidanceApp, hit: Hit, question: str, turn: int) -> None:
    from .screens.document import DocumentScreen

    try:
        if not _document_held(app, hit):
            return
        document = app.pipeline.document(hit.document.id)
    except AssistantError as error:
        app.notify(strip_control(str(error)), severity="error", markup=False)
        return
    app.push_screen(DocumentScreen(document, hit, question, turn))


def copy_citation(app: GuidanceApp, hit: Hit, question: str, turn: int) -> None:
    citation = format_citation(hit.citation, "text")
    app.copy_to_clipboard(citation)
    app.notify(
        f"Copied (OSC 52; if your terminal blocks it, copy from here):\n{strip_control(citation)}",
        title="Citation",
        markup=False,
        timeout=6,
    )


def copy_passage(app: GuidanceApp, hit: Hit, question: str, turn: int) -> None:
    """The passage as quoted text with its citation: what a case note or a report needs."""
    quoted = "“" + strip_control(hit.text).strip() + "”"
    app.copy_to_clipboard(f"{quoted}\n{format_citation(hit.citation, 'text')}")
    app.notify(
        "Passage and its citation sent to the clipboard (OSC 52). If your terminal or tmux blocks it, "
        "Enter opens the passage to select by hand, and c shows its citation.",
        markup=False,
        timeout=5,
    )


def add_to_report(app: GuidanceApp, hit: Hit, question: str, turn: int) -> None:
    app.add_to_report(hit, question, turn)


def search_within(app: GuidanceApp, hit: Hit, question: str, turn: int) -> None:
    """The passage's question asked again within its document only; then back to the question
    box, with searches restricted to that document. A document the index no longer holds sets
    no filter: every later question failed on it (a first-use audit)."""
    try:
        if not _document_held(app, hit):
            return
    except AssistantError as error:
        app.notify(strip_control(str(error)), severity="error", markup=False)
        return
    app.search_within_document(hit.document.id, hit.document.title, question, hit.chunk_id)


@dataclass(frozen=True)
class PassageAction:
    name: str
    keys: str
    label: str
    """Short, for the footer."""
    description: str
    """For the key help and the command palette."""
    run: Callable[[GuidanceApp, Hit, str, int], None]
    """Called with the app, the passage, the question it answered and the number of its turn (0: not known)."""
    footer: bool = True
    """Shown in the footer of the search screen (every action is in the help and the palette)."""
    where: tuple[Literal["results", "document"], ...] = ("results", "document")


PASSAGE_ACTIONS: tuple[PassageAction, ...] = (
    PassageAction("open", "enter", "Open", "Read the passage in its document", open_document, where=("results",)),
    PassageAction("cite", "c", "Cite", "Copy the citation (terminal clipboard, OSC 52)", copy_citation),
    PassageAction("copy", "y", "Copy text", "Copy the passage with its citation", copy_passage, footer=False),
    PassageAction("add", "a", "Add", "Add the passage to the report", add_to_report),
    # Out of the footer so that Quit and Help fit at 80 columns; the help and the palette list it.
    PassageAction(
        "within",
        "w",
        "Within",
        "Ask its question again within this passage's document only",
        search_within,
        footer=False,
    ),
)

ACTIONS_BY_NAME = {action.name: action for action in PASSAGE_ACTIONS}


def passage_bindings(where: Literal["results", "document"]) -> list[Binding]:
    """The key bindings of the passage actions on one screen; each runs the screen's
    ``action_passage(name)``."""
    return [
        Binding(action.keys, f"passage('{action.name}')", action.label, tooltip=action.description, show=action.footer)
        for action in PASSAGE_ACTIONS
        if where in action.where
    ]
