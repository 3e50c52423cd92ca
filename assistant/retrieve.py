"""Retrieval: a question -> ranked, cited passages, or an abstention.

dense (FAISS, cosine) and lexical (SQLite FTS5, BM25) candidates are fused by weighted
reciprocal rank; overlapping chunks of one passage are merged; an optional per-document cap and
filters apply; the best-matching sentences of each passage are located for highlighting; and
when the evidence is too weak the answer abstains instead of showing the least-bad passage.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from .config import RetrieveSettings
from .embed import MAX_SEQ_LENGTH, Embedder
from .abstain import standing
from .language import guess_language
from .errors import QueryError
from .models import Answer, Chunk, DocumentInfo, Filters, Hit, Location
from .present import make_citation
from .reader import OpenIndex
from .lexical import bigrams, terms_of
from .text import sentence_spans
from .tokens import SPECIAL_TOKENS, WordPieces

log = logging.getLogger(__name__)

NO_ANSWER = "No passage in the corpus answers this question."

MODES = ("hybrid", "dense", "lexical")


@dataclass
class _Candidate:
    chunk_id: int
    dense: float | None = None
    dense_rank: int | None = None
    lexical: float | None = None
    lexical_rank: int | None = None
    fused: float = 0.0


@dataclass
class _Passage:
    """A result before presentation: one chunk, or several overlapping chunks merged."""

    chunk: Chunk
    document: DocumentInfo
    indexed_at: str
    candidate: _Candidate
    chunk_ids: list[int] = field(default_factory=list)


class Retriever:
    def __init__(self, index: OpenIndex, embedder: Embedder, pieces: WordPieces, settings: RetrieveSettings):
        self.index = index
        self.embedder = embedder
        self.pieces = pieces
        self.settings = settings
        self._facets: dict[str, list[str]] | None = None
        self._df_cache: dict[str, int] = {}
        self._languages: dict[int, str] | None = None
        self._stem_cache: dict[int, list[frozenset[str]]] = {}

    # -- public ----------------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None) -> Answer:
        k = k or self.settings.k
        mode = mode or self.settings.mode
        if mode not in MODES:
            raise QueryError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        if k < 1:
            raise QueryError("k must be at least 1")
        text, notices = self.prepare_query(query)
        filters = filters or Filters()
        self.validate_filters(filters)
        allowed = None if filters.is_empty() else self.index.store.filtered_chunk_ids(filters)
        if allowed is not None and len(allowed) == 0:
            return Answer(query=query, abstained=True, message=f"{NO_ANSWER} No document matches the filters.", notices=notices, mode=mode)

        terms = query_terms(text)
        ranked, best_dense = self._ranked(text, terms, mode, allowed, self.settings.candidates)
        if mode == "lexical" and not terms:
            notices.append("the question has no searchable words for lexical search (only common words)")
        passages = self._passages(ranked, k)
        abstain, reason = self._should_abstain(passages, terms, mode, best_dense)
        if abstain:
            log.debug("abstained: %s", reason)
            return Answer(query=query, abstained=True, message=NO_ANSWER, notices=notices, mode=mode, best_dense_score=best_dense)
        hits = [self._hit(rank, passage, terms, text) for rank, passage in enumerate(passages, start=1)]
        return Answer(query=query, abstained=False, hits=hits, notices=notices, mode=mode, best_dense_score=best_dense)

    def rank_documents(self, query: str, mode: str = "hybrid", limit: int = 100) -> list[str]:
        """Document ids ranked by their best chunk, without abstention (for benchmarks)."""
        text, _ = self.prepare_query(query)
        ranked, _ = self._ranked(text, query_terms(text), mode, None, max(limit * 3, self.settings.candidates))
        rows = self.index.store.chunk_documents([c.chunk_id for c in ranked])
        seen: dict[str, None] = {}
        for candidate in ranked:
            document = rows.get(candidate.chunk_id)
            if document is not None:
                seen.setdefault(document, None)
                if len(seen) >= limit:
                    break
        return list(seen)

    def _ranked(self, text: str, terms: list[str], mode: str, allowed, limit: int) -> tuple[list[_Candidate], float | None]:
        candidates: dict[int, _Candidate] = {}
        best_dense: float | None = None
        vector = None
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_queries([text])[0]
            for rank, (chunk_id, score) in enumerate(self.index.vectors.search(vector, limit, allowed), start=1):
                candidates.setdefault(chunk_id, _Candidate(chunk_id)).__dict__.update(dense=score, dense_rank=rank)
            best_dense = max((c.dense for c in candidates.values() if c.dense is not None), default=None)
        if mode in ("hybrid", "lexical") and terms:
            # Word pairs sharpen short, keyword-like questions ("reasonable grounds decision"); in
            # a long question most adjacent pairs are incidental and only add noise.
            searched = terms + (bigrams(terms) if self.settings.lexical_phrases and len(terms) <= self.settings.phrase_max_terms else [])
            for rank, (chunk_id, score) in enumerate(self.index.lexical.search(searched, limit, allowed), start=1):
                candidates.setdefault(chunk_id, _Candidate(chunk_id)).__dict__.update(lexical=score, lexical_rank=rank)
        ranked = self._fuse(list(candidates.values()), mode)
        if mode == "hybrid" and self.settings.sentence_weight > 0 and terms:
            ranked = self._rerank_by_sentence(ranked, terms)
        ranked = self._prefer_question_language(ranked, text)
        if mode == "hybrid" and ranked and vector is not None:
            self._fill_missing_dense(ranked, vector)
        return ranked, best_dense

    def prepare_query(self, query: str) -> tuple[str, list[str]]:
        """Strip, reject empty questions, and cut a question longer than the model keeps."""
        text = " ".join((query or "").split())
        if not text:
            raise QueryError("the question is empty: type a question or some keywords")
        notices: list[str] = []
        limit = MAX_SEQ_LENGTH - SPECIAL_TOKENS
        count = self.pieces.count(text)
        if count > limit:
            text = self.pieces.prefix_within(text, limit)
            notices.append(f"the question was cut to its first {limit} word pieces (of {count}), the most the model reads")
        return text, notices

    def facets(self) -> dict[str, list[str]]:
        if self._facets is None:
            self._facets = self.index.store.facet_values()
        return self._facets

    def validate_filters(self, filters: Filters) -> None:
        facets = self.facets()
        for name, values in (("region", filters.regions), ("type", filters.resource_types), ("organisation", filters.organisations)):
            known = {v.casefold() for v in facets[name]}
            unknown = [v for v in values if v.casefold() not in known]
            if unknown:
                listing = ", ".join(facets[name]) or "(none in this index)"
                raise QueryError(f"unknown {name} {', '.join(map(repr, unknown))}: known values are {listing}")
        if filters.documents:
            known_docs = {d.id for d in self.index.store.document_infos()} | {d.path for d in self.index.store.document_infos()}
            unknown = [v for v in filters.documents if v not in known_docs]
            if unknown:
                raise QueryError(f"unknown document {', '.join(map(repr, unknown))}: see `python -m assistant index status --documents`")
        if filters.year_from is not None and filters.year_to is not None and filters.year_from > filters.year_to:
            raise QueryError(f"year range is empty: {filters.year_from} > {filters.year_to}")

    # -- ranking ---------------------------------------------------------------------------------

    def _fuse(self, candidates: list[_Candidate], mode: str) -> list[_Candidate]:
        settings = self.settings
        rrf = settings.rrf_k
        best_lexical = max((c.lexical for c in candidates if c.lexical is not None), default=0.0) or 1.0
        for c in candidates:
            if mode == "dense":
                c.fused = c.dense if c.dense is not None else -1.0
            elif mode == "lexical":
                c.fused = c.lexical if c.lexical is not None else 0.0
            elif settings.fusion == "linear":
                c.fused = settings.dense_weight * (c.dense or 0.0) + settings.lexical_weight * ((c.lexical or 0.0) / best_lexical)
            else:
                c.fused = (settings.dense_weight / (rrf + c.dense_rank) if c.dense_rank else 0.0) + (
                    settings.lexical_weight / (rrf + c.lexical_rank) if c.lexical_rank else 0.0
                )
        if mode == "hybrid":
            top = (settings.dense_weight + settings.lexical_weight) / ((rrf + 1) if settings.fusion == "rrf" else 1.0)
            for c in candidates:
                c.fused /= top
        # Ties broken by chunk id, so the same question always gives the same order.
        return sorted(candidates, key=lambda c: (-c.fused, c.chunk_id))

    def _rerank_by_sentence(self, ranked: list[_Candidate], terms: list[str]) -> list[_Candidate]:
        depth = self.settings.rerank_depth
        head = ranked[:depth]
        texts = self.index.store.chunk_texts([c.chunk_id for c in head])
        weights = {t: self._idf(t) for t in terms}
        total = sum(weights.values()) or 1.0
        for c in head:
            best = 0.0
            for words in self._sentence_stems(c.chunk_id, texts.get(c.chunk_id, "")):
                best = max(best, sum(w for s, w in weights.items() if s in words) / total)
            c.fused += self.settings.sentence_weight * best
        return sorted(head, key=lambda c: (-c.fused, c.chunk_id)) + ranked[depth:]

    def _sentence_stems(self, chunk_id: int, text: str) -> list[frozenset[str]]:
        """Stemmed words of each sentence of a chunk, cached: chunks recur across questions."""
        cached = self._stem_cache.get(chunk_id)
        if cached is None:
            cached = [frozenset(terms_of(text[start:end])) for start, end in sentence_spans(text)]
            if len(self._stem_cache) > 50_000:
                self._stem_cache.clear()
            self._stem_cache[chunk_id] = cached
        return cached

    def _prefer_question_language(self, ranked: list[_Candidate], text: str) -> list[_Candidate]:
        """Passages in another language than the question's rank lower (not out): an English
        question about a bilingual treaty should see the English article first."""
        penalty = self.settings.other_language_penalty
        language = guess_language(text, minimum_words=4)
        if language is None or penalty >= 1.0 or not ranked:
            return ranked
        if self._languages is None:
            self._languages = self.index.store.chunk_languages("en")
        if not self._languages and language == "en":
            return ranked
        for c in ranked:
            if self._languages.get(c.chunk_id, "en") != language:
                c.fused *= penalty
        return sorted(ranked, key=lambda c: (-c.fused, c.chunk_id))

    def _fill_missing_dense(self, ranked: list[_Candidate], vector) -> None:
        """Lexical-only candidates near the top get their cosine too (for abstention and display)."""
        missing = [c for c in ranked[: self.settings.k * 3] if c.dense is None]
        for c in missing:
            try:
                c.dense = float(np.dot(self.index.vectors.reconstruct(c.chunk_id), vector))
            except RuntimeError:
                pass

    def _passages(self, ranked: list[_Candidate], k: int) -> list[_Passage]:
        """Top passages: overlapping chunks of one document merge into one passage; at most
        ``per_document_cap`` passages per document."""
        pool = ranked[: max(k * 4, 20)]
        rows = self.index.store.chunk_rows([c.chunk_id for c in pool])
        passages: list[_Passage] = []
        per_document: dict[str, int] = {}
        cap = self.settings.per_document_cap
        for candidate in pool:
            if candidate.chunk_id not in rows:
                continue
            chunk, document, indexed_at = rows[candidate.chunk_id]
            merged = False
            for passage in passages:
                if passage.document.id == document.id and _overlaps(passage.chunk, chunk):
                    self._merge(passage, chunk)
                    merged = True
                    break
            if merged:
                continue
            if cap is not None and per_document.get(document.id, 0) >= cap:
                continue
            if len(passages) >= k:
                continue
            per_document[document.id] = per_document.get(document.id, 0) + 1
            passages.append(_Passage(chunk=chunk, document=document, indexed_at=indexed_at, candidate=candidate, chunk_ids=[chunk.id]))
        return passages

    def _merge(self, passage: _Passage, chunk: Chunk) -> None:
        first = passage.chunk
        start, end = min(first.char_start, chunk.char_start), max(first.char_end, chunk.char_end)
        if (start, end) == (first.char_start, first.char_end):
            passage.chunk_ids.append(chunk.id)
            return
        text = self.index.store.document_slice(passage.document.id, start, end) or first.text
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

    def _should_abstain(self, passages: list[_Passage], terms: list[str], mode: str, best_dense: float | None) -> tuple[bool, str]:
        """No passage answers when the best one does not stand out from the index's background
        of unrelated questions (see abstain.py), unless it stands out somewhat and holds most of
        the question's rare words. Lexical mode has only the words to go by."""
        if not passages:
            return True, "no candidates"
        settings = self.settings
        coverage = self._coverage(passages[0].chunk.text, terms)
        if mode == "lexical":
            return coverage < max(settings.abstain_lexical_coverage, 0.5), f"rare-word coverage {coverage:.2f}"
        top = passages[0].candidate
        dense = max(d for d in (top.dense, best_dense) if d is not None) if (top.dense is not None or best_dense is not None) else None
        z = standing(dense, self.index.manifest.background)
        if z is None:
            answered = dense is not None and (dense >= settings.abstain_dense_threshold or coverage >= settings.abstain_lexical_coverage)
            return not answered, f"cosine {dense}, coverage {coverage:.2f}"
        answered = z >= settings.abstain_sure_standing or (z >= settings.abstain_min_standing and coverage >= settings.abstain_lexical_coverage)
        return not answered, f"standing {z:.2f}, coverage {coverage:.2f}"

    def _coverage(self, text: str, terms: list[str]) -> float:
        """IDF-weighted share of the question's words that the passage contains."""
        if not terms:
            return 0.0
        present = set(terms_of(text))
        weights = {t: self._idf(t) for t in terms}
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        return sum(w for t, w in weights.items() if t in present) / total

    def _idf(self, term: str) -> float:
        return self.index.lexical.idf(term)

    # -- presentation ----------------------------------------------------------------------------

    def _hit(self, rank: int, passage: _Passage, terms: list[str], query: str) -> Hit:
        chunk = passage.chunk
        candidate = passage.candidate
        return Hit(
            rank=rank,
            score=round(float(candidate.fused), 6),
            chunk_id=int(chunk.id),
            text=chunk.text,
            document=passage.document,
            location=Location(
                section=" > ".join(chunk.section) if chunk.section else None,
                page=chunk.page,
                char_start=chunk.char_start,
                char_end=chunk.char_end,
            ),
            citation=make_citation(chunk, passage.document, passage.indexed_at),
            highlights=self.highlights(chunk.text, terms),
            dense_score=None if candidate.dense is None else round(float(candidate.dense), 6),
            lexical_score=None if candidate.lexical is None else round(float(candidate.lexical), 6),
        )

    def highlights(self, text: str, terms: list[str], limit: int = 2) -> list[tuple[int, int]]:
        """Char spans of the sentence(s) that best match the question's words (IDF-weighted);
        extractive only. Sentences within 85% of the best score are kept, at most ``limit``."""
        spans = sentence_spans(text)
        if not spans or not terms:
            return [spans[0]] if spans else []
        weights = {t: self._idf(t) for t in terms}
        scored = []
        for start, end in spans:
            words = set(terms_of(text[start:end]))
            scored.append((sum(w for s, w in weights.items() if s in words), start, end))
        best = max(s for s, _, _ in scored)
        if best <= 0:
            return [spans[0]]
        chosen = sorted((s for s in scored if s[0] >= best * 0.85), key=lambda s: (-s[0], s[1]))[:limit]
        return sorted((start, end) for _, start, end in chosen)


def _overlaps(a: Chunk, b: Chunk) -> bool:
    return a.char_start < b.char_end and b.char_start < a.char_end


def query_terms(text: str) -> list[str]:
    """The question's searchable words (folded, stemmed, no stop words), each once, in order."""
    return list(dict.fromkeys(terms_of(text)))
