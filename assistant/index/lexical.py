"""Lexical search: BM25 over chunk text and context, held as a sparse term x chunk matrix in
NumPy arrays that are memory-mapped from the generation folder.

Why not SQLite FTS5: FTS5 scores every passage that contains any query word before it can sort,
so a question with a few common words costs tens of milliseconds at 100k passages. Here a word's
column holds its precomputed BM25 weights; a question adds a handful of columns (microseconds).

Words are folded (case, accents, quote style), stop words dropped and lightly stemmed, so that
"Victims’" matches "victim". Adjacent word pairs are indexed too, so a short keyword question
("reasonable grounds decision") can reward passages that say the words together.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..files import KIB, MIB, read_regular
from ..text import word_tokens

VOCABULARY_LIMIT = 1024 * MIB
"""Largest vocabulary file read (100,000 chunks of guidance hold about 300,000 words: 8 MB)."""

STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can cannot could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not of off on once only or other ought our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves also may might must
    shall us get gets got go goes going make makes made use used using one ones s t don doesn didn
    isn wasn weren won wouldn shouldn couldn ve ll re d m""".split()
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "edly", "ed", "es", "s", "ly")
_stem_cache: dict[str, str] = {}


def stem(word: str) -> str:
    """A light suffix stripper: victims/victim, identified/identify, trafficking/traffick."""
    cached = _stem_cache.get(word)
    if cached is not None:
        return cached
    result = word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            base = word[: -len(suffix)]
            result = base + "y" if suffix in ("ies", "ied") else base
            break
    if len(_stem_cache) < 200_000:
        _stem_cache[word] = result
    return result


def terms_of(text: str) -> list[str]:
    """Searchable words of a text, in order: folded, stop words dropped, stemmed."""
    return [stem(w) for w in word_tokens(text) if len(w) > 1 and w not in STOPWORDS]


def bigrams(terms: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in zip(terms, terms[1:])]


def weighted_counts(text: str, context: str, context_weight: float) -> tuple[dict[str, float], float]:
    """Term frequencies of a chunk (context words count ``context_weight`` each) and its length."""
    counts: dict[str, float] = {}
    body = terms_of(text)
    for term in body + bigrams(body):
        counts[term] = counts.get(term, 0.0) + 1.0
    head = terms_of(context)
    for term in head + bigrams(head):
        counts[term] = counts.get(term, 0.0) + context_weight
    return counts, len(body) + context_weight * len(head)


