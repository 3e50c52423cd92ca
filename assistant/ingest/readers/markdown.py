"""Markdown: ATX and setext headings, lists, pipe tables, front matter as metadata; inline markup removed."""

from __future__ import annotations

import re

from ...text import normalize_text
from ..base import Extraction, Line
from ..detect import decode_text
from .common import BULLET, TABLE_PIPES

_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]*)>?(?:\s+[^)]*)?\)")
_MD_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>", re.IGNORECASE)
_WEB_ADDRESS = re.compile(r"(?:https?://|mailto:|www\.)\S+", re.IGNORECASE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_CODE = re.compile(r"`([^`]*)`")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _link_text(match: re.Match) -> str:
    """A link's words, and its web address after them when it has one ("the helpline site
    (https://...)"): the address is guidance too (where to report, whom to call). Links within
    the document or to local files keep their words only."""
    words, target = match.group(1), match.group(2)
    if not _WEB_ADDRESS.fullmatch(target) or target.rstrip("/") == words.strip().rstrip("/"):
        return words
    return f"{words} ({target.removeprefix('mailto:')})"


def _markdown_inline(text: str) -> str:
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(_link_text, text)
    text = _MD_AUTOLINK.sub(lambda m: m.group(1), text)
    text = _MD_CODE.sub(lambda m: m.group(1), text)
    previous = None
    while previous != text:  # nested emphasis
        previous = text
        text = _MD_EMPHASIS.sub(lambda m: m.group(2), text)
    return _HTML_TAG.sub("", text).strip()


def _front_matter(lines: list[str]) -> tuple[dict[str, object], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    metadata: dict[str, object] = {}
    for index in range(1, min(len(lines), 200)):
        line = lines[index]
        if line.strip() in {"---", "..."}:
            return metadata, index + 1
        key, sep, value = line.partition(":")
        if sep and key.strip():
            metadata[key.strip().lower()] = value.strip().strip("'\"")
    return {}, 0


def read_markdown(data: bytes) -> Extraction:
    text, encoding = decode_text(data)
    raw_lines = normalize_text(text).split("\n")
    metadata, body_start = _front_matter(raw_lines)
    lines: list[Line] = [Line(text="", number=n + 1, kind="blank", removed="front matter") for n in range(body_start)]
    in_code = False
    for index in range(body_start, len(raw_lines)):
        raw = raw_lines[index]
        stripped = raw.strip()
        number = index + 1
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            lines.append(Line(text=stripped, number=number, kind="blank"))
            continue
        if in_code:
            lines.append(Line(text=stripped, number=number, kind="text" if stripped else "blank"))
            continue
        heading = _MD_HEADING.match(stripped)
        if heading and heading.group(2):
            lines.append(
                Line(
                    text=_markdown_inline(heading.group(2)), number=number, kind="heading", level=len(heading.group(1))
                )
            )
            continue
        if _MD_SETEXT.match(stripped) and lines and lines[-1].kind == "text" and stripped:
            previous = lines[-1]
            previous.kind, previous.level = "heading", 1 if stripped[0] == "=" else 2
            lines.append(Line(text="", number=number, kind="blank"))
            continue
        if not stripped:
            lines.append(Line(text="", number=number, kind="blank"))
            continue
        if TABLE_PIPES.match(stripped):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                lines.append(Line(text=stripped, number=number, kind="blank"))  # header rule
                continue
            lines.append(
                Line(text=" | ".join(_markdown_inline(c) for c in cells if c.strip()), number=number, kind="table_row")
            )
            continue
        kind = "list_item" if BULLET.match(stripped) else "text"
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ")
        content = _markdown_inline(stripped)
        if kind == "list_item":
            content = re.sub(r"^[-*+]\s+", "", content) if stripped[0] in "-*+" else content
        lines.append(Line(text=content, number=number, kind=kind if content else "blank"))
    warnings = [f"decoded as {encoding}"] if encoding.startswith("cp1252") else []
    return Extraction(format="md", lines=lines, metadata=metadata, warnings=warnings)
