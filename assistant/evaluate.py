"""Retrieval evaluation: labelled question sets (answerable questions with the passage that
answers them, and off-topic questions that should abstain) and BEIR-format benchmarks, measured
for lexical, dense and hybrid search side by side on the same index.

A result answers a labelled question when it comes from the named document and its span overlaps
the named phrase: robust to chunk boundaries, strict about the source.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import time
import tomllib
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from .config import Settings
from .errors import ConfigError
from .judgments import QuestionJudgments
from .models import MODES
from .pipeline import Pipeline
from .retrieve.abstain import RULES
from .retrieve.learn import QuestionRows, QuestionSignals
from .retrieve.ranker import LogisticModel, feature_matrix
from .retrieve.stages import STAGES, learned_head


class Expected(BaseModel):
    document: str
    answer: str


class LabelledQuestion(BaseModel):
    text: str
    document: str
    answer: str
    correct: str | None = None
    """For a misspelt question: the question spelt correctly (it should find what this finds)."""
    also: list[tuple[str, str]] = Field(default_factory=list)
    also_reviewed: list[tuple[str, str]] = Field(default_factory=list)
    """Passages accepted after reviewing a run's misses; ignored with ``strict``."""

    def expected(self, strict: bool = False) -> list[Expected]:
        extra = self.also if strict else self.also + self.also_reviewed
        return [Expected(document=self.document, answer=self.answer)] + [
            Expected(document=d, answer=a) for d, a in extra
        ]


class OffTopic(BaseModel):
    text: str


class QuestionSet(BaseModel):
    name: str
    corpus: str | list[str] | None = None
    """One folder, or several combined into one corpus (each becomes a subfolder named after it)."""
    questions: list[LabelledQuestion]
    off_topic: list[OffTopic]
    frozen: bool = False
    """A held-out test set: reported once, never tuned or fitted on (``eval --fit`` refuses it)."""
    near_miss: list[OffTopic] = Field(default_factory=list)
    """Questions in the corpus's own field whose answer it does not hold (another country's law,
    a year's figures it lacks): abstention is right, and is harder than for off-topic ones."""

    @field_validator("questions")
    @classmethod
    def _not_empty(cls, value):
        if not value:
            raise ValueError("a question set needs at least one answerable question")
        return value


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read question set ({error})") from error


def load_question_set(path: Path) -> QuestionSet:
    """Read a question set. ``[meta] questions_from = "other.toml"`` takes another set's questions
    and labels unchanged, to ask them of a larger corpus; ``document_folder`` is the subfolder that
    set's documents sit in there (their ids gain that prefix)."""
    data = _read_toml(path)
    meta = data.get("meta", {})
    if "questions_from" in meta:
        source = _read_toml(path.parent / meta["questions_from"])
        if source.get("meta", {}).get("frozen"):
            raise ConfigError(f"{path}: questions_from names a frozen test set, whose questions are never reused")
        prefix = f"{meta['document_folder'].strip('/')}/" if meta.get("document_folder") else ""
        for question in source.get("question", []):
            question["document"] = prefix + question["document"]
            for key in ("also", "also_reviewed"):
                question[key] = [[prefix + document, answer] for document, answer in question.get(key, [])]
        data = {**source, "meta": meta}
    return QuestionSet(
        name=meta.get("name", path.stem),
        corpus=meta.get("corpus"),
        frozen=bool(meta.get("frozen", False)),
        questions=[LabelledQuestion(**q) for q in data.get("question", [])],
        off_topic=[OffTopic(**q) for q in data.get("off_topic", [])],
        near_miss=[OffTopic(**q) for q in data.get("near_miss", [])],
    )


ERROR_KINDS = (
    "answer first",
    "right document, another passage",
    "another document",
    "refused",
    "answer not in the extracted text",
)
"""Where each answerable question's first card stands against its strict label."""


