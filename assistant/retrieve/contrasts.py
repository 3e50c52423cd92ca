"""Words that stand in for one another: adults or children, men or women, one UK nation or
another. A question that names one asks about it *instead of* the others: a follow-up's "and for
children?" does not carry the "adults" of the question before (``conversation``), and a sentence
about adults is not the best match of a question about children (``lookups.window``)."""

from __future__ import annotations

from ..index.lexical import stem


def _stems(words: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words.split())


CONTRASTS: tuple[tuple[frozenset[str], ...], ...] = tuple(
    tuple(_stems(alternative) for alternative in group.split(" / "))
    for group in (
        "adult adults / child children minor minors juvenile juveniles teenager teenagers kid kids / youth young",
        "man men male males boy boys / woman women female females girl girls",
        "england english / wales welsh / scotland scottish / northern ireland irish / uk britain british",
    )
)
"""The groups, each a list of alternatives, each alternative its words' stems."""

_UMBRELLAS = _stems("uk britain british youth young")
"""Alternatives that take in others (the UK holds Scotland; "young people" may be children): a
sentence naming one is not about another group than the question's."""


def replaced(stems: set[str]) -> frozenset[str]:
    """Every word of each group that ``stems`` name (a follow-up naming one replaces the rest)."""
    return frozenset().union(*(frozenset().union(*group) for group in CONTRASTS if any(a & stems for a in group)))


def contrary(question_stems: set[str], sentence_stems: set[str]) -> bool:
    """Whether a sentence is about another alternative of a group than the question names, and
    not about the question's own: "all adults must give informed consent" for "does a child
    need to consent?"."""
    for group in CONTRASTS:
        asked = [a for a in group if a & question_stems and not a <= _UMBRELLAS]
        named = [a for a in group if a & sentence_stems and not a <= _UMBRELLAS]
        if asked and named and not any(a in asked for a in named):
            return True
    return False
