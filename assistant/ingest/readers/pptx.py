"""PowerPoint .pptx with python-pptx: one section per slide (its title), shapes in reading order, tables, speaker notes; slide numbers as pages."""

from __future__ import annotations

import io
import re

from ...text import normalize_text
from .. import budget
from ..base import Extraction, Line, SkipFile
from .common import BULLET, office_metadata


def read_pptx(data: bytes) -> Extraction:
    from pptx import Presentation
    from pptx.enum.shapes import PP_PLACEHOLDER

    try:
        presentation = Presentation(io.BytesIO(data))
    except Exception as error:
        raise SkipFile(f"damaged .pptx file ({type(error).__name__}: {str(error)[:120]})") from error
    lines: list[Line] = []
    first_title = ""
    for number, slide in enumerate(presentation.slides, start=1):
        budget.check()
        title_shape = slide.shapes.title
        title = (
            normalize_text(title_shape.text_frame.text.replace("\x0b", " ")).strip()
            if title_shape is not None and title_shape.has_text_frame
            else ""
        )
        first_title = first_title or " ".join(title.split())
        heading = f"Slide {number}: {' '.join(title.split())}" if title else f"Slide {number}"
        lines.append(Line(text=heading, number=0, kind="heading", level=1, page=number))
        for shape in _shapes_in_reading_order(slide.shapes):
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            if shape.is_placeholder and shape.placeholder_format.type in (
                PP_PLACEHOLDER.SLIDE_NUMBER,
                PP_PLACEHOLDER.FOOTER,
                PP_PLACEHOLDER.DATE,
            ):
                continue
            _pptx_shape(shape, lines, number)
        if slide.has_notes_slide:
            notes = normalize_text(
                slide.notes_slide.notes_text_frame.text if slide.notes_slide.notes_text_frame else ""
            ).strip()
            if notes:
                lines.append(Line(text="Speaker notes", number=0, kind="heading", level=2, page=number))
                for part in notes.split("\n"):
                    if part.strip():
                        lines.append(Line(text=part.strip(), number=0, kind="text", page=number))
        lines.append(Line(text="", number=0, kind="blank", page=number))
    for number, line in enumerate(lines, start=1):
        line.number = number
    metadata = office_metadata(presentation.core_properties)
    if first_title:
        metadata["title_block"] = first_title  # the title slide names the deck
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
                kind = "list_item" if paragraph.level > 0 or BULLET.match(part) else "text"
                lines.append(Line(text=part, number=0, kind=kind, page=slide))