class ModeScores(BaseModel):
    mode: str
    mrr_at_10: float
    hit_at_1: float
    hit_at_5: float
    hit_at_3: float = 0.0
    first_cards: dict[str, int] = Field(default_factory=dict)
    """How many questions fall in each of ``ERROR_KINDS``."""
    first_card_answers: float | None = None
    """Share of answerable questions whose first card a judge said states the answer (None: the
    set has no judgments)."""
    ndcg_at_5: float | None = None
    """Mean nDCG@5 over the graded judgments, over the questions whose pool holds a relevant passage."""
    judged_questions: int = 0
    """Questions that nDCG@5 averages over."""
    misspelt_kept: int = 0
    """Misspelt questions (those with a ``correct`` spelling) that find the answer in the first
    five cards when their correct spelling does..."""
    misspelt_total: int = 0
    """...out of those whose correct spelling does."""
    respelt: int = 0
    """Questions of the set written correctly (no ``correct`` spelling given) whose words spelling
    correction changed anyway: each is a question the tolerance may have harmed."""
    respelt_first_changed: int = 0
    """...of which the first card (or the refusal) differs from that of the words as typed."""
    ranks: list[int | None] = Field(default_factory=list)
    """Each answerable question's rank of the first card that answers it (strict), in order."""
    abstain_precision: float
    abstain_recall: float
    answerable_refused: int
    refused_answer_closest: int = 0
    """...of which the answer is among the closest passages shown under the refusal."""
    off_topic_abstained: int
    off_topic_total: int
    near_miss_abstained: int = 0
    near_miss_total: int = 0
    answerable_total: int
    failures: list[str] = Field(default_factory=list)
    milliseconds_per_question: float = 0.0


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def locate(document_text: str, phrase: str) -> list[tuple[int, int]]:
    """Every span of ``phrase`` in the document (a guidance may state a rule twice, word for
    word): the same words in the same order, whatever the spacing, punctuation, bullets or case
    between them (or a hyphen within a word), so that a label survives a change of text
    extraction but not of wording."""
    words = re.findall(r"\w+", phrase)
    if not words:
        return []
    # A phrase may end inside a word (labels were cut at a character count), never start inside one.
    # A word may be written with a hyphen that an earlier extraction dropped at a line's end: a
    # label written as "ratinfested" still finds "rat-infested".
    pattern = r"\b" + r"\W+".join("-?".join(re.escape(c) for c in word) for word in words)
    return [(m.start(), m.end()) for m in re.finditer(pattern, document_text, flags=re.IGNORECASE)]


def resolve_expectations(
    pipeline: Pipeline, question_set: QuestionSet, strict: bool = False, missing_ok: bool = False
) -> dict[int, list[tuple[str, tuple[int, int]]]]:
    """Each question's (document id, answer span) pairs; a phrase not found verbatim is an error
    in the question set, reported with the question (with ``missing_ok``, the question has no
    span: its answer is not in the extracted text)."""
    store = pipeline.open().store
    cache: dict[str, str | None] = {}
    resolved: dict[int, list[tuple[str, tuple[int, int]]]] = {}
    problems = []
    for index, question in enumerate(question_set.questions):
        spans = []
        for expected in question.expected(strict):
            if expected.document not in cache:
                document = store.document(expected.document)
                cache[expected.document] = document.text if document else None
            text = cache[expected.document]
            if text is None:
                problems.append(f"{question.text!r}: no document {expected.document!r} in the index")
                continue
            found = locate(text, expected.answer)
            if not found:
                problems.append(f"{question.text!r}: phrase not found in {expected.document}: {expected.answer[:60]!r}")
                continue
            spans.extend((expected.document, span) for span in found)
        resolved[index] = spans
    if problems and not missing_ok:
        raise ConfigError("the question set does not match the corpus:\n  " + "\n  ".join(problems))
    return resolved


