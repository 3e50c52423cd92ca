"""The model's own word-piece tokenizer, loaded from its tokenizer.json without torch.

Chunk sizes are measured with it, so that what the chunker counts is exactly what the model sees.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

SPECIAL_TOKENS = 2
"""[CLS] and [SEP], added to every sequence the model embeds."""


class WordPieces:
    """Counts and locates word pieces. Never truncates: the caller decides what fits."""

    def __init__(self, tokenizer_json: Path):
        self._tokenizer = Tokenizer.from_file(str(tokenizer_json))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def count(self, text: str) -> int:
        """Word pieces of ``text`` without special tokens."""
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def count_many(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self._tokenizer.encode_batch(texts, add_special_tokens=False)]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """Char span in ``text`` of each word piece (no special tokens)."""
        return list(self._tokenizer.encode(text, add_special_tokens=False).offsets)

    def ids(self, text: str, max_length: int) -> tuple[list[int], bool]:
        """Token ids with special tokens, cut to ``max_length``; the flag says whether it was cut."""
        encoding = self._tokenizer.encode(text, add_special_tokens=True)
        if len(encoding.ids) <= max_length:
            return list(encoding.ids), False
        ids = list(encoding.ids[: max_length - 1]) + [encoding.ids[-1]]  # keep [SEP] last
        return ids, True

    def matching_mask(self) -> np.ndarray:
        """For each word-piece id, whether its output vector takes part in late interaction: not
        a special token ([CLS], [SEP], [PAD], [UNK], [MASK]) and not punctuation alone (measured on
        the library dev questions: leaving both out on both sides gave the best first passage)."""
        vocabulary = self._tokenizer.get_vocab()
        mask = np.zeros(max(vocabulary.values()) + 1, dtype=bool)
        for piece, number in vocabulary.items():
            mask[number] = not (piece.startswith("[") and piece.endswith("]")) and any(c.isalnum() for c in piece)
        return mask

    def whole_words(self) -> frozenset[str]:
        """The words the vocabulary holds whole (lower case, letters only): real words, which
        spelling tolerance never corrects."""
        return frozenset(
            piece for piece in self._tokenizer.get_vocab() if piece.isalpha() and piece.islower() and len(piece) > 1
        )

    def prefix_within(self, text: str, max_pieces: int) -> str:
        """The longest prefix of ``text`` that ends at a word boundary and has at most
        ``max_pieces`` word pieces."""
        if max_pieces <= 0:
            return ""
        offsets = self.offsets(text)
        if len(offsets) <= max_pieces:
            return text
        cut = offsets[max_pieces][0]
        # Back off to the start of the word that the cut would split.
        while cut > 0 and not text[cut - 1].isspace():
            cut -= 1
        return text[:cut].rstrip()


@lru_cache(maxsize=4)
def word_pieces_for(model_dir: str) -> WordPieces:
    return WordPieces(Path(model_dir) / "tokenizer.json")
