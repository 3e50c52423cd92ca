"""The abstention background of an index: how similar the corpus's best passage is to questions
about unrelated subjects. A build measures it (``measure_background``) over ``PROBES``, which share
nothing with any anti-trafficking corpus on purpose, and records it in the manifest; abstention
(``retrieve.abstain``) reads it to decide whether a question's best passage stands out.
``BACKGROUND_METHOD`` names the way it is measured: an index measured another way is re-measured.
"""

from __future__ import annotations

import numpy as np

from ..models import Background

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


BACKGROUND_METHOD = "lower-75"


def measure_background(query_vectors: np.ndarray, search) -> Background:
    """``search(vector)`` returns the best cosine in the index for one query vector. The quarter
    of probes that match the corpus best are left out: a probe meant to be unrelated may not be
    for some corpus ("managing high blood pressure with diet" against medical abstracts), and
    the background must stay the corpus's answer to questions it cannot answer."""
    best = np.sort(np.array([search(vector) for vector in query_vectors], dtype=np.float64))
    kept = best[: max(1, int(np.ceil(len(best) * 0.75)))]
    return Background(
        mean=float(kept.mean()), std=float(max(kept.std(), 0.02)), probes=len(best), method=BACKGROUND_METHOD
    )
