"""PDF: the text layer from pdfium (pypdfium2) with each character's font size, font name and position, so that headings come from print size, the title from the title block, and running headers, page numbers and contents pages can be dropped; paragraphs are rebuilt from visual lines with hyphenation undone; every line keeps its page. pypdf reads what pdfium does not expose as well: the document information (title, author, date), page labels and encryption. pdfium was chosen by measurement (benchmarks/pdf_engines.py on 99 real PDFs: a median 0.019 s against 0.285 s per document, a quarter of the split words, no fontTools needed for CFF fonts)."""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter

from ...language import RARE_COUNT, english_count
from ...text import leaves_quotation_open, normalize_text
from .. import budget, ocr
from ..base import CONTENTS_TITLE, Extraction, Line, SkipFile, vocabulary
from .common import BULLET

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_KEEP_HYPHEN_PREFIXES = {
    "anti",
    "non",
    "co",
    "self",
    "cross",
    "multi",
    "pre",
    "post",
    "well",
    "long",
    "short",
    "high",
    "low",
    "under",
    "over",
    "inter",
    "intra",
    "sub",
    "semi",
    "ex",
    "mid",
    "pro",
    "counter",
    "socio",
    "cyber",
    "child",
    "third",
    "first",
    "second",
    "front",
    "end",
    "full",
    "part",
    "time",
    "one",
    "two",
    "case",
    "peer",
    "trauma",
    "survivor",
    "victim",
    "age",
    "gender",
    "labour",
    "labor",
    "sex",
}
_SYMBOL_BULLET = re.compile(r"^[-*•·▪◦»‣–]\s*")
_PARAGRAPH_NUMBER = re.compile(r"^\d+(?:\.\d+)+\.\s")
_TERMINAL = re.compile(r"[.!?:;]['\"”’)]*$")

# pypdf logs each repair it makes to a damaged cross-reference table ("Ignoring wrong pointing
# object") as a warning: noise in a build summary; what matters is reported per file instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)


MAX_PDF_STREAM_BYTES = 256 << 20
"""Largest decompressed size of one stream of a PDF (a page's content, an image, a font)..."""
MAX_PDF_INFLATED_BYTES = 1 << 30
"""...and of all its compressed streams together. The 99 real guidance PDFs of ../shared inflate
to 23 MB at most (one stream to 6 MB); a file built to exhaust memory inflates a 3 MB page to a
gigabyte, which pdfium would parse at 7 GB of memory."""
_INFLATE_STEP = 1 << 20


def check_inflation(reader) -> None:
    """Raise SkipFile when the PDF's Flate-compressed streams inflate past the limits: each is
    decompressed in steps of 1 MB and counted, never held whole. Other filters are left to the
    readers (their output is bounded by the image's declared size)."""
    import zlib

    from pypdf.generic import IndirectObject, StreamObject

    total = 0
    for generation, entries in list(getattr(reader, "xref", {}).items()):
        for number in list(entries):
            try:
                stream = reader.get_object(IndirectObject(number, generation, reader))
            except Exception:  # a damaged object: the readers say what they make of it
                continue
            if not isinstance(stream, StreamObject):
                continue
            filters = stream.get("/Filter")
            first = filters[0] if isinstance(filters, list) and filters else filters
            if first not in ("/FlateDecode", "/Fl"):
                continue
            raw = getattr(stream, "_data", b"") or b""
            inflater = zlib.decompressobj()
            size = 0
            try:
                while raw:
                    size += len(inflater.decompress(raw, _INFLATE_STEP))
                    raw = inflater.unconsumed_tail
                    if size > MAX_PDF_STREAM_BYTES or total + size > MAX_PDF_INFLATED_BYTES:
                        limit = MAX_PDF_STREAM_BYTES if size > MAX_PDF_STREAM_BYTES else MAX_PDF_INFLATED_BYTES
                        which = "one of its streams inflates" if size > MAX_PDF_STREAM_BYTES else "its streams inflate"
                        raise SkipFile(f"{which} to over {limit >> 20:,} MB, the limit for a PDF: not read")
            except zlib.error:
                pass  # damaged data: pdfium reads what it can
            total += size


class _PdfLine:
    __slots__ = ("text", "page", "y", "size", "bold", "number", "x")

    def __init__(self, text: str, page: int, y: float | None, size: float | None, bold: bool, x: float | None = None):
        self.text, self.page, self.y, self.size, self.bold, self.x = text, page, y, size, bold, x
        self.number = 0


def read_pdf(data: bytes) -> Extraction:
    import pypdf
    import pypdfium2
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise SkipFile("encrypted PDF: needs a password")
            except (FileNotDecryptedError, NotImplementedError) as error:
                raise SkipFile(f"encrypted PDF: cannot be opened without its password ({error})") from error
        check_inflation(reader)
        document = pypdfium2.PdfDocument(data)
    except SkipFile:
        raise
    except Exception as error:  # both libraries raise many types on damaged files
        raise SkipFile(f"damaged or unreadable PDF ({type(error).__name__}: {str(error)[:120]})") from error
    try:
        page_count = len(document)
        if not page_count:
            raise SkipFile("PDF has no pages", status="empty")
        warnings: list[str] = []
        raw_lines: list[_PdfLine] = []
        heights: list[float] = []
        for index in range(page_count):
            budget.check()
            try:
                page = document[index]
                try:
                    raw_lines.extend(_pdf_page_lines(page, index + 1))
                    heights.append(float(page.get_height()))
                finally:
                    page.close()
            except Exception as error:
                warnings.append(f"page {index + 1} could not be read ({type(error).__name__}); skipped")
        recognised = not any(line.text.strip() for line in raw_lines)
        if recognised:
            if ocr.tesseract() is None:
                raise SkipFile(ocr.unavailable_reason(), status="empty")
            raw_lines = _recognised_lines(document, warnings)
            if not any(line.text.strip() for line in raw_lines):
                raise SkipFile("no text layer, and OCR found no text on the page images", status="empty")
            warnings.append(
                "no text layer: the text was recognised by OCR (Tesseract) from page images; check quotations against "
                "the original"
            )
    finally:
        document.close()
    page_height = max(Counter(round(h) for h in heights).most_common(1)[0][0], 1) if heights else 842
    removed = _pdf_running_lines(raw_lines, page_count, page_height)
    raw_lines, removed = _page_titles_first(raw_lines, removed)
    lines = _pdf_paragraphs(raw_lines, removed)
    rejoin_split_words(lines)
    respace_letter_spaced(lines)
    for number, line in enumerate(lines, start=1):
        line.number = number
    metadata = _pdf_metadata(reader)
    metadata["page_count"] = page_count
    labels = page_labels(reader, page_count) or printed_page_numbers(raw_lines, removed, page_count)
    if labels:
        metadata["page_labels"] = labels
    if title := pdf_title(lines):
        metadata["title_block"] = title
    if recognised:
        metadata["ocr"] = True
    return Extraction(format="pdf", lines=lines, metadata=metadata, warnings=warnings)


