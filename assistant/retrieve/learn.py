"""Fitting the learned models on dev questions, with cross-validation by question.

``evaluate.learning_rows`` runs each labelled dev question through the ranking chain *without*
the learned stage and records every head candidate's signals (``ranker.feature_matrix``, the
very function the stage uses) and whether it overlaps an answer; ``evaluate.abstention_rows``
records each question's abstention signals. ``fit_ranker`` and ``fit_abstention`` fit the
logistic models on them and report what k-fold cross-validation by question gave on the
questions held out: a figure for data the model did not see. Only dev sets (and another domain's
claims) go in; the frozen test set never does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .abstain import ABSTENTION_FEATURES
from .ranker import FEATURES, LogisticModel, fit_logistic


@dataclass
class QuestionRows:
    """One question's head candidates: features, whether each holds the answer, and the set."""

    question: str
    source: str
    matrix: np.ndarray
    labels: np.ndarray


def ranking_scores(groups: list[QuestionRows], scores: list[np.ndarray]) -> dict[str, float]:
    """hit@1 and MRR@10 of ordering each question's candidates by ``scores`` (questions whose
    answer is not among the candidates count as misses)."""
    reciprocal, first = [], 0
    for group, score in zip(groups, scores):
        order = np.argsort(-score, kind="stable")
        ranks = [position + 1 for position, index in enumerate(order) if group.labels[index]]
        rank = ranks[0] if ranks else None
        reciprocal.append(1.0 / rank if rank and rank <= 10 else 0.0)
        first += rank == 1
    return {"hit_at_1": first / max(len(groups), 1), "mrr_at_10": float(np.mean(reciprocal)) if reciprocal else 0.0}


def cross_validate(
    groups: list[QuestionRows], folds: int = 5, l2: float = 1.0, seed: int = 0
) -> tuple[dict[str, float], dict[str, float]]:
    """(held-out scores of the learned model, scores of the chain's own order) over ``folds``
    folds of questions."""
    order = np.random.default_rng(seed).permutation(len(groups))
    held_out: list[np.ndarray | None] = [None] * len(groups)
    for fold in range(folds):
        test = set(order[fold::folds].tolist())
        train = [g for i, g in enumerate(groups) if i not in test]
        model = fit_logistic(
            np.vstack([g.matrix for g in train]), np.concatenate([g.labels for g in train]), FEATURES, l2
        )
        for i in test:
            held_out[i] = model.logits(groups[i].matrix)
    baseline = [g.matrix[:, FEATURES.index("score")] for g in groups]
    return ranking_scores(groups, held_out), ranking_scores(groups, baseline)


def fit_ranker(groups: list[QuestionRows], l2: float = 1.0) -> LogisticModel:
    learned, chain = cross_validate(groups, l2=l2)
    model = fit_logistic(
        np.vstack([g.matrix for g in groups]), np.concatenate([g.labels for g in groups]), FEATURES, l2
    )
    sources = sorted({g.source for g in groups})
    return model.model_copy(
        update={
            "fitted_on": f"{len(groups)} dev questions ({', '.join(sources)}), {sum(len(g.labels) for g in groups)} "
            "candidates",
            "cross_validation": {
                "folds": 5,
                "learned_hit_at_1": round(learned["hit_at_1"], 4),
                "learned_mrr_at_10": round(learned["mrr_at_10"], 4),
                "chain_hit_at_1": round(chain["hit_at_1"], 4),
                "chain_mrr_at_10": round(chain["mrr_at_10"], 4),
            },
        }
    )


@dataclass
class QuestionSignals:
    """One question's abstention signals, whether the corpus answers it, and its kind."""

    question: str
    kind: str
    """"answerable", "off-topic" or "near miss"."""
    features: np.ndarray
    source: str = "dev"
    """"dev" (the labelled dev sets) or "other domain" (claims of a benchmark, all answerable)."""


def fit_abstention(
    rows: list[QuestionSignals],
    max_refused: float = 0.02,
    max_refused_other: float = 0.03,
    folds: int = 5,
    l2: float = 1.0,
    seed: int = 0,
) -> LogisticModel:
    """The abstention model and its threshold: the highest threshold at which, under k-fold
    cross-validation, at most ``max_refused`` of the answerable dev questions and at most
    ``max_refused_other`` of another domain's claims are refused (a refused answer hides guidance
    from a practitioner; a weak passage is at least shown with its citation)."""
    matrix = np.vstack([r.features for r in rows])
    labels = np.array([float(r.kind == "answerable") for r in rows])
    order = np.random.default_rng(seed).permutation(len(rows))
    held_out = np.zeros(len(rows))
    for fold in range(folds):
        test = order[fold::folds]
        train = np.setdiff1d(np.arange(len(rows)), test)
        model = fit_logistic(matrix[train], labels[train], ABSTENTION_FEATURES, l2)
        held_out[test] = model.probabilities(matrix[test])
    sources = np.array([r.source for r in rows])
    threshold = 1.0
    for source, share in (("dev", max_refused), ("other domain", max_refused_other)):
        answerable = np.sort(held_out[(labels == 1) & (sources == source)])
        if len(answerable):
            threshold = min(threshold, float(answerable[int(np.floor(share * len(answerable)))]))
    kinds = np.array([r.kind if r.source == "dev" else "other domain" for r in rows])

    def abstained(kind: str) -> float:
        chosen = held_out[kinds == kind]
        return round(float((chosen < threshold).mean()), 4) if len(chosen) else 0.0

    model = fit_logistic(matrix, labels, ABSTENTION_FEATURES, l2)
    return model.model_copy(
        update={
            "threshold": threshold,
            "fitted_on": f"{int(((labels == 1) & (sources == 'dev')).sum())} answerable and {int((labels == 0).sum())} "
            "unanswerable dev questions"
            + (
                f", {int((sources == 'other domain').sum())} claims of another domain"
                if (sources == "other domain").any()
                else ""
            ),
            "cross_validation": {
                "folds": folds,
                "answerable_refused": abstained("answerable"),
                "other_domain_refused": abstained("other domain"),
                "off_topic_abstained": abstained("off-topic"),
                "near_miss_abstained": abstained("near miss"),
            },
        }
    )
