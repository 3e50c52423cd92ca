"""The ranking stages: plain functions over candidate lists, and ``STAGES``, the declared chain
that ``Retriever`` runs in order and ``eval --ablation`` turns off one at a time.

Each function takes the candidates (and what it needs to know, as plain values or lookups) and
returns a new list, best first; none touches the index itself, so each is tested on hand-made
candidates. Ties are always broken by chunk id, so a question gives the same order every time.

A new stage is one function and one ``Stage`` entry here (with its setting, if it has one, in
``RetrieveSettings``), and its test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from ..index.lexical import bigrams, stem
from ..models import Mode, ThreadFocus
from .abstain import years_named
from .contrasts import other_people, stems_of
from .ranker import FAIR, FEATURES, STRONG, CandidateSignals, LogisticModel, feature_matrix, load_model

if TYPE_CHECKING:
    from ..config import RetrieveSettings


@dataclass(frozen=True, slots=True)
class Candidate:
    """One chunk found by dense and/or lexical search, and its score so far."""

    chunk_id: int
    dense: float | None = None
    """Cosine similarity to the question (None: not among the dense candidates)."""
    dense_rank: int | None = None
    lexical: float | None = None
    """BM25 score (None: not among the lexical candidates)."""
    lexical_rank: int | None = None
    score: float = 0.0
    """The score the chain has given it so far; results are shown in this order."""
    near: bool = False
    """In the neighbourhood of the best documents' first candidates (``add_passages_around``):
    the learned stage scores all of these, however far down the fused order they are."""
    late: float | None = None
    """Late interaction (MaxSim) of the question's word pieces with the passage's (None: not
    computed)."""
    preferred: float = 0.0
    """What ``score`` gained (or lost) for where the passage stands in a conversation rather than
    for what it says (a follow-up's thread documents gain, the passages the last answer showed
    lose): not evidence that it answers. ``own_score`` is the ranker's own."""

    @property
    def own_score(self) -> float:
        """``score`` less what it was ``preferred`` by: for what the passage says."""
        return self.score - self.preferred

    def rescored(self, score: float, preferred: float | None = None) -> Candidate:
        """The same candidate with another score (``dataclasses.replace`` costs three times as
        much, and every stage rescores a hundred candidates per question)."""
        return Candidate(
            self.chunk_id,
            self.dense,
            self.dense_rank,
            self.lexical,
            self.lexical_rank,
            score,
            self.near,
            self.late,
            self.preferred if preferred is None else preferred,
        )


def best_first(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (-c.score, c.chunk_id))


def merge_searches(dense: list[tuple[int, float]], lexical: list[tuple[int, float]]) -> list[Candidate]:
    """One candidate per chunk found by either search, with its score and rank in each."""
    found: dict[int, Candidate] = {}
    for rank, (chunk_id, score) in enumerate(dense, start=1):
        found[chunk_id] = Candidate(chunk_id, dense=score, dense_rank=rank)
    for rank, (chunk_id, score) in enumerate(lexical, start=1):
        by_dense = found.get(chunk_id)
        if by_dense is None:
            found[chunk_id] = Candidate(chunk_id, lexical=score, lexical_rank=rank)
        else:
            found[chunk_id] = Candidate(chunk_id, by_dense.dense, by_dense.dense_rank, score, rank)
    return list(found.values())


def fuse(candidates: list[Candidate], mode: Mode, dense_weight: float, lexical_weight: float) -> list[Candidate]:
    """Dense mode: the cosine. Lexical mode: BM25. Hybrid: a weighted sum of the cosine and BM25
    divided by the question's best BM25, scaled so that a chunk best on both scores 1."""
    if mode == "dense":
        return best_first(c.rescored(c.dense if c.dense is not None else -1.0) for c in candidates)
    if mode == "lexical":
        return best_first(c.rescored(c.lexical if c.lexical is not None else 0.0) for c in candidates)
    best_lexical = max((c.lexical for c in candidates if c.lexical is not None), default=0.0) or 1.0
    top = dense_weight + lexical_weight
    return best_first(
        c.rescored((dense_weight * (c.dense or 0.0) + lexical_weight * ((c.lexical or 0.0) / best_lexical)) / top)
        for c in candidates
    )


def prefer_documents(
    candidates: list[Candidate],
    documents: set[str],
    document_of: Callable[[list[int]], Mapping[int, str]],
    bonus: float,
) -> list[Candidate]:
    """Candidates of some documents (those the last answer came from, for a follow-up) gain
    ``bonus``: ahead of others that score a little more, not of those that score much more."""
    if not documents or bonus <= 0 or not candidates:
        return candidates
    owner = document_of([c.chunk_id for c in candidates])
    return best_first(
        c.rescored(c.score + bonus, c.preferred + bonus) if owner.get(c.chunk_id) in documents else c
        for c in candidates
    )


