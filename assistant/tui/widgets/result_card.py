"""One ranked passage: rank, citation line, the verbatim passage with its best-matching
sentence(s) emphasised (bold and underlined, so the emphasis does not depend on colour).

A long passage is shown as an excerpt around its best sentences, marked with "…" at the cut;
Enter opens the whole passage in its document."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from ...models import Hit
from ...present import (
    CLOSEST_MARK,
    LIST_GOES_ON,
    QUIZ_ITEM,
    SHOWN_BEFORE,
    THREAD_DOCUMENT,
    card_marks,
    citation_line,
    line_title,
)
from ...text import sentence_spans, strip_control

DIM_MARKS = (QUIZ_ITEM, THREAD_DOCUMENT, SHOWN_BEFORE, LIST_GOES_ON)
"""Marks that describe a card; the others (another nation, another group, not guidance) warn, in bold."""

CONFIDENCE = {"strong": "match ■■■ strong", "fair": "match ■■□ fair", "weak": "match ■□□ weak"}
"""How sure the ranker is that a card answers, in words and a bar (not colour alone)."""


def excerpt(text: str, highlights: list[tuple[int, int]], max_chars: int) -> tuple[str, list[tuple[int, int]], bool]:
    """The part of ``text`` around its highlights that fits ``max_chars``, cut at sentence
    boundaries; returns the excerpt, the highlights shifted into it, and whether it was cut."""
    if len(text) <= max_chars:
        return text, list(highlights), False
    spans = sentence_spans(text) or [(0, len(text))]
    focus_start, focus_end = (highlights[0][0], highlights[-1][1]) if highlights else spans[0]
    first = next((i for i, (s, e) in enumerate(spans) if e > focus_start), 0)
    last = next((i for i, (s, e) in enumerate(spans) if e >= focus_end), len(spans) - 1)
    start, end = spans[first][0], spans[last][1]
    if end - spans[0][0] <= max_chars:
        # The passage's opening fits with the best match: shown from it, for it often states what
        # the best match qualifies ("An application must be made within two years", before "CICA
        # has the discretion to extend the time limit"; a first-use audit's card left the rule out).
        first, start = 0, spans[0][0]
    while True:  # grow by whole sentences, after first then before, while it fits
        grown = False
        if last + 1 < len(spans) and spans[last + 1][1] - start <= max_chars:
            last += 1
            end = spans[last][1]
            grown = True
        if first > 0 and end - spans[first - 1][0] <= max_chars:
            first -= 1
            start = spans[first][0]
            grown = True
        if not grown:
            break
    if end - start > max_chars:  # one sentence longer than the card: cut at a space
        cut = text.rfind(" ", start, start + max_chars)
        end = cut if cut > start else start + max_chars
    shifted = [(max(s, start) - start, min(e, end) - start) for s, e in highlights if s < end and e > start]
    return text[start:end], shifted, (start, end) != (0, len(text))


class ResultCard(Static, can_focus=True):
    """A focusable card; the screen's bindings (enter, c, a, w) act on the focused card, or on
    the selected one (its border in the accent colour) while typing in the question box."""

    # Arrow keys move between cards (the scrolling container would otherwise take them).
    BINDINGS = [
        Binding("down,j", "screen.move(1)", "Next passage", show=False),
        Binding("up,k", "screen.move(-1)", "Previous passage", show=False),
    ]

    DEFAULT_CSS = """
    ResultCard {
        border: round $panel-lighten-2;
        padding: 0 1;
        margin: 0 0 1 0;
        height: auto;
    }
    ResultCard.-selected {
        border: round $accent;
    }
    ResultCard:focus {
        border: heavy $accent;
    }
    """

    def __init__(self, hit: Hit, question: str, collected: bool = False, max_chars: int = 480, turn: int = 0):
        self.hit = hit
        self.question = question
        self.turn = turn
        """The number (from 1) of the conversation's turn that showed it (0: not known)."""
        self.collected = collected
        self.max_chars = max_chars
        super().__init__(self._render_card(), markup=False)
        if turn:
            # On its border, the question the card answers: scrolled back through a thread, the
            # turn's heading may be off screen and every turn's cards are numbered from 1. Said
            # "question 2", not "2.": beside the card's own number it read as the passage's.
            self.border_title = Text(f"question {turn}: {strip_control(question)}", style="dim")

    def _render_card(self) -> Text:
        hit = self.hit
        content = Text()
        content.append(f"{hit.rank}. ", style="bold")
        # The line is cut where its title ends as printed: a title that loses an escape sequence
        # to the sanitiser is shorter than as stored ("…100% \x1b[31mred" cost "; Off" after it).
        title = line_title(hit.citation)
        content.append(title, style="bold")
        rest = citation_line(hit.citation)[len(title) :]
        if rest:
            content.append(rest)
        if hit.confidence:
            content.append(f"  · {CONFIDENCE[hit.confidence]}", style="dim" if hit.confidence == "weak" else "")
        if hit.closest:
            content.append(f"  · {CLOSEST_MARK}", style="dim")
        for mark in card_marks(hit):
            content.append(f"  · {mark}", style="dim" if mark in DIM_MARKS else "bold")
        if self.collected:
            content.append("  [in report]", style="italic")
        content.append("\n")
        clean = strip_control(hit.text)
        highlights = hit.highlights if len(clean) == len(hit.text) else []  # offsets hold only if nothing was stripped
        shown, shifted, cut = excerpt(clean, highlights, self.max_chars)
        starts_inside = cut and not clean.startswith(shown)
        body = Text(("… " if starts_inside else "") + shown + (" …" if cut and not clean.endswith(shown) else ""))
        offset = 2 if starts_inside else 0
        for start, end in shifted:
            body.stylize("bold underline", start + offset, end + offset)
        content.append_text(body)
        if cut:
            content.append("\n(excerpt: Enter shows the whole passage in its document)", style="italic")
        for other in hit.also_at:
            content.append("\nAlso stated in: " + strip_control(citation_line(other)), style="dim")
        return content

    def on_click(self, event) -> None:
        if getattr(event, "chain", 1) >= 2:  # a double click opens the passage in its document
            from .. import messages

            self.post_message(messages.PassageActionRequested("open", self.hit, self.question, self.turn))

    def mark_collected(self, collected: bool = True) -> None:
        """Say, or stop saying, "[in report]" on the card."""
        if collected != self.collected:
            self.collected = collected
            self.update(self._render_card())
