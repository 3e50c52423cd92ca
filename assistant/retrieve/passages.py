"""From ranked chunks to the passages shown: overlapping chunks of one document merge into one
passage, a per-document cap applies, and the sentences that best match the question are located
for highlighting (extractive only: offsets into the verbatim text)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..index.lexical import terms_of
from ..models import Chunk, DocumentInfo
from ..text import sentence_spans
from .stages import Candidate


@dataclass
class Passage:
    """A result before presentation: one chunk, or several overlapping chunks merged."""

    chunk: Chunk
    document: DocumentInfo
    indexed_at: str
    candidate: Candidate
    chunk_ids: list[int] = field(default_factory=list)
    also: list[tuple[Chunk, DocumentInfo, str]] = field(default_factory=list)
    """Near-identical passages found lower (a report that repeats its recommendations on p. 3
    and p. 15, the same leaflet in two files): shown as further locations of this one."""
    best: tuple[int, int] | None = None
    """Where, in the document, the sentence that best matches the question is (once the card
    is a window around it, see ``answer_window``)."""


ChunkRows = dict[int, tuple[Chunk, DocumentInfo, str]]
SliceText = Callable[[str, int, int], str | None]
"""(document id, start, end) -> the document's cleaned text between those offsets."""


def assemble_passages(
    ranked: list[Candidate], rows: ChunkRows, k: int, per_document_cap: int | None, slice_text: SliceText
) -> list[Passage]:
    """The first ``k`` passages of ``ranked``: a chunk that overlaps a passage already taken from
    its document merges into it; at most ``per_document_cap`` passages per document."""
    passages: list[Passage] = []
    per_document: dict[str, int] = {}
    for candidate in ranked:
        if candidate.chunk_id not in rows:
            continue
        chunk, document, indexed_at = rows[candidate.chunk_id]
        same = next((p for p in passages if p.document.id == document.id and _overlaps(p.chunk, chunk)), None)
        if same is not None:
            _merge(same, chunk, slice_text)
            continue
        twin = next((p for p in passages if near_identical(p.chunk.text, chunk.text)), None)
        if twin is not None:
            if len(twin.also) < MAX_ALSO:
                twin.also.append((chunk, document, indexed_at))
            continue
        if per_document_cap is not None and per_document.get(document.id, 0) >= per_document_cap:
            continue
        if len(passages) >= k:
            continue
        per_document[document.id] = per_document.get(document.id, 0) + 1
        passages.append(
            Passage(chunk=chunk, document=document, indexed_at=indexed_at, candidate=candidate, chunk_ids=[chunk.id])
        )
    return passages


MAX_ALSO = 5
"""Further locations listed on one card at most."""


def near_identical(a: str, b: str, threshold: float = 0.8) -> bool:
    """Two passages say the same thing in the same words: at least ``threshold`` of their word
    triples are shared (Jaccard), so a changed heading, page number or line break does not
    make them different. Passages of fewer than eight words are never merged this way."""
    if not 0.6 <= (len(a) + 1) / (len(b) + 1) <= 1.67:
        return False  # lengths this far apart cannot share 80% of their word triples
    first, second = _shingles(a), _shingles(b)
    if len(first) < 6 or len(second) < 6:
        return False
    return len(first & second) / len(first | second) >= threshold


@lru_cache(maxsize=8192)
def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = [w.casefold() for w in text.split()]
    return frozenset(zip(words, words[1:], words[2:]))


def _overlaps(a: Chunk, b: Chunk) -> bool:
    return a.char_start < b.char_end and b.char_start < a.char_end


def _merge(passage: Passage, chunk: Chunk, slice_text: SliceText) -> None:
    first = passage.chunk
    start, end = min(first.char_start, chunk.char_start), max(first.char_end, chunk.char_end)
    if (start, end) == (first.char_start, first.char_end):
        passage.chunk_ids.append(chunk.id)
        return
    text = slice_text(passage.document.id, start, end) or first.text
    pages = [p for p in (first.page, chunk.page) if p is not None]
    page_ends = [p for p in (first.page_end or first.page, chunk.page_end or chunk.page) if p is not None]
    passage.chunk = first.model_copy(
        update={
            "text": text,
            "char_start": start,
            "char_end": end,
            "page": min(pages) if pages else None,
            "page_end": (max(page_ends) if page_ends and max(page_ends) != min(pages or [0]) else None),
            "token_count": first.token_count + chunk.token_count,
        }
    )
    passage.chunk_ids.append(chunk.id)


def highlights(text: str, terms: list[str], idf: Callable[[str], float], limit: int = 2) -> list[tuple[int, int]]:
    """Char spans of the sentence(s) that best match the question's words (IDF-weighted).
    Sentences within 85% of the best score are kept, at most ``limit``."""
    spans = sentence_spans(text)
    if not spans or not terms:
        return [spans[0]] if spans else []
    weights = {t: idf(t) for t in terms}
    scored = []
    for start, end in spans:
        words = set(terms_of(text[start:end]))
        scored.append((sum(w for s, w in weights.items() if s in words), start, end))
    best = max(s for s, _, _ in scored)
    if best <= 0:
        return [spans[0]]
    chosen = sorted((s for s in scored if s[0] >= best * 0.85), key=lambda s: (-s[0], s[1]))[:limit]
    return sorted((start, end) for _, start, end in chosen)


def coverage(text: str, terms: list[str], idf: Callable[[str], float]) -> float:
    """IDF-weighted share of the question's words that a text contains."""
    return terms_coverage(set(terms_of(text)), terms, idf)