def demote_shown(candidates: list[Candidate], shown: set[int], penalty: float) -> list[Candidate]:
    """Passages the last answer showed lose ``penalty``: the user has read them, and a follow-up
    asks something they did not say. One still comes first when nothing new comes close."""
    if not shown or penalty <= 0:
        return candidates
    return best_first(
        c.rescored(c.score - penalty, c.preferred - penalty) if c.chunk_id in shown else c for c in candidates
    )


def another_document_by(
    candidates: list[Candidate],
    documents: set[str],
    document_of: Callable[[list[int]], Mapping[int, str]],
    card: int,
    least: float,
) -> list[Candidate]:
    """The first passage of another document than ``documents`` (the thread's) is moved up to
    card ``card`` (from 1) when its score is at least ``least`` (its probability, less the
    penalty of a passage the last answer showed): a follow-up may have moved to another
    document, and the thread's bonus would otherwise fill the first screen with the last one's
    passages."""
    if not documents or card < 1 or not candidates:
        return candidates
    owner = document_of([c.chunk_id for c in candidates])
    position = next((n for n, c in enumerate(candidates) if owner.get(c.chunk_id) not in documents), None)
    if position is None or position < card or candidates[position].score < least:
        return candidates
    moved = list(candidates)
    moved.insert(card - 1, moved.pop(position))
    return moved


def strong_before_lifted(candidates: list[Candidate], strong: float, below: float) -> list[Candidate]:
    """A passage that the thread's bonus lifted (``preferred`` above 0) while the ranker gives it
    less than ``below`` (its own probability; the stage passes ``STRONG``: a "fair" or "weak"
    card) does not come before a passage the ranker gives at least ``strong`` (a "strong" card):
    the thread says where the answer probably is, not that a weaker passage answers better than a
    strong one. Each such strong passage (not one the last answer showed: ``demote_shown`` put it
    lower) moves up to just before the first lifted weaker passage above it; the others keep
    their order."""
    moved = list(candidates)
    for position in range(len(moved)):
        candidate = moved[position]
        if candidate.preferred != 0 or candidate.score < strong:
            continue
        lifted = next((n for n, c in enumerate(moved[:position]) if c.preferred > 0 and c.own_score < below), None)
        if lifted is not None:
            moved.insert(lifted, moved.pop(position))
    return moved


ASKING_WORDS = frozenset(
    stem(word)
    for word in "long take takes taking much many often soon quickly time need needs happen happens mean means get "
    "say says tell know".split()
)
"""Words that say how a follow-up asks, not what about ("how long does that take?"): they do not
make a passage the follow-up's own (``own_words_first``)."""


def own_words_first(
    candidates: list[Candidate],
    own: set[str],
    sentences_of: Callable[[list[int]], Mapping[int, list[frozenset[str]]]],
    depth: int,
) -> list[Candidate]:
    """A follow-up asks about its own words ("and for boys?", "and in Vietnam?"): of the first
    ``depth`` candidates, a passage that the thread's bonus ranked up (``preferred`` above 0)
    and that holds none of ``own`` (the follow-up's word stems, not those carried) comes after
    every one of them that holds one; the others keep their order. The thread says where the
    answer probably is; a passage of the last answer's document that never says what the
    follow-up asks about is not its answer (a first-use audit saw the passage just read come
    first for "and for boys?", above a brief on boy survivors)."""
    if depth < 1 or not own or not candidates:
        return candidates
    head = candidates[:depth]
    sentences = sentences_of([c.chunk_id for c in head])
    holds = {c.chunk_id for c in head if any(own & s for s in sentences.get(c.chunk_id, ()))}
    behind = {c.chunk_id for c in head if c.preferred > 0 and c.chunk_id not in holds}
    if not holds or not behind:
        return candidates
    last = max(n for n, c in enumerate(head) if c.chunk_id in holds) + 1
    ahead = [c for c in head[:last] if c.chunk_id not in behind]
    return ahead + [c for c in head[:last] if c.chunk_id in behind] + candidates[last:]


def years_first(
    candidates: list[Candidate],
    years: tuple[str, ...],
    mentioning: Callable[[list[int], tuple[str, ...]], set[int]],
    depth: int,
    least: float,
) -> list[Candidate]:
    """A question naming a year asks for that year's figures: of the first ``depth`` candidates,
    those that mention it (``mentioning`` gives them, of some chunk ids) and whose own score (less
    any thread bonus) is at least ``least`` move before the others, each group in its order. The
    scores stay each passage's own: a fair card moved first still says fair."""
    if not years or depth < 1 or not candidates:
        return candidates
    head = candidates[:depth]
    found = mentioning([c.chunk_id for c in head], years)
    lifted = [c for c in head if c.chunk_id in found and c.own_score >= least]
    if not lifted or head[: len(lifted)] == lifted:
        return candidates
    chosen = {c.chunk_id for c in lifted}
    return lifted + [c for c in head if c.chunk_id not in chosen] + candidates[depth:]


