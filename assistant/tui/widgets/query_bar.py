"""The question box: an Input that recalls earlier questions with up/down."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class QueryInput(Input):
    BINDINGS = [
        Binding("up", "history(-1)", "Earlier question", show=False),
        Binding("down", "history(1)", "Later question", show=False),
    ]

    def __init__(self, **kwargs):
        super().__init__(placeholder="Ask a question or type keywords, then Enter", **kwargs)
        self.history: list[str] = []
        self._position: int | None = None
        self._draft = ""

    def remember(self, question: str) -> None:
        if question and (not self.history or self.history[-1] != question):
            self.history.append(question)
        self._position = None

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position is None:
            if step > 0:
                return
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
