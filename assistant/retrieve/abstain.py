"""Abstention: deciding that no passage in the corpus answers a question.

The decision is made from named ``Signals`` recorded while the question is answered (the best
cosine of dense search and of a sentence, the ranker's probability, the rare-word coverage and
the share of the question's names, numbers and acronyms found in the passage that would be shown
first), by ``decide``, a pure function that can be tested without an index.

A raw cosine threshold does not carry from one corpus to another: a corpus of legal texts is
"closer" to any legal-sounding question than five web pages are. So every build measures the
corpus's *background*: how similar its best passage is to questions about unrelated subjects
(``index.background``), and the signals are read as how far the best passage stands above it.
In hybrid mode a logistic model over those signals (``ABSTENTION_FEATURES``, fitted by ``eval
--fit`` on the dev sets, stored in ``learned.json``) decides; without it, or in dense mode, the
older rule applies: the best passage stands out from the background, or stands out less and
holds most of the question's rare words. Lexical mode goes by the words alone. Whatever the
other signals say, a question naming a year that none of the first passages mention is not
answered by them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..config import RetrieveSettings
from ..index.lexical import STOPWORDS
from ..models import Background, Mode
from .ranker import LogisticModel


def standing(best_cosine: float | None, background: Background | None) -> float | None:
    """How many background spreads the best passage stands above the background mean."""
    if best_cosine is None or background is None:
        return None
    return (best_cosine - background.mean) / background.std


_NOT_NAMES = STOPWORDS | frozenset(
    "what when where which who whom whose why how is are was were do does did can could should would will may must "
    "the a an in on of for to and or if i we you my our any there this that these those "
    # Words a question may begin with, capitalised for that alone ("She reported it late...",
    # "Several cleaners give one address...", "Under the Act..."): not names.
    "several many much every either neither someone somebody anyone anybody everyone everybody nobody "
    "since although though suppose imagine say given besides instead without within regarding concerning "
    "please tell yes now hi hello thanks ok okay sorry".split()
)
_SPECIFIC = re.compile(r"[^\W_]*\d[\w-]*|[A-Z][\w'’-]*")
_CONTRACTION = re.compile(r"['’](?:s|m|re|ve|ll|d|t)$", re.IGNORECASE)
_LONGEST_WORD = 64


def specific_terms(question: str) -> list[str]:
    """The words that make a question about one thing and not another: names, places,
    acronyms and numbers (capitalised words, anything with a digit), folded. "How many NRM
    referrals came from Wales in 2023?" -> ["nrm", "wales", "2023"]. A word capitalised only
    because a sentence begins with it is not a name: question words, pronouns and other common
    words ("She", "Several", "Under"), with their contractions ("I'm", "What's"), are left out,
    unless written in capitals ("US", "IT")."""
    found = []
    # Word by word, and no longer than a word can be: the pattern backtracks over a long run of
    # letters (a 100 KB "word" took 90 s).
    matches = (m for token in question.split() if len(token) <= _LONGEST_WORD for m in _SPECIFIC.finditer(token))
    for match in matches:
        word = match.group().strip("'’-")
        folded = word.casefold()
        base = _CONTRACTION.sub("", folded)
        acronym = len(word) > 1 and word.isupper()
        if not word or (base in _NOT_NAMES and not acronym) or (len(base) < 2 and not word.isdigit()):
            continue
        found.append(folded)
    return list(dict.fromkeys(found))


def specific_coverage(terms: list[str], texts: list[str]) -> float:
    """Share of the specific terms found in the texts: a number must appear as it is, a word
    may differ in its ending ("Moldovan" is found in "Moldova", "Cambodian" in "Cambodia").
    1.0 when the question names nothing specific."""
    if not terms:
        return 1.0
    words = set(re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", " ".join(texts).casefold()))
    found = 0
    for term in terms:
        if any(c.isdigit() for c in term):
            found += term in words or any(term in w for w in words if any(c.isdigit() for c in w))
        else:
            stem = term[: max(4, len(term) - 3)]
            found += any(w.startswith(stem) for w in words)
    return found / len(terms)


_YEAR = re.compile(r"(?<![\w.,])(1[89]\d\d|20\d\d)(?![\w.,]\d|\w)")


def years_named(question: str) -> tuple[str, ...]:
    """The years (1800-2099) a question names, in order: "referrals in 2021" -> ("2021",)."""
    return tuple(dict.fromkeys(_YEAR.findall(question)))


def mentions_year(text: str, years: tuple[str, ...]) -> bool:
    return bool(set(years) & set(_YEAR.findall(text)))


def years_missing(question: str, texts: list[str]) -> tuple[str, ...]:
    """The years a question names (1800-2099) that none of the texts mention: "How many NRM
    referrals came from Wales in 2023?" over passages of 2018 -> ("2023",). A question about a
    year is answered by a passage of that year, or of a document of that year."""
    years = years_named(question)
    if not years:
        return ()
    mentioned = set(_YEAR.findall(" ".join(texts)))
    return tuple(year for year in years if year not in mentioned)


@dataclass(frozen=True)
class Signals:
    """What abstention is decided from, recorded as the question is answered."""

    best_dense: float | None
    """The best cosine that dense search found for the question (None in lexical mode)."""
    top_coverage: float
    """IDF-weighted share of the question's rare words in the passage that would be shown first."""
    background: Background | None
    """The index's background; None for an index built before backgrounds were measured."""
    top_probability: float | None = None
    """The learned ranker's probability that the first passage holds the answer (None without it)."""
    best_sentence: float | None = None
    """The best cosine of one sentence of the first passages with the question."""
    specific_coverage: float = 1.0
    """Share of the question's names, acronyms and numbers found in the first passages."""
    specific_known: float = 1.0
    """Share of them that occur anywhere in the corpus ("Canada" in a UK library: nowhere)."""
    years_missing: tuple[str, ...] = ()
    """Years the question names that the first passages, their sections, titles and documents'
    years do not mention (see ``years_missing``)."""

    @property
    def standing(self) -> float | None:
        return standing(self.best_dense, self.background)

    def features(self) -> np.ndarray:
        """The row the abstention model reads, in the order of ``ABSTENTION_FEATURES``."""
        background_mean = self.background.mean if self.background else 0.0
        return np.array(
            [
                self.standing or 0.0,
                (self.best_sentence if self.best_sentence is not None else (self.best_dense or 0.0)) - background_mean,
                self.top_probability if self.top_probability is not None else 0.5,
                self.top_coverage,
                self.specific_coverage,
                self.specific_known,
            ]
        )


