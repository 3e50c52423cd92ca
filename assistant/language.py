"""A small language guesser from function words, for the languages practitioners' documents mix
(treaties in English, French and Dutch, guidance in Spanish, German, Portuguese, Italian).

The embedding model is English-centric: knowing a passage's language lets retrieval prefer
passages in the question's language while still finding the others."""

from __future__ import annotations

import re
from functools import lru_cache

_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the of and to in is that for be are with as by this on or which shall any from not have it an at".split()
    ),
    "nl": frozenset(
        "de het een van en in is dat op te zijn met voor door aan die niet wordt worden als bij ook deze of".split()
    ),
    "fr": frozenset(
        "le la les de des du et en un une est que pour par dans qui sur au aux sont ne pas être cette ou".split()
    ),
    "de": frozenset(
        "der die das und in den von zu mit ist des sich nicht ein eine auf für dem im werden oder auch als".split()
    ),
    "es": frozenset("el la los las de del y en un una que por para con es se no al lo como su o sus son".split()),
    "pt": frozenset("o a os as de do da dos das e em um uma que para com por não no na se ao é ou".split()),
    "it": frozenset("il la lo gli le di del della e in un una che per con non è sono da al nel alla o".split()),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def guess_language(text: str, minimum_words: int = 6) -> str | None:
    """ISO 639-1 code of the most likely language, or None when the text is too short or no
    language stands out."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < minimum_words:
        return None
    scores = {code: sum(1 for w in words if w in vocabulary) for code, vocabulary in _FUNCTION_WORDS.items()}
    best = max(scores, key=scores.get)
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < max(2, 0.08 * len(words)) or ranked[0] < 1.3 * ranked[1]:
        return None
    return best


def looks_foreign(text: str) -> bool:
    """Whether a question of three words or more seems not to be in English: fewer than
    ``FOREIGN_SHARE`` of its words are English words and some hold letters English does not
    write ("Jakie są wskaźniki handlu ludźmi?"), or fewer than ``GUESSED_SHARE`` are and its
    function words are another language's ("¿Cuáles son los indicadores de la trata de
    personas?"). An English question's names, acronyms and terms of art ("OSCE ODIHR handbook
    2004", "Microcin J25 inhibits nucleoside triphosphate (NTP) binding.") are not taken for one."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 3:
        return False
    english = _english_words()
    share = sum(1 for w in words if english.get(w, 0) > RARE_COUNT) / len(words)
    if share < FOREIGN_SHARE and not text.isascii():
        return True
    guessed = guess_language(text, minimum_words=5)
    return share < GUESSED_SHARE and guessed is not None and guessed != "en"


FOREIGN_SHARE = 0.3
GUESSED_SHARE = 0.6
"""The shares of a question's words that are English, below which it is taken for another
language (``looks_foreign``): none of the 1,060 English questions of the eval sets, nor of
SciFact's 1,109 claims, is taken for another language."""


RARE_COUNT = 50
"""The English word list's floor: two words in three of its list were seen this often or less,
typos and fragments among them ("corse", "cation"); a word seen more often is a real one.
Spelling tolerance takes such a rare word one edit from a corpus word ("course") for a typo; the
PDF reader does not count it as a word when it decides whether a line-end hyphen is a compound's."""


@lru_cache(maxsize=1)
def _english_words() -> dict[str, int]:
    """English words (about 160,000, US spelling: pyspellchecker's list, shipped in its wheel),
    with how often the list's source text had each."""
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def english_count(word: str) -> int:
    """How often an English word list saw a word (lower case); 0 when it does not hold it. Spelling
    tolerance and the PDF reader's rejoining of words broken at a line's end ask it."""
    return _english_words().get(word, 0)
