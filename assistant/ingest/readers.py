"""One reader per format. Each turns a file's bytes into an ``Extraction``: lines with what the
format says about them. Libraries: pypdf (PDF text layer, with a text visitor for font sizes and
positions), python-docx, python-pptx, selectolax (HTML); plain text and Markdown need none."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from ..text import normalize_text
from .base import Extraction, Line, SkipFile, lines_from_text
from .detect import decode_text

log = logging.getLogger(__name__)

Reader = Callable[[bytes], Extraction]

_BULLET = re.compile(r"^(?:[-*•·▪◦»‣–]|\(?[0-9]{1,3}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+")
_TABLE_PIPES = re.compile(r"^\|.*\|$")


# --- plain text ---------------------------------------------------------------------------------

def read_text(data: bytes) -> Extraction:
    text, encoding = decode_text(data)
    lines = lines_from_text(normalize_text(text))
    for line in lines:
        if line.kind == "text" and _BULLET.match(line.text):
            line.kind = "list_item"
    warnings = [f"decoded as {encoding}"] if encoding.startswith("cp1252") else []
    return Extraction(format="txt", lines=lines, warnings=warnings)


# --- Markdown -----------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_CODE = re.compile(r"`([^`]*)`")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _markdown_inline(text: str) -> str:
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
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
            lines.append(Line(text=_markdown_inline(heading.group(2)), number=number, kind="heading", level=len(heading.group(1))))
            continue
        if _MD_SETEXT.match(stripped) and lines and lines[-1].kind == "text" and stripped:
            previous = lines[-1]
            previous.kind, previous.level = "heading", 1 if stripped[0] == "=" else 2
            lines.append(Line(text="", number=number, kind="blank"))
            continue
        if not stripped:
            lines.append(Line(text="", number=number, kind="blank"))
            continue
        if _TABLE_PIPES.match(stripped):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                lines.append(Line(text=stripped, number=number, kind="blank"))  # header rule
                continue
            lines.append(Line(text=" | ".join(_markdown_inline(c) for c in cells if c.strip()), number=number, kind="table_row"))
            continue
        kind = "list_item" if _BULLET.match(stripped) else "text"
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ")
        content = _markdown_inline(stripped)
        if kind == "list_item":
            content = re.sub(r"^[-*+]\s+", "", content) if stripped[0] in "-*+" else content
        lines.append(Line(text=content, number=number, kind=kind if content else "blank"))
    warnings = [f"decoded as {encoding}"] if encoding.startswith("cp1252") else []
    return Extraction(format="md", lines=lines, metadata=metadata, warnings=warnings)


# --- HTML ---------------------------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "head", "form", "button", "select", "input"}
_CHROME_TAGS = {"nav": "site navigation (<nav>)", "header": "page header (<header>)", "footer": "page footer (<footer>)", "aside": "sidebar (<aside>)"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LEAF_BLOCKS = {"p", "pre", "blockquote", "dt", "dd", "figcaption", "caption", "address", "summary", "legend", "label"}
_BLOCKS = _LEAF_BLOCKS | set(_HEADINGS) | {
    "div", "section", "article", "main", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr",
    "td", "th", "dl", "figure", "details", "hr", "br", "body", "html", "center", "fieldset",
} | set(_CHROME_TAGS)
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_CHROME_CLASS = re.compile(r"(?:^|[\s_-])(?:cookie|consent|gdpr|breadcrumb|share|social|skip-link|site-header|site-footer|menu|navbar)(?:$|[\s_-])", re.I)


def read_html(data: bytes) -> Extraction:
    from selectolax.lexbor import LexborHTMLParser

    text, encoding = _decode_html(data)
    tree = LexborHTMLParser(text)
    metadata = _html_metadata(tree)
    lines: list[Line] = []
    root = tree.body or tree.root
    if root is not None:
        _HtmlWalker(lines).walk(root)
    for number, line in enumerate(lines, start=1):
        line.number = number
    warnings = [f"decoded as {encoding}"] if encoding.startswith("cp1252") else []
    return Extraction(format="html", lines=lines, metadata=metadata, warnings=warnings)


def _decode_html(data: bytes) -> tuple[str, str]:
    declared = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
    if declared:
        name = declared.group(1).decode("ascii").lower()
        if name not in {"utf-8", "utf8"}:
            try:
                return data.decode(name), name
            except (LookupError, UnicodeDecodeError):
                pass
    return decode_text(data)


def _html_metadata(tree) -> dict[str, object]:
    metadata: dict[str, object] = {}
    title = tree.css_first("title")
    if title is not None and title.text(strip=True):
        metadata["title"] = normalize_text(title.text(strip=True))
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("name") or attrs.get("property") or "").lower()
        content = normalize_text((attrs.get("content") or "").strip())
        if not content:
            continue
        if key in {"og:title", "dc.title", "citation_title"} and "title" not in metadata:
            metadata["title"] = content
        elif key in {"og:site_name", "dc.publisher", "citation_publisher", "publisher"}:
            metadata.setdefault("organisation", content)
        elif key in {"author", "dc.creator", "citation_author"}:
            metadata.setdefault("author", content)
        elif key in {"dc.date", "citation_publication_date", "article:published_time", "date", "citation_date"}:
            metadata.setdefault("date", content)
        elif key in {"description", "og:description"}:
            metadata.setdefault("description", content)
    html_node = tree.css_first("html")
    if html_node is not None and html_node.attributes.get("lang"):
        metadata["language"] = html_node.attributes["lang"]
    return metadata


class _HtmlWalker:
    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.inline: list[str] = []

    def emit(self, text: str, kind: str = "text", level: int | None = None, removed: str | None = None) -> None:
        for part in normalize_text(text).split("\n"):
            part = re.sub(r"\s+", " ", part).strip()
            if part:
                self.lines.append(Line(text=part, number=0, kind=kind, level=level, removed=removed))

    def flush(self) -> None:
        if self.inline:
            self.emit("".join(self.inline))
            self.inline = []

    def walk(self, node) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.inline.append(child.text(deep=False))
                continue
            if tag in ("-comment", "!--") or tag in _SKIP_TAGS:
                continue
            if tag == "br":
                self.inline.append("\n")
                continue
            chrome = _CHROME_TAGS.get(tag) or self._chrome_attributes(child)
            if chrome:
                self.flush()
                self.emit(child.text(separator="\n"), removed=chrome)
                continue
            if tag not in _BLOCKS:
                self.inline.append(_inline_text(child))
                continue
            self.flush()
            if tag in _HEADINGS:
                self.emit(_inline_text(child), kind="heading", level=_HEADINGS[tag])
            elif tag == "tr":
                cells = [re.sub(r"\s+", " ", _inline_text(c)).strip() for c in child.css("td, th")]
                self.emit(" | ".join(c for c in cells if c), kind="table_row")
            elif tag == "li":
                self._list_item(child)
            elif tag in _LEAF_BLOCKS:
                self.emit(_inline_text(child))
            elif tag == "hr":
                continue
            else:
                self.walk(child)
                self.flush()
        self.flush()

    def _list_item(self, node) -> None:
        own: list[str] = []
        nested = []
        for child in node.iter(include_text=True):
            if child.tag in {"ul", "ol", "table", "div", "p"}:
                nested.append(child)
            elif child.tag == "-text":
                own.append(child.text(deep=False))
            elif child.tag not in _SKIP_TAGS:
                own.append(_inline_text(child))
        self.emit("".join(own), kind="list_item")
        for child in nested:
            if child.tag == "p":
                self.emit(_inline_text(child), kind="list_item")
            else:
                self.walk(child)

    @staticmethod
    def _chrome_attributes(node) -> str | None:
        attrs = node.attributes
        role = (attrs.get("role") or "").lower()
        if role in _CHROME_ROLES:
            return f"page chrome (role={role})"
        marker = " ".join(filter(None, [attrs.get("id"), attrs.get("class")]))
        if marker and _CHROME_CLASS.search(marker):
            return f"page chrome (class/id '{marker[:40]}')"
        return None


def _inline_text(node) -> str:
    parts = []
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            parts.append(child.text(deep=False))
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag not in _SKIP_TAGS:
            parts.append(_inline_text(child))
    return "".join(parts)


# --- docx ---------------------------------------------------------------------------------------

def read_docx(data: bytes) -> Extraction:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on damaged packages
        raise SkipFile(f"damaged .docx file ({type(error).__name__}: {str(error)[:120]})")
    lines: list[Line] = []
    _docx_block_items(document.element.body, document, lines)
    for number, line in enumerate(lines, start=1):
        line.number = number
    return Extraction(format="docx", lines=lines, metadata=_office_metadata(document.core_properties))


def _office_metadata(props) -> dict[str, object]:
    """Title, author, date and language from an Office file's core properties (docx and pptx)."""
    metadata: dict[str, object] = {}
    if props.title:
        metadata["title"] = normalize_text(props.title).strip()
    if props.author:
        metadata["author"] = normalize_text(props.author).strip()
    for stamp in (props.created, props.modified):
        if isinstance(stamp, datetime):
            metadata.setdefault("date", stamp.isoformat())
    if props.language:
        metadata["language"] = props.language
    return metadata