class LexicalIndex:
    """Term frequencies by term (column) over chunks (rows), with each chunk's length. BM25 weights
    are computed for the few columns a question touches, so the arrays can be updated when files
    change without re-reading the whole corpus."""

    FILES = (
        "lexical_indptr.npy",
        "lexical_rows.npy",
        "lexical_tf.npy",
        "lexical_lengths.npy",
        "lexical_chunks.npy",
        "lexical_vocab.json",
        "lexical_params.json",
    )

    def __init__(self, indptr, rows, tf, lengths, chunk_ids, vocabulary: dict[str, int], *, k1: float, b: float):
        self.indptr, self.rows, self.tf, self.lengths, self.chunk_ids = indptr, rows, tf, lengths, chunk_ids
        self.vocabulary = vocabulary
        self.k1, self.b = k1, b
        self.average_length = float(np.mean(lengths)) if len(lengths) else 1.0
        self._row_of: dict[int, int] | None = None

    @property
    def size(self) -> int:
        return int(len(self.chunk_ids))

    # -- building ----------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        chunks: Iterable[tuple[int, str, float]],
        *,
        k1: float,
        b: float,
        previous: LexicalIndex | None = None,
        keep: set[int] | None = None,
    ) -> LexicalIndex:
        """From (chunk id, weighted term counts as JSON, length) rows, streamed into compact
        typed arrays. With ``previous``, its postings for the chunk ids in ``keep`` are reused and
        only ``chunks`` (the new ones) are parsed."""
        vocabulary: dict[str, int] = dict(previous.vocabulary) if previous is not None else {}
        ids, lengths = array("q"), array("f")
        term_ids, row_ids, frequencies = array("i"), array("i"), array("f")
        old_columns = old_rows = old_tf = None
        if previous is not None and previous.size:
            kept = np.isin(previous.chunk_ids, np.fromiter(keep or (), dtype=np.int64))
            new_row = np.full(previous.size, -1, dtype=np.int64)
            new_row[kept] = np.arange(int(kept.sum()))
            ids.extend(np.asarray(previous.chunk_ids)[kept].tolist())
            lengths.extend(np.asarray(previous.lengths)[kept].tolist())
            columns = np.repeat(
                np.arange(len(previous.indptr) - 1, dtype=np.int32), np.diff(np.asarray(previous.indptr))
            )
            posting_rows = new_row[np.asarray(previous.rows)]
            alive = posting_rows >= 0
            old_columns, old_rows, old_tf = (
                columns[alive],
                posting_rows[alive].astype(np.int32),
                np.asarray(previous.tf)[alive],
            )
        offset = len(ids)
        for position, (chunk_id, counts_json, length) in enumerate(chunks):
            ids.append(chunk_id)
            lengths.append(length)
            for term, frequency in json.loads(counts_json).items():
                term_ids.append(vocabulary.setdefault(term, len(vocabulary)))
                row_ids.append(offset + position)
                frequencies.append(frequency)
        columns = np.frombuffer(term_ids, dtype=np.int32)
        rows = np.frombuffer(row_ids, dtype=np.int32)
        tf = np.frombuffer(frequencies, dtype=np.float32)
        if old_columns is not None:
            columns, rows, tf = (
                np.concatenate([old_columns, columns]),
                np.concatenate([old_rows, rows]),
                np.concatenate([old_tf, tf]),
            )
        order = np.argsort(columns, kind="stable")
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(columns, minlength=len(vocabulary)), out=indptr[1:])
        return cls(
            indptr,
            rows[order].copy(),
            tf[order].copy(),
            np.frombuffer(lengths, dtype=np.float32).copy(),
            np.frombuffer(ids, dtype=np.int64).copy(),
            vocabulary,
            k1=k1,
            b=b,
        )

    def save(self, folder: Path) -> list[Path]:
        paths = []
        for name, values in zip(self.FILES[:5], (self.indptr, self.rows, self.tf, self.lengths, self.chunk_ids)):
            np.save(folder / name, values)
            paths.append(folder / name)
        (folder / self.FILES[5]).write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")
        (folder / self.FILES[6]).write_text(json.dumps({"k1": self.k1, "b": self.b}), encoding="utf-8")
        return paths + [folder / self.FILES[5], folder / self.FILES[6]]

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """The arrays memory-mapped, with the BM25 parameters they were saved with."""
        # Plain array views of the memory maps: indexing a np.memmap wraps every result in a
        # memmap object, a cost paid per posting list on every question.
        arrays = [np.asarray(np.load(folder / name, mmap_mode="r")) for name in cls.FILES[:5]]
        vocabulary = json.loads(read_regular(folder / cls.FILES[5], VOCABULARY_LIMIT, follow_symlinks=False))
        parameters = json.loads(read_regular(folder / cls.FILES[6], 64 * KIB, follow_symlinks=False))
        if not isinstance(vocabulary, dict) or not all(isinstance(v, int) for v in vocabulary.values()):
            raise ValueError(f"malformed {cls.FILES[5]} (not a map of words to numbers)")
        try:
            index = cls(*arrays, vocabulary, k1=float(parameters["k1"]), b=float(parameters["b"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"malformed {cls.FILES[6]} ({error})") from error
        index.check()
        return index

    def check(self) -> None:
        """Raise ValueError when the arrays do not fit together (a damaged or edited file):
        searching them would index out of bounds or return other chunks' scores."""
        indptr, rows = np.asarray(self.indptr), np.asarray(self.rows)
        problems = []
        if indptr.ndim != 1 or len(indptr) != len(self.vocabulary) + 1:
            problems.append(f"{len(indptr)} column pointers for {len(self.vocabulary)} terms")
        elif len(indptr) and (indptr[0] != 0 or indptr[-1] != len(rows) or np.any(np.diff(indptr) < 0)):
            problems.append("column pointers out of order")
        if len(rows) != len(self.tf):
            problems.append(f"{len(rows)} postings but {len(self.tf)} frequencies")
        if len(self.lengths) != len(self.chunk_ids):
            problems.append(f"{len(self.lengths)} lengths for {len(self.chunk_ids)} chunks")
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self.chunk_ids)):
            problems.append("postings point outside the chunk list")
        if self.vocabulary and (
            min(self.vocabulary.values()) < 0 or max(self.vocabulary.values()) >= len(self.vocabulary)
        ):
            problems.append("vocabulary ids out of range")
        if problems:
            raise ValueError("; ".join(problems))

    # -- searching ---------------------------------------------------------------------------------

    def document_frequency(self, term: str) -> int:
        column = self.vocabulary.get(term)
        return 0 if column is None else int(self.indptr[column + 1] - self.indptr[column])

    def idf(self, term: str) -> float:
        n, df = self.size, self.document_frequency(term)
        return math.log((n - df + 0.5) / (df + 0.5) + 1.0)

    def search(
        self,
        terms: list[str],
        limit: int,
        allowed_ids: np.ndarray | None = None,
        weights: dict[str, float] | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (chunk id, BM25 score); ties broken by chunk id. ``weights`` scales some
        terms' contributions (expansion terms count less than the question's own)."""
        if not terms or not self.size:
            return []
        scores = self._scores(terms, weights)
        if allowed_ids is not None:
            scores[~np.isin(self.chunk_ids, allowed_ids)] = 0.0
        candidates = np.flatnonzero(scores > 0)
        if not len(candidates):
            return []
        if len(candidates) > limit:
            candidates = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
        order = sorted(candidates.tolist(), key=lambda row: (-float(scores[row]), int(self.chunk_ids[row])))
        return [(int(self.chunk_ids[row]), float(scores[row])) for row in order]

    def scores_for(self, terms: list[str], chunk_ids: list[int]) -> dict[int, float]:
        """The BM25 score of some chunks, found by search or not (0 for a chunk without the words)."""
        if not terms or not self.size or not chunk_ids:
            return {int(c): 0.0 for c in chunk_ids}
        if self._row_of is None:
            self._row_of = {int(chunk_id): row for row, chunk_id in enumerate(np.asarray(self.chunk_ids).tolist())}
        scores = self._scores(terms, None)
        return {int(c): float(scores[self._row_of[int(c)]]) if int(c) in self._row_of else 0.0 for c in chunk_ids}

    def _scores(self, terms: list[str], weights: dict[str, float] | None) -> np.ndarray:
        scores = np.zeros(self.size, dtype=np.float32)
        k1, b, average = self.k1, self.b, self.average_length
        for term in dict.fromkeys(terms):
            column = self.vocabulary.get(term)
            if column is None:
                continue
            start, end = int(self.indptr[column]), int(self.indptr[column + 1])
            rows = self.rows[start:end]
            tf = self.tf[start:end]
            norm = k1 * (1.0 - b + b * self.lengths[rows] / average)
            weight = 1.0 if weights is None else weights.get(term, 1.0)
            scores[rows] += np.float32(weight * self.idf(term)) * (tf * (k1 + 1.0) / (tf + norm))
        return scores


class SpellingWords:
    """The corpus's own words and how often each occurs (lower case, letters only, seen at least
    twice), for spelling tolerance: written with every generation, read at the first question
    that has a word the corpus lacks."""

    FILE = "spelling_words.json"
    LIMIT = 256 * MIB

    @classmethod
    def count(cls, texts: Iterable[str]) -> dict[str, int]:
        from collections import Counter

        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(word.lower() for word in _LETTERS.findall(text))
        return {word: count for word, count in counts.items() if count >= 2}

    @classmethod
    def save(cls, folder: Path, counts: dict[str, int]) -> None:
        (folder / cls.FILE).write_text(json.dumps(counts, ensure_ascii=False, sort_keys=True), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> dict[str, int]:
        counts = json.loads(read_regular(folder / cls.FILE, cls.LIMIT, follow_symlinks=False))
        if not isinstance(counts, dict) or not all(isinstance(v, int) for v in counts.values()):
            raise ValueError(f"malformed {cls.FILE} (not a map of words to counts)")
        return counts


_LETTERS = re.compile(r"[A-Za-z]{3,}")
