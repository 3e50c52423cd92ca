"""Boilerplate removal: general rules about the shape of site chrome, never a list of lines tuned
to particular files. Every removal is recorded with its rule so that ``python -m assistant clean
FILE`` can show what went and why, and a user can check that no real content was dropped.

Rules (in the order they apply):

- separator-only lines (``|``, ``---``, ``• • •``) and table-cell pipes left at a line's end;
- runs of three or more lines that are each a single code identifier (a CMS post-type dump such as
  ``post``, ``nav_menu_item``, ``acf-field``);
- lines that many web-like files of the corpus repeat (navigation, footers), when they are short,
  not sentences, and stand next to other chrome;
- calls to action as whole lines (``Read More``, ``DOWNLOAD``, ``Access This Resource``) or
  trailing a line (``...Read More``, ``Title - Org, 2020 DOWNLOAD``);
- navigation and share links (``Home``, ``Share on Facebook``, ``Back to top``), cookie and consent
  banners;
- screenshot and image file names, alone or glued to the start of a paragraph;

Navigation, share-link and cookie rules apply to web-like files (HTML, text, Markdown) only: in a
PDF or Word file a line such as "Contact us" is a real heading.
- empty metadata labels (``TAGS:`` with nothing after it) and stray one- or two-letter fragments.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from ..models import Removal
from .base import Line

CLEANING_VERSION = 1
"""Bump when a rule changes what is kept: the next build re-ingests every file."""

_SEPARATOR_ONLY = re.compile(r"^[\s|\-–—_=*•·~#/\\.:+]+$")
_TRAILING_PIPES = re.compile(r"(?:\s*\|)+\s*$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$")

_CTA_WORDS = (
    r"read\s+more|read\s+the\s+(?:full\s+)?(?:report|article|story)|learn\s+more|see\s+more|view\s+more|"
    r"show\s+more|find\s+out\s+more|more\s+info(?:rmation)?|download(?:\s+(?:now|here|pdf|the\s+\w+|report|file))?|"
    r"access\s+(?:this|the)\s+resource|view\s+(?:this\s+)?resource|get\s+the\s+resource|click\s+here|"
    r"continue\s+reading|visit\s+(?:the\s+)?(?:website|site|page)|open\s+resource|view\s+pdf|watch\s+(?:the\s+)?video"
)
_CTA_LINE = re.compile(rf"^[\s>»›→\-–\[(]*(?:{_CTA_WORDS})[\s.!…>»›→\])]*$", re.I)
_CTA_SUFFIX = re.compile(rf"(?:(?<=\.\.\.)|(?<=…)|\s+|(?<=[a-z0-9.)]))(?:{_CTA_WORDS})[\s.!>»›→]*$", re.I)
_DOWNLOAD_LABEL = re.compile(r"^(?P<label>.+?)\s+DOWNLOAD$")

_NAVIGATION = re.compile(
    r"^(?:home|menu|main\s+menu|search|search\s+for:?|close|skip\s+to\s+(?:main\s+)?content|back\s+to\s+top|"
    r"top|next|previous|prev|next\s+post|previous\s+post|older\s+posts|newer\s+posts|print|print\s+this\s+page|"
    r"share|share\s+this(?:\s+\w+)?:?|share\s+on\s+\w+|tweet|email|e-mail|facebook|twitter|x|linkedin|instagram|"
    r"youtube|whatsapp|pinterest|reddit|copy\s+link|follow\s+us|subscribe|sign\s+up|log\s*in|sign\s+in|"
    r"register|contact(?:\s+us)?|about(?:\s+us)?|sitemap|privacy\s+policy|terms(?:\s+(?:of\s+use|and\s+conditions))?|"
    r"cookie\s+policy|accessibility|toggle\s+navigation|open\s+menu|close\s+menu|loading\.*|"
    r"all\s+rights\s+reserved\.?|powered\s+by\s+\w+(?:\s+\w+)?)[\s:|>»›]*$",
    re.I,
)
_COOKIE = re.compile(
    r"\b(?:cookies?|gdpr)\b.*\b(?:accept|consent|agree|use|policy|settings|preferences|experience|browsing|reject|necessary)\b"
    r"|^(?:accept|reject|allow|deny)(?:\s+all)?(?:\s+cookies)?$|^manage\s+(?:cookie\s+)?(?:preferences|settings|consent)$",
    re.I,
)
_SCREENSHOT = re.compile(
    r"^(?:screen\s?shot|screenshot|capture|img|image|dsc|photo)[\s_-]*\d{4}[-_.]\d{2}[-_.]\d{2}"
    r"(?:\s*(?:at|à)\s*\d{1,2}[.:]\d{2}(?:[.:]\d{2})?\s*(?:[AP]M)?)?",
    re.I,
)
_IMAGE_FILE = re.compile(r"^\S+\.(?:png|jpe?g|gif|webp|svg|bmp|tiff?)$", re.I)
_EMPTY_LABEL = re.compile(
    r"^(?:tags?|categor(?:y|ies)|topics?|keywords?|filed\s+under|posted\s+in|region|type)\s*:\s*$", re.I
)
_STRAY = re.compile(r"^[a-z]{1,2}$")

_METADATA_LINE = re.compile(r"^(?:tags?|available\s+in|languages?|region|published|date)\s*:?\s+\S", re.I)


def line_key(text: str) -> str:
    """The form under which lines are compared across files (case, spacing, edge punctuation)."""
    return re.sub(r"\s+", " ", text.strip().strip("|:•·-–—").strip()).casefold()


def chrome_candidate(text: str) -> bool:
    """Whether a line is short and non-sentence enough to be counted as possible site chrome."""
    stripped = text.strip()
    if not stripped or len(stripped) > 60 or len(stripped.split()) > 8:
        return False
    if re.search(r"[.!?]['\"”’)]*$", stripped) or ". " in stripped:
        return False
    if _METADATA_LINE.match(stripped):
        return False
    return True


def candidate_line_hashes(lines: Iterable[Line]) -> set[str]:
    """Hashes of a file's distinct chrome candidates, counted across files at build time."""
    return {
        hashlib.sha1(line_key(line.text).encode()).hexdigest()[:16]
        for line in lines
        if line.kind != "blank" and line.removed is None and chrome_candidate(line.text)
    }