def evaluate_question_set(
    pipeline: Pipeline,
    question_set: QuestionSet,
    modes=MODES,
    k: int = 10,
    strict: bool = False,
    judgments: dict[str, QuestionJudgments] | None = None,
) -> list[ModeScores]:
    """Each mode's scores on a set: strict labels (MRR@10, hit@1/3/5, where the first card
    stands), abstention, and, with ``judgments``, the judged first card and nDCG@5."""
    expectations = resolve_expectations(pipeline, question_set, strict, missing_ok=True)
    results = []
    for mode in modes:
        reciprocal_ranks, hits, refused, refused_closest, failures = [], {1: 0, 3: 0, 5: 0}, 0, 0, []
        first_cards = dict.fromkeys(ERROR_KINDS, 0)
        answered_first, ndcgs, ranks = 0, [], []
        misspelt_kept = misspelt_total = respelt = respelt_first_changed = 0
        started = time.perf_counter()
        for index, question in enumerate(question_set.questions):
            answer = pipeline.ask(question.text, k=k, mode=mode)
            expected = expectations[index]
            rank = None
            for hit in answer.hits:
                if any(
                    hit.document.id == document and hit.location.char_start < end and start < hit.location.char_end
                    for document, (start, end) in expected
                ):
                    rank = hit.rank
                    break
            if answer.abstained:
                refused += 1
                refused_closest += _rank_of(answer, expected, answer.closest) is not None
            reciprocal_ranks.append(1.0 / rank if rank else 0.0)
            ranks.append(rank)
            for depth in hits:
                hits[depth] += bool(rank and rank <= depth)
            first_cards[_first_card_kind(answer, expected, rank)] += 1
            if question.correct is None and answer.corrections:
                respelt += 1
                typed = pipeline.ask(question.text, k=k, mode=mode, as_typed=True)
                respelt_first_changed += _first_card(typed) != _first_card(answer)
            if (
                question.correct is not None
                and _rank_of(pipeline.ask(question.correct, k=k, mode=mode), expected) is not None
            ):
                misspelt_total += 1
                misspelt_kept += bool(rank and rank <= 5)
            if judgments is not None:
                judged = judgments.get(question.text, QuestionJudgments([]))
                grades = [
                    judged.grade(hit.document.id, hit.location.char_start, hit.location.char_end)
                    for hit in answer.hits[:5]
                ]
                answered_first += bool(grades and grades[0] == 2)
                ideal = _dcg(judged.ideal(5))
                if ideal > 0:
                    ndcgs.append(_dcg(grades) / ideal)
            if rank != 1:
                got = (
                    "abstained"
                    if answer.abstained
                    else (f"{answer.hits[0].document.id} @1" if answer.hits else "nothing")
                )
                failures.append(f"[{'rank ' + str(rank) if rank else 'missed'}] {question.text} -> {got}")
        abstained = {"off-topic": 0, "near miss": 0}
        for kind, unanswerable in (("off-topic", question_set.off_topic), ("near miss", question_set.near_miss)):
            for question in unanswerable:
                answer = pipeline.ask(question.text, k=k, mode=mode)
                if answer.abstained:
                    abstained[kind] += 1
                else:
                    failures.append(f"[answered {kind}] {question.text} -> {answer.hits[0].document.id}")
        abstained_off = abstained["off-topic"] + abstained["near miss"]
        unanswerable_total = len(question_set.off_topic) + len(question_set.near_miss)
        elapsed = time.perf_counter() - started
        count = len(question_set.questions)
        predicted = abstained_off + refused
        results.append(
            ModeScores(
                mode=mode,
                mrr_at_10=sum(reciprocal_ranks) / count,
                hit_at_1=hits[1] / count,
                hit_at_3=hits[3] / count,
                hit_at_5=hits[5] / count,
                first_cards=first_cards,
                first_card_answers=answered_first / count if judgments is not None else None,
                ndcg_at_5=sum(ndcgs) / len(ndcgs) if judgments is not None and ndcgs else None,
                judged_questions=len(ndcgs),
                misspelt_kept=misspelt_kept,
                ranks=ranks,
                misspelt_total=misspelt_total,
                respelt=respelt,
                respelt_first_changed=respelt_first_changed,
                abstain_precision=abstained_off / predicted if predicted else 1.0,
                abstain_recall=abstained_off / unanswerable_total if unanswerable_total else 1.0,
                answerable_refused=refused,
                refused_answer_closest=refused_closest,
                off_topic_abstained=abstained["off-topic"],
                off_topic_total=len(question_set.off_topic),
                near_miss_abstained=abstained["near miss"],
                near_miss_total=len(question_set.near_miss),
                answerable_total=count,
                failures=failures,
                milliseconds_per_question=1000 * elapsed / (count + unanswerable_total),
            )
        )
    return results


def _rank_of(answer, expected: list[tuple[str, tuple[int, int]]], cards: list | None = None) -> int | None:
    """The rank of the first card (of ``cards``: the answer's by default) that overlaps an
    expected answer, if any in the first five."""
    for hit in (answer.hits if cards is None else cards)[:5]:
        if any(
            hit.document.id == document and hit.location.char_start < end and start < hit.location.char_end
            for document, (start, end) in expected
        ):
            return hit.rank
    return None


def _first_card_kind(answer, expected: list[tuple[str, tuple[int, int]]], rank: int | None) -> str:
    if not expected:
        return "answer not in the extracted text"
    if answer.abstained or not answer.hits:
        return "refused"
    if rank == 1:
        return "answer first"
    if answer.hits[0].document.id in {document for document, _ in expected}:
        return "right document, another passage"
    return "another document"


def _dcg(grades: list[int]) -> float:
    return sum(grade / math.log2(position + 2) for position, grade in enumerate(grades))


def _first_card(answer) -> int | None:
    """The chunk of an answer's first card (None: refused or nothing found)."""
    return None if answer.abstained or not answer.hits else answer.hits[0].chunk_id


def format_judged(title: str, scores: list[ModeScores]) -> str:
    """The judged figures and where the first cards stand, below the strict table."""
    lines = [title] if title else []
    for s in scores:
        judged = (
            f"first card answers (judged) {s.first_card_answers:.3f}, nDCG@5 {s.ndcg_at_5:.3f} over "
            f"{s.judged_questions} questions; "
            if s.first_card_answers is not None and s.ndcg_at_5 is not None
            else "no judgments; "
        )
        split = ", ".join(f"{kind} {n}" for kind, n in s.first_cards.items())
        spelling = (
            "; misspelt questions find in the first five what their correct spelling finds: "
            f"{s.misspelt_kept}/{s.misspelt_total}"
            if s.misspelt_total
            else ""
        )
        spelling += (
            f"; spelling correction changed the words of {s.respelt} correctly spelt question(s), "
            f"the first card of {s.respelt_first_changed}"
        )
        closest = (
            f" (the answer among the closest passages shown under {s.refused_answer_closest} of them)"
            if s.answerable_refused
            else ""
        )
        lines.append(f"  {s.mode}: {judged}first cards: {split}{closest}{spelling}")
    return "\n".join(lines)


