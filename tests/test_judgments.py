"""Graded judgments: pooled blind, collected with every grade checked, and a card graded by what
the judges read (a quote stating the answer held whole, or text mostly judged relevant)."""

import json

import pytest

from assistant.judgments import (
    RANKERS,
    AnswerQuote,
    Judgment,
    QuestionJudgments,
    collect,
    load_judgments,
    pool,
    write_sheets,
)

from .conftest import write

DOC = "A" * 100 + "Victims are offered a recovery period of 45 days." + "B" * 100


def judged(*judgments):
    return QuestionJudgments(list(judgments))


def passage(start, end, grade, answer=None):
    quotes = [AnswerQuote(start=a, end=b, text=DOC[a:b]) for a, b in (answer or [])]
    return Judgment(question="q", document="d", start=start, end=end, text=DOC[start:end], grade=grade, answer=quotes)


def test_a_card_that_holds_a_quote_stating_the_answer_grades_2_wherever_it_is_cut():
    answer = (100, 149)
    grades = judged(passage(80, 170, 2, [answer]))
    assert grades.grade("d", 90, 160) == 2, "a narrower window around the quote still answers"
    assert grades.grade("d", 0, 249) == 2, "a wider one too"
    assert grades.grade("d", 120, 170) == 1, "half the quote is not the answer, but the text was judged relevant"
    assert grades.grade("other", 90, 160) == 0, "the same offsets in another document were never judged"


def test_text_nobody_judged_counts_as_not_relevant():
    grades = judged(passage(0, 100, 1), passage(100, 200, 0))
    assert grades.grade("d", 0, 100) == 1
    assert grades.grade("d", 40, 140) == 1, "60% of the card was judged relevant"
    assert grades.grade("d", 60, 200) == 0, "less than half of it was"
    assert grades.grade("d", 200, 249) == 0, "never judged"
    assert judged(passage(0, 100, 1), passage(100, 200, 2, [(100, 149)])).ideal(5) == [2, 1]


def test_judgments_follow_a_passage_whose_offsets_moved_and_drop_one_no_longer_extracted(tmp_path):
    moved = passage(100, 149, 2, [(100, 149)])
    gone = passage(0, 10, 1).model_copy(update={"text": "not in the text any more"})
    path = write(tmp_path / "set.jsonl", moved.model_dump_json() + "\n" + gone.model_dump_json() + "\n")
    by_question, problems = load_judgments(path, lambda document: "12345" + DOC)
    assert by_question["q"].grade("d", 105, 154) == 2, "found again five characters on"
    assert len(problems) == 1 and "no longer in the extracted text" in problems[0]


def whole_passage_judged(tmp_path, text: str, quote: tuple[int, int]):
    """A judgments file: the whole of ``text`` (document "d") judged 2 for question "q", the
    answer at ``quote``."""
    judgment = Judgment(
        question="q",
        document="d",
        start=0,
        end=len(text),
        text=text,
        grade=2,
        answer=[AnswerQuote(start=quote[0], end=quote[1], text=text[quote[0] : quote[1]])],
    )
    return write(tmp_path / "set.jsonl", judgment.model_dump_json() + "\n")


def test_judgments_follow_a_passage_whose_compound_got_back_its_hyphen(tmp_path):
    # From 2026-12-05 the PDF reader keeps a compound's hyphen at a line's end ("rat-infested"
    # had been read "ratinfested"): the judges read the same words.
    old = "The house was ratinfested. Victims are offered a recovery period of 45 days. End."
    new = "Intro. The house was rat-infested. Victims are offered a recovery period of 45 days. End."
    quote = (27, 76)
    assert old[quote[0] : quote[1]] == "Victims are offered a recovery period of 45 days."
    by_question, problems = load_judgments(whole_passage_judged(tmp_path, old, quote), lambda document: new)
    start = new.index("Victims")
    assert not problems and by_question["q"].grade("d", start, start + 49) == 2
    assert by_question["q"].grade("d", start + 1, start + 49) == 1, "the quote is not whole: relevant, not the answer"


