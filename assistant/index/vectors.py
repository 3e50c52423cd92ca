"""The FAISS vector index of one generation. Ids are the SQLite chunk ids; vectors are normalised,
so inner product is cosine similarity. Exact (flat) search while the index is small enough to
scan quickly, HNSW beyond a measured size (see IndexSettings.exact_search_max_vectors)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np

from ..errors import IndexCorruptError
from ..models import VectorIndexInfo


class VectorIndex:
    def __init__(self, index: faiss.Index, info: VectorIndexInfo):
        self._index = index
        self.info = info

    @property
    def ef_search(self) -> int | None:
        """How widely an HNSW index searches (None: an exact index)."""
        return int(faiss.downcast_index(self._index.index).hnsw.efSearch) if self.info.kind == "hnsw" else None

    @classmethod
    def build(
        cls,
        batches: Iterable[tuple[np.ndarray, np.ndarray]],
        dimension: int,
        wanted: VectorIndexInfo,
        ef_search: int = 128,
    ) -> VectorIndex:
        """Build the index ``wanted`` (exact or HNSW, as ``fingerprint.vector_index_wanted``
        decides) from (ids, vectors) batches without holding them all in Python lists."""
        if wanted.kind == "flat":
            base = faiss.IndexFlatIP(dimension)
            info = VectorIndexInfo(kind="flat")
        else:
            base = faiss.IndexHNSWFlat(dimension, int(wanted.parameters["m"]), faiss.METRIC_INNER_PRODUCT)
            base.hnsw.efConstruction = int(wanted.parameters["ef_construction"])
            base.hnsw.efSearch = ef_search
            info = VectorIndexInfo(kind="hnsw", parameters={**wanted.parameters, "ef_search": ef_search})
        index = faiss.IndexIDMap2(base)
        for ids, vectors in batches:
            if len(ids):
                index.add_with_ids(
                    np.ascontiguousarray(vectors, dtype=np.float32), np.ascontiguousarray(ids, dtype=np.int64)
                )
        return cls(index, info)

    @classmethod
    def load(cls, path: Path, info: VectorIndexInfo, ef_search: int | None = None) -> VectorIndex:
        """The index at ``path``; an HNSW index searches ``ef_search`` wide (default: as built)."""
        # One question at a time: OpenMP threads cost more to wake than a scan of 100k vectors.
        faiss.omp_set_num_threads(1)
        if not path.is_file():
            raise IndexCorruptError(f"{path} is missing")
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as error:
            # FAISS's message names its own C++ source line, which tells a reader nothing.
            size = path.stat().st_size
            state = "empty" if size == 0 else f"{size:,} bytes, cut short or overwritten"
            raise IndexCorruptError(f"{path} is damaged: not a readable vector index ({state})") from error
        if info.kind == "hnsw":
            faiss.downcast_index(index.index).hnsw.efSearch = int(ef_search or info.parameters.get("ef_search", 128))
        return cls(index, info)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def reconstruct(self, chunk_id: int) -> np.ndarray:
        return self._index.reconstruct(int(chunk_id))

    def search(self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (chunk id, cosine) for one query vector, optionally restricted to some ids."""
        if self.size == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed_ids is not None:
            if len(allowed_ids) == 0:
                return []
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed_ids, dtype=np.int64))
            params = (
                faiss.SearchParametersHNSW(sel=selector)
                if self.info.kind == "hnsw"
                else faiss.SearchParameters(sel=selector)
            )
            k = min(k, len(allowed_ids))
        scores, ids = (
            self._index.search(query, min(k, self.size), params=params)
            if params
            else self._index.search(query, min(k, self.size))
        )
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