_SCORE_COLUMNS = (
    f"{'MRR@10':>7} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6} {'judged@1':>8} {'nDCG@5':>7} "
    f"{'off-topic':>10} {'near miss':>10} {'refused':>8}"
)


def _score_cells(s: ModeScores) -> str:
    near_miss = f"{s.near_miss_abstained}/{s.near_miss_total}" if s.near_miss_total else "-"
    judged = f"{s.first_card_answers:>8.3f}" if s.first_card_answers is not None else f"{'-':>8}"
    ndcg = f"{s.ndcg_at_5:>7.3f}" if s.ndcg_at_5 is not None else f"{'-':>7}"
    return (
        f"{s.mrr_at_10:>7.3f} {s.hit_at_1:>6.3f} {s.hit_at_3:>6.3f} {s.hit_at_5:>6.3f} {judged} {ndcg} "
        f"{f'{s.off_topic_abstained}/{s.off_topic_total}':>10} {near_miss:>10} "
        f"{f'{s.answerable_refused}/{s.answerable_total}':>8}"
    )


def format_scores(title: str, scores: list[ModeScores]) -> str:
    header = f"{'mode':<8} {_SCORE_COLUMNS} {'ms/q':>6}"
    lines = [title, header, "-" * len(header)]
    lines.extend(f"{s.mode:<8} {_score_cells(s)} {s.milliseconds_per_question:>6.1f}" for s in scores)
    return "\n".join(lines)


# --- fitting the learned models on dev questions ---------------------------------------------------


def learning_rows(pipeline: Pipeline, question_set: QuestionSet, depth: int) -> list[QuestionRows]:
    """Each answerable question's candidates that the learned stage would score, as the chain
    ranks them up to that stage, with their signals and labels."""
    import numpy as np

    expectations = resolve_expectations(pipeline, question_set, strict=True)
    retriever = pipeline.retriever()
    store = pipeline.open().store
    groups = []
    for index, question in enumerate(question_set.questions):
        text, _ = retriever.prepare_query(question.text)
        asked = retriever.question(text, "hybrid")
        ranked, _ = retriever.rank(asked, before="learned ranker")
        head, _ = learned_head(ranked, depth)
        if not head:
            continue
        best_lexical = max((c.lexical for c in ranked if c.lexical is not None), default=0.0) or 1.0
        rows = store.chunk_rows([c.chunk_id for c in head])
        labels = np.array(
            [
                float(
                    any(
                        rows[c.chunk_id][1].id == document
                        and rows[c.chunk_id][0].char_start < end
                        and start < rows[c.chunk_id][0].char_end
                        for document, (start, end) in expectations[index]
                    )
                )
                if c.chunk_id in rows
                else 0.0
                for c in head
            ]
        )
        matrix = feature_matrix(retriever.lookups.candidate_signals(asked, head, best_lexical))
        groups.append(QuestionRows(question=question.text, source=question_set.name, matrix=matrix, labels=labels))
    return groups


def abstention_rows(pipeline: Pipeline, question_set: QuestionSet) -> list[QuestionSignals]:
    """Every question's abstention signals (answerable, off-topic and near-miss questions)."""
    retriever = pipeline.retriever()
    rows = []
    for kind, questions in (
        ("answerable", question_set.questions),
        ("off-topic", question_set.off_topic),
        ("near miss", question_set.near_miss),
    ):
        for question in questions:
            signals = retriever.signals_for(question.text)
            if signals is not None:
                rows.append(QuestionSignals(question=question.text, kind=kind, features=signals.features()))
    return rows


def beir_abstention_rows(
    pipeline: Pipeline, beir_dir: Path, split: str, every: int = 2, offset: int = 1
) -> list[QuestionSignals]:
    """Abstention signals of the BEIR claims numbered ``offset``, ``offset + every``, ... (all answerable)."""
    queries, _ = load_beir_queries(beir_dir, split)
    retriever = pipeline.retriever()
    rows = []
    for text in list(queries.values())[offset::every]:
        signals = retriever.signals_for(text)
        if signals is not None:
            rows.append(
                QuestionSignals(question=text, kind="answerable", features=signals.features(), source="other domain")
            )
    return rows