def own_group_first(
    candidates: list[Candidate],
    asked: set[str],
    headings_of: Callable[[list[int]], Mapping[int, str]],
    depth: int,
    least: float,
) -> list[Candidate]:
    """A question naming a group of people (children, women: ``contrasts.PEOPLE``) is not answered
    by a passage whose document title or section heading names only another ("8. Support for
    Adult Victims > Recovery Period" for "how long is the recovery period for children?"): of
    the first ``depth`` candidates, those move after every one whose headings name no other group
    and whose own score (less any thread bonus) is at least ``least``. ``asked``: the question's
    word stems and the age group it names by number. Scores stay each passage's own."""
    if depth < 1 or not candidates or not asked:
        return candidates
    head = candidates[:depth]
    headings = headings_of([c.chunk_id for c in head])
    other = {c.chunk_id for c in head if other_people(asked, headings.get(c.chunk_id, "")) is not None}
    kept = [n for n, c in enumerate(head) if c.chunk_id not in other and c.own_score >= least]
    if not other or not kept:
        return candidates
    last = kept[-1] + 1
    ahead = [c for c in head[:last] if c.chunk_id not in other]
    if head[: len(ahead)] == ahead:
        return candidates
    return ahead + [c for c in head[:last] if c.chunk_id in other] + head[last:] + candidates[depth:]


REFERENCE_HEADING = re.compile(
    r"(?:\d{1,2}[.)]?\s+)?(?:references?|reference list|bibliography|end ?notes|foot ?notes|notes|sources|works cited)",
    re.IGNORECASE,
)
"""A section heading over a document's reference list: its entries name other publications and
answer no practitioner's question ("7 Skrivankova, K. (2010) ... 8 See, e.g., De Vries ...")."""


_WEB_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NOTE_NUMBER = re.compile(r"\s*\[?\d{1,3}[.)\]]?\s+\S")
_CITES = re.compile(r"\((?:19|20)\d\d[a-z]?[,)]|\[Accessed|Available at|\bibid\b|op\.? cit|et al\.?", re.IGNORECASE)
NOTES_SHARE = 0.7
"""A passage of which at least this share of the text is notes (``notes_share``) is a list of notes.
Over the library's 8,678 passages, 409 are; none of the passages holding the answers of
library-dev, library-dev2 or the real documents' questions is (the most, 0.55, is a footnote
that answers)."""


def _is_note(line: str) -> bool:
    """A line or paragraph that is a note: mostly web addresses, or a numbered entry that cites a
    publication ("124 IASC (2021), 'Dame Sara Thornton...': https://...")."""
    text = line.strip()
    if not text:
        return False
    addresses = sum(len(found) for found in _WEB_ADDRESS.findall(text))
    if addresses >= 0.35 * len(text):
        return True
    return len(text) < 600 and bool(_NOTE_NUMBER.match(text)) and bool(addresses or _CITES.search(text))


def notes_share(text: str) -> float:
    """The share of a passage's text (by characters, line by line) that is notes (``_is_note``)."""
    lines = [line for line in text.split("\n") if line.strip()]
    total = sum(len(line) for line in lines)
    return sum(len(line) for line in lines if _is_note(line)) / total if total else 0.0


def in_reference_list(headings: str, text: str = "") -> bool:
    """Whether a passage sits in a reference list: a line of its section path (``headings``: the
    document's title, then each heading, a line each) is a reference list's heading, or its text
    is mostly notes (``NOTES_SHARE``): a report's footnotes, set on the page they annotate, sit
    under that page's heading (a first-use audit's "who do I call out of hours?" was first shown
    an annual report's footnotes 124 to 126)."""
    return (
        any(REFERENCE_HEADING.fullmatch(line.strip()) for line in headings.split("\n")[1:])
        or notes_share(text) >= NOTES_SHARE
    )


def reference_lists_last(
    candidates: list[Candidate], headings_and_texts_of: Callable[[list[int]], Mapping[int, tuple[str, str]]], depth: int
) -> list[Candidate]:
    """Of the first ``depth`` candidates, those in a document's reference list (``in_reference_list``
    of each one's headings and text) move after the others, each group in its order: three
    first-use audits were shown an annual report's endnotes first, called a fair or strong match.
    Scores stay each passage's own."""
    if depth < 1 or not candidates:
        return candidates
    head = candidates[:depth]
    read = headings_and_texts_of([c.chunk_id for c in head])
    listed = {c.chunk_id for c in head if in_reference_list(*read.get(c.chunk_id, ("", "")))}
    ahead = [c for c in head if c.chunk_id not in listed]
    if not listed or not ahead or head[: len(ahead)] == ahead:
        return candidates
    return ahead + [c for c in head if c.chunk_id in listed] + candidates[depth:]


def learned_head(candidates: list[Candidate], depth: int) -> tuple[list[Candidate], list[Candidate]]:
    """The candidates the learned stage scores (the first ``depth`` and every one marked
    ``near``) and the others, each in their order."""
    head = [c for position, c in enumerate(candidates) if position < depth or c.near]
    tail = [c for position, c in enumerate(candidates) if not (position < depth or c.near)]
    return head, tail


