"""A report basket: passages a user collects while searching, in the order they choose, exported
as Markdown with each passage quoted verbatim, its citation, and a reference list."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, Field

from .files import MIB, read_regular
from .models import Citation, Hit

BASKET_LIMIT = 64 * MIB
"""Largest saved report read (a thousand passages take about 2 MB)."""
from .present import citation_line, format_citation, format_citations, markdown_escape, markdown_quote


class ReportItem(BaseModel):
    question: str
    chunk_id: int
    text: str
    citation: Citation


class ReportBasket(BaseModel):
    items: list[ReportItem] = Field(default_factory=list)
    unexported: bool = False
    """Changed since it was last exported (quitting asks first)."""

    def add(self, question: str, hit: Hit) -> bool:
        """Add a passage; False if it is already in the basket."""
        if any(item.chunk_id == hit.chunk_id and item.text == hit.text for item in self.items):
            return False
        self.items.append(ReportItem(question=question, chunk_id=hit.chunk_id, text=hit.text, citation=hit.citation))
        self.unexported = True
        return True

    def remove(self, index: int) -> ReportItem:
        self.unexported = bool(self.items[:index] + self.items[index + 1 :])
        return self.items.pop(index)

    def clear(self) -> None:
        self.items = []
        self.unexported = False

    def save(self, path: Path) -> None:
        """Written as JSON through a temporary file, so a crash leaves the previous copy."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> ReportBasket:
        """The saved basket; an empty one when there is none. Raises ValueError or OSError for
        a file that cannot be read (the caller keeps it aside rather than overwrite it)."""
        if not path.exists():
            return cls()
        return cls.model_validate_json(read_regular(path, BASKET_LIMIT))

    def move(self, index: int, offset: int) -> int:
        """Move an item up (negative) or down; returns its new position."""
        target = max(0, min(len(self.items) - 1, index + offset))
        if target != index:
            self.items.insert(target, self.items.pop(index))
            self.unexported = True
        return target

    def questions(self) -> list[str]:
        return list(dict.fromkeys(item.question for item in self.items))

    def to_markdown(self, generated: datetime | None = None, index_name: str | None = None) -> str:
        generated = generated or datetime.now().astimezone()
        lines = ["# Guidance Lookup report", ""]
        origin = f" from index {index_name}" if index_name else ""
        lines.append(f"Exported {generated:%Y-%m-%d %H:%M}{origin}. Every passage below is quoted verbatim from the cited document.")
        lines.append("")
        lines.append("## Questions")
        lines.append("")
        for number, question in enumerate(self.questions(), start=1):
            lines.append(f"{number}. {markdown_escape(question)}")
        lines.append("")
        lines.append("## Passages")
        references: list[Citation] = []
        reference_numbers: dict[tuple, int] = {}
        for number, item in enumerate(self.items, start=1):
            key = (item.citation.path, item.citation.title, item.citation.section, item.citation.page)
            if key not in reference_numbers:
                references.append(item.citation)
                reference_numbers[key] = len(references)
            lines.append("")
            lines.append(f"### {number}. {markdown_escape(citation_line(item.citation))}")
            lines.append("")
            lines.append(f"Question: {markdown_escape(item.question)}")
            lines.append("")
            lines.extend(markdown_quote(item.text))
            lines.append("")
            lines.append(f"Source: {format_citation(item.citation, 'markdown')} [{reference_numbers[key]}]")
        lines.append("")
        lines.append("## References")
        lines.append("")
        for number, citation in enumerate(references, start=1):
            lines.append(f"{number}. {format_citation(citation, 'markdown')}")
        return "\n".join(lines) + "\n"

    EXPORT_FORMATS: ClassVar[dict[str, str]] = {"markdown": ".md", "bibtex": ".bib", "csl-json": ".json"}

    def references(self) -> list[Citation]:
        """Each cited passage once, in report order."""
        seen: dict[tuple, Citation] = {}
        for item in self.items:
            seen.setdefault((item.citation.path, item.citation.title, item.citation.section, item.citation.page), item.citation)
        return list(seen.values())

    def render(self, style: str, generated: datetime | None = None, index_name: str | None = None) -> str:
        """The report as Markdown (quotes and references), or its references as BibTeX or
        CSL-JSON: the same exporters as ``cite``."""
        if style == "markdown":
            return self.to_markdown(generated, index_name)
        if style not in self.EXPORT_FORMATS:
            raise ValueError(f"unknown report format {style!r}")
        return format_citations(self.references(), style) + "\n"

    def default_path(self, folder: Path, style: str = "markdown", now: datetime | None = None) -> Path:
        now = now or datetime.now().astimezone()
        return folder / f"guidance-report-{now:%Y%m%d-%H%M%S}{self.EXPORT_FORMATS[style]}"

    def export_to(self, path: Path, style: str = "markdown", index_name: str | None = None) -> Path:
        """Write the report to ``path`` (folders made as needed) and return it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(style, index_name=index_name), encoding="utf-8")
        self.unexported = False
        return path

    def export(self, folder: Path, index_name: str | None = None, now: datetime | None = None) -> Path:
        """Write the report to a new file in ``folder`` and return its path."""
        now = now or datetime.now().astimezone()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"guidance-report-{now:%Y%m%d-%H%M%S}.md"
        counter = 1
        while path.exists():
            counter += 1
            path = folder / f"guidance-report-{now:%Y%m%d-%H%M%S}-{counter}.md"
        path.write_text(self.to_markdown(now, index_name), encoding="utf-8")
        self.unexported = False
        return path