def _recognised_lines(document, warnings: list[str]) -> list[_PdfLine]:
    """Every page's paragraphs as OCR reads them from the page image, one line each, with a
    blank line after each (Tesseract has already joined its lines); up to OCR's page and time
    limits, with a warning naming the pages left out."""
    import subprocess
    import time

    lines: list[_PdfLine] = []
    started = time.monotonic()
    for index in range(len(document)):
        if index >= ocr.MAX_PAGES or time.monotonic() - started > ocr.MAX_SECONDS:
            limit = f"{ocr.MAX_PAGES} pages" if index >= ocr.MAX_PAGES else f"{ocr.MAX_SECONDS // 60} minutes"
            warnings.append(
                f"OCR stopped at its limit of {limit} a file: pages {index + 1}-{len(document)} of {len(document)} are "
                "not indexed"
            )
            break
        page = document[index]
        try:
            recognised = ocr.recognise_page(page, float(page.get_height()))
        except subprocess.TimeoutExpired:
            warnings.append(f"page {index + 1}: OCR took more than {ocr.PAGE_SECONDS} s; page left out")
            continue
        except (OSError, subprocess.SubprocessError) as error:
            warnings.append(f"page {index + 1}: OCR failed ({type(error).__name__}); page left out")
            continue
        finally:
            page.close()
        for paragraph in recognised:
            lines.append(
                _PdfLine(normalize_text(paragraph.text).strip(), index + 1, paragraph.y, float(paragraph.size), False)
            )
            lines.append(_PdfLine("", index + 1, None, None, False))
    return lines


def _mark_footnotes(chars: list[str], sizes: list[float | None]) -> str:
    """The line's text with each footnote marker (one to three digits in print under 80% of
    the size of the word, number or punctuation it follows) in brackets, so that it is not read as
    part of the word: "important.4" becomes "important.[4]"."""
    out: list[str] = []
    index = 0
    while index < len(chars):
        char, size = chars[index], sizes[index]
        if char.isdigit() and size is not None and out:
            end = index
            while end < len(chars) and chars[end].isdigit() and sizes[end] is not None and sizes[end] <= size + 0.01:
                end += 1
            before = next((sizes[i] for i in range(index - 1, -1, -1) if sizes[i] is not None), None)
            follows_word = out[-1].isalnum() or out[-1] in ".,;:)’”'\""
            if (
                before is not None
                and size < before * 0.8
                and follows_word
                and end - index <= 3
                and not (end < len(chars) and chars[end].isalnum())
            ):
                out.append("[" + "".join(chars[index:end]) + "]")
                index = end
                continue
        out.append(char)
        index += 1
    return "".join(out)


_GLUED_PARAGRAPH_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})+\.?)(?=[A-Z][a-z])")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.I)


