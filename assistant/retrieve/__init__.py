"""Retrieval: a question -> ranked, cited passages, or an abstention.

``Retriever.search`` runs dense (FAISS, cosine) and lexical (memory-mapped BM25) search, then the
ranking chain of ``stages.py`` (fusion, the best-sentence reward, the question's language, the
cosine of lexical-only candidates), assembles passages (``passages.py``: merging overlapping
chunks, caps, highlights), decides from named signals whether any passage answers
(``abstain.py``), and then shows the text of a provision the question names ("Article 3") first.
Filters restrict both searches to the allowed chunks.
"""

from __future__ import annotations

import logging
from functools import partial

import numpy as np

from ..config import RetrieveSettings
from ..embed import MAX_SEQ_LENGTH, Embedder
from ..errors import QueryError
from ..index.generation import OpenIndex
from ..index.lexical import bigrams, terms_of
from ..language import guess_language
from ..models import MODES, Answer, Filters, Hit, Location, Mode
from ..present import make_citation
from ..text import sentence_spans
from ..tokens import SPECIAL_TOKENS, WordPieces
from . import stages
from .abstain import Signals, decide, specific_coverage, specific_terms, years_missing
from .passages import Passage, assemble_passages, coverage, highlights
from .ranker import CandidateSignals, load_model
from .stages import Candidate

log = logging.getLogger(__name__)

NO_ANSWER = "No passage in the corpus answers this question."

SIGNAL_PASSAGES = 3
"""Abstention reads the first three passages, however many are asked for: ``ask -k 1`` and the
terminal UI's five cards get the same decision."""


