"""Chunking: structure-aware windows measured in the model's own word pieces.

A chunk never crosses a heading (so its section path is exact), prefers to end at a paragraph
boundary, is built from whole sentences (a sentence longer than a chunk is cut at word
boundaries), and repeats the last sentence(s) of the previous chunk as overlap. Every chunk fits
the model together with its context (title and section path): nothing is silently truncated.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import ChunkSettings
from .embed import MAX_SEQ_LENGTH
from .errors import ChunkError
from .language import guess_language
from .models import Block, Chunk, Document
from .text import sentence_spans
from .tokens import SPECIAL_TOKENS, WordPieces

CHUNKER_VERSION = 2
SENTENCE_MIN_WORDS = 6
"""A sentence unit has at least this many words: shorter pieces ("Yes.", a heading, a list
number) join the next sentence, since alone they match nothing in particular."""
"""Bump when the same settings would give different chunks: the next build re-chunks everything."""


@dataclass
class _Unit:
    start: int
    end: int
    block: int
    tokens: int
    page: int | None
    page_end: int | None


def chunk_document(
    document: Document,
    pieces: WordPieces,
    settings: ChunkSettings,
    context: str = "title_section",
    max_context_tokens: int = 48,
) -> list[Chunk]:
    """Split a document into chunks; ``document.text[c.char_start:c.char_end] == c.text``."""
    limit = MAX_SEQ_LENGTH - SPECIAL_TOKENS
    if settings.max_tokens > limit:
        raise ChunkError(f"chunk.max_tokens={settings.max_tokens} exceeds what the model keeps ({limit})")
    chunks: list[Chunk] = []
    for section, blocks in _section_groups(document.text, document.blocks):
        units = _units(document.text, blocks, pieces, settings.max_tokens)
        for start, end, page, page_end in _pack(units, settings):
            text = document.text[start:end]
            tokens = pieces.count(text)
            embed_text, embed_tokens = embed_text_of(
                document.title, section, text, tokens, pieces, context, max_context_tokens
            )
            chunks.append(
                Chunk(
                    document_id=document.id,
                    ordinal=len(chunks),
                    text=text,
                    char_start=start,
                    char_end=end,
                    section=section,
                    page=page,
                    page_end=page_end if page_end != page else None,
                    token_count=tokens,
                    language=guess_language(text),
                    embed_text=embed_text,
                    embed_token_count=embed_tokens,
                )
            )
    return chunks


def _section_groups(text: str, blocks: list[Block]) -> list[tuple[tuple[str, ...], list[Block]]]:
    """Runs of non-heading blocks under the same heading path. A heading that heads nothing (the
    next block is a heading beside or above it, or there is none) is text of the section it sits
    in: "The Police – 101, or in an emergency 999" set in bold between two contact headings would
    otherwise be in no passage and in no passage's section path."""
    groups: list[tuple[tuple[str, ...], list[Block]]] = []
    for number, block in enumerate(blocks):
        if _heads_nothing(text, block, blocks[number + 1] if number + 1 < len(blocks) else None):
            block = block.model_copy(update={"kind": "paragraph", "section": block.section[:-1]})
        if block.kind == "heading":
            groups.append((block.section, []))
            continue
        if not groups or groups[-1][0] != block.section:
            groups.append((block.section, []))
        groups[-1][1].append(block)
    return [(section, members) for section, members in groups if members]


def _heads_nothing(text: str, block: Block, following: Block | None) -> bool:
    """A heading of the section path (not a title outside it) with no text or sub-heading under it."""
    if block.kind != "heading" or not block.section:
        return False
    if text[block.start : block.end].rstrip(":").strip() != block.section[-1]:
        return False
    if following is None:
        return True
    under = len(following.section) > len(block.section) and following.section[: len(block.section)] == block.section
    return following.kind == "heading" and not under


def _units(text: str, blocks: list[Block], pieces: WordPieces, max_tokens: int) -> list[_Unit]:
    spans: list[tuple[int, int, int, Block]] = []
    for index, block in enumerate(blocks):
        if block.kind == "table_row":
            spans.append((block.start, block.end, index, block))
        else:
            spans.extend((s, e, index, block) for s, e in sentence_spans(text, block.start, block.end))
    counts = pieces.count_many([text[s:e] for s, e, _, _ in spans])
    units: list[_Unit] = []
    for (start, end, index, block), count in zip(spans, counts):
        if count <= max_tokens:
            units.append(_Unit(start, end, index, count, *block.pages_between(start, end)))
        else:
            units.extend(_split_long(text, start, end, index, block, pieces, max_tokens))
    return units


def _split_long(
    text: str, start: int, end: int, index: int, block: Block, pieces: WordPieces, max_tokens: int
) -> list[_Unit]:
    """A sentence longer than a chunk: cut it into pieces of at most ``max_tokens`` word pieces,
    each cut at a space so that no word is split."""
    offsets = pieces.offsets(text[start:end])
    units: list[_Unit] = []
    first = 0
    while first < len(offsets):
        last = min(first + max_tokens, len(offsets))
        if last < len(offsets):
            # Move the cut back to a word boundary (a piece that starts after whitespace).
            cut = last
            while cut > first + 1 and not text[start + offsets[cut][0] - 1].isspace():
                cut -= 1
            last = cut if cut > first + 1 else last
        piece_start = start + offsets[first][0]
        piece_end = start + offsets[last - 1][1]
        units.append(_Unit(piece_start, piece_end, index, last - first, *block.pages_between(piece_start, piece_end)))
        first = last
    return units


