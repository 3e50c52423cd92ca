"""One ranked passage: rank, citation line, the verbatim passage with its best-matching
sentence(s) emphasised (bold and underlined, so the emphasis does not depend on colour)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...models import Hit
from ...present import citation_line
from ...text import strip_control


def passage_text(hit: Hit) -> Text:
    """The passage as literal text (no markup is interpreted) with highlights styled."""
    text = Text(strip_control(hit.text))
    if len(text.plain) == len(hit.text):  # offsets hold only if nothing was stripped
        for start, end in hit.highlights:
            text.stylize("bold underline", start, end)
    return text


class ResultCard(Static, can_focus=True):
    """A focusable card; the screen's bindings (enter, c, a) act on the focused card."""

    DEFAULT_CSS = """
    ResultCard {
        border: round $panel-lighten-2;
        padding: 0 1;
        margin: 0 0 1 0;
        height: auto;
    }
    ResultCard:focus {
        border: heavy $accent;
    }
    """

    def __init__(self, hit: Hit, question: str, collected: bool = False):
        super().__init__(self._render_card(hit, collected), markup=False)
        self.hit = hit
        self.question = question
        self.collected = collected

    @staticmethod
    def _render_card(hit: Hit, collected: bool) -> Text:
        content = Text()
        content.append(f"{hit.rank}. ", style="bold")
        content.append(strip_control(hit.citation.title), style="bold")
        rest = citation_line(hit.citation)[len(hit.citation.title):]
        if rest:
            content.append(strip_control(rest))
        if collected:
            content.append("  [in report]", style="italic")
        content.append("\n")
        content.append_text(passage_text(hit))
        return content

    def mark_collected(self) -> None:
        self.collected = True
        self.update(self._render_card(self.hit, True))
