"""The question box: an Input that recalls earlier questions with up/down, takes a pasted case
note of several lines as one question, and hands down-arrow to the results when not recalling."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input


class QueryInput(Input):
    BINDINGS = [
        Binding("up", "history(-1)", "Earlier question", show=False),
        Binding("down", "history(1)", "Later question, or the first passage", show=False),
        Binding("tab", "to_passages", "Move to the passages", show=False),
    ]

    def action_to_passages(self) -> None:
        """Tab goes to the newest answer's first passage (or to it when it comes)."""
        move = getattr(self.screen, "action_move", None)
        if move is not None:
            move(1)
        else:
            self.screen.focus_next()

    def _on_paste(self, event: events.Paste) -> None:
        """Every pasted line, joined by spaces (Input keeps only the first line)."""
        event.prevent_default()  # Input's own handler would paste the first line again
        text = " ".join(event.text.split())
        if text:
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.stop()

    def __init__(self, **kwargs):
        super().__init__(placeholder="Ask a question or type keywords, then Enter", **kwargs)
        self.history: list[str] = []
        self._position: int | None = None
        self._draft = ""
        self._keep_selection_once = False

    @property
    def taking_focus(self) -> bool:
        """A question was begun elsewhere (``start_with``) and the focus has not come yet."""
        return self._keep_selection_once

    def start_with(self, text: str) -> None:
        """Take the focus holding ``text`` alone, the cursor after it: a new question begun
        elsewhere (the box's focus would otherwise select it, and the next key replace it).
        Until the focus comes, what is typed follows it (keys come faster than focus). A question
        the box held and never asked goes into the history first."""
        draft = self.value.strip()
        if not self._keep_selection_once and draft and draft not in self.history:
            # A question typed and not asked yet, replaced by a new one begun on a passage: kept
            # where ↑ finds it (a first-use audit lost "what role do schools play in spotting CCE").
            self.remember(draft)
            self.app.notify("The question you had typed and not asked is in the history: ↑ brings it back.", timeout=5)
        self.value = self.value + text if self._keep_selection_once else text
        self.cursor_position = len(self.value)
        if not self._keep_selection_once:
            self._keep_selection_once = True
            self.focus()

    def _on_focus(self, event: events.Focus) -> None:
        # Input's own focus handler runs after this one (Textual calls each class's handler).
        if self._keep_selection_once:
            self._keep_selection_once = False
            self.select_on_focus = False
            self.call_after_refresh(setattr, self, "select_on_focus", True)

    def remember(self, question: str) -> None:
        if question and (not self.history or self.history[-1] != question):
            self.history.append(question)
        self._position = None

    def action_history(self, step: int) -> None:
        if self._position is None and step > 0:
            move = getattr(self.screen, "action_move", None)  # not recalling: down goes to the passages
            if move is not None:
                move(1)
            return
        if not self.history:
            return
        if self._position is None:
            self._draft = self.value
            self._position = len(self.history)
        self._position += step
        if self._position >= len(self.history):
            self._position = None
            self.value = self._draft
        else:
            self._position = max(0, self._position)
            self.value = self.history[self._position]
        self.cursor_position = len(self.value)
