"""Text primitives shared by the stages: Unicode normalisation, control-sequence stripping,
sentence boundaries and word tokens for lexical matching."""

from __future__ import annotations

import re
import unicodedata

# Ligatures that PDF text layers emit as single code points. Resolved explicitly instead of with
# NFKC, which would also rewrite superscripts, fractions and full-width forms the author wrote.
_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"), None)  # soft hyphen, zero widths, BOM
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2002\u2003\u2009\t\x0b\x0c"), " ")

# ANSI/VT escape sequences (CSI, OSC, other ESC-introduced sequences) and bare C0/C1 controls.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL/ST (titles, hyperlinks, clipboard)
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS/PM/APC/SOS strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI sequences (colours, cursor movement)
    r"|\x1b[ -/]*[0-~]?"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\U000e0000-\U000e007f]"
)
"""C0 and C1 controls (but newline and tab), bidirectional marks, embeddings, overrides and
isolates (a right-to-left override makes text read backwards and shifts a card's border), lone
surrogates (undecodable bytes smuggled in through a file name or an argument) and Unicode tag
characters (invisible text that a reader never sees but a program copies along)."""
_LINE_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})
"""Unicode's line and paragraph separators: a line break to a reader, but not to a program that
splits lines on "\n" only (a JSON Lines reader) or on them as well (Python's splitlines)."""


def strip_control(text: str) -> str:
    """The one sanitiser for text that reaches a terminal, a clipboard or a report: terminal
    escape sequences, control characters and bidi controls removed (newlines and tabs kept).
    Applied at ingest (document text, catalogue values) and again at every output."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text)).translate(_LINE_SEPARATORS)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")


def json_text(value, **options) -> str:
    """JSON of a value, readable as UTF-8, in which nothing can act on a terminal or break a line:
    JSON escapes C0 controls itself; C1 controls, bidi controls, tag characters and the line
    and paragraph separators are written as \\u escapes too (the decoded strings are unchanged)."""
    import json

    return _JSON_UNSAFE.sub(_json_escape, json.dumps(value, ensure_ascii=False, **options))


def _json_escape(match: re.Match) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def safe_line(text: str) -> str:
    """``strip_control`` for a one-line field (a title, a file name, a question): line breaks
    become spaces, so a value cannot start a new line of a listing or a report."""
    return " ".join(strip_control(text).split())


_PATH_UNSAFE = re.compile(_CONTROL.pattern[:-1] + r"\n\t\u2028\u2029\x85]")


def safe_path(text: str) -> str:
    """A file's path fit to print on one line: its spaces as they are ("Home Office  Criminal
    Exploitation.pdf" has two), and a control, bidi or line-break character written as its
    escape ("\\x1b[31mred.txt"), inert, yet never the same name as another file's ("red.txt")."""
    return _PATH_UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def folded_name(name: str | None) -> str | None:
    """A name as filters compare it: case, punctuation, spacing and a leading "The" set aside,
    so that "The Scottish Government" and "Scottish government." are one organisation."""
    if name is None:
        return None
    words = re.findall(r"[^\W_]+", name.casefold())
    return " ".join(words[1:] if words[:1] == ["the"] and len(words) > 1 else words)


_URL_UNSAFE = re.compile(r"[\s()\[\]<>\"'`\\^{}|]")


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit to print or link, or None. Characters that could end a Markdown link or
    start another are percent-encoded; any other scheme (javascript:, file:, data:) is refused."""
    if not url:
        return None
    from urllib.parse import urlsplit

    cleaned = strip_control(url).strip()
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return _URL_UNSAFE.sub(lambda m: "%{:02X}".format(ord(m.group())), cleaned)


# Symbol-font bullets that PDF and Word text carries as private-use code points: blank on screen
# and in exports unless mapped to the bullet they show.
_PRIVATE_BULLETS = str.maketrans(
    {
        code: "•"
        for code in (0xF0B7, 0xF0A7, 0xF0A8, 0xF076, 0xF0D8, 0xF0FC, 0xF06C, 0xF06E, 0xF0B2, 0xF0E0, 0xF0F0, 0xF02D)
    }
)


_JUSTIFIED = re.compile(r"(?<=\S) {2,}(?=\S)")
"""Runs of spaces inside a line: justified text ("exerts control   by   giving") read as words."""


def normalize_text(text: str) -> str:
    """Normalise extracted text: NFC, ligatures resolved, soft hyphens and zero-width characters
    dropped, unusual spaces made plain, line ends unified, control sequences removed, symbol-font
    bullets (private-use U+F0B7 and kin) shown as "•", runs of spaces between words made one
    (justified print). Curly quotes and dashes are kept as the
    author wrote them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = (
        text.translate(_INVISIBLE).translate(_SPACES).translate(_PRIVATE_BULLETS)
    )  # tabs and vertical tabs become spaces first
    text = strip_control(text)
    text = _JUSTIFIED.sub(" ", text)
    for ligature, letters in _LIGATURES.items():
        text = text.replace(ligature, letters)
    return unicodedata.normalize("NFC", text)


