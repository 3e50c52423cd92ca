"""OpenDocument text (.odt, what LibreOffice saves) with odfpy: headings by outline level,
paragraphs, lists, tables row by row and sections, in document order; title, creator, date and
language from the document's own metadata."""

from __future__ import annotations

import io
import re

from ...text import normalize_text
from .. import budget
from ..base import Extraction, Line, SkipFile

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_SKIPPED = {(_TEXT, "table-of-content"), (_TEXT, "tracked-changes"), (_TEXT, "sequence-decls"), (_TEXT, "note")}
"""Generated contents lists and editing bookkeeping are not the document's text."""


def read_odt(data: bytes) -> Extraction:
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except Exception as error:  # odfpy raises many kinds on damaged packages
        raise SkipFile(f"damaged .odt file ({type(error).__name__}: {str(error)[:120]})") from error
    lines: list[Line] = []
    _blocks(document.text, lines, in_list=False)
    for number, line in enumerate(lines, start=1):
        line.number = number
    return Extraction(format="odt", lines=lines, metadata=_metadata(document.meta))


def _blocks(parent, lines: list[Line], in_list: bool) -> None:
    for element in parent.childNodes:
        budget.check()
        qname = getattr(element, "qname", None)
        if qname is None or qname in _SKIPPED:
            continue
        if qname == (_TEXT, "h"):
            text = _inline(element)
            if text:
                level = element.attributes.get((_TEXT, "outline-level"), "1")
                lines.append(Line(text=text, number=0, kind="heading", level=int(level) if str(level).isdigit() else 1))
        elif qname == (_TEXT, "p"):
            text = _inline(element)
            if text:
                lines.append(Line(text=text, number=0, kind="list_item" if in_list else "text"))
            elif not in_list:
                lines.append(Line(text="", number=0, kind="blank"))
        elif qname in ((_TEXT, "list"), (_TEXT, "list-item")):
            _blocks(element, lines, in_list=True)
        elif qname == (_TABLE, "table"):
            for row in _rows(element):
                cells: list[str] = []
                for cell in row.childNodes:
                    if getattr(cell, "qname", None) == (_TABLE, "table-cell"):
                        value = " ".join(
                            _inline(p)
                            for p in cell.childNodes
                            if getattr(p, "qname", None) in ((_TEXT, "p"), (_TEXT, "h"))
                        )
                        if value.strip():
                            cells.append(value.strip())
                if cells:
                    lines.append(Line(text=" | ".join(cells), number=0, kind="table_row"))
            lines.append(Line(text="", number=0, kind="blank"))
        elif element.childNodes:  # sections, frames, text boxes: read what they hold
            _blocks(element, lines, in_list)


def _rows(table):
    for element in table.childNodes:
        qname = getattr(element, "qname", None)
        if qname == (_TABLE, "table-row"):
            yield element
        elif qname in ((_TABLE, "table-header-rows"), (_TABLE, "table-rows"), (_TABLE, "table-row-group")):
            yield from _rows(element)


def _inline(element) -> str:
    """The text of a paragraph or heading, with line breaks, tabs and spaces as ODF encodes them
    (text:s, text:tab, text:line-break), and notes left out."""
    parts: list[str] = []

    def walk(node) -> None:
        for child in node.childNodes:
            qname = getattr(child, "qname", None)
            if qname is None:
                parts.append(str(child.data) if hasattr(child, "data") else "")
            elif qname == (_TEXT, "s"):
                parts.append(" " * int(child.attributes.get((_TEXT, "c"), "1") or 1))
            elif qname in ((_TEXT, "tab"), (_TEXT, "line-break")):
                parts.append(" ")
            elif qname not in _SKIPPED:
                walk(child)

    walk(element)
    return re.sub(r"\s+", " ", normalize_text("".join(parts))).strip()


def _metadata(meta) -> dict[str, object]:
    found: dict[str, object] = {}
    for element in meta.childNodes:
        qname = getattr(element, "qname", None)
        value = normalize_text(str(element)).strip()
        if not value:
            continue
        if qname == (_DC, "title"):
            found["title"] = value
        elif qname in ((_META, "initial-creator"), (_DC, "creator")):
            found.setdefault("author", value)
        elif qname in ((_META, "creation-date"), (_DC, "date")):
            found.setdefault("file_date", value)  # when the file was made or saved
        elif qname == (_DC, "language"):
            found["language"] = value
    return found