def _docx_block_items(parent, document, lines: list[Line]) -> None:
    """Paragraphs and tables in reading order, including content controls (w:sdt)."""
    import docx
    from docx.oxml.ns import qn

    for element in parent.iterchildren():
        if element.tag == qn("w:p"):
            _docx_paragraph(docx.text.paragraph.Paragraph(element, document), lines)
            _docx_text_boxes(element, document, lines)
        elif element.tag == qn("w:tbl"):
            table = docx.table.Table(element, document)
            for row in table.rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = re.sub(r"\s+", " ", normalize_text(cell.text)).strip()
                    if value and (not cells or cells[-1] != value):  # merged cells repeat their text
                        cells.append(value)
                if cells:
                    lines.append(Line(text=" | ".join(cells), number=0, kind="table_row"))
            lines.append(Line(text="", number=0, kind="blank"))
        elif element.tag == qn("w:sdt"):
            content = element.find(qn("w:sdtContent"))
            if content is not None:
                _docx_block_items(content, document, lines)


def _docx_text_boxes(paragraph_element, document, lines: list[Line]) -> None:
    """Text in shapes and text boxes anchored to a paragraph (python-docx does not read them).
    Word stores each box twice (DrawingML and a VML fallback): only the first is read."""
    import docx
    from docx.oxml.ns import qn

    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    for box in paragraph_element.iter(qn("w:txbxContent")):
        ancestor = box.getparent()
        inside_fallback = False
        while ancestor is not None and ancestor is not paragraph_element:
            if ancestor.tag == fallback:
                inside_fallback = True
                break
            ancestor = ancestor.getparent()
        if inside_fallback:
            continue
        for inner in box.iterchildren(qn("w:p")):
            _docx_paragraph(docx.text.paragraph.Paragraph(inner, document), lines)
        lines.append(Line(text="", number=0, kind="blank"))


