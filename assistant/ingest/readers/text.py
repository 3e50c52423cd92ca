"""Plain text: decoded (BOM, UTF-8, then cp1252), one line per physical line; bullets become list items."""

from __future__ import annotations

from ...text import normalize_text
from ..base import Extraction, lines_from_text
from ..detect import decode_text
from .common import BULLET


def read_text(data: bytes) -> Extraction:
    text, encoding = decode_text(data)
    lines = lines_from_text(normalize_text(text))
    for line in lines:
        if line.kind == "text" and BULLET.match(line.text):
            line.kind = "list_item"
    warnings = [f"decoded as {encoding}"] if encoding.startswith("cp1252") else []
    if "\x00" in text:
        warnings.append(f"{text.count(chr(0))} NUL bytes removed (a broken export)")
    return Extraction(format="txt", lines=lines, warnings=warnings)