def _pdf_page_lines(page, page_number: int) -> list[_PdfLine]:
    """The page's text lines as pdfium lays them out, each with its font size (the size scaled
    by the text matrix: many PDFs set size 1 and scale), boldness (by the font's name) and
    height on the page. Text attributes are read once per text object, not per character."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        matrix = pdfium_c.FS_MATRIX()
        name = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()
        x, y = ctypes.c_double(), ctypes.c_double()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        last_glyph: tuple[float, float, float] | None = None  # right edge, baseline, font size
        pending_break = False
        joins: list[tuple[int, float]] = []  # line breaks pdfium made inside a line: place, gap
        object_styles: dict[int, tuple[float, bool]] = {}
        lines: list[_PdfLine] = []
        chars: list[str] = []
        char_sizes: list[float | None] = []
        styles: list[tuple[float, bool]] = []
        line_y: float | None = None
        line_x: float | None = None

        def end_line() -> None:
            if joins:
                spaced = _spaces_at(joins, chars)
                for place, _ in reversed(joins):  # right to left: the places on the left stay valid
                    chars[place : place + 1] = [" "] if place in spaced else []
                    char_sizes[place : place + 1] = [None] if place in spaced else []
                joins.clear()
            # pdfium writes no space where a tab stop, not a space, follows a paragraph number
            text = _GLUED_PARAGRAPH_NUMBER.sub(r"\1 ", normalize_text(_mark_footnotes(chars, char_sizes)).strip())
            if not text:
                lines.append(_PdfLine("", page_number, None, None, False))
            elif styles:
                size = Counter(round(size, 1) for size, _ in styles).most_common(1)[0][0]
                bold = sum(1 for _, b in styles if b) >= len(styles) * 0.9
                lines.append(_PdfLine(text, page_number, line_y, size, bold, line_x))
            else:
                lines.append(_PdfLine(text, page_number, None, None, False))
            chars.clear()
            char_sizes.clear()
            styles.clear()

        for index in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(handle, index)
            if code == 0x0A and pdfium_c.FPDFText_IsGenerated(handle, index) and last_glyph is not None:
                pending_break = True  # decided at the next glyph: see _gap_on_the_line
                continue
            if code == 0x0D:
                continue
            glyph = code > 0x20 and code not in (0x02, 0xFFFE) and not pdfium_c.FPDFText_IsGenerated(handle, index)
            if glyph:
                pdfium_c.FPDFText_GetCharBox(handle, index, left, right, bottom, top)
                pdfium_c.FPDFText_GetCharOrigin(handle, index, x, y)
            if pending_break:
                pending_break = False
                gap = _gap_on_the_line(last_glyph, left.value, y.value) if glyph else None
                if gap is None:
                    end_line()
                    line_y = None
                    last_glyph = None
                else:
                    joins.append((len(chars), gap))
                    chars.append(_JOIN)
                    char_sizes.append(None)
            if code == 0x0A:
                end_line()
                line_y = None
                last_glyph = None
                continue
            if code in (0x02, 0xFFFE):
                # pdfium's mark for a hyphen that ends a line, with no line break after it: the
                # line ends here, and joining the paragraph decides whether the hyphen stays.
                chars.append("-")
                char_sizes.append(None)
                end_line()
                line_y = None
                continue
            try:
                char = chr(code)
            except ValueError:
                continue
            chars.append(char)
            char_sizes.append(None)
            if char.isspace() or pdfium_c.FPDFText_IsGenerated(handle, index):
                continue
            text_object = pdfium_c.FPDFText_GetTextObject(handle, index)
            key = ctypes.cast(text_object, ctypes.c_void_p).value or 0
            style = object_styles.get(key)
            if style is None:
                pdfium_c.FPDFText_GetMatrix(handle, index, matrix)
                size = pdfium_c.FPDFText_GetFontSize(handle, index) * (math.hypot(matrix.c, matrix.d) or 1.0)
                pdfium_c.FPDFText_GetFontInfo(handle, index, name, len(name), flags)
                bold = (
                    bool(_BOLD_FONT.search(name.value.decode("latin-1", "replace")))
                    or pdfium_c.FPDFText_GetFontWeight(handle, index) >= 700
                )
                style = object_styles[key] = (size, bold)
            styles.append(style)
            char_sizes[-1] = style[0]
            if glyph:
                last_glyph = (right.value, y.value, style[0])
            if line_y is None:
                if not glyph:
                    pdfium_c.FPDFText_GetCharOrigin(handle, index, x, y)
                line_y, line_x = y.value, x.value
        end_line()
        return lines
    finally:
        textpage.close()


_CLOSING = frozenset(".,;:!?)]’”")
"""Punctuation no space comes before."""
_DIGIT_SPACE = 0.35
"""Between two digits, the gap in ems over which a join is a space."""
_JOIN = "\x00"
"""Where pdfium broke a line between two glyphs of one line: a space or nothing, decided by
``_spaces_at`` when the line ends."""


def _gap_on_the_line(last: tuple[float, float, float] | None, left: float, baseline: float) -> float | None:
    """How far a glyph after a line break pdfium generated stands from the glyph before, in ems
    of that glyph's font size, when it goes on the same line: on the same baseline, just to its
    right. Some PDFs place every glyph of a letter-spaced text on its own (a police force's plan
    read "M o d e r n S l a v e r y", and no word of it could be searched). None: a true line
    break."""
    if last is None:
        return None
    right, last_baseline, size = last
    size = max(size, 1e-6)
    gap = left - right
    if abs(baseline - last_baseline) > 0.2 * size or not -0.1 * size <= gap < size:
        return None
    return gap / size


def _spaces_at(joins: list[tuple[int, float]], chars: list[str]) -> set[int]:
    """Which of a line's joins (places in ``chars``) are spaces between words. The gaps fall in
    two groups, within a word (letter spacing, and a narrow glyph's side bearings) and between
    words (a space more): they are parted where the two groups are tightest (Otsu's split of the
    sorted gaps) when the narrower group could be letter spacing and the wider stands clear of
    it; else a gap of more than a fifth of an em is a space (a word space is a quarter to a
    third). Never before closing punctuation; between two digits, only a wide gap (a number's
    digits are often spaced wider than a text's letters: "1 6")."""
    gaps = sorted(gap for _, gap in joins)
    threshold = 0.2
    if len(gaps) >= 2:
        sums, squares = [0.0], [0.0]  # prefix sums: each split's spread in one step
        for gap in gaps:
            sums.append(sums[-1] + gap)
            squares.append(squares[-1] + gap * gap)
        total, count = sums[-1], len(gaps)

        def spread(n: int) -> float:  # the squared deviations within both groups
            rest = total - sums[n]
            return squares[-1] - sums[n] ** 2 / n - rest**2 / (count - n)

        n = min(range(1, count), key=spread)
        if sums[n] / n <= 0.3 and gaps[n] >= 1.3 * max(gaps[n - 1], 0.03) and gaps[n] > 0.12:
            threshold = (gaps[n - 1] + gaps[n]) / 2
    return {
        place
        for place, gap in joins
        if gap > threshold
        and chars[place + 1] not in _CLOSING
        and not (place > 0 and chars[place - 1].isdigit() and chars[place + 1].isdigit() and gap <= _DIGIT_SPACE)
    }


def _page_titles_first(lines: list[_PdfLine], removed: dict[int, str]) -> tuple[list[_PdfLine], dict[int, str]]:
    """A page's title drawn after its text goes before it. Some PDFs put the large title at the
    top of a page last in the page's content: read in that order, it headed the next page's text,
    and the page's own text was cited under the section before (a compensation report's "Time
    limits" under "Support for survivors", the title of the page before). ``_title_first``
    finds it; running headers and footers (``removed``) keep their places."""
    order: list[int] = []
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and lines[end].page == lines[start].page:
            end += 1
        indices = list(range(start, end))
        order.extend(_title_first(lines, indices, removed))
        start = end
    if order == list(range(len(lines))):
        return lines, removed
    position = {old: new for new, old in enumerate(order)}
    return [lines[i] for i in order], {position[i]: reason for i, reason in removed.items()}


TITLE_MARGIN = 36.0
"""How far right of the page's leftmost line (in points, half an inch) a page title may start."""


def _title_first(lines: list[_PdfLine], indices: list[int], removed: dict[int, str]) -> list[int]:
    """One page's line order (``indices``), its title first. The title is the page's topmost
    line when it is in larger print than every other line of the page, with the lines it wraps
    onto (in the same print, just after it) and a heading under it in print larger than the
    rest of the page ("SECTION 4", then "ACTION AREA 3 – ..."); it reads as a title, not a pull
    quote (at most three lines and twelve words, no clause), and starts at the page's left
    margin, not over a second column."""
    kept = [i for i in indices if i not in removed and lines[i].text and lines[i].y is not None and lines[i].size]
    if len(kept) < 2:
        return indices
    top = max(kept, key=lambda i: lines[i].y)
    size = lines[top].size
    if top == kept[0] or any(lines[i].size >= size - 1.5 for i in kept if i != top and lines[i].size != size):
        return indices
    title: list[int] = []
    position = kept.index(top)
    before = [lines[i].size for i in kept[:position]]  # the page's text drawn before its title
    while position < len(kept):
        group_size = lines[kept[position]].size
        others = [lines[i].size for i in kept[position:] if lines[i].size != group_size] + before
        if title and (not others or group_size < max(others) + 1.5):
            break
        x = lines[kept[position]].x
        if title and (x is None or lines[top].x is None or abs(x - lines[top].x) > TITLE_MARGIN):
            break  # beside the title, not under it: a box's name ("Amalfi" in the second column)
        group = []
        while (
            position < len(kept)
            and lines[kept[position]].size == group_size
            and (not group or lines[kept[position]].y < lines[group[-1]].y)
        ):
            group.append(kept[position])
            position += 1
        words = " ".join(lines[i].text for i in group)
        if len(group) > 3 or len(words.split()) > 12 or re.search(r"[,;.]", words):
            if not title:
                return indices  # a pull quote ("Thinking his life would be in danger if his captors returned, ...")
            break
        if any(lines[i].size == group_size for i in kept if i not in group and i not in title):
            if not title:
                return indices  # print of this size elsewhere on the page: not the page's one title
            break
        title += group
    margin = min((lines[i].x for i in kept if lines[i].x is not None), default=None)
    if margin is None or lines[top].x is None or lines[top].x > margin + TITLE_MARGIN:
        return indices  # the top of a column right of the text before it
    rest = [i for i in indices if i not in title]
    first = rest.index(kept[0])
    return rest[:first] + title + rest[first:]


def _pdf_running_lines(lines: list[_PdfLine], page_count: int, page_height: float) -> dict[int, str]:
    """Indexes of running headers, footers and page numbers: lines in the top or bottom band of
    a page whose text (digits masked) recurs on many pages, or that are a bare page number."""
    removed: dict[int, str] = {}
    band = page_height * 0.09

    def in_band(line: _PdfLine) -> bool:
        return line.y is not None and (line.y > page_height - band or line.y < band)

    def mask(text: str) -> str:
        return re.sub(r"\d+", "#", text.lower()).strip()

    per_page_first_last: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        if line.text:
            per_page_first_last.setdefault(line.page, []).append(index)
    edge_indexes = set()
    for indexes in per_page_first_last.values():
        edge_indexes.update(indexes[:3])
        edge_indexes.update(indexes[-3:])
    counts = Counter(mask(lines[i].text) for i in edge_indexes)
    threshold = max(3, int(page_count * 0.3))
    _mark_contents_pages(lines, page_count, removed)
    # The lowest and highest text of each page: a bare number of up to three digits there is its
    # page number even outside the band (a landscape page with a deep margin); not a year.
    extremes: dict[int, tuple[float, float]] = {}
    for line in lines:
        if line.text and line.y is not None:
            low, high = extremes.get(line.page, (line.y, line.y))
            extremes[line.page] = (min(low, line.y), max(high, line.y))

    def outermost(line: _PdfLine) -> bool:
        low, high = extremes.get(line.page, (None, None))
        return line.y is not None and low is not None and (line.y <= low + 0.5 or line.y >= high - 0.5)

    for index in edge_indexes:
        line = lines[index]
        near_edge = in_band(line) or line.y is None
        if _PAGE_NUMBER.match(line.text) and (near_edge or (outermost(line) and re.fullmatch(r"\d{1,3}", line.text))):
            removed[index] = "page number"
        elif page_count >= 4 and counts[mask(line.text)] >= threshold and near_edge:
            removed[index] = "running header/footer (repeats on many pages)"
    return removed


_CONTENTS_ENTRY = re.compile(r"^(?=.*[A-Za-z]{3}).*?(?:\s|\.{2,}|…+)\s*(?:\d{1,3}|[ivxlc]{1,5})$")


def _large_print_blocks(lines: list[_PdfLine], removed: dict[int, str], body_size: float | None, styles: dict) -> None:
    """Large print that wraps over lines is a heading when the whole block reads like one (short,
    no sentence inside): its continuation lines join it even when they start in lower case.
    Otherwise (a pull quote, a large-print paragraph) none of its lines is a heading."""
    if not body_size:
        return
    index = 0
    while index < len(lines):
        line = lines[index]
        if index in removed or not line.text or not line.size or line.size < body_size + 1.5:
            index += 1
            continue
        block = [index]
        cursor = index + 1
        while cursor < len(lines):
            candidate = lines[cursor]
            if not candidate.text:
                cursor += 1
                continue
            previous = lines[block[-1]]
            if (
                cursor in removed
                or candidate.page != line.page
                or candidate.size != line.size
                or candidate.y is None
                or previous.y is None
                or previous.y - candidate.y >= line.size * 1.9
            ):
                break
            block.append(cursor)
            cursor += 1
        joined = " ".join(lines[i].text for i in block)
        first_letter = next((c for c in joined if c.isalpha()), "")
        heading_like = (
            len(joined) <= 160
            and sum(c.isalpha() for c in joined) >= 3
            and not first_letter.islower()
            and not _SYMBOL_BULLET.match(joined)
            and not re.search(r"[.;]\s+\S", re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", joined))
            and not (_TERMINAL.search(joined) and not joined.endswith("?"))
            # A contact printed large ("Police Scotland ... Unit scdnational...@scotland.pnn.police.uk")
            # is no heading: it headed the next contact's passage in a first-use audit's citation.
            and not _PHONE_NUMBER.search(joined)
            and not _EMAIL_ADDRESS.search(joined)
        )
        for i in block:
            if heading_like:
                styles[i] = ("size", line.size)
            else:
                styles.pop(i, None)
        index = block[-1] + 1


_ENDS_CLAUSE = re.compile(r",['\"”’)]*$")
"""A line ending on a comma ("Wales are an independent source of advice for trafficked
children,", a letter's "Dame Sara Thornton,") is a heading only with the line that completes it."""
_ENDS_UNFINISHED = re.compile(r"(?:\w-|\b(?:a|an|and|as|at|by|for|from|in|into|of|on|or|that|the|to|with))$")
"""In lower case only: "Annex A" and "Part A" are whole headings."""


def _unfinished(text: str, following: str = "") -> bool:
    """A line that cannot end a heading: it ends on "of", "the", "and"..., on a comma, on a word
    broken by a hyphen ("co-"), inside a parenthesis, or inside a number that the next line goes on with
    ("GLAA on 0800 432", then "0804. GLAA is...")."""
    return (
        bool(_ENDS_UNFINISHED.search(text))
        or _ENDS_CLAUSE.search(text) is not None
        or text.count("(") > text.count(")")
        or (text[-1:].isdigit() and following[:1].isdigit())
    )


_PHONE_NUMBER = re.compile(r"(?<![\d.,])(?:\+\d{2}[ -]?|0)\d{2,4}(?:[ -]?\d{3,4}){1,2}(?![\d.,]\d)")
"""A telephone number as UK and international guidance prints it ("0800 432 0804",
"08000 121 700", "+44 20 7946 0000"): a line holding one is a contact, not a heading."""


_EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

BOX_LEVEL = 9
"""The level of a heading that names a box of text (a case study: "Sheena", then "Sheena was
required to work..."): deeper than any other, so the next heading of the text around the box
closes it instead of being filed under it."""


def _names_its_box(lines: list[_PdfLine], index: int, lower_case: set[str]) -> bool:
    """Whether a heading of one or two words is a name (none of its words is written in lower
    case anywhere in the document: ``lower_case``) that the text after it opens with and says
    again, as a case study's is ("Amalfi", then "Amalfi was trafficked to the UK for the purpose
    of sexual exploitation. Amalfi was helped ..."; a section "Time", then "Time is a scarce
    resource", is not one). A report's sections were cited under the case study printed before
    them ("The criteria for CICS > Sheena > Timescales")."""
    name = lines[index].text.strip()
    words = name.split()
    if not 1 <= len(words) <= 2 or not all(w[:1].isupper() and w.isalpha() for w in words):
        return False
    if any(w.lower() in lower_case for w in words):
        return False
    following = " ".join(line.text for line in lines[index + 1 : index + 12] if line.text)
    if not (following.startswith(name + " ") and following[len(name) + 1 : len(name) + 2].islower()):
        return False
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", following[len(name) :]) is not None


def _complete_headings(lines: list[_PdfLine], styles: dict[int, tuple[str, float]]) -> None:
    """A heading line that is unfinished ("Key outcome: people at most risk get help to") goes
    on in the next line: set in the same type, that line is the rest of the heading, whatever its
    case ("increase their resilience against trafficking"); set as body text, the line was the bold start of a paragraph, not a
    heading."""
    for index in range(len(lines)):  # in order: a heading over three lines is completed line by line
        if index not in styles:
            continue
        following = next((later for later in range(index + 1, min(index + 3, len(lines))) if lines[later].text), None)
        if not _unfinished(lines[index].text, lines[following].text if following is not None else ""):
            continue
        if following is None or following in styles or not _same_block(lines[index], lines[following]):
            continue
        if lines[following].bold == lines[index].bold:
            styles[following] = styles[index]
        else:
            del styles[index]


def _same_block(line: _PdfLine, following: _PdfLine | None) -> bool:
    """Whether ``following`` continues ``line``'s block: same page and size, set closely below it."""
    return (
        following is not None
        and following.page == line.page
        and following.size == line.size
        and line.y is not None
        and following.y is not None
        and (line.y - following.y) < (line.size or 12) * 1.6
    )


def _short_bold_run(lines: list[_PdfLine], start: int) -> bool:
    """Whether the bold lines from ``start`` on, set as one block, are a heading that wraps (at
    most three lines and 25 words, not ending as a sentence) rather than a bold paragraph."""
    run = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.text:
            continue
        if not (line.bold and _same_block(run[-1], line)):
            break
        run.append(line)
        if len(run) > 3:
            return False
    return sum(len(line.text.split()) for line in run) <= 25 and not _TERMINAL.search(run[-1].text)


def _title_block(lines: list[_PdfLine], removed: dict[int, str], body_size: float | None) -> list[int]:
    """Indexes of the large-print lines that open the first page (the document's title): one
    compact block, so large labels spread over a poster are not part of it."""
    if not body_size:
        return []
    block: list[int] = []
    first_page = next((line.page for line in lines if line.text), 1)
    for index, line in enumerate(lines):
        if line.page != first_page:
            break
        if not line.text or index in removed:
            continue
        if block and line.y is not None and lines[block[-1]].y is not None and line.size:
            previous = lines[block[-1]].size or 0
            # A headline's own lines may be loosely led (48 pt lines 83 pt apart); a line in
            # another size that far below is a poster's panel label, not a subtitle.
            spacing = 2.0 if abs(line.size - previous) < 0.5 else 1.6
            if abs(lines[block[-1]].y - line.y) > spacing * max(line.size, previous):
                break
            if line.size < 0.55 * (lines[block[0]].size or 0):
                break  # half the headline's size: a poster's panel label, not a subtitle
        if (
            line.size
            and line.size >= max(body_size + 4, body_size * 1.4)
            and len(line.text) <= 120
            and sum(c.isalpha() for c in line.text) >= 3
        ):
            block.append(index)
            continue
        break
    return block


def pdf_title(lines: list[Line]) -> str | None:
    """The document title from its title block (level-0 headings): the large-print groups in
    order, leaving out a date or version line under them."""
    parts = []
    for line in lines:
        if line.kind == "blank" and not line.removed:
            continue
        if line.kind != "heading" or line.level != 0:
            if line.removed:
                continue
            break
        if re.fullmatch(r"(?:version\s*[\d.]+|(?:[A-Z][a-z]+\s+)?(?:19|20)\d{2}|[\d/.\-\s]+)", line.text.strip(), re.I):
            continue
        parts.append(line.text.strip())
    title = " ".join(parts).strip()
    return title if len(title) >= 4 else None


_CONTENTS_TITLE = re.compile(CONTENTS_TITLE, re.IGNORECASE)
_PAGE_NUMBER_ALONE = re.compile(r"\d{1,3}")


def _mark_contents_pages(lines: list[_PdfLine], page_count: int, removed: dict[int, str]) -> None:
    """Lines of a table of contents (text ending in a page number, many on one page near the
    front) are navigation, not content."""
    by_page: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        if line.text:
            by_page.setdefault(line.page, []).append(index)
    front = max(3, int(page_count * 0.15))
    for page, indexes in by_page.items():
        if page > front:
            continue
        entries = [i for i in indexes if _CONTENTS_ENTRY.match(lines[i].text)]
        if len(entries) >= 5 and len(entries) >= 0.4 * len(indexes):
            for index in entries:
                removed.setdefault(index, "table of contents")
            continue
        # A contents page whose page numbers stand in a column of their own: under its
        # "Contents" title, entries and bare numbers (a first-use audit's strong first card was
        # "Guidance on who to approach if you are not a first responder", a contents entry).
        title = next((i for i in indexes if _CONTENTS_TITLE.fullmatch(lines[i].text.strip())), None)
        numbers = [i for i in indexes if _PAGE_NUMBER_ALONE.fullmatch(lines[i].text.strip())]
        if title is not None and len(numbers) >= 5:
            for index in indexes[indexes.index(title) + 1 :]:
                removed.setdefault(index, "table of contents")


def _pdf_paragraphs(lines: list[_PdfLine], removed: dict[int, str]) -> list[Line]:
    """Reflow visual lines into paragraphs: join lines of one paragraph (and hyphenated words),
    break at blank lines, bullets, numbered paragraphs, headings and wide vertical gaps."""
    sizes = Counter()
    for line in lines:
        if line.size and line.text:
            sizes[line.size] += len(line.text)
    body_size = sizes.most_common(1)[0][0] if sizes else None
    widths = sorted(len(line.text) for line in lines if line.text)
    typical_width = widths[int(len(widths) * 0.8)] if widths else 80

    def heading_style(index: int, line: _PdfLine) -> tuple[str, float] | None:
        """('size', font size) for a larger-than-body heading, ('bold', size) for a bold one."""
        text = line.text
        if (
            index in removed
            or not text
            or len(text) > 120
            or _SYMBOL_BULLET.match(text)
            or (_TERMINAL.search(text) and not text.endswith("?"))
            or leaves_quotation_open(text)
            or _PHONE_NUMBER.search(text)
            or _EMAIL_ADDRESS.search(text)  # a contact line: "... Unit scdnationalhuman...@scotland.pnn.police.uk"
        ):
            return None
        first_letter = next((c for c in text if c.isalpha()), "")
        if sum(c.isalpha() for c in text) < 3 or first_letter.islower():
            return None
        if re.search(r"[.;]\s+\S", re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", text)):  # a sentence boundary inside: prose
            return None
        following = next((later for later in lines[index + 1 : index + 3] if later.text), None)
        same_block = _same_block(line, following)
        if _ENDS_CLAUSE.search(text) and not same_block:
            return None  # nothing completes it: a clause of prose in larger or bold type
        before = next((earlier for earlier in range(index - 1, max(index - 3, -1), -1) if lines[earlier].text), None)
        if (
            before is not None
            and before not in styles
            and before not in removed
            and lines[before].bold == line.bold
            and _same_block(lines[before], line)
            and _unfinished(lines[before].text, text)
        ):
            # The rest of a line of text that is not a heading ("• Support for potential and
            # confirmed adult victims in England and", then "Wales is provided through..."):
            # a first-use audit's passage was cited under that second line as its section.
            return None
        if body_size and line.size and line.size >= body_size + 1.5:
            return ("size", line.size)
        if line.bold and body_size and line.size and line.size >= body_size - 0.5 and len(text.split()) <= 12:
            if _PARAGRAPH_NUMBER.match(text):
                return None  # a numbered paragraph
            if same_block and following.bold and not _short_bold_run(lines, index):
                return None  # the first line of a bold paragraph
            return ("bold", line.size)
        return None

    styles: dict[int, tuple[str, float]] = {}
    for index, line in enumerate(lines):  # in order: a line's style may depend on the one before
        if style := heading_style(index, line):
            styles[index] = style
    _complete_headings(lines, styles)
    _large_print_blocks(lines, removed, body_size, styles)
    # The title block: large print at the top of the first page, before any body text (it may
    # wrap mid-phrase, so case rules do not apply). Level 0: it names the document and is not
    # part of any section path. Then levels by size rank (largest first), bold headings below.
    title_block = _title_block(lines, removed, body_size)
    for index in title_block:
        styles[index] = ("title", lines[index].size or 0.0)
    ranked_sizes = sorted({size for i, (kind, size) in styles.items() if kind == "size"}, reverse=True)
    size_level = {size: min(rank + 1, 4) for rank, size in enumerate(ranked_sizes)}
    bold_level = min(len(ranked_sizes) + 1, 5)
    lower_case = {word for line in lines for word in re.findall(r"(?<![\w-])[a-z]+(?![\w-])", line.text)}

    def is_heading(index: int) -> int | None:
        style = styles.get(index)
        if style is None:
            return None
        if index in title_block:
            return 0
        kind, size = style
        if kind == "title":
            return 0
        if _names_its_box(lines, index, lower_case):
            return BOX_LEVEL
        return size_level.get(size, 1) if kind == "size" else bold_level

    out: list[Line] = []
    current: Line | None = None
    previous_line: _PdfLine | None = None
    heading_size: float | None = None
    gaps: list[float] = []

    for index, line in enumerate(lines):
        if index in removed:
            out.append(Line(text=line.text, number=0, kind="blank", page=line.page, removed=removed[index]))
            continue
        if not line.text:
            if current is None or current.kind != "heading":  # a heading may wrap over a blank line
                current = None
                previous_line = None
            continue
        level = is_heading(index)
        gap = None
        if (
            previous_line is not None
            and previous_line.y is not None
            and line.y is not None
            and previous_line.page == line.page
        ):
            gap = previous_line.y - line.y
        if level is not None:
            if (
                current is not None
                and current.kind == "heading"
                and current.level == level
                and current.page == line.page
                and heading_size == line.size
                and gap is not None
                and gap < (line.size or 12) * 2.0
            ):
                # A heading wrapped over two lines. Headings are not hyphenated by layout, so a
                # hyphen at a line's end is a compound's: "practice-" + "based", "COVID-" + "19".
                current.text = (
                    current.text + line.text if re.search(r"\w-$", current.text) else f"{current.text} {line.text}"
                )
            else:
                current = Line(text=line.text, number=0, kind="heading", level=level, page=line.page)
                out.append(current)
            heading_size = line.size
            previous_line = line
            continue
        typical_gap = sorted(gaps)[len(gaps) // 2] if gaps else None
        starts_item = bool(BULLET.match(line.text)) or bool(re.match(r"^\d+(?:\.\d+)+\.?\s", line.text))
        # A definition list: an entry ends with ";" or "." and the next opens with a quoted term.
        starts_definition = (
            previous_line is not None
            and bool(re.search(r"[;.]['\"”’]*$", previous_line.text))
            and line.text[:1] in "“\"‘'"
        )
        wide_gap = gap is not None and typical_gap is not None and gap > typical_gap * 1.45
        continues = (
            current is not None
            and current.kind != "heading"
            and not starts_item
            and not starts_definition
            and not wide_gap
            and not (previous_line is not None and previous_line.page != line.page and _TERMINAL.search(current.text))
            and not (
                previous_line is not None
                and len(previous_line.text) < typical_width * 0.55
                and _TERMINAL.search(previous_line.text)
            )
        )
        if gap is not None and gap > 0 and not wide_gap:
            gaps.append(gap)
            gaps = gaps[-200:]
        if continues:
            current.text = _join_lines(current.text, line.text)
            if line.page is not None and line.page != (current.page_end or current.page):
                current.page_end = line.page
                current.page_breaks.append((line.page, line.text[:PAGE_BREAK_CHARS]))
        else:
            current = Line(text=line.text, number=0, kind="list_item" if starts_item else "text", page=line.page)
            out.append(current)
        previous_line = line
    return out


PAGE_BREAK_CHARS = 40
"""How much of a paragraph's first line on its next page marks where that page begins."""


_BARE_WORD = re.compile(r"(?<![\w'’@./-])[A-Za-zÀ-ÿ]+(?![\w'’@-])")


def _adjacent_words(text: str) -> list[tuple[re.Match, re.Match]]:
    """Pairs of bare words separated by exactly one space."""
    words = list(_BARE_WORD.finditer(text))
    return [(a, b) for a, b in zip(words, words[1:]) if text[a.end() : b.start()] == " "]


def rejoin_split_words(lines: list[Line]) -> None:
    """Rejoin words that extraction broke in two ("Oper ates", "T elephone"), judged by the
    document's own vocabulary: two fragments become one word when that word occurs elsewhere in
    the document and neither fragment occurs on its own anywhere but in such a pair. Real word
    pairs ("in to", "a part") are never joined: their parts are words of the document."""
    kept = [line for line in lines if line.kind != "blank"]
    counts = vocabulary(kept)
    pairs = Counter((a.group().lower(), b.group().lower()) for line in kept for a, b in _adjacent_words(line.text))
    joinable = {
        (a, b)
        for (a, b), together in pairs.items()
        if len(a + b) >= 5 and counts[a + b] >= 1 and counts[a] <= together and counts[b] <= together
    }
    if not joinable:
        return
    for line in kept:
        joins = [(a, b) for a, b in _adjacent_words(line.text) if (a.group().lower(), b.group().lower()) in joinable]
        for a, b in reversed(joins):  # right to left: the offsets on the left stay valid
            line.text = line.text[: a.end()] + line.text[b.start() :]


_LETTER_RUN = re.compile(r"(?<![^\s(“‘\"'])(?:[A-Za-z]{1,2} ){5,}[A-Za-z]{1,2}(?![^\s?!.,:;)”’\"'])")
"""Six or more pieces of one or two letters, each a space apart: a word printed letter by letter
("S P O T T I N G T H E S I G N S"; pdfium reads a wide gap inside "AT" as no space)."""


def respace_letter_spaced(lines: list[Line]) -> None:
    """Words printed letter by letter read as words again ("W H AT I S T R AF F I C K I N G ?"
    becomes "WHAT IS TRAFFICKING?"), split by the document's own vocabulary: the split into its
    words (two letters or more, or "a" and "I") that are most common in it. A run that no split
    covers, or that splits into short words, stays as it is: "a b c d e f" is no word."""
    kept = [line for line in lines if line.kind != "blank"]
    counts = vocabulary(kept)
    total = sum(counts.values())
    if not total:
        return

    def respaced(match: re.Match) -> str:
        pieces = match.group().split(" ")
        if sum(len(piece) == 1 for piece in pieces) < 0.6 * len(pieces):
            return match.group()
        letters = "".join(pieces)
        words = _split_into_words(letters, counts, total)
        if not words or len(letters) / len(words) < 3.5:
            return match.group()
        return " ".join(words)

    for line in kept:
        if _LETTER_RUN.search(line.text):
            line.text = _LETTER_RUN.sub(respaced, line.text)


def _split_into_words(letters: str, counts: Counter[str], total: int) -> list[str] | None:
    """``letters`` as the sequence of the document's words that is likeliest (each word's share
    of the document's words, multiplied), or None when no sequence covers it."""
    lowered = letters.lower()
    best: list[tuple[float, int] | None] = [(0.0, 0)] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 24), end):
            word = lowered[start:end]
            previous = best[start]
            if previous is None or not counts[word] or (len(word) == 1 and word not in ("a", "i")):
                continue
            cost = previous[0] - math.log(counts[word] / total)
            if best[end] is None or cost < best[end][0]:
                best[end] = (cost, start)
    if best[-1] is None:
        return None
    words, end = [], len(letters)
    while end:
        start = best[end][1]
        words.append(letters[start:end])
        end = start
    return words[::-1]


_WEB_ADDRESS_CUT = re.compile(r"(?:^|\s)(?:https?://|www\.)\S*[./_=?&#~-]$")
"""A line that ends inside a web address: at one of the characters a layout breaks it after."""
_WEB_ADDRESS_GOES_ON = re.compile(
    r"[A-Za-z0-9%_~-]\S*[./_=?&#-]\S*|(?:pdf|html?|aspx|php|uk|org|com|net|gov|scot|wales|ie|eu|int)\b"
)
"""The next line's first word, as the rest of a web address: it holds a "/", a "." or another
address character ("uk/government/collections/", "publications/ human-trafficking-victims"), or is
an ending ("pdf", "uk"). A plain word ("and", "The") begins a sentence after the address."""


def _join_lines(left: str, right: str) -> str:
    """Join two visual lines of one paragraph; a word hyphenated at the line end is rejoined
    unless the part before the hyphen is a common prefix of real compounds (anti-, non-, ...);
    a web address broken over the two lines is joined without a space (a first-use audit copied
    "www.gov.uk/ government/publications/" from a card and got a broken address)."""
    if _WEB_ADDRESS_CUT.search(left) and _WEB_ADDRESS_GOES_ON.match(right):
        return left + right
    hyphenated = re.search(r"([A-Za-zÀ-ÿ]+)-$", left)
    if hyphenated and right[:1].isdigit():
        return left + right  # "COVID-" + "19": a compound broken at its hyphen
    if hyphenated and right[:1].islower():
        if hyphenated.group(1).lower() in _KEEP_HYPHEN_PREFIXES or _broken_at_its_hyphen(hyphenated.group(1), right):
            return left + right
        return left[:-1] + right
    return f"{left} {right}"


def _broken_at_its_hyphen(before: str, right: str) -> bool:
    """Whether a line ending "before-" and the next beginning ``right`` is a compound or a web
    address broken at its own hyphen ("rat-" + "infested", "victims-" + "referral-and-...") rather
    than a word the layout hyphenated ("identifi-" + "cation", "organ-" + "isation"): both parts are
    English words and, written together, they are none."""
    after = re.match(r"[a-zà-ÿ]+", right)
    if after is None:
        return False
    return (
        english_count((before + after.group()).lower()) <= RARE_COUNT
        and english_count(before.lower()) > RARE_COUNT
        and english_count(after.group()) > RARE_COUNT
    )


def _pdf_metadata(reader) -> dict[str, object]:
    metadata: dict[str, object] = {}
    try:
        info = reader.metadata or {}
    except Exception:
        return metadata
    title = str(info.get("/Title") or "").strip()
    if title and not re.fullmatch(r"(?:untitled|microsoft word - .*|document\d*|.*\.(?:docx?|pdf|indd))", title, re.I):
        metadata["title"] = normalize_text(title)
    author = str(info.get("/Author") or "").strip()
    if author:
        metadata["author"] = normalize_text(author)
    created = str(info.get("/CreationDate") or "")
    year = re.match(r"D:(\d{4})", created)
    if year:
        # When the file was made (a scan of a 2004 handbook says 2026): see ``page_metadata``.
        metadata["file_date"] = year.group(1)
    return metadata


def printed_page_numbers(lines: list[_PdfLine], removed: dict[int, str], page_count: int) -> dict[int, str]:
    """The numbers printed on the pages of a PDF without page labels, read from the page-number
    lines in headers and footers, for the pages where they differ from the PDF's own page number.
    The numbered pages fall into runs, each at one offset from the PDF's page numbers (a cover and
    contents before page 1; a page left out of the numbering further on); every page from a run's
    first to the next run's (the last run: to the end) gets its run's number, a page whose number
    is hidden by a picture too. Empty when the numbers are too few, do not fall into runs of three
    pages or more that hold 80% of them and go up from one run to the next, or run ahead of the
    PDF's own numbers."""
    if spreads := _spread_page_numbers(lines, removed):
        return spreads
    printed: dict[int, int] = {}
    for index, reason in removed.items():
        if reason == "page number" and (match := re.search(r"\d{1,4}", lines[index].text)):
            printed.setdefault(lines[index].page, int(match.group()))
    if len(printed) < 3:
        return {}
    runs: list[list[int]] = []  # pages of each run, in page order
    for page in sorted(printed):
        if runs and printed[page] - page == printed[runs[-1][-1]] - runs[-1][-1]:
            runs[-1].append(page)
        else:
            runs.append([page])
    # A number read once at another offset (a back cover's "1", a figure's number) is no run.
    runs = [run for run in runs if len(run) >= 3]
    if (
        sum(len(run) for run in runs) < 0.8 * len(printed)
        or any(printed[later[0]] <= printed[earlier[-1]] for earlier, later in zip(runs, runs[1:]))
        or any(printed[run[0]] > run[0] for run in runs)
    ):
        return {}  # numbers that disagree, or run ahead of the PDF's own (a year read as a number)
    labels: dict[int, str] = {}
    for run, following in zip(runs, [*runs[1:], None]):
        offset = printed[run[0]] - run[0]
        end = following[0] if following is not None else page_count + 1
        labels.update({page: str(page + offset) for page in range(run[0], end) if offset and page + offset >= 1})
    return labels


def _spread_page_numbers(lines: list[_PdfLine], removed: dict[int, str]) -> dict[int, str]:
    """A PDF of two-page spreads (a booklet exported as spreads: each PDF page prints two
    numbers, "8" and "9"): each spread's pair, "8–9", when three or more pages print two
    consecutive numbers that follow one rule (PDF page 5 holds 8 and 9, page 6 holds 10 and 11),
    for every page from the first to the last that prints a number fitting it. Empty otherwise:
    a guide's p. 5 was cited for the text printed as p. 8 (first-use audit)."""
    numbers: dict[int, list[int]] = {}
    for index in removed:
        if re.fullmatch(r"\d{1,3}(?:\s+\d{1,3})?", text := lines[index].text.strip()):
            numbers.setdefault(lines[index].page, []).extend(int(n) for n in text.split())
    pairs = {
        page: min(found) for page, found in numbers.items() if len(set(found)) == 2 and max(found) == min(found) + 1
    }
    if len(pairs) < 3:
        return {}
    shift, agreeing = Counter(left - 2 * page for page, left in pairs.items()).most_common(1)[0]
    if agreeing < 0.6 * len(pairs):
        return {}
    fitting = [page for page, found in numbers.items() if any(n - 2 * page in (shift, shift + 1) for n in found)]
    return {
        page: f"{2 * page + shift}–{2 * page + shift + 1}"
        for page in range(min(fitting), max(fitting) + 1)
        if 2 * page + shift >= 1
    }


def page_labels(reader, page_count: int) -> dict[int, str]:
    """The number printed on each page (the PDF's page labels: "iv", "61", "A-3"), for the pages
    where it differs from the PDF's own page number; empty when the PDF defines none."""
    try:
        labels = list(reader.page_labels)
    except Exception:  # a damaged label tree: cite PDF pages only
        return {}
    if len(labels) != page_count:
        return {}
    texts = [str(label).strip() for label in labels]
    prefix = texts[0][:-1] if texts and texts[0].endswith("1") else None
    if page_count > 1 and prefix and all(text == f"{prefix}{index + 1}" for index, text in enumerate(texts)):
        # "A1", "A2", ... for every page: a layout program's section prefix on the PDF's own
        # numbers, not what is printed (a first-use audit's report printed "4" on the page
        # cited "p. A4"); the numbers printed on the pages are read instead.
        return {}
    return {
        index + 1: normalize_text(str(label)).strip()[:20]
        for index, label in enumerate(labels)
        if str(label).strip() and str(label) != str(index + 1)
    }
