"""Generated unit vectors for the large benchmark corpora: a random-indexing embedding (each word
gets a fixed random vector; a text is the normalised sum of its words' vectors), so similar texts
get similar vectors and an index has realistic structure. Costs microseconds, not the model's
fifty milliseconds per passage. Used only where the benchmark says so."""

from __future__ import annotations

import hashlib
import re

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")


class RandomIndexingEmbedder:
    dimension = 384

    def __init__(self, seed: int = 11):
        self._seed = seed
        self._words: dict[str, np.ndarray] = {}

    def _word(self, word: str) -> np.ndarray:
        vector = self._words.get(word)
        if vector is None:
            digest = hashlib.blake2b(f"{self._seed}:{word}".encode(), digest_size=8).digest()
            vector = (
                np.random.default_rng(int.from_bytes(digest, "little"))
                .standard_normal(self.dimension)
                .astype(np.float32)
            )
            self._words[word] = vector
        return vector

    def _one(self, text: str) -> np.ndarray:
        words = _WORD.findall(text.lower()) or ["empty"]
        vector = np.sum([self._word(w) for w in words], axis=0)
        return vector / max(float(np.linalg.norm(vector)), 1e-9)

    def embed_documents(self, texts, progress=None):
        vectors = np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)
        if progress:
            progress(len(texts))
        return vectors.astype(np.float32)

    def embed_queries(self, texts):
        return self.embed_documents(texts)

    def embed_passages(self, texts, progress=None):
        """The passage vectors, and one word-piece row per word (the word's own vector, made a
        unit vector): as many rows, of the same size, as the model's matching word pieces."""
        from assistant.embed import TokenRows

        vectors = self.embed_documents(texts, progress)
        return vectors, [TokenRows.quantise(self._words_of(t)) for t in texts]

    def embed_question(self, text):
        return self._one(text).astype(np.float32), self._words_of(text)

    def _words_of(self, text: str) -> np.ndarray:
        words = _WORD.findall(text.lower()) or ["empty"]
        rows = np.stack([self._word(w) for w in words])
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