def add_late_interaction(
    candidates: list[Candidate], depth: int, late_of: Callable[[list[int]], np.ndarray]
) -> list[Candidate]:
    """The candidates the learned stage will score (``learned_head``) get their late interaction
    with the question (``late_of`` gives it for chunk ids); the order does not change."""
    head, _ = learned_head(candidates, depth)
    late = dict(zip((c.chunk_id for c in head), late_of([c.chunk_id for c in head])))
    return [replace(c, late=float(late[c.chunk_id])) if c.chunk_id in late else c for c in candidates]


def add_passages_around(
    candidates: list[Candidate],
    depth: int,
    documents: int,
    radius: int,
    document_of: Callable[[list[int]], Mapping[int, str]],
    chunks_around: Callable[[list[int], int], list[int]],
    scores_of: Callable[[list[int]], Mapping[int, tuple[float | None, float]]],
) -> tuple[list[Candidate], set[int]]:
    """The answer is most often in a document the searches found, but not in the passage they
    ranked first: the passages within ``radius`` places of the first ``depth`` candidates, in the
    first ``documents`` documents those come from, join the candidates (found by a search or
    not; ``scores_of`` gives a new one its cosine and BM25). Returns the candidates, new ones
    last and unscored, and the chunk ids of that neighbourhood (the first candidates of those
    documents and the passages around them), which the learned stage scores whatever their
    place."""
    head = candidates[:depth]
    owner = document_of([c.chunk_id for c in head])
    chosen = list(dict.fromkeys(owner[c.chunk_id] for c in head if c.chunk_id in owner))[:documents]
    seeds = [c.chunk_id for c in head if owner.get(c.chunk_id) in chosen]
    around = chunks_around(seeds, radius) if seeds else []
    present = {c.chunk_id for c in candidates}
    new = [chunk_id for chunk_id in around if chunk_id not in present]
    scores = scores_of(new)
    added = [Candidate(chunk_id, dense=scores[chunk_id][0], lexical=scores[chunk_id][1] or None) for chunk_id in new]
    return candidates + added, set(seeds) | set(around)


def mark_near(candidates: list[Candidate], neighbourhood: set[int]) -> list[Candidate]:
    """The candidates, those of a neighbourhood marked ``near``."""
    return [replace(c, near=True) if c.chunk_id in neighbourhood else c for c in candidates]


def reward_sentence_match(
    candidates: list[Candidate],
    terms: list[str],
    idf: Callable[[str], float],
    sentences_of: Callable[[list[int]], Mapping[int, list[frozenset[str]]]],
    weight: float,
    depth: int,
) -> list[Candidate]:
    """An answer stated in one sentence beats the same words scattered over a passage: each of the
    first ``depth`` candidates gains ``weight`` times the IDF-weighted share of the question's
    words that its best single sentence holds. ``sentences_of`` gives each chunk's sentences as
    sets of searchable words."""
    if weight <= 0 or not terms:
        return candidates
    head, tail = candidates[:depth], candidates[depth:]
    weights = {t: idf(t) for t in terms}
    total = sum(weights.values()) or 1.0
    sentences = sentences_of([c.chunk_id for c in head])
    rescored = []
    for c in head:
        best = max(
            (sum(w for t, w in weights.items() if t in words) / total for words in sentences.get(c.chunk_id, [])),
            default=0.0,
        )
        rescored.append(c.rescored(c.score + weight * best))
    return best_first(rescored) + tail


def rerank_learned(
    candidates: list[Candidate],
    model: LogisticModel,
    signals_of: Callable[[list[Candidate], float], list[CandidateSignals]],
    depth: int,
) -> list[Candidate]:
    """The first ``depth`` candidates (and every candidate marked ``near``) are scored by the
    learned model (the probability that a candidate holds the answer, from its passage, sentence
    and word-piece similarities, BM25, its document and its shape: see ranker.py); the rest
    follow below them in their order. ``signals_of(head, best_lexical)`` gives each head
    candidate's signals."""
    if not candidates or depth <= 0:
        return candidates
    head, tail = learned_head(candidates, depth)
    best_lexical = max((c.lexical for c in candidates if c.lexical is not None), default=0.0) or 1.0
    probabilities = model.probabilities(feature_matrix(signals_of(head, best_lexical)))
    # Scores become probabilities: a preference given before (``preferred``) is no longer in them.
    rescored = best_first(c.rescored(float(p), 0.0) for c, p in zip(head, probabilities))
    floor = min(c.score for c in rescored)
    return rescored + [c.rescored(floor * (1 - (i + 1) / (len(tail) + 1)), 0.0) for i, c in enumerate(tail)]


