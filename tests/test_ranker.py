"""The learned models: features named and computed one way for fitting and serving, a logistic
regression that is fitted exactly, and cross-validation that scores only held-out questions."""

import json

import numpy as np

from assistant.retrieve.learn import QuestionRows, cross_validate, ranking_scores
from assistant.retrieve.ranker import (
    FEATURES,
    LEARNED_FILE,
    CandidateSignals,
    LogisticModel,
    feature_matrix,
    fit_logistic,
    load_model,
    pointer_signal,
)


def test_pointer_and_contact_lines_are_recognised_and_statements_are_not():
    assert (
        pointer_signal("Further guidance can be found here: https://www.gov.uk/guidance, or call 0300 004 0202.") == 1.0
    )
    assert pointer_signal("Email the team at nrm@homeoffice.gov.uk") > 0
    assert pointer_signal("Adult victims receive a recovery period of at least 45 calendar days.") == 0.0


def test_features_are_named_and_the_gaps_are_relative_to_the_best_candidate():
    signals = [
        CandidateSignals(score=0.9, dense=0.6, lexical=1.0, sentence_similarities=(0.2, 0.5), text="word " * 40),
        CandidateSignals(score=0.5, dense=0.4, lexical=0.0, sentence_similarities=(), text="Call 0300 004 0202"),
    ]
    matrix = feature_matrix(signals)
    row = dict(zip(FEATURES, matrix[0]))
    assert matrix.shape == (2, len(FEATURES))
    assert row["sentence"] == 0.5 and row["sentence_second"] == 0.35 and row["dense_gap"] == 0.0 and row["short"] == 0.0
    other = dict(zip(FEATURES, matrix[1]))
    assert other["sentence"] == 0.4, "a passage without sentence units counts its own cosine"
    assert abs(other["dense_gap"] + 0.2) < 1e-9 and other["short"] == 1.0 and other["pointer"] > 0


def test_logistic_regression_separates_what_a_feature_separates():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] > 0).astype(float)
    model = fit_logistic(x, y, ("useful", "noise"), l2=0.1)
    assert model.weights[0] > 3 * abs(model.weights[1])
    assert ((model.probabilities(x) > 0.5) == (y == 1)).mean() > 0.95


def test_cross_validation_scores_held_out_questions_against_the_chains_order():
    rng = np.random.default_rng(1)
    groups = []
    for number in range(40):
        matrix = rng.normal(size=(10, len(FEATURES)))
        labels = np.zeros(10)
        answer = int(rng.integers(10))
        labels[answer] = 1.0
        matrix[answer, FEATURES.index("sentence")] += 3.0  # the answer's best sentence stands out
        groups.append(QuestionRows(question=str(number), source="synthetic", matrix=matrix, labels=labels))
    learned, chain = cross_validate(groups)
    assert learned["hit_at_1"] > 0.8 and learned["hit_at_1"] > chain["hit_at_1"]
    assert ranking_scores(groups[:1], [groups[0].labels]) == {"hit_at_1": 1.0, "mrr_at_10": 1.0}


def test_the_shipped_ranker_names_the_features_the_code_computes_and_says_how_it_was_fitted():
    model = load_model("ranker")
    assert model is not None and tuple(model.features) == FEATURES
    assert "dev questions" in model.fitted_on and model.cross_validation["learned_mrr_at_10"] > 0
    assert json.loads(LEARNED_FILE.read_text())["ranker"]["features"] == list(FEATURES)


def test_a_missing_model_file_means_no_model(tmp_path):
    assert load_model("ranker", tmp_path / "none.json") is None
    assert LogisticModel.model_validate(json.loads(LEARNED_FILE.read_text())["ranker"]).features == FEATURES


def test_late_interaction_and_document_signals_and_a_signal_not_computed():
    signals = [
        CandidateSignals(
            score=0.9, dense=0.6, lexical=1.0, sentence_similarities=(0.5,), text="a " * 30, late=0.7, document="x"
        ),
        CandidateSignals(
            score=0.5, dense=0.4, lexical=0.0, sentence_similarities=(0.4,), text="b " * 30, late=0.5, document="y"
        ),
        CandidateSignals(
            score=0.4, dense=0.4, lexical=0.0, sentence_similarities=(0.4,), text="c " * 30, late=0.6, document="y"
        ),
        CandidateSignals(
            score=0.3, dense=0.3, lexical=0.0, sentence_similarities=(0.3,), text="d " * 30, late=None, document="z"
        ),
    ]
    rows = [dict(zip(FEATURES, row)) for row in feature_matrix(signals)]
    assert abs(rows[1]["late_gap"] + 0.2) < 1e-9, "relative to the best late interaction among the candidates"
    assert abs(rows[1]["document_late_gap"] + 0.1) < 1e-9, "a document counts its best passage"
    assert [r["document_rank"] for r in rows] == [1.0, 0.5, 0.5, 1 / 3]
    assert np.isnan(rows[3]["late"]), "not computed, not zero"
    model = LogisticModel(
        features=FEATURES,
        mean=[0.0] * len(FEATURES),
        scale=[1.0] * len(FEATURES),
        weights=[0.0] * 9 + [1.0, 0.0, 0.0, 0.0],
        bias=0.0,
    )
    matrix = feature_matrix(signals)
    assert np.isfinite(model.logits(matrix)).all() and model.logits(matrix)[3] == 0.0, "a missing signal adds nothing"
