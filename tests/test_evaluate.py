"""Retrieval evaluation: labelled question sets are loaded, checked against the corpus, and
scored per mode; a phrase that is not in the corpus is an error in the set, not a miss."""

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.evaluate import (
    CONVERSATION_ABLATIONS,
    ConversationScores,
    evaluate_question_set,
    format_conversation_ablation,
    format_judged,
    format_scores,
    load_question_set,
    locate,
    materialise_combined_corpus,
    resolve_expectations,
)

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

[[near_miss]]
text = "how to knit a winter scarf with cable stitches"
"""


def test_a_question_set_is_scored_per_mode(bundled_pipeline, tmp_path):
    question_set = load_question_set(write(tmp_path / "tiny.toml", SET))
    assert question_set.name == "tiny" and len(question_set.questions) == 2 and len(question_set.off_topic) == 1
    scores = {s.mode: s for s in evaluate_question_set(bundled_pipeline, question_set, modes=("lexical", "hybrid"))}
    hybrid = scores["hybrid"]
    assert (
        hybrid.hit_at_5 == 1.0
        and hybrid.mrr_at_10 > 0.5
        and hybrid.off_topic_abstained == 1
        and hybrid.answerable_refused == 0
    )
    assert (hybrid.near_miss_abstained, hybrid.near_miss_total) == (1, 1), (
        "near misses are counted apart from off-topic questions"
    )
    table = format_scores("tiny", list(scores.values()))
    assert "hybrid" in table and "lexical" in table and "MRR@10" in table and "near miss" in table
    assert hybrid.respelt == 0, "spelling correction leaves correctly spelt questions alone"


def test_eval_counts_the_questions_spelling_correction_changed(bundled_pipeline, tmp_path):
    typed = SET.replace("often go unidentified", "often go unidentifed")
    scores = evaluate_question_set(
        bundled_pipeline, load_question_set(write(tmp_path / "typed.toml", typed)), modes=("hybrid",)
    )
    assert scores[0].respelt == 1
    assert (
        "spelling correction changed the words of 1 correctly spelt question(s), the first card of 0"
        in format_judged("", scores)
    ), "'unidentifed' searched as 'unidentified' finds the same first card"


def test_an_answer_phrase_is_found_whatever_the_spacing_punctuation_or_bullets_between_its_words():
    text = "Victims\u00a0are  offered:\n\u2022 a Recovery Period of at least 45 calendar-days."
    assert locate(text, "victims are offered a recovery period of at least 45 calendar days") == [(0, len(text) - 1)]
    assert locate(text, "victims are offered a reflection period") == [], "other words never match"
    assert locate("forty-five days", "ive days") == [], "a phrase starts at a word's beginning"
    # Labels written on text from which line-end hyphens of compounds were dropped still match
    # once the reader keeps them (2026-12-05): the same words, read better.
    assert locate("the house was rat-infested.", "house was ratinfested") == [(4, 26)]
    assert locate("the house was rat infested.", "house was ratinfested") == [], "a space splits two words"


def test_several_folders_combine_into_one_corpus_once(tmp_path):
    first, second = tmp_path / "documents", tmp_path / "iasc"
    write(first / "a.md", "# A\n\nOne.")
    write(second / "b.md", "# B\n\nTwo.")
    target = materialise_combined_corpus([first, second], tmp_path / "cache" / "corpus")
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*.md")) == ["documents/a.md", "iasc/b.md"]
    assert not any(p.name.startswith(".") for p in target.rglob("*")), "the completion marker stays outside the corpus"
    (target / "iasc" / "b.md").write_text("changed")
    materialise_combined_corpus([first, second], tmp_path / "cache" / "corpus")
    assert (target / "iasc" / "b.md").read_text() == "changed", "copied once while the sources keep their files"
    write(second / "c.md", "# C\n\nThree.")
    materialise_combined_corpus([first, second], tmp_path / "cache" / "corpus")
    assert (target / "iasc" / "c.md").exists() and (target / "iasc" / "b.md").read_text() != "changed"


def test_a_phrase_missing_from_the_corpus_is_an_error_for_the_label_check_and_counted_apart_when_scoring(
    bundled_pipeline, tmp_path
):
    broken = load_question_set(
        write(tmp_path / "broken.toml", SET.replace("addressed this nexus", "addressed something else entirely"))
    )
    with pytest.raises(ConfigError, match="phrase not found"):
        resolve_expectations(bundled_pipeline, broken)
    (scores,) = evaluate_question_set(bundled_pipeline, broken, modes=("hybrid",))
    assert scores.first_cards["answer not in the extracted text"] == 1 and scores.hit_at_5 == 0.5
    assert sum(scores.first_cards.values()) == 2 and scores.first_cards["answer first"] == 1


def test_a_refused_question_counts_apart_when_its_answer_is_among_the_closest_passages(bundled_pipeline, tmp_path):
    refused = load_question_set(
        write(
            tmp_path / "refused.toml",
            '[meta]\nname = "refused"\n\n[[question]]\ntext = "What training do hotel receptionists get?"\n'
            'document = "001_7805c1cdfc4ec49b.txt#4"\nanswer = "Labor Inspection Training on Child Labor"\n',
        )
    )
    (scores,) = evaluate_question_set(bundled_pipeline, refused, modes=("hybrid",))
    assert scores.answerable_refused == 1 and scores.hit_at_5 == 0, "a closest passage is never counted as an answer"
    assert scores.refused_answer_closest == 1
    assert "the answer among the closest passages shown under 1 of them" in format_judged("", [scores])


def test_an_unreadable_question_set_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read question set"):
        load_question_set(write(tmp_path / "bad.toml", "[[question]\ntext ="))


def test_a_set_can_ask_another_sets_questions_of_a_larger_corpus(tmp_path):
    write(
        tmp_path / "small.toml",
        SET.replace('name = "tiny"', 'name = "tiny"\ncorpus = "documents"').replace(
            "[[off_topic]]", 'also = [["001_x.txt", "another phrase"]]\n\n[[off_topic]]'
        ),
    )
    larger = load_question_set(
        write(
            tmp_path / "larger.toml",
            """
