"""Graded relevance judgments of pooled passages, made blind to the ranker that found them.

Strict labels (one answer phrase per question) undercount: another passage may answer too. So
for each answerable question of a set, the cards of several rankers are pooled, shuffled and
written to judging sheets that do not say which ranker returned a passage; a judge grades each
passage 2 (states the answer; the judge quotes the sentence or sentences that do), 1 (relevant,
but not the answer) or 0 (not relevant). The grades are collected into
``eval/judgments/<set>.jsonl``, committed, and never edited after.

A card is graded from the judgments of its question:

* 2 when it holds, whole, a quote that a judge said states the answer;
* 1 when at least half of its text lies in passages judged 1 or 2;
* 0 otherwise: a passage nobody judged counts as not relevant.

So a card that a later stage cuts differently (a window of sentences, a neighbouring chunk) is
still graded by what the judges read, and never credited for text they did not see.

Pooling and collecting are run by hand (``python -m assistant.judgments pool|collect``);
``eval`` reads the committed judgments.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from .errors import ConfigError

JUDGMENTS_FOLDER = Path(__file__).resolve().parents[1] / "eval" / "judgments"

RANKERS: tuple[tuple[str, str, int, int], ...] = (
    ("hybrid, cards 1-5", "hybrid", 0, 5),
    ("lexical, cards 1-5", "lexical", 0, 5),
    ("dense, cards 1-5", "dense", 0, 5),
    ("hybrid, cards 6-10", "hybrid", 5, 10),
)
"""The rankers pooled: (name, mode, first card, last card). Only the pool, not who found what, is kept."""


class AnswerQuote(BaseModel):
    start: int
    end: int
    """Offsets in the document's extracted text."""
    text: str


class Judgment(BaseModel):
    question: str
    document: str
    start: int
    end: int
    text: str
    """The passage as the judge read it (verbatim; its offsets in the document's text)."""
    grade: Literal[0, 1, 2]
    answer: list[AnswerQuote] = Field(default_factory=list)
    """For grade 2: the sentence or sentences of the passage that state the answer."""


class PooledPassage(BaseModel):
    id: str
    """Opaque: says nothing about the ranker that found it."""
    question: str
    document: str
    start: int
    end: int
    text: str


def judgments_path(question_file: Path) -> Path:
    """Where the judgments of a question set are kept: ``eval/judgments/<set file's stem>.jsonl``."""
    return question_file.parent / "judgments" / f"{question_file.stem}.jsonl"


# --- grading cards -------------------------------------------------------------------------------


class QuestionJudgments:
    """The judgments of one question, located in the documents' current text."""

    def __init__(self, judgments: list[Judgment]):
        self.judgments = judgments
        self.relevant: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.answers: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for judgment in judgments:
            if judgment.grade >= 1:
                self.relevant[judgment.document].append((judgment.start, judgment.end))
            for quote in judgment.answer:
                self.answers[judgment.document].append((quote.start, quote.end))

    def grade(self, document: str, start: int, end: int) -> int:
        """A card's grade (see the module's docstring)."""
        if any(start <= a and b <= end for a, b in self.answers.get(document, ())):
            return 2
        covered = _covered(self.relevant.get(document, ()), start, end)
        return 1 if end > start and covered * 2 >= end - start else 0

    def ideal(self, depth: int) -> list[int]:
        """The best grades a ranking could show, from the judged pool."""
        return sorted((j.grade for j in self.judgments), reverse=True)[:depth]


def _covered(spans, start: int, end: int) -> int:
    """Characters of [start, end) inside the union of some spans."""
    pieces = sorted((max(a, start), min(b, end)) for a, b in spans if a < end and start < b)
    total, reach = 0, start
    for a, b in pieces:
        a = max(a, reach)
        if b > a:
            total += b - a
            reach = b
    return total


def load_judgments(path: Path, document_text) -> tuple[dict[str, QuestionJudgments], list[str]]:
    """The judgments of a set, by question; ``document_text(id)`` gives a document's current text.
    A judged passage whose text has moved (the extraction changed) is found again by its text;
    one no longer in the text is left out and named in the returned problems."""
    by_question: dict[str, list[Judgment]] = defaultdict(list)
    problems = []
    cache: dict[str, str | None] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            judgment = Judgment.model_validate_json(line)
        except ValueError as error:
            raise ConfigError(f"{path}:{number}: not a judgment ({error})") from None
        if judgment.document not in cache:
            cache[judgment.document] = document_text(judgment.document)
        text = cache[judgment.document]
        located = _relocate(judgment, text)
        if located is None:
            problems.append(
                f"{judgment.document}: a judged passage is no longer in the extracted text ({judgment.text[:50]!r}...)"
            )
            continue
        by_question[judgment.question].append(located)
    return {question: QuestionJudgments(items) for question, items in by_question.items()}, problems


