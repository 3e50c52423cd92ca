"""Abstention decided from named signals against the index's background."""

import numpy as np

from assistant.config import RetrieveSettings
from assistant.models import Background
from assistant.retrieve.abstain import PROBES, Signals, decide, measure_background, standing

SETTINGS = RetrieveSettings()
BACKGROUND = Background(mean=0.20, std=0.05, probes=len(PROBES))


def signals(best_dense, coverage, background=BACKGROUND):
    return Signals(best_dense=best_dense, top_coverage=coverage, background=background)


def test_standing_is_spreads_above_the_background_mean():
    assert abs(standing(0.35, BACKGROUND) - 3.0) < 1e-9
    assert standing(None, BACKGROUND) is None and standing(0.5, None) is None


def test_a_passage_that_stands_out_clearly_is_an_answer():
    assert not decide(signals(0.20 + 2.7 * 0.05, 0.0), "hybrid", SETTINGS).abstain


def test_a_passage_that_stands_out_somewhat_needs_the_questions_rare_words():
    somewhat = 0.20 + 2.0 * 0.05
    assert decide(signals(somewhat, 0.2), "hybrid", SETTINGS).abstain
    assert not decide(signals(somewhat, 0.6), "hybrid", SETTINGS).abstain


def test_a_passage_like_the_background_is_never_an_answer():
    decision = decide(signals(0.22, 1.0), "hybrid", SETTINGS)
    assert decision.abstain and "standing" in decision.reason


def test_no_candidates_abstains():
    assert decide(None, "hybrid", SETTINGS).abstain


def test_lexical_mode_goes_by_the_words_alone():
    assert decide(signals(None, 0.4), "lexical", SETTINGS).abstain
    assert not decide(signals(None, 0.8), "lexical", SETTINGS).abstain


def test_an_index_without_a_background_falls_back_to_a_cosine_threshold():
    assert decide(signals(0.25, 0.0, background=None), "hybrid", SETTINGS).abstain
    assert not decide(signals(0.35, 0.0, background=None), "hybrid", SETTINGS).abstain


def test_the_background_is_measured_from_the_best_match_of_each_probe():
    vectors = np.eye(3, dtype=np.float32)
    background = measure_background(vectors, search=lambda v: float(v[0]) * 0.5 + 0.1)
    assert background.probes == 3 and round(background.mean, 6) == round((0.6 + 0.1 + 0.1) / 3, 6)
    assert background.std >= 0.02, "a spread of at least 0.02, so one odd probe cannot make every question stand out"
