"""Abstention: deciding that no passage in the corpus answers a question.

The decision is made from named ``Signals`` recorded while the question is answered (the best
cosine of dense search, and the rare-word coverage of the passage that would be shown first), by
``decide``, a pure function that can be tested without an index.

A raw cosine threshold does not carry from one corpus to another: a corpus of legal texts is
"closer" to any legal-sounding question than five web pages are. So every build measures the
corpus's *background*: how similar its best passage is to questions about unrelated subjects
(the probes below, which share nothing with any anti-trafficking corpus on purpose). A question
is answered when its best passage stands out from that background (a z-score), or stands out
less but contains most of the question's rare words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import RetrieveSettings
from ..models import Background, Mode

PROBES = (
    "best sourdough bread recipe with a starter",
    "how to change a flat tyre on a bicycle",
    "who won the football world cup final",
    "symptoms and treatment of seasonal flu",
    "how to set up a home wifi router",
    "what is the capital city of Canada",
    "tax return deadline for self-employed people",
    "how to grow tomatoes on a balcony",
    "explain photosynthesis in plants",
    "cheap flights and hotels for a summer holiday",
    "how to house train a puppy",
    "python function to sort a list of numbers",
    "stock market performance during a recession",
    "how to treat a sprained ankle at home",
    "history of the ancient Roman empire",
    "knitting patterns for a winter scarf",
    "how to write a wedding speech",
    "rules of chess for beginners",
    "renewable energy from wind turbines",
    "how volcanoes erupt",
    "mortgage interest rates for first-time buyers",
    "planning permission for a garden shed",
    "landlord obligations when a tenant leaves",
    "speed limits for cars on motorways",
    "divorce and child custody arrangements",
    "copyright rules for using photos online",
    "vaccination schedule for babies",
    "managing high blood pressure with diet",
    "data protection rules for customer email lists",
    "consumer rights when returning faulty goods",
    "how to apply for a passport renewal",
    "employment contract notice period for resignation",
)


def measure_background(query_vectors: np.ndarray, search) -> Background:
    """``search(vector)`` returns the best cosine in the index for one query vector."""
    best = np.array([search(vector) for vector in query_vectors], dtype=np.float64)
    return Background(mean=float(best.mean()), std=float(max(best.std(), 0.02)), probes=len(best))


def standing(best_cosine: float | None, background: Background | None) -> float | None:
    """How many background spreads the best passage stands above the background mean."""
    if best_cosine is None or background is None:
        return None
    return (best_cosine - background.mean) / background.std


@dataclass(frozen=True)
class Signals:
    """What abstention is decided from, recorded as the question is answered."""

    best_dense: float | None
    """The best cosine that dense search found for the question (None in lexical mode)."""
    top_coverage: float
    """IDF-weighted share of the question's rare words in the passage that would be shown first."""
    background: Background | None
    """The index's background; None for an index built before backgrounds were measured."""

    @property
    def standing(self) -> float | None:
        return standing(self.best_dense, self.background)


@dataclass(frozen=True)
class Decision:
    abstain: bool
    reason: str


def decide(signals: Signals | None, mode: Mode, settings: RetrieveSettings) -> Decision:
    """No passage answers when the best one does not stand out from the index's background of
    unrelated questions, unless it stands out somewhat and the first passage holds most of the
    question's rare words. Lexical mode has only the words to go by. ``None``: no candidates."""
    if signals is None:
        return Decision(True, "no candidates")
    coverage = signals.top_coverage
    if mode == "lexical":
        return Decision(coverage < max(settings.abstain_lexical_coverage, 0.5), f"rare-word coverage {coverage:.2f}")
    z = signals.standing
    if z is None:
        dense = signals.best_dense
        answered = dense is not None and (dense >= settings.abstain_dense_threshold or coverage >= settings.abstain_lexical_coverage)
        return Decision(not answered, f"cosine {dense}, coverage {coverage:.2f}")
    answered = z >= settings.abstain_sure_standing or (z >= settings.abstain_min_standing and coverage >= settings.abstain_lexical_coverage)
    return Decision(not answered, f"standing {z:.2f}, coverage {coverage:.2f}")