def _docx_paragraph(paragraph, lines: list[Line]) -> None:
    text = normalize_text(paragraph.text)
    try:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
    except (KeyError, ValueError):
        style = ""
    if style.lower().startswith(("toc", "table of contents")):
        lines.append(Line(text=text.strip(), number=0, kind="blank", removed="table of contents") if text.strip() else Line(text="", number=0, kind="blank"))
        return
    level = None
    heading = re.match(r"(?:Heading|Überschrift|Titre)\s*(\d)", style, re.I)
    if heading:
        level = int(heading.group(1))
    elif style.lower() in {"title", "subtitle"}:
        level = 0  # the document's title block: names the document, not a section
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    for part in text.split("\n"):
        part = part.strip()
        if not part:
            continue
        if level is not None:
            lines.append(Line(text=part, number=0, kind="heading", level=level))
        elif numbered or "list" in style.lower() or _BULLET.match(part):
            lines.append(Line(text=part, number=0, kind="list_item"))
        else:
            lines.append(Line(text=part, number=0, kind="text"))
    if not text.strip():
        lines.append(Line(text="", number=0, kind="blank"))


def read_doc(data: bytes) -> Extraction:
    """Legacy Word 97-2003 .doc, converted to .docx in memory by msdoc2docx (pure Python, MIT,
    follows the published binary-format specification), then read like any .docx."""
    import tempfile
    from pathlib import Path

    try:
        from doc2docx import convert
    except ImportError:  # pragma: no cover - install problem
        raise SkipFile("legacy Word .doc needs the msdoc2docx package (run `make setup`), or save it as .docx")
    with tempfile.TemporaryDirectory(prefix="guidance-doc-") as folder:
        source, target = Path(folder) / "source.doc", Path(folder) / "converted.docx"
        source.write_bytes(data)
        try:
            convert(source, target)
            converted = target.read_bytes()
        except Exception as error:  # the converter reports unsupported or encrypted files by raising
            message = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            if "password" in message.lower() or "encrypt" in message.lower():
                raise SkipFile("encrypted Word .doc: needs a password; save an unprotected copy as .docx")
            raise SkipFile(f"legacy Word .doc could not be read ({message}): open it in Word or LibreOffice and save it as .docx")
    extraction = read_docx(converted)
    extraction.format = "doc"
    return extraction


