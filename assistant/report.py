"""A report basket: passages a user collects while searching, in the order they choose, exported
as Markdown with each passage quoted verbatim, its citation, and a reference list."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from .files import MIB, read_regular, write_private
from .models import Citation, Hit
from .present import (
    KEPT_FROM_CLOSEST,
    card_cautions,
    citation_line,
    format_citation,
    format_citations,
    markdown_escape,
    markdown_quote,
)
from .text import safe_line, strip_control

BASKET_LIMIT = 64 * MIB
"""Largest saved report read (a thousand passages take about 2 MB)."""


OUT_OF_DATE = (
    "Its file has changed or been removed since this passage was added: check the quotation and the "
    "citation against the document before citing it."
)
FILE_CHANGED = (
    "Its file has changed since this passage was added: check the quotation and the citation against the "
    "document before citing it."
)
"""Said of a report's passage whose file is still in the corpus but changed (``OUT_OF_DATE`` is
said where which is not known: a case note's)."""
FILE_REMOVED = (
    "Its file is no longer in the corpus: it was removed or renamed since this passage was added; find the "
    "document and check the quotation and the citation against it before citing it."
)
"""Said of a report's passage whose file is gone from the corpus folder: a first-use audit's
report said "changed or removed" of a removed file and of a replaced one alike."""


AddResult = Literal["added", "already", "widened"]
"""What adding a passage to the report did (``ReportBasket.add``)."""
CHECK = "(check it: its file has changed or been removed since a passage was added)"
"""Said after a reference in the reference list that an out-of-date passage cites."""


class ReportItem(BaseModel):
    question: str
    searched_with: list[str] = Field(default_factory=list)
    """Words of the earlier questions of a conversation that the question was searched with (a
    follow-up such as "how long does that take?" says little without them)."""
    chunk_id: int
    text: str
    citation: Citation
    exported: bool = False
    """Written to a report file since it was added (quitting asks only about the others)."""
    closest: bool = False
    """Kept from the closest passages shown under a refusal: the search did not take it for an
    answer to the question, and the report says so."""
    out_of_date: bool = False
    """Its file was changed, renamed or removed since it was added, when last checked
    (``ReportBasket.mark_out_of_date``): the report says so beside it."""
    file_removed: bool | None = None
    """Of an item out of date: whether its file is gone from the corpus folder (``FILE_REMOVED``)
    or still there, changed (``FILE_CHANGED``); None when that was not looked at."""
    earlier: list[str] = Field(default_factory=list)
    """The earlier questions of its topic, as typed, when it carried words from them: a reader of
    the report sees what "and if she's under 18?" followed (a first-use audit's report listed it
    under an unrelated question)."""
    confidence: str | None = None
    """How strong a match its card was called when it was added ("strong", "fair", "weak"; None
    when no match was called: kept from the closest, or a mode without the ranker)."""
    cautions: list[str] = Field(default_factory=list)
    """What its card said of it that stays true in a report (``present.card_cautions``): "the file
    looks like an example, a template or a form, not guidance", another UK nation's guidance..."""

    @property
    def key(self) -> tuple[int, str]:
        return (self.chunk_id, self.text)

    @property
    def asked(self) -> str:
        """The question as typed, and the words it was searched with when it carried some."""
        if not self.searched_with:
            return self.question
        earlier = "; ".join(f"“{question}”" for question in self.earlier)
        source = f"from the earlier questions {earlier}" if earlier else "from the earlier questions"
        return f"{self.question} (searched with: {', '.join(self.searched_with)}, {source})"

    @property
    def out_of_date_note(self) -> str:
        """What the report says of it when it is out of date."""
        return OUT_OF_DATE if self.file_removed is None else FILE_REMOVED if self.file_removed else FILE_CHANGED