def fit_learned_models(
    settings: Settings,
    sets: list[tuple[QuestionSet, Path]],
    index_dir: Path | None,
    beir_dir: Path | None,
    split: str,
    build,
) -> tuple[LogisticModel, LogisticModel]:
    """Fit the ranker, then abstention on the ranker's output (its probability is one of
    abstention's signals), on dev question sets and, with ``beir_dir``, every other claim of a
    BEIR set (another domain, all answerable: abstention must not learn that only this field's
    questions are answerable; the other claims stay out to measure refusals on unseen claims).
    ``build(pipeline)`` brings each index up to date (the BEIR one too: a cached index of an
    older format is rebuilt, not refused). Writes both to ``learned.json``."""
    from .retrieve.learn import fit_abstention, fit_ranker
    from .retrieve.ranker import LEARNED_FILE, load_model

    def with_learned(ranker: bool, abstention: bool) -> Settings:
        return settings.model_copy(
            update={
                "retrieve": settings.retrieve.model_copy(
                    update={"learned_ranker": ranker, "learned_abstention": abstention}
                )
            }
        )

    def save(name: str, model: LogisticModel) -> None:
        models = json.loads(LEARNED_FILE.read_text(encoding="utf-8")) if LEARNED_FILE.exists() else {}
        models[name] = model.model_dump(mode="json")
        LEARNED_FILE.write_text(json.dumps(models, indent=2) + "\n", encoding="utf-8")
        load_model.cache_clear()

    groups = []
    for question_set, corpus in sets:
        pipeline, _ = pipeline_for(with_learned(True, False), corpus, index_dir, "questions")
        build(pipeline)
        groups.extend(learning_rows(pipeline, question_set, settings.retrieve.learned_depth))
        pipeline.close()
    ranker = fit_ranker(groups)
    save("ranker", ranker)
    rows = []
    for question_set, corpus in sets:
        pipeline, _ = pipeline_for(with_learned(True, False), corpus, index_dir, "questions")
        rows.extend(abstention_rows(pipeline, question_set))
        pipeline.close()
    if beir_dir is not None:
        corpus = materialise_beir_corpus(beir_dir, cache_dir_for("beir", beir_dir) / "corpus")
        pipeline, _ = pipeline_for(with_learned(True, False), corpus, cache_dir_for("beir", beir_dir) / "index", "beir")
        build(pipeline)
        rows.extend(beir_abstention_rows(pipeline, beir_dir, split, every=2, offset=1))
        pipeline.close()
    abstention = fit_abstention(rows)
    save("abstention", abstention)
    return ranker, abstention


ABLATIONS: dict[str, dict] = {"all stages on": {}} | {
    f"{stage.name} off": dict(stage.off)
    for stage in (*STAGES, *RULES)
    if stage.off and not getattr(stage, "follow_ups_only", False)
}
"""Settings that turn one declared ranking stage or abstention rule off, for ``eval --ablation``
(a stage that runs only for follow-ups is ablated on the conversation sets instead)."""

CONVERSATION_ABLATIONS: dict[str, dict] = {
    f"{stage.name} off": dict(stage.off) for stage in STAGES if stage.follow_ups_only and stage.off
}
"""The stages that run only for a follow-up, each turned off, for ``eval --ablation --conversations``."""


def mcnemar(before: list[int | None], after: list[int | None], depth: int = 1) -> tuple[int, int, float]:
    """The paired test of two runs over the same questions on hits within ``depth``: how many
    questions only ``before`` answered, how many only ``after`` did, and the exact two-sided
    p-value of a difference that large (the binomial test on the questions that differ)."""
    hit = lambda rank: rank is not None and rank <= depth  # noqa: E731
    lost = sum(hit(b) and not hit(a) for b, a in zip(before, after))
    gained = sum(hit(a) and not hit(b) for b, a in zip(before, after))
    n = lost + gained
    if n == 0:
        return lost, gained, 1.0
    tail = sum(math.comb(n, i) for i in range(0, min(lost, gained) + 1)) / 2**n
    return lost, gained, min(1.0, 2 * tail)


def format_side_by_side(rows: list[tuple[str, ModeScores]]) -> str:
    header = f"{'set':<52} {_SCORE_COLUMNS}"
    lines = [header, "-" * len(header)]
    lines.extend(f"{label[:52]:<52} {_score_cells(s)}" for label, s in rows)
    return "\n".join(lines)


# --- BEIR ----------------------------------------------------------------------------------------


class BeirScores(BaseModel):
    mode: str
    ndcg_at_10: float
    recall_at_100: float
    queries: int
    milliseconds_per_query: float
    refused: int = 0
    """Claims that ``ask`` refused as unanswerable (every BEIR query with judgments is answerable)."""
    refused_unseen: int = 0
    """...of which among the even-numbered claims, which ``eval --fit --beir`` never fits on."""
    unseen: int = 0


def materialise_beir_corpus(beir_dir: Path, target: Path) -> Path:
    """Write a BEIR corpus.jsonl as one Markdown file per document (title as heading), once."""
    marker = target / ".complete"
    source = beir_dir / "corpus.jsonl"
    stamp = f"{source.stat().st_size}-{source.stat().st_mtime_ns}"
    if marker.exists() and marker.read_text() == stamp:
        return target
    target.mkdir(parents=True, exist_ok=True)
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", str(record["_id"]))
            title = " ".join(str(record.get("title") or "").split())
            body = str(record.get("text") or "").strip()
            (target / f"{name}.md").write_text((f"# {title}\n\n" if title else "") + body + "\n", encoding="utf-8")
    marker.write_text(stamp)
    return target