# --- pptx ---------------------------------------------------------------------------------------

def read_pptx(data: bytes) -> Extraction:
    from pptx import Presentation
    from pptx.enum.shapes import PP_PLACEHOLDER

    try:
        presentation = Presentation(io.BytesIO(data))
    except Exception as error:
        raise SkipFile(f"damaged .pptx file ({type(error).__name__}: {str(error)[:120]})")
    lines: list[Line] = []
    first_title = ""
    for number, slide in enumerate(presentation.slides, start=1):
        title_shape = slide.shapes.title
        title = normalize_text(title_shape.text_frame.text).strip() if title_shape is not None and title_shape.has_text_frame else ""
        first_title = first_title or " ".join(title.split())
        heading = f"Slide {number}: {' '.join(title.split())}" if title else f"Slide {number}"
        lines.append(Line(text=heading, number=0, kind="heading", level=1, page=number))
        for shape in _shapes_in_reading_order(slide.shapes):
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            if shape.is_placeholder and shape.placeholder_format.type in (PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.DATE):
                continue
            _pptx_shape(shape, lines, number)
        if slide.has_notes_slide:
            notes = normalize_text(slide.notes_slide.notes_text_frame.text if slide.notes_slide.notes_text_frame else "").strip()
            if notes:
                lines.append(Line(text="Speaker notes", number=0, kind="heading", level=2, page=number))
                for part in notes.split("\n"):
                    if part.strip():
                        lines.append(Line(text=part.strip(), number=0, kind="text", page=number))
        lines.append(Line(text="", number=0, kind="blank", page=number))
    for number, line in enumerate(lines, start=1):
        line.number = number
    metadata = _office_metadata(presentation.core_properties)
    if not metadata.get("title") and first_title:
        metadata["title"] = first_title  # the title slide names the deck
    metadata["pages_are_slides"] = True
    return Extraction(format="pptx", lines=lines, metadata=metadata)


def _shapes_in_reading_order(shapes):
    def key(shape):
        return (shape.top or 0, shape.left or 0)

    return sorted(shapes, key=key)


def _pptx_shape(shape, lines: list[Line], slide: int) -> None:
    if shape.shape_type == 6:  # group
        for inner in _shapes_in_reading_order(shape.shapes):
            _pptx_shape(inner, lines, slide)
        return
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            cells = [re.sub(r"\s+", " ", normalize_text(c.text)).strip() for c in row.cells]
            if any(cells):
                lines.append(Line(text=" | ".join(c for c in cells if c), number=0, kind="table_row", page=slide))
        return
    if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
        return
    for paragraph in shape.text_frame.paragraphs:
        text = re.sub(r"[ \t]+", " ", normalize_text(paragraph.text)).strip()
        for part in text.split("\n"):
            part = part.strip()
            if part:
                kind = "list_item" if paragraph.level > 0 or _BULLET.match(part) else "text"
                lines.append(Line(text=part, number=0, kind=kind, page=slide))


# --- PDF ----------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_KEEP_HYPHEN_PREFIXES = {
    "anti", "non", "co", "self", "cross", "multi", "pre", "post", "well", "long", "short", "high",
    "low", "under", "over", "inter", "intra", "sub", "semi", "ex", "mid", "pro", "counter", "socio",
    "cyber", "child", "third", "first", "second", "front", "end", "full", "part", "time", "one",
    "two", "case", "peer", "trauma", "survivor", "victim", "age", "gender", "labour", "labor", "sex",
}
_SYMBOL_BULLET = re.compile(r"^[-*•·▪◦»‣–]\s*")
_PARAGRAPH_NUMBER = re.compile(r"^\d+(?:\.\d+)+\.\s")
_TERMINAL = re.compile(r"[.!?:;]['\"”’)]*$")


