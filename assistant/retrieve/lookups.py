"""What the ranking stages look up in an open index: a word's IDF, a chunk's sentences, language
and cosine, a candidate's signals for the learned ranker, the chunks under a named provision.

The stages themselves never touch the index (each is tested on hand-made candidates); they are
handed an ``IndexLookups`` and ask it. Lookups that recur across questions are cached here.
"""

from __future__ import annotations

import numpy as np

from ..index.generation import OpenIndex
from ..index.lexical import terms_of
from ..text import sentence_spans
from .ranker import CandidateSignals
from .stages import Candidate, heading_names_provision, provision_labels


class IndexLookups:
    def __init__(self, index: OpenIndex):
        self.index = index
        self._languages: dict[int, str] | None = None
        self._sentence_words: dict[int, list[frozenset[str]]] = {}

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
                self._sentence_words[chunk_id] = [frozenset(terms_of(text[start:end])) for start, end in sentence_spans(text)]
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

    def candidate_signals(self, vector: np.ndarray, candidates: list[Candidate], best_lexical: float) -> list[CandidateSignals]:
        """What the learned stage scores each candidate on: its cosine (computed for those that
        only lexical search found), its BM25 relative to the best, and the cosine of each of its
        sentence units with the question."""
        ids = [c.chunk_id for c in candidates]
        texts = self.index.store.chunk_texts(ids)
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
                )
            )
        return signals

    def chunks_naming(self, chunk_ids: list[int], provisions: list[tuple[str, str]], limit: int) -> list[int]:
        """At most ``limit`` chunks under a heading that names one of the provisions, in the
        documents of some chunks (those documents in the chunks' order, each in reading order)."""
        document_of = self.index.store.chunk_documents(chunk_ids)
        documents = [d for d in dict.fromkeys(document_of.get(c) for c in chunk_ids) if d is not None]
        rows = self.index.store.sections_containing(documents, provision_labels(provisions))
        position = {document: n for n, document in enumerate(documents)}
        naming = [(position[document], n, chunk_id) for n, (chunk_id, document, section) in enumerate(rows)
                  if any(heading_names_provision(heading, provisions) for heading in section)]
        return [chunk_id for _, _, chunk_id in sorted(naming)][:limit]