class Retriever:
    def __init__(self, index: OpenIndex, embedder: Embedder, pieces: WordPieces, settings: RetrieveSettings):
        self.index = index
        self.embedder = embedder
        self.pieces = pieces
        self.settings = settings
        self._facets: dict[str, list[str]] | None = None
        self._languages: dict[int, str] | None = None
        self._stem_cache: dict[int, list[frozenset[str]]] = {}

    # -- public ----------------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, mode: Mode | None = None, filters: Filters | None = None) -> Answer:
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
        ranked, best_dense, vector = self._ranked(text, terms, mode, allowed, self.settings.candidates)
        if mode == "lexical" and not terms:
            notices.append("the question has no searchable words for lexical search (only common words)")
        passages = self._passages(ranked, max(k, SIGNAL_PASSAGES))
        signals = self.signals(passages, text, terms, best_dense, vector)
        passages = passages[:k]
        decision = decide(signals, mode, self.settings, load_model("abstention") if self.settings.learned_abstention else None)
        if decision.abstain:
            log.debug("abstained: %s", decision.reason)
            notices.extend([decision.notice] if decision.notice else [])
            return Answer(query=query, abstained=True, message=NO_ANSWER, notices=notices, mode=mode, best_dense_score=best_dense)
        shown = self._named_provisions_first(ranked, text, vector, k)
        if shown is not ranked:
            passages = self._passages(shown, k)
        if self._learned_ranking(vector) and mode == "hybrid" and passages:
            # Cards far below the first are not shown as if they were answers too.
            floor = self.settings.relative_floor * passages[0].candidate.score
            passages = [p for p in passages if p.candidate.score >= floor]
        hits = [self._hit(rank, passage, terms) for rank, passage in enumerate(passages, start=1)]
        return Answer(query=query, abstained=False, hits=hits, notices=notices, mode=mode, best_dense_score=best_dense)

    def signals_for(self, query: str, mode: Mode = "hybrid") -> Signals | None:
        """The abstention signals of a question, without deciding (for fitting the model)."""
        text, _ = self.prepare_query(query)
        terms = query_terms(text)
        ranked, best_dense, vector = self._ranked(text, terms, mode, None, self.settings.candidates)
        return self.signals(self._passages(ranked, self.settings.k), text, terms, best_dense, vector)

    def rank_documents(self, query: str, mode: Mode = "hybrid", limit: int = 100) -> list[str]:
        """Document ids ranked by their best chunk, without abstention (for benchmarks)."""
        text, _ = self.prepare_query(query)
        ranked, _, _ = self._ranked(text, query_terms(text), mode, None, max(limit * 3, self.settings.candidates))
        rows = self.index.store.chunk_documents([c.chunk_id for c in ranked])
        seen: dict[str, None] = {}
        for candidate in ranked:
            document = rows.get(candidate.chunk_id)
            if document is not None:
                seen.setdefault(document, None)
                if len(seen) >= limit:
                    break
        return list(seen)

    def _ranked(self, text: str, terms: list[str], mode: Mode, allowed, limit: int) -> tuple[list[Candidate], float | None, np.ndarray | None]:
        """Both searches, then the ranking chain; also the best cosine dense search found, and
        the question's vector (None in lexical mode)."""
        vector = self.embedder.embed_queries([text])[0] if mode in ("hybrid", "dense") else None
        dense = self.index.vectors.search(vector, limit, allowed) if vector is not None else []
        lexical: list[tuple[int, float]] = []
        searched: list[str] = []
        if mode in ("hybrid", "lexical") and terms:
            # Word pairs sharpen short, keyword-like questions ("reasonable grounds decision"); in
            # a long question most adjacent pairs are incidental and only add noise.
            searched = terms + (bigrams(terms) if self.settings.lexical_phrases and len(terms) <= self.settings.phrase_max_terms else [])
            lexical = self.index.lexical.search(searched, limit, allowed)
        best_dense = max((score for _, score in dense), default=None)
        ranked = stages.merge_searches(dense, lexical)
        for stage in self._chain(mode, text, terms, vector):
            ranked = stage(ranked)
        if mode == "hybrid" and terms and self.settings.feedback_terms > 0:
            # Pseudo-relevance feedback: the words that the first passages share, and the question
            # lacks, search again at a lower weight ("non-punishment" finds "not imposing penalties").
            expansion = stages.feedback_terms(
                [self._terms_of_chunk(c.chunk_id) for c in ranked[: self.settings.feedback_depth]], set(terms), self._idf, self.settings.feedback_terms
            )
            if expansion:
                weights = {term: self.settings.feedback_weight for term in expansion}
                lexical = self.index.lexical.search(searched + expansion, limit, allowed, weights)
                ranked = stages.merge_searches(dense, lexical)
                for stage in self._chain(mode, text, terms, vector):
                    ranked = stage(ranked)
        return ranked, best_dense, vector

    def _chain(self, mode: Mode, text: str, terms: list[str], vector) -> list:
        """The ranking stages for this question, in order (see stages.py)."""
        settings = self.settings
        chain = [partial(stages.fuse, mode=mode, dense_weight=settings.dense_weight, lexical_weight=settings.lexical_weight)]
        if mode == "hybrid":
            chain.append(partial(stages.reward_sentence_match, terms=terms, idf=self._idf, sentences_of=self._sentences_of, weight=settings.sentence_weight, depth=settings.rerank_depth))
        chain.append(partial(stages.prefer_language, language=guess_language(text, minimum_words=4), language_of=self._language_of, penalty=settings.other_language_penalty))
        ranker = load_model("ranker") if mode == "hybrid" and self._learned_ranking(vector) else None
        if ranker is not None:
            chain.append(partial(stages.rerank_learned, model=ranker, signals_of=partial(self.candidate_signals, vector), depth=settings.learned_depth))
        if mode == "hybrid" and vector is not None:
            chain.append(partial(stages.fill_missing_dense, depth=settings.k * 3, cosine_of=partial(self._cosine, vector)))
        return chain

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
        for year in (filters.year_from, filters.year_to):
            if year is not None and not 1000 <= year <= 2100:
                raise QueryError(f"year {year} is out of range: give a year between 1000 and 2100")
        if filters.year_from is not None and filters.year_to is not None and filters.year_from > filters.year_to:
            raise QueryError(f"year range is empty: {filters.year_from} > {filters.year_to}")

    # -- what the stages look up ----------------------------------------------------------------

    def _sentences_of(self, chunk_ids: list[int]) -> dict[int, list[frozenset[str]]]:
        """Searchable words of each sentence of some chunks, cached: chunks recur across questions."""
        if len(self._stem_cache) > 50_000:
            self._stem_cache.clear()
        missing = [c for c in chunk_ids if c not in self._stem_cache]
        if missing:
            texts = self.index.store.chunk_texts(missing)
            for chunk_id in missing:
                text = texts.get(chunk_id, "")
                self._stem_cache[chunk_id] = [frozenset(terms_of(text[start:end])) for start, end in sentence_spans(text)]
        return {c: self._stem_cache[c] for c in chunk_ids}

    def candidate_signals(self, vector: np.ndarray, candidates: list[Candidate], best_lexical: float) -> list[CandidateSignals]:
        """What the learned stage scores each candidate on: its cosine (computed for those that
        only lexical search found), its BM25 relative to the best, and the cosine of each of its
        sentence units with the question."""
        ids = [c.chunk_id for c in candidates]
        texts = self.index.store.chunk_texts(ids)
        sentences = self.index.sentences.similarities(ids, vector)
        signals = []
        for c in candidates:
            dense = c.dense if c.dense is not None else self._cosine(vector, c.chunk_id)
            signals.append(
                CandidateSignals(
                    score=c.score,
                    dense=float(dense if dense is not None else 0.0),
                    lexical=(c.lexical or 0.0) / best_lexical,
                    sentence_similarities=tuple(float(x) for x in sentences.get(c.chunk_id, ())),
                    text=texts.get(c.chunk_id, ""),
                )
            )
        return signals

    def _named_provisions_first(self, ranked: list[Candidate], text: str, vector, k: int) -> list[Candidate]:
        """The ranking with the text of a provision the question names first (see
        ``stages.prefer_named_provisions``). Applied once abstention has decided: a question is
        judged answerable or not on what the searches found, and only then is the named article
        shown first ("Palermo Protocol Article 3": the protocol's own text never
        says "Palermo", so its Article 3 alone would look like an answer to another question)."""
        provisions = stages.named_provisions(text)
        if not provisions:
            return ranked
        shown = stages.prefer_named_provisions(ranked, provisions, self._chunks_naming, self.settings.provision_depth)
        if vector is not None and shown is not ranked:
            shown = stages.fill_missing_dense(shown, depth=k * 3, cosine_of=partial(self._cosine, vector))
        return shown

    def _chunks_naming(self, chunk_ids: list[int], provisions: list[tuple[str, str]]) -> list[int]:
        """Chunks under a heading that names one of the provisions, in the documents of some chunks
        (those documents in the chunks' order, each in reading order)."""
        document_of = self.index.store.chunk_documents(chunk_ids)
        documents = [d for d in dict.fromkeys(document_of.get(c) for c in chunk_ids) if d is not None]
        rows = self.index.store.sections_containing(documents, stages.provision_labels(provisions))
        position = {document: n for n, document in enumerate(documents)}
        naming = [(position[document], n, chunk_id) for n, (chunk_id, document, section) in enumerate(rows)
                  if any(stages.heading_names_provision(heading, provisions) for heading in section)]
        return [chunk_id for _, _, chunk_id in sorted(naming)][: self.settings.provision_chunks]

    def _terms_of_chunk(self, chunk_id: int) -> list[str]:
        sentences = self._sentences_of([chunk_id])[chunk_id]
        return [term for words in sentences for term in words]

    def _language_of(self, chunk_id: int) -> str:
        if self._languages is None:
            self._languages = self.index.store.chunk_languages("en")
        return self._languages.get(chunk_id, "en")

    def _cosine(self, vector, chunk_id: int) -> float | None:
        try:
            return float(np.dot(self.index.vectors.reconstruct(chunk_id), vector))
        except RuntimeError:
            return None

    def _idf(self, term: str) -> float:
        return self.index.lexical.idf(term)

    # -- passages and abstention -----------------------------------------------------------------

    def _passages(self, ranked: list[Candidate], k: int) -> list[Passage]:
        pool = ranked[: max(k * 4, 20)]
        rows = self.index.store.chunk_rows([c.chunk_id for c in pool])
        return assemble_passages(pool, rows, k, self.settings.per_document_cap, self.index.store.document_slice)

    def signals(self, passages: list[Passage], text: str, terms: list[str], best_dense: float | None, vector: np.ndarray | None) -> Signals | None:
        """The named signals abstention decides from (see abstain.py)."""
        if not passages:
            return None
        top = passages[0]
        # Approximate (HNSW) search can miss a chunk whose cosine the chain computed exactly.
        dense = max((d for d in (best_dense, top.candidate.dense) if d is not None), default=None)
        first = passages[:SIGNAL_PASSAGES]
        specific = specific_terms(text)
        best_sentence = None
        if vector is not None:
            similarities = self.index.sentences.similarities([p.chunk.id for p in first], vector)
            best_sentence = max((float(s.max()) for s in similarities.values() if len(s)), default=None)
        return Signals(
            best_dense=dense,
            top_coverage=coverage(top.chunk.text, terms, self._idf),
            background=self.index.manifest.background,
            top_probability=top.candidate.score if self._learned_ranking(vector) else None,
            best_sentence=best_sentence,
            specific_coverage=specific_coverage(specific, [f"{p.document.title} {p.chunk.text}" for p in first]),
            specific_known=self._share_in_corpus(specific),
            years_missing=years_missing(text, [f"{p.document.title} {p.document.year or ''} {' '.join(p.chunk.section)} {p.chunk.text}" for p in first]),
        )

    def _share_in_corpus(self, words: list[str]) -> float:
        """Share of some words that occur in at least one chunk (1.0 for none)."""
        if not words:
            return 1.0
        lexical = self.index.lexical
        return sum(all(lexical.document_frequency(t) > 0 for t in terms_of(w)) for w in words) / len(words)

    def _learned_ranking(self, vector) -> bool:
        return self.settings.learned_ranker and vector is not None and load_model("ranker") is not None

    # -- presentation ----------------------------------------------------------------------------

    def _hit(self, rank: int, passage: Passage, terms: list[str]) -> Hit:
        chunk = passage.chunk
        candidate = passage.candidate
        return Hit(
            rank=rank,
            score=round(float(candidate.score), 6),
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
            highlights=highlights(chunk.text, terms, self._idf),
            dense_score=None if candidate.dense is None else round(float(candidate.dense), 6),
            lexical_score=None if candidate.lexical is None else round(float(candidate.lexical), 6),
            also_at=[make_citation(other, document, indexed_at) for other, document, indexed_at in passage.also],
        )


def query_terms(text: str) -> list[str]:
    """The question's searchable words (folded, stemmed, no stop words), each once, in order."""
    return list(dict.fromkeys(terms_of(text)))
