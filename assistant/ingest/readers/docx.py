"""Word .docx with python-docx: headings by style, lists, tables row by row, content controls and text boxes; contents-style paragraphs dropped."""

from __future__ import annotations

import io
import re

from ...text import normalize_text
from .. import budget
from ..base import Extraction, Line, SkipFile
from .common import BULLET, office_metadata


def read_docx(data: bytes) -> Extraction:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on damaged packages
        raise SkipFile(f"damaged .docx file ({type(error).__name__}: {str(error)[:120]})") from error
    lines: list[Line] = []
    _docx_block_items(document.element.body, document, lines)
    for number, line in enumerate(lines, start=1):
        line.number = number
    return Extraction(format="docx", lines=lines, metadata=office_metadata(document.core_properties))


def _docx_block_items(parent, document, lines: list[Line]) -> None:
    """Paragraphs and tables in reading order, including content controls (w:sdt)."""
    import docx
    from docx.oxml.ns import qn

    for element in parent.iterchildren():
        budget.check()
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
        lines.append(
            Line(text=text.strip(), number=0, kind="blank", removed="table of contents")
            if text.strip()
            else Line(text="", number=0, kind="blank")
        )
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
        elif numbered or "list" in style.lower() or BULLET.match(part):
            lines.append(Line(text=part, number=0, kind="list_item"))
        else:
            lines.append(Line(text=part, number=0, kind="text"))
    if not text.strip():
        lines.append(Line(text="", number=0, kind="blank"))