ABSTENTION_FEATURES = (
    "standing",
    "sentence_above_background",
    "top_probability",
    "coverage",
    "specific_coverage",
    "specific_known",
)


@dataclass(frozen=True)
class Rule:
    """A rule of the decision that a setting turns off (for the ablation)."""

    name: str
    off: dict


RULES = (
    Rule("learned abstention", {"learned_abstention": False}),
    Rule("year rule", {"abstain_missing_year": False}),
)


@dataclass(frozen=True)
class Decision:
    abstain: bool
    reason: str
    notice: str | None = None
    """What the reader is told beside the refusal, when the reason is theirs to act on."""
    probability: float | None = None
    """The learned model's probability that the question is answerable (None without it)."""


def decide(
    signals: Signals | None, mode: Mode, settings: RetrieveSettings, model: LogisticModel | None = None
) -> Decision:
    """No passage answers when the question names a year that the first passages do not mention,
    or when the learned model (hybrid mode, see ``ABSTENTION_FEATURES``) gives the question a
    probability of being answered below its threshold. Without the model: when the best passage
    does not stand out from the index's background of unrelated questions, unless it stands out
    somewhat and the first passage holds most of the question's rare words. Lexical mode has only
    the words to go by. ``None``: no candidates."""
    if signals is None:
        return Decision(True, "no candidates")
    if signals.years_missing and settings.abstain_missing_year:
        # Figures for a year are not in passages that never name it: a near miss the other
        # signals cannot see, since the passages match every other word of the question.
        return Decision(
            True,
            f"the first passages do not mention {', '.join(signals.years_missing)}",
            f"the passages closest to the question do not mention {' or '.join(signals.years_missing)}: ask without "
            "the year to see them",
        )
    coverage = signals.top_coverage
    if mode == "lexical":
        return Decision(coverage < max(settings.abstain_lexical_coverage, 0.5), f"rare-word coverage {coverage:.2f}")
    z = signals.standing
    if model is not None and mode == "hybrid" and z is not None and model.threshold is not None:
        features = signals.features()
        probability = float(model.probabilities(features[None, :])[0])
        named = ", ".join(f"{name} {value:.2f}" for name, value in zip(ABSTENTION_FEATURES, features))
        return Decision(
            probability < model.threshold,
            f"answerable with probability {probability:.2f} ({named})",
            probability=probability,
        )
    if z is None:
        dense = signals.best_dense
        answered = dense is not None and (
            dense >= settings.abstain_dense_threshold or coverage >= settings.abstain_lexical_coverage
        )
        return Decision(not answered, f"cosine {dense}, coverage {coverage:.2f}")
    answered = z >= settings.abstain_sure_standing or (
        z >= settings.abstain_min_standing and coverage >= settings.abstain_lexical_coverage
    )
    return Decision(not answered, f"standing {z:.2f}, coverage {coverage:.2f}")
