"""What several readers share: list-item and table-row patterns, and Office core properties."""

from __future__ import annotations

import re
from datetime import datetime

from ...text import normalize_text

BULLET = re.compile(r"^(?:[-*•·▪◦»‣–]|\(?[0-9]{1,3}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+")
"""A line that starts like a list item: a bullet symbol, or (1) 1. a) (iv)."""
TABLE_PIPES = re.compile(r"^\|.*\|$")


def office_metadata(props) -> dict[str, object]:
    """Title, author, the file's date and language from an Office file's core properties (docx
    and pptx). The date is when the file was made or saved (a template's, often), not published."""
    metadata: dict[str, object] = {}
    if props.title:
        metadata["title"] = normalize_text(props.title).strip()
    if props.author:
        metadata["author"] = normalize_text(props.author).strip()
    for stamp in (props.created, props.modified):
        if isinstance(stamp, datetime):
            metadata.setdefault("file_date", stamp.isoformat())
    if props.language:
        metadata["language"] = props.language
    return metadata