def prefer_language(
    candidates: list[Candidate], language: str | None, language_of: Callable[[int], str], penalty: float
) -> list[Candidate]:
    """Passages in another language than the question's rank lower (not out): an English
    question about a bilingual treaty should see the English article first."""
    if language is None or penalty >= 1.0 or not candidates:
        return candidates
    return best_first(c.rescored(c.score * penalty) if language_of(c.chunk_id) != language else c for c in candidates)


def fill_missing_dense(
    candidates: list[Candidate], depth: int, cosine_of: Callable[[int], float | None]
) -> list[Candidate]:
    """Lexical-only candidates among the first ``depth`` get their cosine too (shown with the
    result); the order does not change."""
    return [
        replace(c, dense=cosine_of(c.chunk_id)) if position < depth and c.dense is None else c
        for position, c in enumerate(candidates)
    ]


_PROVISION_KINDS = {
    "article": "article",
    "art": "article",
    "section": "section",
    "sec": "section",
    "paragraph": "paragraph",
    "para": "paragraph",
    "regulation": "regulation",
    "reg": "regulation",
    "rule": "rule",
    "clause": "clause",
    "schedule": "schedule",
    "annex": "annex",
    "appendix": "appendix",
    "chapter": "chapter",
    "part": "part",
    "principle": "principle",
}
"""The labels a heading names a provision by, and the kind each stands for ("Art. 3" is article 3)."""
_PROVISION_NUMBER = r"(\d+[a-z]?|[ivxlc]+)(?![\w]|\.\d)"
_PROVISION_IN_QUESTION = re.compile(
    r"\b(article|art\.?|section|sec\.?|s\.|paragraph|para\.?|regulation|reg\.?|rule|clause|schedule|annex|appendix|chapter|part|principle)"
    r"\s*" + _PROVISION_NUMBER,
    re.IGNORECASE,
)


def named_provisions(question: str) -> list[tuple[str, str]]:
    """The provisions of a law or treaty a question names, as (kind, number), folded:
    "Palermo Protocol Article 3" -> [("article", "3")]; "s.52 duty to notify" -> [("section", "52")].
    A roman numeral counts only in capitals ("Annex II"; "part i" is not a provision)."""
    found = []
    for match in _PROVISION_IN_QUESTION.finditer(question):
        label, number = match.group(1).casefold().rstrip("."), match.group(2)
        if not number[0].isdigit() and not number.isupper():
            continue
        found.append(("section" if label == "s" else _PROVISION_KINDS[label], number.casefold()))
    return list(dict.fromkeys(found))


def provision_labels(provisions: list[tuple[str, str]]) -> list[str]:
    """Every label a heading may name these provisions' kinds by: [("article", "3")] -> ["article",
    "art"] (what the store looks for before ``heading_names_provision`` decides)."""
    kinds = {kind for kind, _ in provisions}
    return sorted(label for label, kind in _PROVISION_KINDS.items() if kind in kinds)


def heading_names_provision(heading: str, provisions: list[tuple[str, str]]) -> bool:
    """A heading is the provision's own when it begins with its label: "Article 3", "Article 3 -
    Use of terms", "SECTION 52: duty to notify" name ("article", "3") or ("section", "52");
    "Article 30" and "Article 3.1" do not name article 3."""
    words = heading.split()
    if len(words) < 2:
        return False
    kind = _PROVISION_KINDS.get(words[0].casefold().rstrip("."))
    number = re.match(_PROVISION_NUMBER, " ".join(words[1:]), re.IGNORECASE)
    return kind is not None and number is not None and (kind, number.group(1).casefold()) in provisions


def prefer_named_provisions(
    candidates: list[Candidate],
    provisions: list[tuple[str, str]],
    chunks_naming: Callable[[list[int], list[tuple[str, str]]], list[int]],
    depth: int,
) -> list[Candidate]:
    """A question that names a provision ("Palermo Protocol Article 3", "section 52") is asking
    for its text: the chunks under that provision's heading, in the documents of the first
    ``depth`` candidates, move to the front (found or not by the searches), in their order.
    Each candidate takes the score of the place it moves into, so the scores read down the list
    as before and what is decided from the first score (the floor, abstention) is unchanged.
    ``chunks_naming(chunk ids, provisions)`` gives the chunks of those chunks' documents whose
    heading names a provision, in reading order."""
    if not provisions or not candidates:
        return candidates
    naming = chunks_naming([c.chunk_id for c in candidates[:depth]], provisions)
    if not naming:
        return candidates
    present = {c.chunk_id: c for c in candidates}
    lifted = set(naming)
    reordered = [present.get(chunk_id, Candidate(chunk_id)) for chunk_id in naming]
    reordered += [c for c in candidates if c.chunk_id not in lifted]
    scores = [c.score for c in candidates] + [candidates[-1].score] * (len(reordered) - len(candidates))
    return [c.rescored(score) for c, score in zip(reordered, scores)]