def load_beir_queries(beir_dir: Path, split: str) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    queries = {}
    with (beir_dir / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            queries[str(record["_id"])] = record["text"]
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    qrels_path = beir_dir / "qrels" / f"{split}.tsv"
    if not qrels_path.exists():
        raise ConfigError(f"{qrels_path} is missing: BEIR folders hold qrels/<split>.tsv")
    with qrels_path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            parts = line.rstrip("\n").split("\t")
            if number == 0 and parts[0] == "query-id":
                continue
            if len(parts) >= 3 and int(parts[2]) > 0:
                qrels[parts[0]][parts[1]] = int(parts[2])
    return {q: t for q, t in queries.items() if q in qrels}, dict(qrels)


def evaluate_beir(
    pipeline: Pipeline, queries: dict[str, str], qrels: dict[str, dict[str, int]], modes=MODES
) -> list[BeirScores]:
    """nDCG@10 and recall@100 over documents (a document ranks at its best chunk)."""
    retriever = pipeline.retriever()
    results = []
    for mode in modes:
        ndcgs, recalls = [], []
        started = time.perf_counter()
        for query_id, text in queries.items():
            ranked = retriever.rank_documents(text, mode=mode, limit=100)
            ranking = [Path(doc).stem for doc in ranked]
            relevant = qrels[query_id]
            dcg = sum(relevant.get(doc, 0) / math.log2(position + 2) for position, doc in enumerate(ranking[:10]))
            ideal = sum(
                grade / math.log2(position + 2)
                for position, grade in enumerate(sorted(relevant.values(), reverse=True)[:10])
            )
            ndcgs.append(dcg / ideal if ideal else 0.0)
            recalls.append(len(set(ranking[:100]) & set(relevant)) / len(relevant))
        elapsed = time.perf_counter() - started
        abstained = [pipeline.ask(text, mode=mode).abstained for text in queries.values()]
        results.append(
            BeirScores(
                mode=mode,
                ndcg_at_10=sum(ndcgs) / len(ndcgs),
                recall_at_100=sum(recalls) / len(recalls),
                queries=len(queries),
                milliseconds_per_query=1000 * elapsed / max(len(queries), 1),
                refused=sum(abstained),
                refused_unseen=sum(abstained[0::2]),
                unseen=len(abstained[0::2]),
            )
        )
    return results


def format_beir(title: str, scores: list[BeirScores]) -> str:
    header = f"{'mode':<8} {'nDCG@10':>8} {'recall@100':>11} {'queries':>8} {'refused':>8} {'refused, unseen':>16} {'ms/q':>6}"
    lines = [title, header, "-" * len(header)]
    for s in scores:
        lines.append(
            f"{s.mode:<8} {s.ndcg_at_10:>8.3f} {s.recall_at_100:>11.3f} {s.queries:>8} {s.refused:>8} "
            f"{f'{s.refused_unseen}/{s.unseen}':>16} {s.milliseconds_per_query:>6.1f}"
        )
    return "\n".join(lines)


def materialise_combined_corpus(folders: list[Path], target: Path) -> Path:
    """Copy several folders into one corpus, each as a subfolder named after it (document ids
    read ``iasc/Voices.pdf``), once; files the same in two folders are left for the build's
    duplicate detection to name."""
    marker = target.parent / f".{target.name}-complete"
    stamp = "\n".join(f"{folder.resolve()}:{sum(1 for _ in folder.rglob('*'))}" for folder in folders)
    if marker.exists() and marker.read_text() == stamp:
        return target
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        shutil.copytree(folder, target / folder.resolve().name)
    marker.write_text(stamp)
    return target


def cache_dir_for(kind: str, source: Path) -> Path:
    digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:10]
    return Path(".cache") / "eval" / f"{kind}-{source.resolve().name}-{digest}"


def combined_cache_dir(folders: list[Path]) -> Path:
    """One cache per set of folders, so that every question set over the same folders (a dev set
    and the frozen test set over the whole library) shares one corpus copy and one index."""
    digest = hashlib.sha256("\n".join(str(folder.resolve()) for folder in folders).encode()).hexdigest()[:10]
    return Path(".cache") / "eval" / f"combined-{'+'.join(folder.resolve().name for folder in folders)}-{digest}"


def pipeline_for(settings: Settings, corpus: Path, index: Path | None, kind: str) -> tuple[Pipeline, Path]:
    index = index or cache_dir_for(kind, corpus) / "index"
    return Pipeline(settings, index_dir=index, corpus_dir=corpus), index


# --- conversations ---------------------------------------------------------------------------------