def test_pooled_sheets_are_shuffled_and_never_name_a_ranker(bundled_pipeline, tmp_path):
    questions = ["Why do Indonesian trafficking victims often go unidentified?"]
    pooled = pool(bundled_pipeline, questions)
    assert 5 <= len(pooled) <= 20 and len({(p.document, p.start, p.end) for p in pooled}) == len(pooled), (
        "each passage once"
    )
    store = bundled_pipeline.open().store
    assert all(store.document(p.document).text[p.start : p.end] == p.text for p in pooled), "verbatim, at its offsets"
    (sheet,) = write_sheets(pooled, tmp_path, questions_per_sheet=10)
    text = sheet.read_text()
    for name, mode, _, _ in RANKERS:
        assert name not in text and mode not in text.replace(questions[0], "")
    first_hybrid = bundled_pipeline.retriever().cards(questions[0], mode="hybrid", k=5)
    order = [p.start for p in pooled]
    assert order != [h.location.char_start for h in first_hybrid][: len(order)], "not in the hybrid ranker's order"


def test_collecting_checks_every_grade_and_quote(bundled_pipeline, tmp_path):
    pooled = pool(bundled_pipeline, ["What did Security Council resolution 2331 address?"])
    write_sheets(pooled, tmp_path, questions_per_sheet=10)
    first, *rest = pooled
    quote = " ".join(first.text.split()[:6])
    lines = [{"id": first.id, "grade": 2, "answer": [quote]}] + [{"id": p.id, "grade": 0} for p in rest[:-1]]
    write(tmp_path / "grades-01.jsonl", "\n".join(json.dumps(line) for line in lines))
    judgments, problems = collect(tmp_path)
    assert problems == [f"{rest[-1].id} is not graded"]
    (answering,) = [j for j in judgments if j.grade == 2]
    assert " ".join(answering.answer[0].text.split()) == quote and answering.answer[0].start == first.start

    lines += [
        {"id": rest[-1].id, "grade": 2, "answer": ["words the passage never says"]},
        {"id": "Pnothing", "grade": 1},
    ]
    write(tmp_path / "grades-01.jsonl", "\n".join(json.dumps(line) for line in lines))
    _, problems = collect(tmp_path)
    assert any("quote not in the passage" in p for p in problems) and any(
        "unknown id 'Pnothing'" in p for p in problems
    )
    assert any("grade 2 needs the sentence" in p for p in problems)


@pytest.mark.parametrize("grade", [3, -1, "2"])
def test_a_grade_outside_0_1_2_is_refused(bundled_pipeline, tmp_path, grade):
    pooled = pool(bundled_pipeline, ["What did Security Council resolution 2331 address?"])
    write_sheets(pooled, tmp_path, questions_per_sheet=10)
    write(tmp_path / "grades-01.jsonl", json.dumps({"id": pooled[0].id, "grade": grade}))
    _, problems = collect(tmp_path)
    assert any("grade must be 0, 1 or 2" in p for p in problems)


def test_judgments_follow_a_passage_whose_broken_web_address_was_joined(tmp_path):
    # From 2026-12-06 the PDF reader joins a web address the layout broke over two lines.
    old = "Forms are at www.gov.uk/ government/forms. Victims are offered a recovery period of 45 days."
    new = "Intro. Forms are at www.gov.uk/government/forms. Victims are offered a recovery period of 45 days."
    quote = old.index("Victims"), len(old)
    by_question, problems = load_judgments(whole_passage_judged(tmp_path, old, quote), lambda document: new)
    start = new.index("Victims")
    assert not problems and by_question["q"].grade("d", start, len(new)) == 2
    assert by_question["q"].grade("d", 0, 6) == 0, "the text before the judged passage is not judged"