def distinct_windows(passages: Sequence[Any], windows: Sequence[Any]) -> list[Any]:
    """Each card as its window, unless the window would overlap another card of the same
    document (two neighbouring passages reaching into each other): then as the passage it was.
    Works on anything with a ``document.id`` and a ``chunk`` span."""

    def overlap(a, b) -> bool:
        return (
            a.document.id == b.document.id
            and a.chunk.char_start < b.chunk.char_end
            and b.chunk.char_start < a.chunk.char_end
        )

    shown: list[Any] = []
    for number, (passage, window) in enumerate(zip(passages, windows)):
        others = [*shown, *passages[number + 1 :]]
        if any(overlap(window, other) for other in others):
            # The passage as it was, its best sentence still marked when it lies inside it.
            best = getattr(window, "best", None)
            inside = best is not None and passage.chunk.char_start <= best[0] and best[1] <= passage.chunk.char_end
            shown.append(replace(passage, best=best) if inside and hasattr(passage, "best") else passage)
        else:
            shown.append(window)
    return shown


def above_relative_floor(passages: Sequence[Any], share: float) -> list[Any]:
    """Passages scored below ``share`` of the first passage's score are not shown (cards far
    below the first are not shown as if they were answers too). Works on anything with a
    ``candidate.score``."""
    if not passages or share <= 0:
        return list(passages)
    floor = share * passages[0].candidate.score
    return [p for p in passages if p.candidate.score >= floor]


# --- the declared chain --------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """What the stages know of the question being answered."""

    text: str
    terms: list[str]
    """Its searchable words (folded, stemmed, no stop words), each once."""
    mode: Mode
    vector: np.ndarray | None = None
    """Its embedding (None in lexical mode)."""
    tokens: np.ndarray | None = None
    """Its word pieces' unit vectors, for late interaction (None in lexical mode)."""
    k: int = 5
    """How many passages were asked for."""
    thread: ThreadFocus = field(default_factory=ThreadFocus)
    """For a follow-up that carries context: the last answer's documents and the passages it
    showed first (empty otherwise)."""
    context_terms: list[str] = field(default_factory=list)
    """Those of ``terms`` carried from earlier questions of a conversation (searched at a lower
    weight than the question's own)."""
    language: str | None = None
    """Its language, when it is long enough to tell."""
    asked: str = ""
    """The question as asked: ``text`` without the words carried from earlier questions."""


class Lookups(Protocol):
    """What the stages may ask of the index (``lookups.IndexLookups``)."""

    def idf(self, term: str) -> float: ...
    def sentences_of(self, chunk_ids: list[int]) -> Mapping[int, list[frozenset[str]]]: ...
    def language_of(self, chunk_id: int) -> str: ...
    def cosine(self, vector: np.ndarray, chunk_id: int) -> float | None: ...
    def candidate_signals(
        self, question: Question, candidates: list[Candidate], best_lexical: float
    ) -> list[CandidateSignals]: ...
    def document_of(self, chunk_ids: list[int]) -> Mapping[int, str]: ...
    def chunks_around(self, chunk_ids: list[int], radius: int) -> list[int]: ...
    def scores_of(self, question: Question, chunk_ids: list[int]) -> Mapping[int, tuple[float | None, float]]: ...
    def late(self, question: Question, chunk_ids: list[int]) -> np.ndarray: ...
    def window(self, passage: Any, question: Question, budget: int, coverage_weight: float) -> Any: ...
    def chunks_naming(self, chunk_ids: list[int], provisions: list[tuple[str, str]], limit: int) -> list[int]: ...
    def chunks_mentioning(self, chunk_ids: list[int], years: tuple[str, ...]) -> set[int]: ...
    def headings_of(self, chunk_ids: list[int]) -> Mapping[int, str]: ...


Phase = Literal["terms", "rank", "show", "cards"]
"""Where a stage runs: ``terms`` shapes the words lexical search is asked for; ``rank`` orders the
candidates both searches found (abstention decides on this order); ``show`` reorders them once
abstention has decided; ``cards`` acts on the passages assembled from them."""


@dataclass(frozen=True)
class Stage:
    name: str
    """As the ablation table names it."""
    phase: Phase
    runs: str
    """When it runs, in words."""
    settings: tuple[str, ...]
    """The ``RetrieveSettings`` fields it reads."""
    when: Callable[[Question, RetrieveSettings], bool]
    apply: Callable[[Any, Question, RetrieveSettings, Lookups], Any]
    """(items, question, settings, lookups) -> items: search words, candidates or passages, by phase."""
    off: Mapping[str, Any] = field(default_factory=dict)
    """Settings that turn it off (or on, when it is off by default) for the ablation; empty for a
    stage the chain cannot do without."""
    follow_ups_only: bool = False
    """It runs only for a follow-up that carries the thread (ablated on the conversation sets)."""


def learned_ranking(question: Question, settings: RetrieveSettings) -> bool:
    """The learned ranker runs: wanted, and a model of the current signals is shipped."""
    model = load_model("ranker")
    return learned_wanted(question, settings) and model is not None and tuple(model.features) == FEATURES


