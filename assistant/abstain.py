"""Abstention: deciding that no passage in the corpus answers a question.

A raw cosine threshold does not carry from one corpus to another: a corpus of legal texts is
"closer" to any legal-sounding question than five web pages are. So every build measures the
corpus's *background*: how similar its best passage is to questions about unrelated subjects
(the probes below, which share nothing with any anti-trafficking corpus on purpose). A question
is answered when its best passage stands out from that background (a z-score), or stands out
less but contains most of the question's rare words.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

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


class Background(BaseModel):
    """The corpus's best-match cosine for unrelated questions: mean and spread."""

    mean: float
    std: float
    probes: int


def measure_background(query_vectors: np.ndarray, search) -> Background:
    """``search(vector)`` returns the best cosine in the index for one query vector."""
    best = np.array([search(vector) for vector in query_vectors], dtype=np.float64)
    return Background(mean=float(best.mean()), std=float(max(best.std(), 0.02)), probes=len(best))


def standing(best_cosine: float | None, background: Background | None) -> float | None:
    """How many background spreads the best passage stands above the background mean."""
    if best_cosine is None or background is None:
        return None
    return (best_cosine - background.mean) / background.std
