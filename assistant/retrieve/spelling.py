"""Spelling tolerance: a misspelt word of a question is matched to the corpus's own words.

A word is corrected only when neither the corpus (its counted words, or the stems lexical search
holds), nor the model's vocabulary, nor an English dictionary (pyspellchecker's word list, shipped
in its wheel) knows it, and it is not a prefix joined to a known word ("retrafficking"):
"trafiking", "indicaters". A real word the corpus lacks ("Canada", "sick pay", "coerced") is
left as typed, so that a question about something the corpus does not hold is still refused,
and a term of the question is never swapped for another of the corpus ("coerced" is not
"forced"). The nearest corpus word by
edit distance (rapidfuzz's optimal string alignment, in which two letters swapped are one edit: 1
edit for words of up to six letters, 2 for longer ones)
replaces it, the more frequent word winning a tie. The search says what it searched for, and the
words as typed can always be searched instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..language import RARE_COUNT, english_count

_WORD = re.compile(r"[A-Za-z]+")
MIN_LETTERS = 4
"""Shorter words are left alone: too many real words lie one edit from a short one."""
MIN_COUNT = 2
"""A corpus word seen fewer times is no correction (it may be a typo of the corpus's own)."""
PREFIXES = ("counter", "under", "anti", "over", "post", "self", "non", "mis", "pre", "re", "un", "co", "de")
"""Joined to a known word, they make a real word that dictionaries may lack ("retrafficking")."""
MIN_STEM_LETTERS = 5
"""The known word after a prefix has at least this many letters ("re" + "trafficking")."""


@dataclass(frozen=True)
class Correction:
    typed: str
    searched: str


class Speller:
    def __init__(
        self,
        counts: dict[str, int],
        known: frozenset[str],
        searchable: Callable[[str], bool] | None = None,
        english: Callable[[str], int] = english_count,
    ):
        """``counts``: the corpus's words (lower case) and how often each occurs; ``known``: the
        words the model's vocabulary holds whole (real words, whatever the corpus);
        ``searchable``: whether lexical search finds a word as typed (its stem is in the corpus:
        "unidentified" where the corpus says "unidentified" once, or "identifies"), in which case
        it is the corpus's word and never corrected; ``english``: how often a dictionary saw it
        (asked only of a word nothing else knows)."""
        self.counts = {word: count for word, count in counts.items() if count >= MIN_COUNT}
        self.words = list(self.counts)
        self.known = known
        self.searchable = searchable or (lambda word: False)
        self.english = english

    def real_word(self, word: str) -> bool:
        """Whether a word (lower case) is a real one: the corpus's, the model's, the dictionary's
        (above its floor), or a prefix joined to one of those ("retrafficking")."""
        return self._known(word) or any(
            word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM_LETTERS and self._known(word[len(prefix) :])
            for prefix in PREFIXES
        )

    def _known(self, word: str) -> bool:
        return word in self.counts or word in self.known or self.searchable(word) or self.english(word) > RARE_COUNT

    def correct(self, question: str) -> tuple[str, list[Correction]]:
        """The question with its misspelt words replaced, and what was replaced."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        corrections: list[Correction] = []
        pieces: list[str] = []
        position = 0
        for match in _WORD.finditer(question):
            word = match.group()
            folded = word.lower()
            replacement = None
            if (
                len(word) >= MIN_LETTERS
                and not (word[0].isupper() and match.start() > 0)
                and not word.isupper()
                and not self.real_word(folded)
            ):
                # A word the dictionary holds at its floor is a typo only one edit from a corpus word.
                limit = 1 if len(word) <= 6 or self.english(folded) else 2
                found = process.extract(folded, self.words, scorer=OSA.distance, score_cutoff=limit, limit=20)
                if found:
                    best = min(found, key=lambda item: (item[1], -self.counts[item[0]], item[0]))
                    replacement = _same_case(best[0], word)
            pieces.append(question[position : match.start()])
            pieces.append(replacement or word)
            if replacement:
                corrections.append(Correction(word, replacement))
            position = match.end()
        pieces.append(question[position:])
        return "".join(pieces), corrections


def _same_case(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    if like[0].isupper():
        return word[0].upper() + word[1:]
    return word