def learned_wanted(question: Question, settings: RetrieveSettings) -> bool:
    """Hybrid, with the learned ranker on: the stages that gather what it weighs run (also while
    its model is being fitted)."""
    return question.mode == "hybrid" and question.vector is not None and settings.learned_ranker


def _rerank_learned(
    candidates: list[Candidate], question: Question, settings: RetrieveSettings, lookups: Lookups
) -> list[Candidate]:
    def signals_of(head: list[Candidate], best_lexical: float) -> list[CandidateSignals]:
        return lookups.candidate_signals(question, head, best_lexical)

    return rerank_learned(candidates, load_model("ranker"), signals_of, settings.learned_depth)


def _passages_around(
    candidates: list[Candidate], question: Question, settings: RetrieveSettings, lookups: Lookups
) -> list[Candidate]:
    widened, neighbourhood = add_passages_around(
        candidates,
        settings.around_depth,
        settings.around_documents,
        settings.around_radius,
        lookups.document_of,
        lookups.chunks_around,
        lambda chunk_ids: lookups.scores_of(question, chunk_ids),
    )
    return mark_near(fuse(widened, question.mode, settings.dense_weight, settings.lexical_weight), neighbourhood)


def _fill_missing_dense(candidates: list[Candidate], question: Question, lookups: Lookups) -> list[Candidate]:
    return fill_missing_dense(
        candidates, depth=question.k * 3, cosine_of=lambda chunk_id: lookups.cosine(question.vector, chunk_id)
    )


def _named_provisions_first(
    candidates: list[Candidate], question: Question, settings: RetrieveSettings, lookups: Lookups
) -> list[Candidate]:
    provisions = named_provisions(question.text)
    if not provisions:
        return candidates

    def naming(chunk_ids: list[int], wanted: list[tuple[str, str]]) -> list[int]:
        return lookups.chunks_naming(chunk_ids, wanted, settings.provision_chunks)

    shown = prefer_named_provisions(candidates, provisions, naming, settings.provision_depth)
    if question.vector is not None and shown is not candidates:
        shown = _fill_missing_dense(shown, question, lookups)
    return shown