def _relocate(judgment: Judgment, text: str | None) -> Judgment | None:
    if text is None:
        return None
    if text[judgment.start : judgment.end] == judgment.text:
        return judgment
    found = text.find(judgment.text)
    if found >= 0:
        shift = found - judgment.start
        return judgment.model_copy(
            update={
                "start": found,
                "end": found + len(judgment.text),
                "answer": [
                    q.model_copy(update={"start": q.start + shift, "end": q.end + shift}) for q in judgment.answer
                ],
            }
        )
    # The same words with a hyphen or a space more or less: the PDF reader kept, from 2026-12-05,
    # the hyphen of a compound broken at a line's end ("rat-" + "infested" had been read
    # "ratinfested"), and from 2026-12-06 joins a web address broken over two lines without a
    # space ("www.gov.uk/ government/").
    document, at = _compared(text)
    passage, _ = _compared(judgment.text)
    found = document.find(passage) if passage else -1
    if found < 0:
        return None

    def kept(offset: int) -> int:
        """How many compared characters of the judged passage come before ``offset``."""
        return sum(1 for c in judgment.text[: offset - judgment.start] if _counts(c))

    def moved(offset: int) -> int:
        """Where a quote that starts at ``offset`` of the judged passage starts in the current text."""
        return at[found + kept(offset)] if found + kept(offset) < len(at) else len(text)

    def moved_end(offset: int) -> int:
        """Where a quote that ends at ``offset`` ends: after its last compared character."""
        return at[found + kept(offset) - 1] + 1 if kept(offset) else moved(offset)

    end = at[found + len(passage) - 1] + 1
    return judgment.model_copy(
        update={
            "start": at[found],
            "end": end,
            "text": text[at[found] : end],
            "answer": [
                q.model_copy(update={"start": moved(q.start), "end": min(moved_end(q.end), end)})
                for q in judgment.answer
            ],
        }
    )


def _counts(character: str) -> bool:
    """Whether a character is compared when a judged passage is found again (hyphens and spaces
    are not)."""
    return character != "-" and not character.isspace()


@lru_cache(maxsize=16)  # a document's text, asked again for each of its judged passages
def _compared(text: str) -> tuple[str, list[int]]:
    """The text less its hyphens and spaces, and where each of its characters is in the text."""
    at = [n for n, c in enumerate(text) if _counts(c)]
    return "".join(text[n] for n in at), at


# --- pooling and collecting (run by hand) ---------------------------------------------------------


def pool(pipeline, questions: list[str], rankers=RANKERS) -> list[PooledPassage]:
    """Every ranker's cards for every question, each distinct passage once, in no ranker's order."""
    retriever = pipeline.retriever()
    pooled: list[PooledPassage] = []
    for question in questions:
        seen: set[tuple[str, int, int]] = set()
        found: list[PooledPassage] = []
        for _, mode, first, last in rankers:
            for hit in retriever.cards(question, mode=mode, k=last)[first:last]:
                key = (hit.document.id, hit.location.char_start, hit.location.char_end)
                if key in seen:
                    continue
                seen.add(key)
                digest = hashlib.sha256(f"{question}\n{key}".encode()).hexdigest()[:8]
                found.append(
                    PooledPassage(
                        id=f"P{digest}", question=question, document=key[0], start=key[1], end=key[2], text=hit.text
                    )
                )
        random.Random(question).shuffle(found)
        pooled.extend(found)
    return pooled


SHEET_HEAD = """# Judging sheet {number}

For each question, grade every passage below it, as a practitioner who must act on the answer:

* 2: the passage states the answer to the question (quote, verbatim, the sentence or sentences
  that state it: the shortest part that answers on its own);
* 1: relevant to the question, but does not answer it;
* 0: not relevant.

Judge each passage on its own text. Write one JSON object per line to `{grades}`:
{{"id": "P1a2b3c4d", "grade": 2, "answer": ["the verbatim sentence"]}}
(`answer` only for grade 2; each quote copied exactly from the passage).

"""


