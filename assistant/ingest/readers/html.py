"""HTML with selectolax: headings, paragraphs, lists and tables in document order; navigation, header, footer, sidebars and cookie banners marked as removed with their rule."""

from __future__ import annotations

import re

from ...text import normalize_text
from .. import budget
from ..base import Extraction, Line, SkipFile
from ..detect import decode_text

_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "canvas",
    "iframe",
    "object",
    "head",
    "form",
    "button",
    "select",
    "input",
}
_CHROME_TAGS = {
    "nav": "site navigation (<nav>)",
    "header": "page header (<header>)",
    "footer": "page footer (<footer>)",
    "aside": "sidebar (<aside>)",
}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LEAF_BLOCKS = {"p", "pre", "blockquote", "dt", "dd", "figcaption", "caption", "address", "summary", "legend", "label"}
_BLOCKS = (
    _LEAF_BLOCKS
    | set(_HEADINGS)
    | {
        "div",
        "section",
        "article",
        "main",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "dl",
        "figure",
        "details",
        "hr",
        "br",
        "body",
        "html",
        "center",
        "fieldset",
    }
    | set(_CHROME_TAGS)
)
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_CHROME_CLASS = re.compile(
    r"(?:^|[\s_-])(?:cookie|consent|gdpr|breadcrumb|share|social|skip-link|site-header|site-footer|menu|navbar)(?:$|[\s_-])",
    re.I,
)


MAX_ELEMENTS = 500_000
"""More tags than any real page has (a large report page has a few tens of thousands): a file
built to stall the parser is skipped before it is parsed."""
MAX_DEPTH = 200
"""Deeper nesting than any real page: below it, an element's text is read flat."""
MAX_PARSE_DEPTH = 1_000
"""The HTML parser's time grows with the square of the nesting depth (200,000 nested elements:
two minutes): a file nested deeper than this is skipped before it is parsed."""
_CONTAINER_TAG = re.compile(
    rb"<(/?)(?:div|span|section|article|main|aside|table|tbody|tr|td|ul|ol|li|blockquote|font|b|i|em|strong|a|p)\b",
    re.I,
)


def _nesting_depth(data: bytes) -> int:
    depth = deepest = 0
    for match in _CONTAINER_TAG.finditer(data):
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    return deepest


def read_html(data: bytes) -> Extraction:
    from selectolax.lexbor import LexborHTMLParser

    if data.count(b"<") > MAX_ELEMENTS:
        raise SkipFile(f"more than {MAX_ELEMENTS:,} HTML tags: not a document page")
    if _nesting_depth(data) > MAX_PARSE_DEPTH:
        raise SkipFile(f"HTML nested more than {MAX_PARSE_DEPTH:,} levels deep: not a document page")
    text, encoding, warnings = _decode_html(data)
    tree = LexborHTMLParser(text)
    metadata = _html_metadata(tree)
    lines: list[Line] = []
    root = tree.body or tree.root
    if root is not None:
        _HtmlWalker(lines).walk(root)
    for number, line in enumerate(lines, start=1):
        line.number = number
    if encoding.startswith("cp1252"):
        warnings.append(f"decoded as {encoding}")
    return Extraction(format="html", lines=lines, metadata=metadata, warnings=warnings)


def _decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """The declared charset, unless the bytes contradict it: the declaration itself was found as
    ASCII, so an encoding in which ASCII reads differently (UTF-16, EBCDIC) cannot be the file's."""
    declared = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
    if declared:
        name = declared.group(1).decode("ascii").lower()
        if name not in {"utf-8", "utf8"}:
            try:
                ascii_compatible = "<meta charset".encode(name) == b"<meta charset"
            except (LookupError, UnicodeError):
                ascii_compatible = None
            if ascii_compatible:
                try:
                    return data.decode(name), name, []
                except UnicodeDecodeError:
                    pass
            elif ascii_compatible is False:
                text, encoding = decode_text(data)
                return text, encoding, [f"declares charset {name}, which its bytes contradict: read as {encoding}"]
    text, encoding = decode_text(data)
    return text, encoding, []


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

    def walk(self, node, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            self.flush()
            self.emit(node.text(separator="\n"))
            return
        for child in node.iter(include_text=True):
            budget.check()
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
                self.inline.append(_inline_text(child, depth + 1))
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
                self.walk(child, depth + 1)
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
                self.walk(child, 1)

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


def _inline_text(node, depth: int = 0) -> str:
    if depth > MAX_DEPTH:
        return node.text()
    parts = []
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            parts.append(child.text(deep=False))
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag not in _SKIP_TAGS:
            parts.append(_inline_text(child, depth + 1))
    return "".join(parts)