class ConversationTurn(BaseModel):
    text: str
    document: str
    answer: str
    standalone: str | None = None
    """For a follow-up: the question written out in full (the ceiling of what context can do)."""


class Conversation(BaseModel):
    turn: list[ConversationTurn]


class TopicChange(BaseModel):
    thread: list[str]
    text: str
    document: str
    answer: str


class ConversationSet(BaseModel):
    name: str
    corpus: str | list[str] | None = None
    frozen: bool = False
    conversations: list[Conversation]
    topic_changes: list[TopicChange] = Field(default_factory=list)
    off_topic: list[str] = Field(default_factory=list)
    """Questions the corpus does not answer, each asked after every conversation's first question."""


def load_conversation_set(path: Path) -> ConversationSet:
    data = _read_toml(path)
    meta = data.get("meta", {})
    return ConversationSet(
        name=meta.get("name", path.stem),
        corpus=meta.get("corpus"),
        frozen=bool(meta.get("frozen", False)),
        conversations=[Conversation(**c) for c in data.get("conversation", [])],
        topic_changes=[TopicChange(**t) for t in data.get("topic_change", [])],
        off_topic=[q["text"] for q in data.get("off_topic", [])],
    )


class ConversationScores(BaseModel):
    follow_ups: int
    alone: dict[str, float]
    """hit@1, hit@3, hit@5 of each follow-up asked on its own."""
    with_context: dict[str, float]
    """...asked with the thread, as the assistant carries it."""
    written_out: dict[str, float]
    """...of its written-out standalone version (the ceiling)."""
    carried: int
    """Follow-ups that carried words of the thread."""
    refused_with_context: int
    """Follow-ups refused with the thread that their written-out version answers."""
    topic_changes: int
    topic_alone: dict[str, float]
    topic_after_thread: dict[str, float]
    topic_carried: int
    """New questions that wrongly carried words of the thread before them."""
    first_turns: dict[str, float] = Field(default_factory=dict)
    off_topic_asked: int = 0
    off_topic_answered: int = 0
    """Off-topic questions asked after a conversation's first question that were answered (none should be)."""
    ranks: dict[str, list[int | None]] = Field(default_factory=dict)
    """Each follow-up's rank (None: refused, or not among the cards asked for) asked alone, with the thread and
    written out, in the order of the set (for paired tests between versions)."""
    failures: list[str] = Field(default_factory=list)
    """Each follow-up whose answer is not the first card with the thread: its rank, the words it carried and
    the first card's document (what `eval --failures` prints)."""


def evaluate_conversations(pipeline: Pipeline, conversations: ConversationSet, k: int = 10) -> ConversationScores:
    """Each follow-up asked three ways (alone, with the thread as the assistant carries it, and
    written out), each topic change twice (alone, and after its thread); hits are strict: a card
    of the labelled document that overlaps the answer phrase."""
    from .conversation import Thread

    store = pipeline.open().store
    texts: dict[str, str | None] = {}

    def spans(document: str, answer: str) -> list[tuple[str, tuple[int, int]]]:
        if document not in texts:
            found = store.document(document)
            texts[document] = found.text if found else None
        return [(document, span) for span in locate(texts[document] or "", answer)]

    def rank(answer, expected) -> int | None:
        return _rank_of(answer, expected) if not answer.abstained else None

    def rates(ranks: list[int | None]) -> dict[str, float]:
        return {f"hit@{d}": sum(1 for r in ranks if r is not None and r <= d) / max(len(ranks), 1) for d in (1, 3, 5)}

    alone, with_context, written, first, failures = [], [], [], [], []
    opening_turns = []  # each conversation's first turn, for the off-topic questions below
    carried = refused = 0
    for conversation in conversations.conversations:
        thread = Thread()
        for number, turn in enumerate(conversation.turn):
            expected = spans(turn.document, turn.answer)
            asked = thread.ask(pipeline, turn.text, k=k)
            thread.turns.append(asked)
            answered = asked.answer
            if number == 0:
                opening_turns.append(asked)
                first.append(rank(answered, expected))
            else:
                carried += asked.context.carried
                alone.append(rank(pipeline.ask(turn.text, k=k), expected))
                with_context.append(rank(answered, expected))
                reference = pipeline.ask(turn.standalone or turn.text, k=k)
                written.append(rank(reference, expected))
                refused += answered.abstained and not reference.abstained
                if with_context[-1] != 1:
                    failures.append(_follow_up_failure(turn.text, asked, with_context[-1], written[-1]))
    topic_alone, topic_after, topic_carried = [], [], 0
    for change in conversations.topic_changes:
        expected = spans(change.document, change.answer)
        topic_alone.append(rank(pipeline.ask(change.text, k=k), expected))
        thread = Thread()
        for earlier in change.thread:
            thread.turns.append(thread.ask(pipeline, earlier, k=k))
        asked = thread.ask(pipeline, change.text, k=k)
        topic_carried += asked.context.carried
        topic_after.append(rank(asked.answer, expected))
    off_topic_asked = off_topic_answered = 0
    for opening in opening_turns if conversations.off_topic else []:
        thread = Thread(turns=[opening])
        for question in conversations.off_topic:
            off_topic_asked += 1
            off_topic_answered += not thread.ask(pipeline, question, k=k).answer.abstained
    return ConversationScores(
        follow_ups=len(alone),
        alone=rates(alone),
        with_context=rates(with_context),
        written_out=rates(written),
        carried=carried,
        refused_with_context=refused,
        topic_changes=len(topic_alone),
        topic_alone=rates(topic_alone),
        topic_after_thread=rates(topic_after),
        topic_carried=topic_carried,
        first_turns=rates(first),
        off_topic_asked=off_topic_asked,
        off_topic_answered=off_topic_answered,
        ranks={"alone": alone, "with_context": with_context, "written_out": written},
        failures=failures,
    )


