"""Retrieval evaluation: labelled question sets are loaded, checked against the corpus, and
scored per mode; a phrase that is not in the corpus is an error in the set, not a miss."""

import pytest

from assistant.errors import ConfigError
from assistant.evaluate import evaluate_question_set, format_scores, load_question_set

from .conftest import write

SET = """
[meta]
name = "tiny"

[[question]]
text = "Why do Indonesian trafficking victims often go unidentified?"
document = "004_0e36c2b1859f3387.txt#6"
answer = "identification of Indonesian trafficking victims"

[[question]]
text = "What did Security Council resolution 2331 address?"
document = "002_ad2f284f6e8afbdf.txt"
answer = "Resolution 2331 (2016) addressed this nexus"

[[off_topic]]
text = "best sourdough bread recipe with a starter"
"""


def test_a_question_set_is_scored_per_mode(bundled_pipeline, tmp_path):
    question_set = load_question_set(write(tmp_path / "tiny.toml", SET))
    assert question_set.name == "tiny" and len(question_set.questions) == 2 and len(question_set.off_topic) == 1
    scores = {s.mode: s for s in evaluate_question_set(bundled_pipeline, question_set, modes=("lexical", "hybrid"))}
    hybrid = scores["hybrid"]
    assert hybrid.hit_at_5 == 1.0 and hybrid.mrr_at_10 > 0.5 and hybrid.off_topic_abstained == 1 and hybrid.answerable_refused == 0
    table = format_scores("tiny", list(scores.values()))
    assert "hybrid" in table and "lexical" in table and "MRR@10" in table


def test_a_phrase_missing_from_the_corpus_is_an_error_in_the_set(bundled_pipeline, tmp_path):
    broken = SET.replace("addressed this nexus", "addressed something else entirely")
    with pytest.raises(ConfigError, match="phrase not found"):
        evaluate_question_set(bundled_pipeline, load_question_set(write(tmp_path / "broken.toml", broken)), modes=("hybrid",))


def test_an_unreadable_question_set_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read question set"):
        load_question_set(write(tmp_path / "bad.toml", "[[question]\ntext ="))
