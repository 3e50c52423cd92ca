"""The footer of every screen: its keys in the compact style, and the command palette's key only
where there is room for it."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

PALETTE_KEY_FROM = 100
"""The narrowest screen (in columns) whose footer also shows the command palette's key: at 80
columns a first-use audit's footer lost "^q Quit" and "? Help" to it (Ctrl+P works everywhere and
the help says so)."""


class KeysFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True)

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        room = self.app.size.width >= PALETTE_KEY_FROM
        if room != self.show_command_palette:
            self.show_command_palette = room
            self.refresh(recompose=True)  # the footer reads it only when it composes its keys
