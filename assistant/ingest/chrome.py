"""Site chrome that no single page reveals: lines that many web-like files of the corpus repeat
(menus, footers, newsletter prompts). A build and ``python -m assistant clean`` compute the set
here, the same way, so that ``clean`` shows exactly what a build removes."""

from __future__ import annotations

from collections.abc import Iterable

from ..files import open_regular
from .base import SkipFile
from .clean import candidate_line_hashes
from .detect import sniff_format
from .formats import is_web_like


def web_line_hashes(corpus_file) -> set[str] | None:
    """Hashes of the lines of one file that could be chrome, or None when the file is not a
    web-like format or cannot be read (its own ingestion reports that)."""
    from . import extract_file

    try:
        with open_regular(corpus_file.path, follow_symlinks=False) as handle:
            head = handle.read(4096)
        if not is_web_like(sniff_format(head, corpus_file.path.suffix)):
            return None
        extraction, _ = extract_file(corpus_file)
    except (SkipFile, OSError):
        return None
    except Exception:  # a reader bug: reported when the file itself is ingested
        return None
    return candidate_line_hashes(extraction.lines) if is_web_like(extraction.format) else None


def repeated_line_set(hash_sets: Iterable[set[str]], min_files: int, min_share: float) -> set[str]:
    """Lines that at least ``min_files`` web-like files, and ``min_share`` of them, contain."""
    hash_sets = list(hash_sets)
    if len(hash_sets) < min_files:
        return set()
    counts: dict[str, int] = {}
    for hashes in hash_sets:
        for value in hashes:
            counts[value] = counts.get(value, 0) + 1
    needed = max(min_files, int(len(hash_sets) * min_share + 0.999))
    return {value for value, count in counts.items() if count >= needed}