def leaves_quotation_open(text: str) -> bool:
    """Whether a line opens a quotation that it does not close ('“Independent Child Trafficking
    Guardians Regional Practice Co-'): its phrase goes on in the next line, so it is no heading."""
    return text.count("\u201c") > text.count("\u201d") or text.count('"') % 2 == 1


_QUOTE_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'"})
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)


def fold_for_matching(text: str) -> str:
    """Case- and quote-insensitive form of a text for lexical matching."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTE_FOLD).casefold()


def word_tokens(text: str) -> list[str]:
    """Words of a text for lexical matching: case, punctuation and curly quotes do not matter."""
    return [w.replace("'", "") for w in _WORD.findall(fold_for_matching(text))]


# --- sentences ----------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "e.g",
    "i.e",
    "etc",
    "cf",
    "vs",
    "viz",
    "al",
    "approx",
    "ca",
    "no",
    "nos",
    "art",
    "arts",
    "para",
    "paras",
    "p",
    "pp",
    "fig",
    "figs",
    "vol",
    "ch",
    "sec",
    "s",
    "ss",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "corp",
    "dept",
    "govt",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "u.n",
    "e.u",
    "op",
    "ibid",
    "rev",
    "ed",
    "eds",
    "est",
    "min",
    "max",
    "reg",
    "gen",
}
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)")
_NEXT_STARTS_SENTENCE = re.compile(r"\s+[\"'“‘(\[]*[A-Z0-9À-ÖØ-Þ•\-–—]")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentence spans (absolute offsets, whitespace trimmed).

    Rule-based: a sentence ends at ., !, ? or … followed by whitespace and an upper-case letter,
    digit, quote or bullet, unless the word before the full stop is a known abbreviation or a
    single initial. Line breaks always end a sentence (extracted text keeps one block per line).
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    line_start = start
    while line_start < end:
        newline = text.find("\n", line_start, end)
        line_end = end if newline == -1 else newline
        spans.extend(_sentences_in_line(text, line_start, line_end))
        line_start = line_end + 1
    return spans


def _sentences_in_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    sentence_start = start
    segment = text[start:end]
    for match in _BOUNDARY.finditer(segment):
        boundary = start + match.end()
        if not _NEXT_STARTS_SENTENCE.match(text, boundary, end):
            continue
        if match.group().startswith(".") and _is_abbreviation(text, start, start + match.start()):
            continue
        spans.append((sentence_start, boundary))
        sentence_start = boundary
    spans.append((sentence_start, end))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def _is_abbreviation(text: str, line_start: int, dot: int) -> bool:
    word_start = dot
    while word_start > line_start and not text[word_start - 1].isspace() and text[word_start - 1] not in "(\"'“‘":
        word_start -= 1
    word = text[word_start:dot].lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith", "a. Definition" is handled as a heading elsewhere
    return word in _ABBREVIATIONS or word.rstrip(".") in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


_MYTHS_SECTION = re.compile(r"\bmyth(?:s|[- ]?bust\w*)?\b", re.IGNORECASE)
_MYTH_LABEL = re.compile(r"(?:^|\n)\s*myths?\b|\bmyths?\s*:", re.IGNORECASE)


def among_myths(section: str | None, text: str) -> bool:
    """Whether a passage is from a section on myths ("Myths about modern slavery"), or labels a
    myth in its text ("Myth: ..."): a sentence in it may state the myth the guidance answers, so
    none is singled out as the best match (a first-use audit's strong first card highlighted "A
    person is not a victim of modern slavery when they say they have a better life than
    previously", read row by row from a Myth | Reality table)."""
    return bool(_MYTHS_SECTION.search(section or "") or _MYTH_LABEL.search(text))