def _pack(units: list[_Unit], settings: ChunkSettings) -> list[tuple[int, int, int | None, int | None]]:
    """Greedy windows of whole units, with sentence overlap and a preference for paragraph ends."""
    # Word pieces from each unit to the end of its paragraph (a paragraph's units are adjacent),
    # computed once: recomputing them for every unit made one long paragraph quadratic.
    remaining = [0] * (len(units) + 1)
    for position in range(len(units) - 1, -1, -1):
        follows = position + 1 < len(units) and units[position + 1].block == units[position].block
        remaining[position] = units[position].tokens + (remaining[position + 1] if follows else 0)
    windows: list[list[_Unit]] = []
    current: list[_Unit] = []
    fresh = 0  # units of `current` that are not overlap from the previous window
    index = 0
    while index < len(units):
        unit = units[index]
        total = sum(u.tokens for u in current)
        starts_paragraph = bool(current) and unit.block != current[-1].block
        remaining_paragraph = remaining[index]
        full = total + unit.tokens > settings.max_tokens
        paragraph_break = (
            starts_paragraph
            and fresh > 0
            and total >= settings.max_tokens * settings.paragraph_fill
            and total + remaining_paragraph > settings.max_tokens
        )
        if current and fresh > 0 and (full or paragraph_break):
            windows.append(current)
            current = _overlap(current, settings.overlap_tokens)
            fresh = 0
            if sum(u.tokens for u in current) + unit.tokens > settings.max_tokens:
                current = []
            continue
        if current and fresh == 0 and full:
            current = []  # the overlap alone leaves no room: start clean
        current.append(unit)
        fresh += 1
        index += 1
    if current and fresh > 0:
        tail_tokens = sum(u.tokens for u in current[len(current) - fresh :])
        if windows and tail_tokens < settings.min_tokens:
            merged = _merge_tail(windows[-1], current[len(current) - fresh :], settings.max_tokens)
            if merged is not None:
                windows[-1] = merged
            else:
                windows.append(current)
        else:
            windows.append(current)
    return [
        (
            w[0].start,
            w[-1].end,
            min((u.page for u in w if u.page is not None), default=None),
            max((u.page_end for u in w if u.page_end is not None), default=None),
        )
        for w in windows
    ]


def _overlap(window: list[_Unit], overlap_tokens: int) -> list[_Unit]:
    carried: list[_Unit] = []
    total = 0
    for unit in reversed(window[1:]):  # never carry the whole window over
        if total + unit.tokens > overlap_tokens:
            break
        carried.insert(0, unit)
        total += unit.tokens
    return carried


def _merge_tail(previous: list[_Unit], tail: list[_Unit], max_tokens: int) -> list[_Unit] | None:
    if sum(u.tokens for u in previous) + sum(u.tokens for u in tail) <= max_tokens:
        return previous + tail
    return None


def embed_text_of(
    title: str,
    section: tuple[str, ...],
    text: str,
    tokens: int,
    pieces: WordPieces,
    context: str,
    max_context_tokens: int,
) -> tuple[str, int]:
    """The text the model embeds: a short context line (title; section path) and the chunk.
    The context is shortened to fit; the chunk never is."""
    budget = min(max_context_tokens, MAX_SEQ_LENGTH - SPECIAL_TOKENS - tokens - 1)
    header = ""
    if context == "title_section" and budget > 0:
        parts = [title.strip()] + [s for s in section if s and s != title]
        header = pieces.prefix_within(" — ".join(p for p in parts if p), budget)
    embed_text = f"{header}\n{text}" if header else text
    total = pieces.count(embed_text) + SPECIAL_TOKENS
    while total > MAX_SEQ_LENGTH and header:
        header = pieces.prefix_within(header, max(0, pieces.count(header) - (total - MAX_SEQ_LENGTH) - 1))
        embed_text = f"{header}\n{text}" if header else text
        total = pieces.count(embed_text) + SPECIAL_TOKENS
    if total > MAX_SEQ_LENGTH:
        raise ChunkError(f"chunk of {tokens} word pieces does not fit the model ({MAX_SEQ_LENGTH})")
    return embed_text, total


def sentence_units(text: str) -> list[tuple[int, int]]:
    """The spans of ``text`` at which answers are stated: its sentences, a piece of fewer than
    ``SENTENCE_MIN_WORDS`` words joined to the next one (the last to the one before). Each unit
    gets its own vector at build time, so a question can match the one sentence that answers it
    instead of the average of a whole passage (Chen et al., "Dense X Retrieval", 2023)."""
    units: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for start, end in sentence_spans(text):
        if pending is not None:
            start = pending[0]
        if len(text[start:end].split()) >= SENTENCE_MIN_WORDS:
            units.append((start, end))
            pending = None
        else:
            pending = (start, end)
    if pending is not None:
        if units:
            units[-1] = (units[-1][0], pending[1])
        else:
            units.append(pending)
    return units