class SentenceVectors:
    """One vector per sentence unit of every chunk, for scoring the candidates of a question by
    their best sentence. Stored as float16 rows in chunk id order beside the chunk id of each row,
    and memory-mapped: a question reads only the rows of its few dozen candidates, so the file's
    size (about 770 bytes per sentence) does not become resident memory."""

    VECTORS = "sentence_vectors.npy"
    CHUNKS = "sentence_chunks.npy"
    FILES = (VECTORS, CHUNKS)

    def __init__(self, vectors: np.ndarray, chunk_ids: np.ndarray):
        # Plain array views of the memory maps: slicing a np.memmap builds a memmap object per
        # slice, a cost paid for some 200 slices per question.
        self._vectors = np.asarray(vectors)
        self._chunk_ids = np.asarray(chunk_ids)

    @classmethod
    def write(
        cls, directory: Path, batches: Iterable[tuple[np.ndarray, np.ndarray]], count: int, dimension: int
    ) -> int:
        """Write ``count`` rows from (chunk ids, vectors) batches in chunk id order; returns the rows written."""
        vectors = np.lib.format.open_memmap(
            directory / cls.VECTORS, mode="w+", dtype=np.float16, shape=(count, dimension)
        )
        chunk_ids = np.lib.format.open_memmap(directory / cls.CHUNKS, mode="w+", dtype=np.int64, shape=(count,))
        written = 0
        for ids, batch in batches:
            vectors[written : written + len(ids)] = batch.astype(np.float16)
            chunk_ids[written : written + len(ids)] = ids
            written += len(ids)
        vectors.flush()
        chunk_ids.flush()
        del vectors, chunk_ids
        if written != count:
            raise IndexCorruptError(f"{written} sentence vectors written, {count} expected")
        return written

    @classmethod
    def load(cls, directory: Path) -> SentenceVectors:
        try:
            vectors = np.load(directory / cls.VECTORS, mmap_mode="r")
            chunk_ids = np.load(directory / cls.CHUNKS, mmap_mode="r")
        except (OSError, ValueError) as error:
            raise IndexCorruptError(f"the sentence vectors are missing or damaged ({error})") from error
        if vectors.ndim != 2 or chunk_ids.ndim != 1 or len(vectors) != len(chunk_ids):
            raise IndexCorruptError(
                f"the sentence vectors do not match their chunk ids ({vectors.shape}, {chunk_ids.shape})"
            )
        return cls(vectors, chunk_ids)

    @property
    def size(self) -> int:
        return int(len(self._chunk_ids))

    def similarities(self, chunk_ids: list[int], vector: np.ndarray) -> dict[int, np.ndarray]:
        """Cosine of the question with each sentence unit of each chunk, in the chunk's order."""
        found: dict[int, np.ndarray] = {}
        wanted = np.asarray(chunk_ids, dtype=np.int64)
        starts = np.searchsorted(self._chunk_ids, wanted, side="left")
        ends = np.searchsorted(self._chunk_ids, wanted, side="right")
        query = vector.astype(np.float32)
        for chunk_id, start, end in zip(chunk_ids, starts, ends):
            if end > start:
                found[int(chunk_id)] = np.asarray(self._vectors[start:end], dtype=np.float32) @ query
        return found