class ReportBasket(BaseModel):
    items: list[ReportItem] = Field(default_factory=list)
    unexported: bool = False
    """Changed since it was last exported (quitting asks first)."""

    def add(
        self, question: str, hit: Hit, searched_with: list[str] | None = None, earlier: list[str] | None = None
    ) -> AddResult:
        """Add a passage: "added"; "already" when the report holds it, or a passage of the same
        file that quotes all of it; "widened" when it quotes all of a kept passage of its file,
        which it then takes the place of. Cards of one passage are windows around their best
        sentences, so two questions can show it cut in two ways: a first-use audit kept both, and
        its report quoted the same sentences twice under two numbers."""
        same_file = [n for n, item in enumerate(self.items) if item.citation.path == hit.citation.path]
        if any(hit.text in self.items[n].text for n in same_file):
            return "already"
        item = ReportItem(
            question=question,
            searched_with=list(searched_with or []),
            earlier=list(earlier or []) if searched_with else [],
            chunk_id=hit.chunk_id,
            text=hit.text,
            citation=hit.citation,
            closest=hit.closest,
            confidence=None if hit.closest else hit.confidence,
            cautions=card_cautions(hit),
        )
        within = [n for n in same_file if self.items[n].text in hit.text]
        if within:
            self.items[within[0]] = item
            for n in reversed(within[1:]):
                del self.items[n]
        else:
            self.items.append(item)
        self.unexported = True
        return "widened" if within else "added"

    def not_exported(self) -> int:
        """Passages not yet written to any report file."""
        return sum(not item.exported for item in self.items)

    def remove(self, index: int) -> ReportItem:
        self.unexported = bool(self.items[:index] + self.items[index + 1 :])
        return self.items.pop(index)

    def clear(self) -> None:
        self.items = []
        self.unexported = False

    def put_back(self, removed: list[tuple[int, ReportItem]]) -> None:
        """Undo a removal: each item back at the place it had (``removed``: the places and items
        taken out at once), unless the basket holds it again meanwhile."""
        for index, item in sorted(removed, key=lambda placed: placed[0]):
            if all(other.key != item.key for other in self.items):
                self.items.insert(min(index, len(self.items)), item)
        self.unexported = self.unexported or any(not item.exported for _, item in removed)

    def save(self, path: Path) -> None:
        """Written as JSON through a temporary file, so a crash leaves the previous copy; readable
        by its owner alone (it holds the questions asked)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        write_private(temporary, self.model_dump_json(indent=1))
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> ReportBasket:
        """The saved basket; an empty one when there is none. Raises ValueError or OSError for
        a file that cannot be read (the caller keeps it aside rather than overwrite it)."""
        if not path.exists():
            return cls()
        return cls.model_validate_json(read_regular(path, BASKET_LIMIT))

    def not_in(self, locate: Callable[[list[int]], Mapping[int, str]]) -> list[ReportItem]:
        """The items whose passage an index no longer holds where it was: ``locate`` gives the
        path of the document of each passage id it holds. A file changed, renamed or removed
        since gets new passage ids (or none), so its items' citations may be out of date."""
        where = locate([item.chunk_id for item in self.items]) if self.items else {}
        return [item for item in self.items if where.get(item.chunk_id) != item.citation.path]

    def mark_out_of_date(
        self,
        locate: Callable[[list[int]], Mapping[int, str]],
        changed_files: set[str],
        in_corpus: Callable[[str], bool] | None = None,
    ) -> int:
        """Mark the items whose passage the index no longer holds where it was (``not_in``) or
        whose file changed or went since the index was built (``changed_files``), and of those
        the ones whose file ``in_corpus`` no longer finds; the others are unmarked. How many are
        marked. A first-use audit exported, as cited quotations, passages of a file deleted
        before a rebuild, with no word of it."""
        moved = {id(item) for item in self.not_in(locate)}
        for item in self.items:
            item.out_of_date = id(item) in moved or item.citation.path in changed_files
            looked = item.out_of_date and in_corpus is not None
            item.file_removed = not in_corpus(item.citation.path) if looked else None
        return sum(item.out_of_date for item in self.items)

    def move(self, index: int, offset: int) -> int:
        """Move an item up (negative) or down; returns its new position."""
        target = max(0, min(len(self.items) - 1, index + offset))
        if target != index:
            self.items.insert(target, self.items.pop(index))
            self.unexported = True
        return target

    def questions(self) -> list[str]:
        """The questions the passages answer, each once, as asked (``ReportItem.asked``)."""
        return list(dict.fromkeys(item.asked for item in self.items))

    def _numbered_references(self) -> tuple[list[Citation], list[int]]:
        """The report's reference list (each cited place once, in report order) and, for each
        passage, the number of its reference."""
        references: list[Citation] = []
        numbers: dict[tuple, int] = {}
        of_item = []
        for item in self.items:
            key = item.citation.reference_key()
            if key not in numbers:
                references.append(item.citation)
                numbers[key] = len(references)
            of_item.append(numbers[key])
        return references, of_item

    def _references_out_of_date(self, reference_of: list[int]) -> set[int]:
        """The numbers of the references that a passage marked out of date cites: the reference
        list says so too, as it is often copied on its own (a first-use audit's list was not)."""
        return {number for item, number in zip(self.items, reference_of) if item.out_of_date}

    def to_markdown(self, generated: datetime | None = None, index_name: str | None = None) -> str:
        generated = generated or datetime.now().astimezone()
        lines = ["# Guidance Lookup report", ""]
        origin = f" from index {index_name}" if index_name else ""
        lines.append(
            f"Exported {generated:%Y-%m-%d %H:%M}{origin}. Every passage below is quoted verbatim from the cited "
            "document."
        )
        lines.append("")
        lines.append("## Questions")
        lines.append("")
        for number, question in enumerate(self.questions(), start=1):
            lines.append(f"{number}. {markdown_escape(question)}")
        lines.append("")
        lines.append("## Passages")
        references, reference_of = self._numbered_references()
        for number, (item, reference) in enumerate(zip(self.items, reference_of), start=1):
            lines.append("")
            lines.append(f"### {number}. {markdown_escape(citation_line(item.citation))}")
            lines.append("")
            lines.append(f"Question: {markdown_escape(item.asked)}")
            if item.confidence:
                lines.append("")
                lines.append(f"Match: {item.confidence}")
            if item.closest:
                lines.append("")
                lines.append(f"{KEPT_FROM_CLOSEST} to this question.")
            for caution in item.cautions:
                lines.append("")
                lines.append(f"Note: {markdown_escape(caution)}")
            if item.out_of_date:
                lines.append("")
                lines.append(f"**{item.out_of_date_note}**")
            lines.append("")
            lines.extend(markdown_quote(item.text))
            lines.append("")
            lines.append(f"Source: {format_citation(item.citation, 'markdown')} [{reference}]")
        lines.append("")
        lines.append("## References")
        lines.append("")
        stale = self._references_out_of_date(reference_of)
        for number, citation in enumerate(references, start=1):
            lines.append(
                f"{number}. {format_citation(citation, 'markdown')}" + (f" **{CHECK}**" if number in stale else "")
            )
        return "\n".join(lines) + "\n"

    def to_text(self, generated: datetime | None = None, index_name: str | None = None) -> str:
        """The report as plain text, for pasting into a document or an e-mail: the same questions,
        quotations and references as the Markdown report, with no Markdown escapes to show as
        backslashes."""
        generated = generated or datetime.now().astimezone()
        origin = f" from index {safe_line(index_name)}" if index_name else ""
        lines = [
            "Guidance Lookup report",
            "",
            f"Exported {generated:%Y-%m-%d %H:%M}{origin}. Every passage below is quoted verbatim from the cited "
            "document.",
            "",
            "Questions",
            "",
        ]
        lines.extend(f"{number}. {safe_line(question)}" for number, question in enumerate(self.questions(), start=1))
        lines += ["", "Passages"]
        references, reference_of = self._numbered_references()
        for number, (item, reference) in enumerate(zip(self.items, reference_of), start=1):
            lines += [
                "",
                f"{number}. {safe_line(citation_line(item.citation))}",
                f"Question: {safe_line(item.asked)}",
                *([f"Match: {item.confidence}"] if item.confidence else []),
                *([f"{KEPT_FROM_CLOSEST} to this question."] if item.closest else []),
                *(f"Note: {safe_line(caution)}" for caution in item.cautions),
                *([item.out_of_date_note] if item.out_of_date else []),
            ]
            lines.append("“" + strip_control(item.text).strip() + "”")
            lines.append(f"Source: {format_citation(item.citation, 'text')} [{reference}]")
        lines += ["", "References", ""]
        stale = self._references_out_of_date(reference_of)
        lines.extend(
            f"{number}. {format_citation(citation, 'text')}" + (f" {CHECK}" if number in stale else "")
            for number, citation in enumerate(references, start=1)
        )
        return "\n".join(lines) + "\n"

    EXPORT_FORMATS: ClassVar[dict[str, str]] = {
        "markdown": ".md",
        "text": ".txt",
        "bibtex": ".bib",
        "csl-json": ".json",
    }

    def references(self) -> list[Citation]:
        """Each cited passage once, in report order."""
        seen: dict[tuple, Citation] = {}
        for item in self.items:
            seen.setdefault(item.citation.reference_key(), item.citation)
        return list(seen.values())

    def render(self, style: str, generated: datetime | None = None, index_name: str | None = None) -> str:
        """The report as Markdown or plain text (quotes and references), or its references as
        BibTeX or CSL-JSON: the same exporters as ``cite``."""
        if style == "markdown":
            return self.to_markdown(generated, index_name)
        if style == "text":
            return self.to_text(generated, index_name)
        if style not in self.EXPORT_FORMATS:
            raise ValueError(f"unknown report format {style!r}")
        return format_citations(self.references(), style) + "\n"

    def default_path(self, folder: Path, style: str = "markdown", now: datetime | None = None) -> Path:
        now = now or datetime.now().astimezone()
        return folder / f"guidance-report-{now:%Y%m%d-%H%M%S}{self.EXPORT_FORMATS[style]}"

    def export_to(self, path: Path, style: str = "markdown", index_name: str | None = None) -> Path:
        """Write the report to ``path`` (folders made as needed; the file readable by its owner
        alone) and return it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, self.render(style, index_name=index_name))
        self.unexported = False
        for item in self.items:
            item.exported = True
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
        write_private(path, self.to_markdown(now, index_name))
        self.unexported = False
        return path


class BasketFile:
    """The report basket on disk, shared by every window open on the same index. Each save merges
    this window's changes into what the file holds now, under a lock: a passage another window
    added stays, one this window removed goes, and this window's own additions are kept; so no
    window's work is lost to another's save. What this window last read or wrote is the base of
    the merge."""

    def __init__(self, path: Path):
        self.path = path
        self.base: list[tuple[int, str]] = []

    @contextmanager
    def _locked(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)

    def load(self) -> ReportBasket:
        """The saved basket (empty when there is none); ValueError or OSError when it cannot be read."""
        with self._locked():
            basket = ReportBasket.load(self.path)
        self.base = [item.key for item in basket.items]
        return basket

    def save(self, basket: ReportBasket) -> ReportBasket:
        """Merge ``basket`` (this window's) with the file's, write the result, and make ``basket``
        the result too (in place, so every screen showing it sees the merge)."""
        with self._locked():
            try:
                theirs = ReportBasket.load(self.path)
            except (OSError, ValueError):
                theirs = ReportBasket()  # unreadable: the caller kept it aside when it started
            merged = merge_baskets(self.base, basket, theirs)
            merged.save(self.path)
        basket.items, basket.unexported = merged.items, merged.unexported
        self.base = [item.key for item in basket.items]
        return basket

    def refresh(self, basket: ReportBasket) -> ReportBasket:
        """Take in what other windows saved since (a save with no change of this window's)."""
        return self.save(basket)


def merge_baskets(base: list[tuple[int, str]], mine: ReportBasket, theirs: ReportBasket) -> ReportBasket:
    """Three-way merge of two windows' baskets from the one they both started from (``base``:
    the keys this window last read or wrote). Unchanged on disk: this window's basket, in its
    order. Otherwise the file's order, less what this window removed, then what it added."""
    theirs_keys = [item.key for item in theirs.items]
    if theirs_keys == base:
        return mine.model_copy(deep=True)
    known, mine_keys = set(base), {item.key for item in mine.items}
    removed_here = known - mine_keys
    mine_by_key = {item.key: item for item in mine.items}
    items = [mine_by_key.get(item.key, item) for item in theirs.items if item.key not in removed_here]
    present = {item.key for item in items}
    items += [item for item in mine.items if item.key not in known and item.key not in present]
    return ReportBasket(
        items=[item.model_copy() for item in items], unexported=any(not item.exported for item in items)
    )