class _PdfLine:
    __slots__ = ("text", "page", "y", "size", "bold", "number")

    def __init__(self, text: str, page: int, y: float | None, size: float | None, bold: bool):
        self.text, self.page, self.y, self.size, self.bold = text, page, y, size, bold
        self.number = 0


def read_pdf(data: bytes) -> Extraction:
    import pypdf
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise SkipFile("encrypted PDF: needs a password")
            except (FileNotDecryptedError, NotImplementedError) as error:
                raise SkipFile(f"encrypted PDF: cannot be opened without its password ({error})")
        pages = list(reader.pages)
    except SkipFile:
        raise
    except Exception as error:  # pypdf raises many types on damaged files
        raise SkipFile(f"damaged or unreadable PDF ({type(error).__name__}: {str(error)[:120]})")
    if not pages:
        raise SkipFile("PDF has no pages", status="empty")
    warnings: list[str] = []
    raw_lines: list[_PdfLine] = []
    heights: list[float] = []
    for page_number, page in enumerate(pages, start=1):
        try:
            raw_lines.extend(_pdf_page_lines(page, page_number))
            heights.append(float(page.mediabox.height))
        except FileNotDecryptedError as error:
            raise SkipFile(f"encrypted PDF: {error}")
        except Exception as error:
            warnings.append(f"page {page_number} could not be read ({type(error).__name__}); skipped")
    if not any(line.text.strip() for line in raw_lines):
        raise SkipFile("no text layer: OCR is not supported (scanned or image-only PDF)", status="empty")
    page_height = max(Counter(round(h) for h in heights).most_common(1)[0][0], 1) if heights else 842
    removed = _pdf_running_lines(raw_lines, len(pages), page_height)
    lines = _pdf_paragraphs(raw_lines, removed)
    for number, line in enumerate(lines, start=1):
        line.number = number
    metadata = _pdf_metadata(reader)
    metadata["page_count"] = len(pages)
    if "title" not in metadata and (title := pdf_title(lines)):
        metadata["title"] = title
    return Extraction(format="pdf", lines=lines, metadata=metadata, warnings=warnings)


def _pdf_page_lines(page, page_number: int) -> list[_PdfLine]:
    """The page's text lines (pypdf's spacing) with the font size, boldness and height of each,
    aligned from the text visitor's runs."""
    runs: list[tuple[str, float, float, bool]] = []

    def visit(text, cm, tm, font, size):
        if not text or not text.strip():
            return
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        name = str((font or {}).get("/BaseFont", "")) if hasattr(font, "get") else ""
        runs.append((text, tm[5] * cm[3] + cm[5], float(size) * scale, "bold" in name.lower() or "black" in name.lower() or "heavy" in name.lower()))

    text = page.extract_text(visitor_text=visit) or ""
    # A stream of non-space characters with each character's run attributes, to align lines to.
    stream_chars: list[str] = []
    attributes: list[tuple[float, float, bool]] = []
    for run_text, y, size, bold in runs:
        for ch in run_text:
            if not ch.isspace():
                stream_chars.append(ch)
                attributes.append((y, size, bold))
    stream = "".join(stream_chars)
    cursor = 0
    lines: list[_PdfLine] = []
    for raw in normalize_text(text).split("\n"):
        stripped = raw.strip()
        if not stripped:
            lines.append(_PdfLine("", page_number, None, None, False))
            continue
        key = "".join(stripped.split())
        found = stream.find(key, cursor, cursor + len(key) + 4000)
        if found < 0:
            found = stream.find(key)
        if found >= 0 and key:
            attrs = attributes[found : found + len(key)]
            sizes = Counter(round(a[1], 1) for a in attrs)
            size = sizes.most_common(1)[0][0]
            bold = sum(1 for a in attrs if a[2]) >= len(attrs) * 0.9
            lines.append(_PdfLine(stripped, page_number, attrs[0][0], size, bold))
            cursor = found + len(key)
        else:
            lines.append(_PdfLine(stripped, page_number, None, None, False))
    return lines


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
    for index in edge_indexes:
        line = lines[index]
        near_edge = in_band(line) or line.y is None
        if _PAGE_NUMBER.match(line.text) and near_edge:
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
            and not first_letter.islower()
            and not _SYMBOL_BULLET.match(joined)
            and not re.search(r"[.;]\s+\S", re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", joined))
            and not (_TERMINAL.search(joined) and not joined.endswith("?"))
        )
        for i in block:
            if heading_like:
                styles[i] = ("size", line.size)
            else:
                styles.pop(i, None)
        index = block[-1] + 1