def _follow_up_failure(question: str, asked, rank: int | None, written_rank: int | None) -> str:
    where = "refused" if asked.answer.abstained else f"rank {rank}" if rank else "missed"
    first = "abstained" if asked.answer.abstained or not asked.answer.hits else asked.answer.hits[0].document.id
    written = f"rank {written_rank}" if written_rank else "missed"
    carried = ", ".join(asked.context.words) or "nothing"
    return f"[{where}; written out {written}] {question} (carried: {carried}) -> {first}"


def format_conversations(title: str, s: ConversationScores) -> str:
    row = lambda label, r: f"  {label:<40} {r['hit@1']:>6.3f} {r['hit@3']:>6.3f} {r['hit@5']:>6.3f}"  # noqa: E731
    lines = [
        title,
        f"  {'':<40} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6}",
        row(f"first questions ({len(s.first_turns) and 'all'})", s.first_turns),
        row(f"follow-ups alone ({s.follow_ups})", s.alone),
        row(f"follow-ups with the thread ({s.carried} carried words)", s.with_context),
        row("follow-ups written out (ceiling)", s.written_out),
        row(f"topic changes alone ({s.topic_changes})", s.topic_alone),
        row(f"topic changes after their thread ({s.topic_carried} carried)", s.topic_after_thread),
    ]
    ceiling, alone = s.written_out["hit@5"], s.alone["hit@5"]
    lines.append(
        f"  with the thread / written out at hit@5: {s.with_context['hit@5'] / ceiling if ceiling else 0:.2f}; "
        f"/ alone: {s.with_context['hit@5'] / alone if alone else float('inf'):.2f}; "
        f"topic changes lose {s.topic_alone['hit@5'] - s.topic_after_thread['hit@5']:.3f} at hit@5; "
        f"follow-ups refused with the thread that their written-out version answers: {s.refused_with_context}"
    )
    if s.off_topic_asked:
        lines.append(
            f"  off-topic questions asked after a conversation's first question: {s.off_topic_answered} of "
            f"{s.off_topic_asked} answered"
        )
    return "\n".join(lines)


def format_conversation_ablation(everything: ConversationScores, rows: list[tuple[str, ConversationScores]]) -> str:
    """Follow-ups with the thread with each follow-up stage off, and the paired test (exact
    McNemar) of each against all stages on, at hit@1 and hit@5."""
    lines = [
        "  ablation, follow-ups with the thread: each follow-up stage off in turn; paired against all on "
        "(answered only with it on / only with it off, p)",
        f"  {'':<40} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6}   {'at hit@1':<18} at hit@5",
    ]
    on = everything.ranks.get("with_context", [])
    for label, s in [("all stages on", everything), *rows]:
        r = s.with_context
        cells = f"  {label[:40]:<40} {r['hit@1']:>6.3f} {r['hit@3']:>6.3f} {r['hit@5']:>6.3f}"
        if s is not everything:
            off = s.ranks.get("with_context", [])
            paired = [mcnemar(off, on, depth) for depth in (1, 5)]
            cells += "   " + "  ".join(f"{g:>2} / {lo:>2} p={p:.3f}" for lo, g, p in paired)
        lines.append(cells)
    return "\n".join(lines)


def question_set_corpus(declared: str | list[str] | None, question_file: Path, settings: Settings) -> Path:
    """The corpus a question set names: relative to the working folder, else to the set's file;
    several folders are combined into one corpus under .cache/eval/."""
    if not declared:
        return settings.paths.corpus_dir
    folders = []
    for name in [declared] if isinstance(declared, str) else declared:
        found = next((c for c in (Path(name), question_file.parent / name) if c.is_dir()), None)
        if found is None:
            raise ConfigError(f"{question_file} names corpus {name!r}, which is not a folder here: give --corpus DIR")
        folders.append(found)
    if len(folders) == 1:
        return folders[0]
    return materialise_combined_corpus(folders, combined_cache_dir(folders) / "corpus")