def write_sheets(pooled: list[PooledPassage], folder: Path, questions_per_sheet: int) -> list[Path]:
    """Judging sheets of a few questions each, and ``key.jsonl`` (every pooled passage by id)."""
    folder.mkdir(parents=True, exist_ok=True)
    by_question: dict[str, list[PooledPassage]] = defaultdict(list)
    for passage in pooled:
        by_question[passage.question].append(passage)
    with (folder / "key.jsonl").open("w", encoding="utf-8") as key:
        for passage in pooled:
            key.write(passage.model_dump_json() + "\n")
    questions = list(by_question)
    sheets = []
    for number, begin in enumerate(range(0, len(questions), questions_per_sheet), start=1):
        sheet = folder / f"sheet-{number:02d}.md"
        parts = [SHEET_HEAD.format(number=number, grades=f"grades-{number:02d}.jsonl")]
        for question in questions[begin : begin + questions_per_sheet]:
            parts.append(f"\n## Question: {question}\n")
            for passage in by_question[question]:
                parts.append(f"\n### {passage.id}\n\n{passage.text.strip()}\n")
        sheet.write_text("".join(parts), encoding="utf-8")
        sheets.append(sheet)
    return sheets


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _quote_span(passage: PooledPassage, quote: str) -> tuple[int, int] | None:
    """Where a judge's quote sits in the passage (whitespace may differ), in document offsets."""
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(w) for w in words), passage.text)
    return (passage.start + match.start(), passage.start + match.end()) if match else None


def collect(folder: Path) -> tuple[list[Judgment], list[str]]:
    """The judges' grades (``grades-*.jsonl``) joined to the pooled passages; problems name every
    passage not graded, graded twice, or quoted wrongly."""
    key = {
        p.id: p
        for p in (
            PooledPassage.model_validate_json(line)
            for line in (folder / "key.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        )
    }
    grades: dict[str, dict] = {}
    problems = []
    for path in sorted(folder.glob("grades-*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                problems.append(f"{path.name}:{number}: not JSON")
                continue
            pid = record.get("id")
            if pid not in key:
                problems.append(f"{path.name}:{number}: unknown id {pid!r}")
            elif pid in grades:
                problems.append(f"{path.name}:{number}: {pid} graded twice")
            elif record.get("grade") not in (0, 1, 2):
                problems.append(f"{path.name}:{number}: {pid}: grade must be 0, 1 or 2")
            else:
                grades[pid] = record
    judgments = []
    for pid, passage in key.items():
        record = grades.get(pid)
        if record is None:
            problems.append(f"{pid} is not graded")
            continue
        quotes = []
        for quote in record.get("answer") or [] if record["grade"] == 2 else []:
            span = _quote_span(passage, str(quote))
            if span is None:
                problems.append(f"{pid}: quote not in the passage: {str(quote)[:60]!r}")
            else:
                quotes.append(
                    AnswerQuote(
                        start=span[0], end=span[1], text=passage.text[span[0] - passage.start : span[1] - passage.start]
                    )
                )
        if record["grade"] == 2 and not quotes:
            problems.append(f"{pid}: grade 2 needs the sentence that states the answer")
        judgments.append(
            Judgment(
                question=passage.question,
                document=passage.document,
                start=passage.start,
                end=passage.end,
                text=passage.text,
                grade=record["grade"],
                answer=quotes,
            )
        )
    return judgments, problems


def main(argv: list[str] | None = None) -> int:
    """``pool SET.toml FOLDER [QUESTIONS_PER_SHEET]``: write blind judging sheets for a question set.
    ``collect FOLDER SET.toml``: join the grades and write ``eval/judgments/<set>.jsonl``."""
    from .config import Settings
    from .evaluate import load_question_set, pipeline_for, question_set_corpus

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) >= 3 and args[0] == "pool":
        question_file, folder = Path(args[1]), Path(args[2])
        question_set = load_question_set(question_file)
        settings = Settings()
        pipeline, _ = pipeline_for(
            settings, question_set_corpus(question_set.corpus, question_file, settings), None, "questions"
        )
        pipeline.build()
        pooled = pool(pipeline, [q.text for q in question_set.questions])
        sheets = write_sheets(pooled, folder, int(args[3]) if len(args) > 3 else 10)
        print(f"{len(pooled)} passages for {len(question_set.questions)} questions in {len(sheets)} sheets in {folder}")
        return 0
    if len(args) == 3 and args[0] == "collect":
        folder, question_file = Path(args[1]), Path(args[2])
        judgments, problems = collect(folder)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        target = judgments_path(question_file)
        if target.exists():
            print(f"{target} exists: judgments are never edited after they are committed", file=sys.stderr)
            return 1
        target.parent.mkdir(parents=True, exist_ok=True)
        judgments.sort(key=lambda j: (j.question, j.document, j.start, j.end))
        target.write_text("".join(j.model_dump_json() + "\n" for j in judgments), encoding="utf-8")
        print(f"wrote {target}: {len(judgments)} judgments")
        return 0
    print(main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