def _title_block(lines: list[_PdfLine], removed: dict[int, str], body_size: float | None) -> list[int]:
    """Indexes of the large-print lines that open the first page (the document's title)."""
    if not body_size:
        return []
    block: list[int] = []
    first_page = next((line.page for line in lines if line.text), 1)
    for index, line in enumerate(lines):
        if line.page != first_page:
            break
        if not line.text or index in removed:
            continue
        if line.size and line.size >= max(body_size + 4, body_size * 1.4) and len(line.text) <= 120:
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
        if index in removed or not text or len(text) > 120 or _SYMBOL_BULLET.match(text) or (_TERMINAL.search(text) and not text.endswith("?")):
            return None
        first_letter = next((c for c in text if c.isalpha()), "")
        if sum(c.isalpha() for c in text) < 3 or first_letter.islower():
            return None
        if re.search(r"[.;]\s+\S", re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", text)):  # a sentence boundary inside: prose
            return None
        following = next((l for l in lines[index + 1 : index + 3] if l.text), None)
        same_block = (
            following is not None
            and following.page == line.page
            and following.size == line.size
            and line.y is not None
            and following.y is not None
            and (line.y - following.y) < (line.size or 12) * 1.6
        )
        if body_size and line.size and line.size >= body_size + 1.5:
            return ("size", line.size)
        if line.bold and body_size and line.size and line.size >= body_size - 0.5 and len(text.split()) <= 12:
            if _PARAGRAPH_NUMBER.match(text) or (same_block and following.bold):
                return None  # a numbered paragraph, or the first line of a bold paragraph
            return ("bold", line.size)
        return None

    styles = {index: style for index, line in enumerate(lines) if (style := heading_style(index, line))}
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

    def is_heading(index: int, line: _PdfLine) -> int | None:
        style = styles.get(index)
        if style is None:
            return None
        if index in title_block:
            return 0
        kind, size = style
        if kind == "title":
            return 0
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
        level = is_heading(index, line)
        gap = None
        if previous_line is not None and previous_line.y is not None and line.y is not None and previous_line.page == line.page:
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
                current.text = f"{current.text} {line.text}"  # a heading wrapped over two lines
            else:
                current = Line(text=line.text, number=0, kind="heading", level=level, page=line.page)
                out.append(current)
            heading_size = line.size
            previous_line = line
            continue
        typical_gap = sorted(gaps)[len(gaps) // 2] if gaps else None
        starts_item = bool(_BULLET.match(line.text)) or bool(re.match(r"^\d+(?:\.\d+)+\.?\s", line.text))
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
            and not (previous_line is not None and len(previous_line.text) < typical_width * 0.55 and _TERMINAL.search(previous_line.text))
        )
        if gap is not None and gap > 0 and not wide_gap:
            gaps.append(gap)
            gaps = gaps[-200:]
        if continues:
            current.text = _join_lines(current.text, line.text)
            if line.page != current.page:
                current.page_end = line.page
        else:
            current = Line(text=line.text, number=0, kind="list_item" if starts_item else "text", page=line.page)
            out.append(current)
        previous_line = line
    return out


def _join_lines(left: str, right: str) -> str:
    """Join two visual lines of one paragraph; a word hyphenated at the line end is rejoined
    unless the part before the hyphen is a common prefix of real compounds (anti-, non-, ...)."""
    hyphenated = re.search(r"([A-Za-zÀ-ÿ]+)-$", left)
    if hyphenated and right[:1].islower():
        if hyphenated.group(1).lower() in _KEEP_HYPHEN_PREFIXES:
            return left + right
        return left[:-1] + right
    return f"{left} {right}"


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
        metadata["date"] = year.group(1)
    return metadata


READERS: dict[str, Reader] = {
    "txt": read_text,
    "md": read_markdown,
    "html": read_html,
    "docx": read_docx,
    "pptx": read_pptx,
    "pdf": read_pdf,
    "doc": read_doc,
}
