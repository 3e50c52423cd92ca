"""A report basket: passages a user collects while searching, in the order they choose, exported
as Markdown with each passage quoted verbatim, its citation, and a reference list."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from .models import Citation, Hit
from .present import citation_line, format_citation, markdown_escape, markdown_quote


class ReportItem(BaseModel):
    question: str
    chunk_id: int
    text: str
    citation: Citation


class ReportBasket(BaseModel):
    items: list[ReportItem] = Field(default_factory=list)

    def add(self, question: str, hit: Hit) -> bool:
        """Add a passage; False if it is already in the basket."""
        if any(item.chunk_id == hit.chunk_id and item.text == hit.text for item in self.items):
            return False
        self.items.append(ReportItem(question=question, chunk_id=hit.chunk_id, text=hit.text, citation=hit.citation))
        return True

    def remove(self, index: int) -> ReportItem:
        return self.items.pop(index)

    def move(self, index: int, offset: int) -> int:
        """Move an item up (negative) or down; returns its new position."""
        target = max(0, min(len(self.items) - 1, index + offset))
        if target != index:
            self.items.insert(target, self.items.pop(index))
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
        return path

