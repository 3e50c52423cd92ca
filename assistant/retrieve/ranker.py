"""The learned models: logistic regressions over named signals, fitted on the dev questions
(``python -m assistant eval --fit``, see ``learn.py``) and shipped in ``learned.json``: the ranking
stage's model of how likely each candidate is to hold the answer, and abstention's model of how
likely the question is to be answered by the corpus at all.

The model says how likely a candidate is to hold the answer. Its signals: the fused score so far,
the passage's cosine and BM25, the cosine of its best and second-best *sentence* with the
question (each sentence unit has its own vector, see ``chunk.sentence_units``), how far each
cosine is below the question's best, and two shapes of passage that rarely answer although they
match: pointer and contact lines ("can be found here", a telephone number, a web address) and very
short passages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, model_validator

FEATURES = (
    "score",
    "dense",
    "lexical",
    "sentence",
    "sentence_second",
    "dense_gap",
    "sentence_gap",
    "pointer",
    "short",
    "late",
    "late_gap",
    "document_late_gap",
    "document_rank",
)
"""The signals, in the order of the model's weights."""

SHORT_WORDS = 25
"""A passage of fewer words is "short": a heading, a list line or a contact block."""

_POINTER = re.compile(
    r"can be found|(?:is|are) available (?:at|from|here|on)|\bsee "
    r"(?:section|page|annex|chapter|paragraph|appendix)\b|\bclick\b|\bvisit\b"
    r"|www\.|https?://|\S@\S|\b(?:tel(?:ephone)?|phone|call)\b[:.]?\s*\+?\d|\b0\d{2,4}[ -]?\d{3}[ -]?\d{3,4}\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)
def pointer_signal(text: str) -> float:
    """0 to 1: how much of a passage points elsewhere (links, addresses, telephone numbers,
    "can be found here") rather than stating something; three or more such marks count as 1."""
    return min(len(_POINTER.findall(text)), 3) / 3


@dataclass(frozen=True)
class CandidateSignals:
    """What the learned stage knows of one candidate."""

    score: float
    dense: float
    lexical: float
    """BM25 divided by the question's best BM25 (0 when lexical search did not find it)."""
    sentence_similarities: tuple[float, ...]
    text: str
    late: float | None = None
    """Late interaction (MaxSim) with the question; None when not computed."""
    document: str = ""
    """The passage's document."""


def feature_matrix(candidates: list[CandidateSignals]) -> np.ndarray:
    """One row of ``FEATURES`` per candidate, in their order; the gaps are relative to the best of
    these candidates, a document's rank is its place among their documents (first: 1, second:
    1/2...). A signal not computed (late interaction) is NaN, for the caller to fill."""
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    late = np.array([np.nan if c.late is None else c.late for c in candidates], dtype=np.float64)
    top_late = np.nanmax(late) if not np.all(np.isnan(late)) else np.nan
    document_best: dict[str, float] = {}
    for c, value in zip(candidates, late):
        if not np.isnan(value):
            document_best[c.document] = max(document_best.get(c.document, -np.inf), value)
    document_order = {document: n for n, document in enumerate(dict.fromkeys(c.document for c in candidates))}
    best_sentences = [max(c.sentence_similarities, default=c.dense) for c in candidates]
    second_sentences = [
        _mean_of_best_two(c.sentence_similarities) if c.sentence_similarities else c.dense for c in candidates
    ]
    top_dense = max(c.dense for c in candidates)
    top_sentence = max(best_sentences)
    rows = []
    for c, best, second, value in zip(candidates, best_sentences, second_sentences, late):
        rows.append(
            (
                c.score,
                c.dense,
                c.lexical,
                best,
                second,
                c.dense - top_dense,
                best - top_sentence,
                pointer_signal(c.text),
                float(len(c.text.split()) < SHORT_WORDS),
                value,
                value - top_late,
                document_best.get(c.document, np.nan) - top_late,
                1.0 / (1 + document_order[c.document]),
            )
        )
    return np.asarray(rows, dtype=np.float64)


def _mean_of_best_two(values: tuple[float, ...]) -> float:
    best = sorted(values)[-2:]
    return sum(best) / len(best)


class LogisticModel(BaseModel):
    """A logistic regression over standardised features: p = sigmoid(bias + sum w * (x - mean) / scale)."""

    features: tuple[str, ...]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    threshold: float | None = None
    """For a yes/no decision (abstention): the probability below which the answer is no."""
    fitted_on: str = ""
    """What the model was fitted on, and how it scored under cross-validation."""
    cross_validation: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _same_lengths(self):
        if not len(self.features) == len(self.mean) == len(self.scale) == len(self.weights):
            raise ValueError("features, mean, scale and weights must have the same length")
        return self

    def logits(self, matrix: np.ndarray) -> np.ndarray:
        """A signal not computed (NaN: late interaction turned off) takes the mean the model was
        fitted on, so that it adds nothing to a candidate's score."""
        mean = np.asarray(self.mean)
        if np.isnan(matrix).any():
            matrix = np.where(np.isnan(matrix), mean, matrix)
        standardised = (matrix - mean) / np.asarray(self.scale)
        return standardised @ np.asarray(self.weights) + self.bias

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(matrix)))


def fit_logistic(
    matrix: np.ndarray, labels: np.ndarray, features: tuple[str, ...], l2: float = 1.0, iterations: int = 50
) -> LogisticModel:
    """L2-regularised logistic regression by Newton's method (the problems here are a few
    thousand rows by a handful of features: exact and fast, no optimiser library needed)."""
    # A signal not computed for some candidates (NaN) takes its mean, as at question time.
    if np.isnan(matrix).any():
        matrix = np.where(np.isnan(matrix), np.nanmean(matrix, axis=0), matrix)
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale < 1e-9] = 1.0
    design = np.hstack([(matrix - mean) / scale, np.ones((len(matrix), 1))])
    weights = np.zeros(design.shape[1])
    penalty = l2 * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-design @ weights))
        gradient = design.T @ (p - labels) + penalty @ weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return LogisticModel(
        features=features,
        mean=mean.tolist(),
        scale=scale.tolist(),
        weights=weights[:-1].tolist(),
        bias=float(weights[-1]),
    )


STRONG, FAIR = 0.5, 0.15
"""The learned ranker's probability that a passage answers, at which a card says "strong" or
"fair" (below: "weak"): a weak best match is not shown as sure as a strong one."""


CONFIDENCE_LEVELS = ("weak", "fair", "strong")
"""The words ``confidence`` says, least sure first."""


def confidence(probability: float) -> str:
    return "strong" if probability >= STRONG else "fair" if probability >= FAIR else "weak"


LEARNED_FILE = Path(__file__).with_name("learned.json")


@lru_cache(maxsize=8)
def load_model(name: str, path: Path = LEARNED_FILE) -> LogisticModel | None:
    """One shipped model ("ranker" or "abstention"), or None when there is none yet."""
    try:
        models = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return LogisticModel.model_validate(models[name]) if name in models else None
