"""What the ranking stages look up in an open index: a word's IDF, a chunk's sentences, language
and cosine, a candidate's signals for the learned ranker, the chunks under a named provision.

The stages themselves never touch the index (each is tested on hand-made candidates); they are
handed an ``IndexLookups`` and ask it. Lookups that recur across questions are cached here.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..index.generation import OpenIndex
from ..index.lexical import terms_of
from ..models import pages_of_span
from ..text import sentence_spans
from .abstain import mentions_year
from .contrasts import age_stems, contrary, nations_named
from .passages import Passage, answer_window, best_unit, section_around, terms_coverage, window_sentences
from .ranker import CandidateSignals
from .stages import Candidate, Question, heading_names_provision, provision_labels


class IndexLookups:
    def __init__(self, index: OpenIndex):
        self.index = index
        self._languages: dict[int, str] | None = None
        self._sentence_words: dict[int, list[frozenset[str]]] = {}
        self._block_cache: dict[str, list] = {}

    def idf(self, term: str) -> float:
        return self.index.lexical.idf(term)

    def sentences_of(self, chunk_ids: list[int]) -> dict[int, list[frozenset[str]]]:
        """Searchable words of each sentence of some chunks, cached: chunks recur across questions."""
        if len(self._sentence_words) > 50_000:
            self._sentence_words.clear()
        missing = [c for c in chunk_ids if c not in self._sentence_words]
        if missing:
            texts = self.index.store.chunk_texts(missing)
            for chunk_id in missing:
                text = texts.get(chunk_id, "")
                self._sentence_words[chunk_id] = [
                    frozenset(terms_of(text[start:end])) for start, end in sentence_spans(text)
                ]
        return {c: self._sentence_words[c] for c in chunk_ids}

    def language_of(self, chunk_id: int) -> str:
        if self._languages is None:
            self._languages = self.index.store.chunk_languages("en")
        return self._languages.get(chunk_id, "en")

    def cosine(self, vector: np.ndarray, chunk_id: int) -> float | None:
        """The cosine of a chunk with the question (None: the chunk has no vector)."""
        try:
            return float(np.dot(self.index.vectors.reconstruct(chunk_id), vector))
        except RuntimeError:
            return None

    def candidate_signals(
        self, question: Question, candidates: list[Candidate], best_lexical: float
    ) -> list[CandidateSignals]:
        """What the learned stage scores each candidate on: its cosine (computed for those that
        only lexical search found), its BM25 relative to the best, the cosine of each of its
        sentence units with the question, its late interaction and its document."""
        vector = question.vector
        ids = [c.chunk_id for c in candidates]
        texts = self.index.store.chunk_texts(ids)
        documents = self.index.store.chunk_documents(ids)
        sentences = self.index.sentences.similarities(ids, vector)
        signals = []
        for c in candidates:
            dense = c.dense if c.dense is not None else self.cosine(vector, c.chunk_id)
            signals.append(
                CandidateSignals(
                    score=c.score,
                    dense=float(dense if dense is not None else 0.0),
                    lexical=(c.lexical or 0.0) / best_lexical,
                    sentence_similarities=tuple(float(x) for x in sentences.get(c.chunk_id, ())),
                    text=texts.get(c.chunk_id, ""),
                    late=c.late,
                    document=documents.get(c.chunk_id, ""),
                )
            )
        return signals

    def document_of(self, chunk_ids: list[int]) -> dict[int, str]:
        return self.index.store.chunk_documents(chunk_ids)

    def chunks_around(self, chunk_ids: list[int], radius: int) -> list[int]:
        return self.index.store.chunks_around(chunk_ids, radius)

    def scores_of(self, question: Question, chunk_ids: list[int]) -> dict[int, tuple[float | None, float]]:
        """The cosine and BM25 of some chunks with the question, for passages the searches did
        not bring."""
        lexical = self.index.lexical.scores_for(question.terms, chunk_ids)
        return {
            c: (self.cosine(question.vector, c) if question.vector is not None else None, lexical.get(c, 0.0))
            for c in chunk_ids
        }

    def late(self, question: Question, chunk_ids: list[int]) -> np.ndarray:
        """Late interaction (MaxSim) of the question's word pieces with each chunk's."""
        return self.index.tokens.maxsim(chunk_ids, question.tokens if question.tokens is not None else np.zeros((0, 1)))

    def window(self, passage: Passage, question: Question, budget: int, coverage_weight: float) -> Passage:
        """The passage, with its sentence unit that best matches the question (its cosine, and
        the share of the question's rare words it holds; never one about another group than the
        question names, while another unit is not: ``contrasts.contrary``; one naming the
        question's UK nation first) marked, and when that sentence is the
        passage's first or last, up to ``budget`` characters of whole sentences of the
        neighbouring chunk within its section (``answer_window``): an answer split between two
        chunks is shown whole."""
        rows = self.index.store.chunk_rows(passage.chunk_ids)
        units = self.index.store.sentence_units(passage.chunk_ids)
        similarities = (
            self.index.sentences.similarities(passage.chunk_ids, question.vector) if question.vector is not None else {}
        )
        spans, cosines, coverages, contrary_units, own_nation = [], [], [], [], []
        asked = set(question.terms) | age_stems(question.text)
        nations = set(nations_named(question.text))
        for chunk_id in passage.chunk_ids:
            if chunk_id not in rows:
                continue
            chunk = rows[chunk_id][0]
            found = similarities.get(chunk_id)
            for number, (start, end) in enumerate(units.get(chunk_id, [])):
                span = (chunk.char_start + start, chunk.char_start + end)
                if span in spans:
                    continue
                spans.append(span)
                cosines.append(float(found[number]) if found is not None and number < len(found) else 0.0)
                unit = chunk.text[start:end]
                words = set(terms_of(unit))
                coverages.append(terms_coverage(words, question.terms, self.idf))
                contrary_units.append(contrary(asked, words | age_stems(unit)))
                own_nation.append(bool(nations) and bool(nations & set(nations_named(unit))))
        chosen = best_unit(spans, cosines, coverages, coverage_weight, contrary_units, own_nation)
        if chosen is None:
            return passage
        best = spans[chosen]
        document = passage.document.id
        blocks = self._blocks(document)
        section, bounds = section_around(blocks, best)
        low, high = max(bounds[0], passage.chunk.char_start - budget), min(bounds[1], passage.chunk.char_end + budget)
        region = self.index.store.document_slice(document, low, high) or ""
        headings = [(b.start, b.end) for b in blocks if b.kind == "heading"]
        sentences = window_sentences(region, low, bounds, headings)
        paragraphs = [(b.start, b.end) for b in blocks if b.kind != "heading" and bounds[0] <= b.start < bounds[1]]
        start, end = answer_window(
            sentences, (passage.chunk.char_start, passage.chunk.char_end), best, budget, paragraphs
        )
        text = self.index.store.document_slice(document, start, end) or ""
        holder = next(
            (
                rows[c][0]
                for c in passage.chunk_ids
                if c in rows and rows[c][0].char_start <= best[0] < rows[c][0].char_end
            ),
            passage.chunk,
        )
        first_page, last_page = pages_of_span(blocks, start, end)
        if first_page is None:
            first_page, last_page = holder.page, holder.page_end or holder.page
        window = holder.model_copy(
            update={
                "text": text,
                "char_start": start,
                "char_end": end,
                "section": section if section is not None else holder.section,
                "page": first_page,
                "page_end": last_page if last_page != first_page else None,
            }
        )
        return replace(passage, chunk=window, best=best)

    def _blocks(self, document_id: str) -> list:
        if document_id not in self._block_cache:
            if len(self._block_cache) > 64:
                self._block_cache.clear()
            self._block_cache[document_id] = self.index.store.document_blocks(document_id)
        return self._block_cache[document_id]

    def headings_of(self, chunk_ids: list[int]) -> dict[int, str]:
        """Each chunk's document title and section path, one line each."""
        return {chunk_id: headings for chunk_id, (headings, _) in self.headings_and_texts_of(chunk_ids).items()}

    def headings_and_texts_of(self, chunk_ids: list[int]) -> dict[int, tuple[str, str]]:
        """Each chunk's headings (as ``headings_of``), and its text: one read."""
        rows = self.index.store.chunk_rows(chunk_ids)
        return {
            chunk_id: ("\n".join([info.title, *chunk.section]), chunk.text)
            for chunk_id, (chunk, info, _) in rows.items()
        }

    def chunks_mentioning(self, chunk_ids: list[int], years: tuple[str, ...]) -> set[int]:
        """Those of the chunks whose own words (text or section) mention one of the years: a
        report of 2021, or titled "2019-2021", gives figures for other years too."""
        rows = self.index.store.chunk_rows(chunk_ids)
        return {
            chunk_id
            for chunk_id, (chunk, _, _) in rows.items()
            if mentions_year(f"{' '.join(chunk.section)} {chunk.text}", years)
        }

    def chunks_naming(self, chunk_ids: list[int], provisions: list[tuple[str, str]], limit: int) -> list[int]:
        """At most ``limit`` chunks under a heading that names one of the provisions, in the
        documents of some chunks (those documents in the chunks' order, each in reading order)."""
        document_of = self.index.store.chunk_documents(chunk_ids)
        documents = [d for d in dict.fromkeys(document_of.get(c) for c in chunk_ids) if d is not None]
        rows = self.index.store.sections_containing(documents, provision_labels(provisions))
        position = {document: n for n, document in enumerate(documents)}
        naming = [
            (position[document], n, chunk_id)
            for n, (chunk_id, document, section) in enumerate(rows)
            if any(heading_names_provision(heading, provisions) for heading in section)
        ]
        return [chunk_id for _, _, chunk_id in sorted(naming)][:limit]