def clean_lines(
    lines: list[Line], repeated: set[str] | frozenset[str] = frozenset(), web_like: bool = True
) -> list[Removal]:
    """Apply every rule in place: dropped lines get ``removed`` set, trimmed lines get shorter.
    ``repeated`` holds the hashes of lines that many files of the corpus repeat. Returns the
    removals, in line order, including those the reader made (HTML chrome elements)."""
    removals: list[Removal] = [
        Removal(line=x.number, text=x.text, reason=x.removed) for x in lines if x.removed and x.text
    ]
    _mark_identifier_runs(lines, removals)
    _mark_repeated_runs(lines, repeated, removals)
    for line in lines:
        if line.removed or line.kind == "blank" or not line.text:
            continue
        _clean_line(line, removals, web_like)
    removals.sort(key=lambda r: r.line)
    return removals


def _drop(line: Line, reason: str, removals: list[Removal], signal: str | None = None) -> None:
    removals.append(Removal(line=line.number, text=line.text, reason=reason))
    line.removed = reason
    line.signal = signal or line.signal


def _trim(line: Line, new_text: str, reason: str, removals: list[Removal], removed_text: str) -> None:
    removals.append(Removal(line=line.number, text=removed_text.strip(), reason=reason))
    line.text = new_text.strip()


def _clean_line(line: Line, removals: list[Removal], web_like: bool) -> None:
    text = line.text
    if _SEPARATOR_ONLY.match(text):
        _drop(line, "separator-only line", removals)
        return
    trailing = _TRAILING_PIPES.search(text)
    if trailing and trailing.start() > 0:
        _trim(line, text[: trailing.start()], "table-cell separators at line end", removals, trailing.group())
        text = line.text
    if _CTA_LINE.match(text):
        _drop(line, "call to action", removals, signal="cta")
        return
    download = _DOWNLOAD_LABEL.match(text)
    if download and len(download.group("label").split()) >= 2:
        _trim(line, download.group("label"), "call to action (suffix)", removals, "DOWNLOAD")
        line.signal = "download"
        text = line.text
    else:
        suffix = _CTA_SUFFIX.search(text)
        if suffix and suffix.start() > 0 and len(text[: suffix.start()].split()) >= 3 and _button_cased(suffix.group()):
            _trim(line, text[: suffix.start()], "call to action (suffix)", removals, suffix.group())
            line.signal = "more"
            text = line.text
    if web_like and _NAVIGATION.match(text):
        _drop(line, "navigation or share link", removals)
        return
    if web_like and len(text) < 400 and _COOKIE.search(text):
        _drop(line, "cookie or consent banner", removals)
        return
    if _IMAGE_FILE.match(text):
        _drop(line, "image file name", removals)
        return
    screenshot = _SCREENSHOT.match(text)
    if screenshot:
        rest = text[screenshot.end() :].strip()
        if not rest:
            _drop(line, "screenshot file name", removals)
            return
        _trim(line, rest, "screenshot file name glued to text", removals, screenshot.group())
        text = line.text
    if _EMPTY_LABEL.match(text):
        _drop(line, "empty metadata label", removals)
        return
    if _STRAY.match(text):
        _drop(line, "stray fragment", removals)


def _button_cased(fragment: str) -> bool:
    """A trailing call to action is cased like a button ('Read More', 'DOWNLOAD'); prose that
    happens to end in 'learn more' is left alone."""
    words = [w for w in re.findall(r"[A-Za-z]+", fragment)]
    return bool(words) and all(w[0].isupper() for w in words if len(w) > 3 or w.lower() in {"more", "pdf"})


def _mark_identifier_runs(lines: list[Line], removals: list[Removal]) -> None:
    """Three or more consecutive lines that are each one lower-case code identifier are a dump of
    CMS internals (post types, field names), not prose."""
    run: list[Line] = []

    def close() -> None:
        if len(run) >= 3:
            for line in run:
                _drop(line, "CMS/code identifier list", removals)
        run.clear()

    for line in lines:
        if line.kind == "blank" or not line.text.strip():
            continue
        if line.removed is None and _IDENTIFIER.match(line.text.strip()):
            run.append(line)
        else:
            close()
    close()


def _mark_repeated_runs(lines: list[Line], repeated: set[str] | frozenset[str], removals: list[Removal]) -> None:
    """Lines repeated across many files are chrome when they sit in a run of at least two such
    lines (a menu, a footer); a lone repeated line between a title and a summary (a type label
    such as 'Guidance') is content and stays."""
    if not repeated:
        return
    run: list[Line] = []

    def close() -> None:
        if len(run) >= 2:
            for line in run:
                _drop(line, "repeated across many files of the corpus (site chrome)", removals)
        run.clear()

    for line in lines:
        if line.kind == "blank" or not line.text.strip() or line.removed:
            continue
        key = hashlib.sha1(line_key(line.text).encode()).hexdigest()[:16]
        if chrome_candidate(line.text) and key in repeated:
            run.append(line)
        else:
            close()
    close()