class TokenVectors:
    """Late interaction's side of the index: the output vector of each matching word piece of
    every chunk (see ``embed.TokenRows``), int8 rows with a float16 scale each, in chunk id order,
    memory-mapped. A question reads the rows of the hundred-odd chunks it re-selects among, so
    the file's size (about 390 bytes per word piece, 47 KB per chunk) does not become resident
    memory."""

    VECTORS = "token_vectors.npy"
    SCALES = "token_scales.npy"
    CHUNKS = "token_chunks.npy"
    OFFSETS = "token_offsets.npy"
    FILES = (VECTORS, SCALES, CHUNKS, OFFSETS)

    def __init__(self, vectors: np.ndarray, scales: np.ndarray, chunk_ids: np.ndarray, offsets: np.ndarray):
        self._vectors = np.asarray(vectors)
        self._scales = np.asarray(scales)
        self._chunk_ids = np.asarray(chunk_ids)
        self._offsets = np.asarray(offsets)

    @classmethod
    def write(
        cls, directory: Path, rows: Iterable[tuple[int, np.ndarray, np.ndarray]], lengths: list[int], dimension: int
    ) -> None:
        """Write the (chunk id, int8 rows, scales) of every chunk, in chunk id order; ``lengths``
        are their row counts, in the same order."""
        total = int(sum(lengths))
        vectors = np.lib.format.open_memmap(directory / cls.VECTORS, mode="w+", dtype=np.int8, shape=(total, dimension))
        scales = np.lib.format.open_memmap(directory / cls.SCALES, mode="w+", dtype=np.float16, shape=(total,))
        chunk_ids = np.zeros(len(lengths), dtype=np.int64)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        position = 0
        for number, (chunk_id, chunk_vectors, chunk_scales) in enumerate(rows):
            end = position + len(chunk_vectors)
            if end != offsets[number + 1]:
                raise IndexCorruptError(
                    f"chunk {chunk_id}: {len(chunk_vectors)} word-piece vectors, {lengths[number]} expected"
                )
            vectors[position:end] = chunk_vectors
            scales[position:end] = chunk_scales
            chunk_ids[number] = chunk_id
            position = end
        if position != total or (len(chunk_ids) > 1 and np.any(np.diff(chunk_ids) <= 0)):
            raise IndexCorruptError("word-piece vectors were not written in chunk order")
        vectors.flush()
        scales.flush()
        del vectors, scales
        np.save(directory / cls.CHUNKS, chunk_ids)
        np.save(directory / cls.OFFSETS, offsets)

    @classmethod
    def load(cls, directory: Path) -> TokenVectors:
        try:
            vectors = np.load(directory / cls.VECTORS, mmap_mode="r")
            scales = np.load(directory / cls.SCALES, mmap_mode="r")
            chunk_ids = np.load(directory / cls.CHUNKS)
            offsets = np.load(directory / cls.OFFSETS)
        except (OSError, ValueError) as error:
            raise IndexCorruptError(f"the word-piece vectors are missing or damaged ({error})") from error
        if (
            vectors.ndim != 2
            or scales.shape != (len(vectors),)
            or offsets.shape != (len(chunk_ids) + 1,)
            or (len(offsets) and (offsets[0] != 0 or offsets[-1] != len(vectors) or np.any(np.diff(offsets) < 0)))
        ):
            raise IndexCorruptError(
                f"the word-piece vectors do not fit their offsets ({vectors.shape}, {scales.shape}, {offsets.shape})"
            )
        return cls(vectors, scales, chunk_ids, offsets)

    @property
    def size(self) -> int:
        """Chunks that have rows."""
        return int(len(self._chunk_ids))

    def chunk_ids(self) -> np.ndarray:
        return self._chunk_ids

    def rows(self, chunk_id: int) -> tuple[np.ndarray, np.ndarray]:
        """One chunk's int8 rows and scales (empty when it has none)."""
        position = int(np.searchsorted(self._chunk_ids, chunk_id))
        if position >= len(self._chunk_ids) or self._chunk_ids[position] != chunk_id:
            return np.zeros((0, self._vectors.shape[1]), np.int8), np.zeros(0, np.float16)
        start, end = self._offsets[position], self._offsets[position + 1]
        return np.asarray(self._vectors[start:end]), np.asarray(self._scales[start:end])

    def maxsim(self, chunk_ids: list[int], question: np.ndarray) -> np.ndarray:
        """Late interaction (MaxSim) of the question's word-piece vectors with each chunk's: for
        each question piece its best cosine among the chunk's pieces, averaged over the question's
        pieces. 0 for a chunk without rows or a question without pieces."""
        scores = np.zeros(len(chunk_ids), dtype=np.float32)
        if not len(question) or not chunk_ids:
            return scores
        positions = np.searchsorted(self._chunk_ids, np.asarray(chunk_ids, dtype=np.int64))
        positions = np.minimum(positions, max(len(self._chunk_ids) - 1, 0))
        found = (
            (self._chunk_ids[positions] == np.asarray(chunk_ids))
            if len(self._chunk_ids)
            else np.zeros(len(chunk_ids), bool)
        )
        spans = [
            (int(self._offsets[p]), int(self._offsets[p + 1])) if ok else (0, 0) for p, ok in zip(positions, found)
        ]
        lengths = np.array([end - start for start, end in spans])
        present = np.flatnonzero(lengths > 0)
        if not len(present):
            return scores
        rows = np.concatenate([np.asarray(self._vectors[spans[i][0] : spans[i][1]]) for i in present])
        row_scales = np.concatenate([np.asarray(self._scales[spans[i][0] : spans[i][1]]) for i in present])
        # Each row's scale multiplies its similarities, not its 384 values: the same numbers, with
        # the question's few pieces scaled instead of every row of every candidate.
        similarities = (question.astype(np.float32) @ rows.astype(np.float32).T) * row_scales.astype(np.float32)
        starts = np.concatenate([[0], np.cumsum(lengths[present])[:-1]])
        best = np.maximum.reduceat(similarities, starts, axis=1)
        scores[present] = best.mean(axis=0)
        return scores