STAGES: tuple[Stage, ...] = (
    Stage(
        "word pairs",
        "terms",
        "hybrid and lexical, questions of few words",
        ("lexical_phrases", "phrase_max_terms"),
        # Word pairs sharpen short, keyword-like questions ("reasonable grounds decision"); in a
        # long question most adjacent pairs are incidental and only add noise.
        when=lambda q, s: q.mode in ("hybrid", "lexical") and s.lexical_phrases and len(q.terms) <= s.phrase_max_terms,
        apply=lambda terms, q, s, look: terms + bigrams(terms),
        off={"lexical_phrases": False},
    ),
    Stage(
        "fusion",
        "rank",
        "always",
        ("dense_weight", "lexical_weight"),
        when=lambda q, s: True,
        apply=lambda c, q, s, look: fuse(c, q.mode, s.dense_weight, s.lexical_weight),
    ),
    Stage(
        "passages around the best",
        "rank",
        "hybrid, with the learned ranker",
        ("around_depth", "around_documents", "around_radius"),
        when=lambda q, s: learned_wanted(q, s) and s.around_depth > 0,
        apply=_passages_around,
        off={"around_depth": 0},
    ),
    Stage(
        "sentence word reward",
        "rank",
        "hybrid",
        ("sentence_weight", "rerank_depth"),
        when=lambda q, s: q.mode == "hybrid",
        apply=lambda c, q, s, look: reward_sentence_match(
            c, q.terms, look.idf, look.sentences_of, s.sentence_weight, s.rerank_depth
        ),
        off={"sentence_weight": 0.0},
    ),
    Stage(
        "question language",
        "rank",
        "always",
        ("other_language_penalty",),
        when=lambda q, s: True,
        apply=lambda c, q, s, look: prefer_language(c, q.language, look.language_of, s.other_language_penalty),
        off={"other_language_penalty": 1.0},
    ),
    Stage(
        "late interaction",
        "rank",
        "hybrid, with the learned ranker (one of its signals)",
        ("late_interaction",),
        when=lambda q, s: learned_wanted(q, s) and q.tokens is not None and s.late_interaction,
        apply=lambda c, q, s, look: add_late_interaction(c, s.learned_depth, lambda ids: look.late(q, ids)),
        off={"late_interaction": False},
    ),
    Stage(
        "learned ranker",
        "rank",
        "hybrid, with the shipped model",
        ("learned_ranker", "learned_depth"),
        when=learned_ranking,
        apply=_rerank_learned,
        off={"learned_ranker": False},
    ),
    Stage(
        "the thread's documents",
        "rank",
        "a follow-up carrying the thread's words",
        ("thread_depth", "thread_bonus"),
        when=lambda q, s: bool(q.thread.documents) and s.thread_bonus > 0,
        apply=lambda c, q, s, look: prefer_documents(c, set(q.thread.documents), look.document_of, s.thread_bonus),
        off={"thread_bonus": 0.0, "thread_depth": 0},
        follow_ups_only=True,
    ),
    Stage(
        "cosines of lexical-only candidates",
        "rank",
        "hybrid (the order does not change)",
        (),
        when=lambda q, s: q.mode == "hybrid" and q.vector is not None,
        apply=lambda c, q, s, look: _fill_missing_dense(c, q, look),
    ),
    Stage(
        "passages already shown",
        "show",
        "a follow-up carrying the thread's words",
        ("shown_penalty",),
        when=lambda q, s: bool(q.thread.passages) and s.shown_penalty > 0,
        apply=lambda c, q, s, look: demote_shown(c, set(q.thread.passages), s.shown_penalty),
        off={"shown_penalty": 0.0},
        follow_ups_only=True,
    ),
    Stage(
        "another document on the first screen",
        "show",
        "a follow-up carrying the thread's words, with the learned ranker",
        ("other_document_card",),
        when=lambda q, s: bool(q.thread.documents) and s.other_document_card > 0 and learned_ranking(q, s),
        apply=lambda c, q, s, look: another_document_by(
            c, set(q.thread.documents), look.document_of, s.other_document_card, FAIR
        ),
        off={"other_document_card": 0},
        follow_ups_only=True,
    ),
    Stage(
        "strong before a weaker one ranked up",
        "show",
        "a follow-up carrying the thread's words, with the learned ranker",
        ("strong_before_lifted",),
        when=lambda q, s: bool(q.thread.documents) and s.strong_before_lifted and learned_ranking(q, s),
        apply=lambda c, q, s, look: strong_before_lifted(c, STRONG, STRONG),
        off={"strong_before_lifted": False},
        follow_ups_only=True,
    ),
    Stage(
        "the follow-up's own words first",
        "show",
        "a follow-up carrying the thread's words",
        ("own_words_depth",),
        when=lambda q, s: bool(q.thread.documents) and s.own_words_depth > 0,
        apply=lambda c, q, s, look: own_words_first(
            c, set(q.terms) - set(q.context_terms) - ASKING_WORDS, look.sentences_of, s.own_words_depth
        ),
        off={"own_words_depth": 0},
        follow_ups_only=True,
    ),
    Stage(
        "named provisions first",
        "show",
        "a question naming a provision ('Article 3')",
        ("provision_depth", "provision_chunks"),
        when=lambda q, s: s.provision_depth > 0,
        apply=_named_provisions_first,
        off={"provision_depth": 0},
    ),
    Stage(
        "named year first",
        "show",
        "a question naming a year ('referrals in 2021'), with the learned ranker (its chance is a probability)",
        ("year_depth",),
        when=lambda q, s: s.year_depth > 0 and bool(years_named(q.text)) and learned_ranking(q, s),
        apply=lambda c, q, s, look: years_first(c, years_named(q.text), look.chunks_mentioning, s.year_depth, FAIR),
        off={"year_depth": 0},
    ),
    Stage(
        "the question's own group first",
        "show",
        "a question naming a group of people (children, women), with the learned ranker",
        ("group_depth",),
        when=lambda q, s: s.group_depth > 0 and learned_ranking(q, s),
        apply=lambda c, q, s, look: own_group_first(
            c, set(q.terms) | stems_of(q.text), look.headings_of, s.group_depth, FAIR
        ),
        off={"group_depth": 0},
    ),
    Stage(
        "reference lists last",
        "show",
        "always",
        ("reference_depth",),
        when=lambda q, s: s.reference_depth > 0,
        apply=lambda c, q, s, look: reference_lists_last(c, look.headings_and_texts_of, s.reference_depth),
        off={"reference_depth": 0},
    ),
    Stage(
        "relative floor",
        "cards",
        "hybrid, with the shipped model",
        ("relative_floor",),
        when=learned_ranking,
        apply=lambda passages, q, s, look: above_relative_floor(passages, s.relative_floor),
        off={"relative_floor": 0.0},
    ),
    Stage(
        "answer windows",
        "cards",
        "every mode",
        ("window_chars", "window_coverage_weight"),
        when=lambda q, s: s.window_chars > 0,
        apply=lambda passages, q, s, look: distinct_windows(
            passages, [look.window(p, q, s.window_chars, s.window_coverage_weight) for p in passages]
        ),
        off={"window_chars": 0},
    ),
)
"""The chain, in the order it runs within each phase."""


def run_stages(
    phase: Phase,
    items: Any,
    question: Question,
    settings: RetrieveSettings,
    lookups: Lookups,
    before: str | None = None,
) -> Any:
    """Every stage of one phase that runs for this question, in order (``before``: up to, and
    not including, the stage of that name)."""
    for stage in STAGES:
        if stage.name == before:
            break
        if stage.phase == phase and stage.when(question, settings):
            items = stage.apply(items, question, settings, lookups)
    return items
