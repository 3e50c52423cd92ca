import numpy as np

from assistant.index.background import PROBES, measure_background


def test_the_background_is_measured_from_the_probes_that_match_the_corpus_least():
    vectors = np.eye(4, dtype=np.float32)
    # One probe happens to be about the corpus's own subject (0.6); the others are unrelated.
    background = measure_background(vectors, search=lambda v: 0.6 if v[0] else 0.1 + 0.02 * float(np.argmax(v)))
    assert background.probes == 4 and background.method == "lower-75"
    assert round(background.mean, 6) == round((0.12 + 0.14 + 0.16) / 3, 6), "the best-matching quarter is left out"
    assert background.std >= 0.02, "a spread of at least 0.02, so one odd probe cannot make every question stand out"


def test_the_probes_are_distinct_questions_about_other_subjects():
    assert len(PROBES) == len(set(PROBES)) >= 30
    assert not any(
        word in " ".join(PROBES).lower() for word in ("trafficking", "exploitation", "victim", "forced labour")
    )