def terms_coverage(present: set[str], terms: list[str], idf: Callable[[str], float]) -> float:
    """``coverage`` of a text whose searchable words (``terms_of``) are ``present``."""
    if not terms:
        return 0.0
    weights = {t: idf(t) for t in terms}
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in present) / total


def answer_window(
    sentences: list[tuple[int, int]],
    passage: tuple[int, int],
    best: tuple[int, int],
    extra: int,
    paragraphs: Sequence[tuple[int, int]] = (),
) -> tuple[int, int]:
    """The passage, and, when its best sentence is its first or its last, the whole sentences
    that come before or after it, up to ``extra`` characters more: an answer that runs across a
    chunk boundary is shown whole, and nothing the passage held is cut. A passage that begins or
    ends inside a sentence (a long paragraph's chunks overlap at a word budget) takes the rest
    of that sentence, within ``extra``: a card read "documents. He claimed they were..." with
    nothing to say it began mid-sentence (first-use audit). One that begins inside a paragraph
    (``paragraphs``: their spans) takes the paragraph's opening sentences, within
    ``extra``: the condition a paragraph opens with holds for what follows ("If you receive a
    negative conclusive grounds decision, ... You will have 9 days...": a first-use audit's card
    began at "You will have 9 days" and was read as the general rule). ``sentences`` are the
    spans the window may take (those of the best sentence's section, in order)."""
    start, end = passage
    inside = [(s, e) for s, e in sentences if s < end and start < e]
    if best[1] >= max((e for _, e in inside), default=end) or not any(s >= best[1] for s, _ in inside):
        for s, e in sentences:
            if s >= end and e - passage[1] <= extra:
                end = e
            elif s >= end:
                break
    if best[0] <= min((s for s, _ in inside), default=start) or not any(e <= best[0] for _, e in inside):
        for s, e in reversed(sentences):
            if e <= start and passage[0] - s <= extra:
                start = s
            elif e <= start:
                break
    start = next((s for s, e in sentences if s < start < e and start - s <= extra), start)
    end = next((e for s, e in sentences if s < end < e and e - end <= extra), end)
    opening = next((a for a, b in paragraphs if a < start < b), None)
    if opening is not None and start - opening <= extra and any(s == opening for s, _ in sentences):
        start = opening
    return min(start, best[0]), max(end, best[1])


def window_sentences(
    region: str, low: int, section: tuple[int, int], headings: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The document spans of the whole sentences of ``region`` (the document's text from ``low``)
    that a card may take: not a heading (the section's name, shown with the citation), and not a
    sentence cut where the region was cut short of its ``section``'s bounds, so that a card never
    begins or ends in the middle of a sentence ("... pursuant to the V")."""
    high = low + len(region)
    spans = [(low + start, low + end) for start, end in sentence_spans(region)]
    if spans and high < section[1] and region[spans[-1][1] - low :].strip() == "":
        spans.pop()  # it runs on past the region's end
    if spans and low > section[0] and region[: spans[0][0] - low].strip() == "":
        spans.pop(0)  # it began before the region's start
    return [(s, e) for s, e in spans if not any(h0 <= s and e <= h1 for h0, h1 in headings)]


def best_unit(
    units: list[tuple[int, int]],
    similarities,
    coverages: list[float],
    weight: float,
    contrary: list[bool] | None = None,
    own_nation: list[bool] | None = None,
) -> int | None:
    """The sentence unit that best matches the question: its cosine plus ``weight`` times the
    share of the question's rare words it holds; a unit about another group than the question's
    (``contrary``: adults, for a question about children) only when every unit is; of the others,
    one naming the UK nation the question names first (``own_nation``: "Northern Ireland has its
    own scheme" for a question about Northern Ireland, not the UK-wide sentence before it)."""
    if not units:
        return None
    scores = [float(s) + weight * c for s, c in zip(similarities, coverages)]
    against = contrary or [False] * len(scores)
    own = own_nation or [False] * len(scores)
    return max(range(len(scores)), key=lambda i: (not against[i], own[i], scores[i], -i))


def section_around(blocks, span: tuple[int, int]) -> tuple[tuple[str, ...] | None, tuple[int, int]]:
    """The section path of the block where ``span`` starts, and the extent of the run of
    neighbouring blocks under that same path (a window never crosses into another section).
    Without blocks: no section, and no bound."""
    from bisect import bisect_right

    if not blocks:
        return None, (0, 1 << 62)
    position = max(0, bisect_right([b.start for b in blocks], span[0]) - 1)
    section = blocks[position].section
    first = last = position
    while first > 0 and blocks[first - 1].section == section:
        first -= 1
    while last + 1 < len(blocks) and blocks[last + 1].section == section:
        last += 1
    return section, (blocks[first].start, blocks[last].end)


_LIST_ITEM = re.compile(r"^\s*(?:[•●○◦▪▫■□‣⁃∙·*–—-]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+\S")
"""A line that is an item of a list: a bullet, or "1.", "a)", "(iv)"."""


def list_goes_on(card_text: str, following: str) -> bool:
    """Whether a card ends on an item of a list that the document goes on with: its last line is
    an item, and so is the next line of text after it. Indicators cut at a passage's end would
    otherwise read as the whole list (a first-use audit's county-lines signs stopped at the
    fifth of eight)."""
    lines = [line for line in card_text.splitlines() if line.strip()]
    after = next((line for line in following.splitlines() if line.strip()), "")
    return bool(lines) and bool(_LIST_ITEM.match(lines[-1])) and bool(_LIST_ITEM.match(after))