[meta]
name = "tiny in the library"
corpus = ["documents", "iasc"]
questions_from = "small.toml"
document_folder = "documents"
""",
        )
    )
    small = load_question_set(tmp_path / "small.toml")
    assert larger.name == "tiny in the library" and larger.corpus == ["documents", "iasc"]
    assert [q.text for q in larger.questions] == [q.text for q in small.questions], (
        "the same questions, in the same order"
    )
    assert [q.answer for q in larger.questions] == [q.answer for q in small.questions]
    assert [q.document for q in larger.questions] == ["documents/" + q.document for q in small.questions]
    assert larger.questions[1].also == [("documents/001_x.txt", "another phrase")], "other answering passages move too"
    assert len(larger.off_topic) == 1 and len(larger.near_miss) == 1 and not larger.frozen


def test_a_frozen_sets_questions_are_never_reused(tmp_path):
    write(tmp_path / "test.toml", SET.replace('name = "tiny"', 'name = "tiny"\nfrozen = true'))
    with pytest.raises(ConfigError, match="frozen test set"):
        load_question_set(write(tmp_path / "dev.toml", '[meta]\nname = "dev"\nquestions_from = "test.toml"\n'))


def test_no_dev_set_asks_a_question_or_labels_an_answer_of_the_frozen_test_set():
    """A dev set that repeats a frozen question would let tuning see the test set."""
    sets = {
        path.name: load_question_set(path)
        for path in sorted((Path(__file__).parent.parent / "eval").glob("*.toml"))
        if not path.name.startswith("conversations-")
    }
    frozen = [s for s in sets.values() if s.frozen]
    assert frozen, "the frozen test set is committed with the project"

    def asked(question_set):
        return {
            " ".join(q.text.casefold().split())
            for q in [*question_set.questions, *question_set.off_topic, *question_set.near_miss]
        }

    def labelled(question_set):
        return {(q.document, " ".join(q.answer.casefold().split())) for q in question_set.questions}

    for name, dev in sets.items():
        if dev.frozen:
            continue
        for test in frozen:
            assert not asked(dev) & asked(test), f"{name} asks a question of {test.name}"
            assert not labelled(dev) & labelled(test), f"{name} labels an answer of {test.name}"


def test_the_dev_conversations_share_no_question_or_label_with_the_frozen_ones():
    from assistant.evaluate import load_conversation_set

    folder = Path(__file__).parent.parent / "eval"
    test = load_conversation_set(folder / "conversations-test.toml")
    devs = [load_conversation_set(folder / name) for name in ("conversations-dev.toml", "conversations-dev2.toml")]
    assert test.frozen and not any(dev.frozen for dev in devs)

    def asked(s):
        return {" ".join(t.text.casefold().split()) for c in s.conversations for t in c.turn[:1]} | {
            " ".join(t.text.casefold().split()) for t in s.topic_changes
        }

    def labelled(s):
        return {(t.document, t.answer.casefold()) for c in s.conversations for t in c.turn} | {
            (t.document, t.answer.casefold()) for t in s.topic_changes
        }

    for dev in devs:
        assert not asked(dev) & asked(test) and not labelled(dev) & labelled(test), dev.name
        assert len(dev.conversations) >= 40 and len(dev.topic_changes) >= 20, dev.name
    assert len(test.conversations) >= 40 and len(test.topic_changes) >= 20
    assert all(t.standalone for s in (*devs, test) for c in s.conversations for t in c.turn[1:]), (
        "every follow-up has its written-out version"
    )


def _conversation_scores(with_context: list[int | None]) -> ConversationScores:
    hits = {f"hit@{d}": sum(r is not None and r <= d for r in with_context) / len(with_context) for d in (1, 3, 5)}
    none = {"hit@1": 0.0, "hit@3": 0.0, "hit@5": 0.0}
    return ConversationScores(
        follow_ups=len(with_context),
        alone=none,
        with_context=hits,
        written_out=none,
        carried=len(with_context),
        refused_with_context=0,
        topic_changes=0,
        topic_alone=none,
        topic_after_thread=none,
        topic_carried=0,
        ranks={"with_context": with_context},
    )


def test_the_conversation_ablation_pairs_each_follow_up_stage_off_against_all_on():
    assert set(CONVERSATION_ABLATIONS) == {
        "the thread's documents off",
        "passages already shown off",
        "another document on the first screen off",
        "strong before a weaker one ranked up off",
        "the follow-up's own words first off",
    }
    on = _conversation_scores([1, 2, 4, 5, 1])
    off = _conversation_scores([3, 2, None, None, 1])
    table = format_conversation_ablation(on, [("passages already shown off", off)])
    row = next(line for line in table.splitlines() if line.strip().startswith("passages already shown off"))
    assert "0.200  0.600  0.600" in row, "hit@1, hit@3, hit@5 with the stage off"
    assert " 1 /  0 p=1.000   2 /  0 p=0.500" in row, "answered only with it on / only with it off, at hit@1 and hit@5"
