"""From cleaned lines to documents: headings and section paths, and listing pages split into one
record per listed resource. Everything is inferred from the text's shape (short title lines,
type labels, summaries, ``TAGS:``/``Available in`` lines, calls to action), never from particular
strings of particular files."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..models import Block, Document, Removal
from ..text import leaves_quotation_open
from .base import CONTENTS_TITLE, Line
from .formats import is_web_like
from .metadata import prefer_file_name, readable_case, title_from_headings

# --- metadata lines -----------------------------------------------------------------------------

_TAGS = re.compile(r"^(?:tags?|regions?|categor(?:y|ies))\s*:\s*(?P<value>.+)$", re.I)
_AVAILABLE_IN = re.compile(r"^(?:also\s+)?available\s+in\s*:?\s+(?P<value>[^.]{2,120})$", re.I)
_LANGUAGE_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b|&)\s*|(?<=[a-z])(?=[A-Z])")

_YEAR_SUFFIX = re.compile(r"\s*[(\[]\s*(?P<year>(?:19|20)\d{2})\s*[)\]]\s*$")
_YEAR_COMMA = re.compile(r",\s*(?P<year>(?:19|20)\d{2})\s*$")
_DOWNLOAD_LABEL = re.compile(r"^(?P<title>.+?)\s+[-–—]\s+(?P<org>[^,]{2,80}),\s*(?P<year>(?:19|20)\d{2})$")

_RESOURCE_TYPES = {
    "guidance",
    "guidelines",
    "publications",
    "publication",
    "good practices",
    "good practice",
    "report",
    "reports",
    "research",
    "toolkit",
    "toolkits",
    "tools",
    "tool",
    "training",
    "policy",
    "policy brief",
    "brief",
    "briefs",
    "briefing",
    "case study",
    "case studies",
    "factsheet",
    "fact sheet",
    "factsheets",
    "video",
    "videos",
    "infographic",
    "infographics",
    "graphics & infographics",
    "standards & codes of conduct",
    "covid-19 resources",
    "news",
    "events",
    "event",
    "article",
    "articles",
    "handbook",
    "manual",
    "manuals",
    "legislation",
    "webinar",
    "podcast",
    "course",
    "e-learning",
    "data",
    "dataset",
    "map",
    "survey",
    "checklist",
    "template",
    "presentation",
    "law",
    "laws",
    "working paper",
    "statistics",
    "resources",
    "curriculum",
    "assessment",
    "evaluation",
    "strategy",
    "campaign",
    "toolkits & guidance",
}


def metadata_of(line: Line) -> tuple[str, list[str]] | None:
    """('region', [...]) for a TAGS line, ('languages', [...]) for an 'Available in' line."""
    text = line.text.strip()
    tags = _TAGS.match(text)
    if tags:
        return "region", [v.strip() for v in re.split(r"\s*[,;|]\s*", tags.group("value")) if v.strip()]
    available = _AVAILABLE_IN.match(text)
    if available and len(text.split()) <= 14:
        return "languages", [v.strip() for v in _LANGUAGE_SPLIT.split(available.group("value")) if v and v.strip()]
    return None


def split_label(text: str) -> list[str]:
    """'GuidanceGood PracticesPublications' -> ['Guidance', 'Good Practices', 'Publications']:
    type labels that a scrape glued together at a lower-to-upper case boundary."""
    return [part.strip() for part in re.split(r"(?<=[a-z])(?=[A-Z])", text) if part.strip()]


def title_and_year(title: str) -> tuple[str, int | None]:
    for pattern in (_YEAR_SUFFIX, _YEAR_COMMA):
        match = pattern.search(title)
        if match:
            return title[: match.start()].strip(" -–—,"), int(match.group("year"))
    return title.strip(), None


# --- line shapes --------------------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _is_title_like(line: Line) -> bool:
    text = line.text.strip()
    if line.kind not in ("text", "heading") or line.signal == "download" or metadata_of(line):
        return False
    if not (2 <= len(text) <= 250) or _words(text) > 35:
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'“‘("):
        return False
    if re.search(r"[,;:]$", text) or (text.endswith(".") and not text.endswith("...")):
        return False
    return True


def _is_body_like(line: Line) -> bool:
    """Prose: a summary cut off with Read More, or a line that ends like a sentence, or one too
    long for a title."""
    text = line.text.strip()
    if line.kind == "heading" or metadata_of(line):
        return False
    if line.signal == "more":
        return True
    words = _words(text)
    return words > 35 or (words >= 5 and bool(_ENDS_LIKE_SENTENCE.search(text)))


_ENDS_LIKE_SENTENCE = re.compile(r"(?:[.!?…:]|\.\.\.)['\"”’)]*$")


def _is_label_like(line: Line, known_labels: set[str]) -> bool:
    text = line.text.strip()
    if line.kind not in ("text", "heading") or metadata_of(line) or len(text) > 80 or _words(text) > 10:
        return False
    if re.search(r"[.,;:!?]$", text) or "(" in text:
        return False
    parts = split_label(text)
    if not parts or any(_words(p) > 5 for p in parts):
        return False
    return all(p.casefold() in _RESOURCE_TYPES or p.casefold() in known_labels for p in parts)


# --- listing detection --------------------------------------------------------------------------


@dataclass
class Entry:
    title: Line
    label: Line | None = None
    body: list[Line] = field(default_factory=list)
    meta: list[Line] = field(default_factory=list)
    cta: bool = False

    def has_signal(self) -> bool:
        return bool(
            self.label is not None
            or self.meta
            or self.cta
            or any(line.signal == "more" for line in self.body)
            or title_and_year(self.title.text)[1] is not None
        )


def find_listing(content: list[Line], cta_after: set[int]) -> list[Entry]:
    """Entries of the listing on this page (empty when the page is not a listing).

    ``content`` is the kept lines in order; ``cta_after`` holds indexes (into content) of lines
    that a removed call to action follows. An entry is a title-like line, an optional type label,
    and a summary; a listing is two or more consecutive entries of which at least half carry a
    resource signal (type label, TAGS/Available-in line, call to action, cut summary, year)."""
    known_labels = _labels_seen(content)
    starts: dict[int, int | None] = {}
    for index in range(len(content)):
        label_index = _entry_start(content, index, known_labels)
        if label_index is not False:
            starts[index] = label_index

    entries: list[Entry] = []
    runs: list[list[Entry]] = []
    run: list[Entry] = []
    index = 0
    while index < len(content):
        if index not in starts:
            if run and metadata_of(content[index]):
                run[-1].meta.append(content[index])
                if index in cta_after:
                    run[-1].cta = True
                index += 1
                continue
            if run and _is_body_like(content[index]) and not _is_title_like(content[index]):
                run[-1].body.append(content[index])
                if index in cta_after:
                    run[-1].cta = True
                index += 1
                continue
            if run:
                runs.append(run)
                run = []
            index += 1
            continue
        label_index = starts[index]
        entry = Entry(title=content[index], label=content[label_index] if label_index is not None else None)
        if index in cta_after or (label_index is not None and label_index in cta_after):
            entry.cta = True
        index = (label_index if label_index is not None else index) + 1
        # The summary: body lines up to the next entry, metadata lines attached.
        while index < len(content) and index not in starts:
            line = content[index]
            if metadata_of(line):
                entry.meta.append(line)
            elif _is_title_like(line) and not _is_body_like(line):
                break
            else:
                entry.body.append(line)
            if index in cta_after:
                entry.cta = True
            index += 1
        run.append(entry)
    if run:
        runs.append(run)
    for candidate in runs:
        if len(candidate) >= 2 and sum(e.has_signal() for e in candidate) * 2 >= len(candidate):
            entries.extend(candidate)
    return entries


def _entry_start(content: list[Line], index: int, known_labels: set[str]) -> int | None | bool:
    """False if no entry starts here; else the index of its type label, or None without one."""
    line = content[index]
    following = content[index + 1] if index + 1 < len(content) else None
    if following is None or _is_label_like(line, known_labels):
        return False
    if (
        _is_label_like(following, known_labels)
        and index + 2 < len(content)
        and _is_body_like(content[index + 2])
        and (_is_title_like(line) or _is_sentence_title(line))
    ):
        return index + 1
    if _is_title_like(line) and not _is_body_like(line) and _is_body_like(following):
        return None
    return False


def _is_sentence_title(line: Line) -> bool:
    """A title written as a sentence ("A practical guide for SMEs on ..."): acceptable only
    when a type label follows it."""
    text = line.text.strip()
    return line.kind == "text" and not metadata_of(line) and 3 <= _words(text) <= 35 and text[:1].isupper()


def _labels_seen(content: list[Line]) -> set[str]:
    """Label parts that appear between a title and a summary at least twice on the page."""
    counts: Counter[str] = Counter()
    for index in range(1, len(content) - 1):
        line = content[index]
        text = line.text.strip()
        if (
            _is_title_like(content[index - 1])
            and _is_body_like(content[index + 1])
            and len(text) <= 80
            and _words(text) <= 10
            and not re.search(r"[.,;:!?(]", text)
        ):
            for part in split_label(text):
                counts[part.casefold()] += 1
    return {part for part, count in counts.items() if count >= 2}


# --- headings in plain text ---------------------------------------------------------------------

_ROMAN = re.compile(r"^(?:[IVXLC]{1,6})\.\s+\S")
_ALPHA_LOWER = re.compile(r"^[a-z]\.\s+\S")
_ALPHA_UPPER = re.compile(r"^[A-Z]\.\s+\S")
_DECIMAL = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2})*)\.?\s+[A-Z]")
_SMALL_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "from",
    "in",
    "into",
    "of",
    "on",
    "or",
    "the",
    "to",
    "with",
    "vs",
    "x",
    "&",
    "–",
    "-",
}


def heading_style(line: Line, next_line: Line | None) -> str | None:
    """The heading style of a plain-text line ('roman', 'alpha', 'decimal-2', 'caps', 'title'),
    or None when it is not a heading. A heading is short, does not end like a sentence and is
    followed by content."""
    text = line.text.strip()
    if line.kind not in ("text", "list_item") or next_line is None or not text or len(text) > 120 or _words(text) > 14:
        return None
    numbered = bool(_ROMAN.match(text) or _ALPHA_LOWER.match(text) or _ALPHA_UPPER.match(text) or _DECIMAL.match(text))
    if (
        re.search(r"[.,;]$", text)
        or (text.endswith(":") and not numbered)
        or metadata_of(line)
        or line.signal
        or leaves_quotation_open(text)
    ):
        return None
    if _ROMAN.match(text):
        return "roman"
    if _ALPHA_LOWER.match(text):
        return "alpha"
    if _ALPHA_UPPER.match(text) and not re.match(r"^[A-Z]\.\s*[A-Z]\.", text):
        return "alpha-upper"
    decimal = _DECIMAL.match(text)
    if decimal:
        return f"decimal-{decimal.group('number').count('.') + 1}"
    if line.kind == "list_item":
        return None  # a bulleted line is a heading only when it is numbered like one
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 3 and all(c.isupper() for c in letters) and _words(text) <= 12:
        return "caps"
    words = [w for w in re.findall(r"[^\s]+", text) if any(c.isalpha() for c in w)]
    significant = [w for w in words if w.lower().strip("()[]\"'“”‘’") not in _SMALL_WORDS]
    if (
        1 <= len(words) <= 10
        and significant
        and all(w.lstrip("(\"'“‘")[:1].isupper() or not w[:1].isalpha() for w in significant)
    ):
        return "title"
    return None


# --- building documents -------------------------------------------------------------------------


@dataclass
class PageMetadata:
    """What is known about the file as a whole (catalogue over the file's own metadata)."""

    path: str
    title: str
    organisation: str | None = None
    year: int | None = None
    region: str | None = None
    resource_types: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    url: str | None = None
    licence: str | None = None
    format: str = "txt"
    title_source: str = "filename"
    """Where the title came from: 'catalogue', 'file' (its own metadata) or 'filename'."""

    @property
    def title_from_catalogue(self) -> bool:
        return self.title_source == "catalogue"


def build_documents(lines: list[Line], page: PageMetadata, removals: list[Removal]) -> list[Document]:
    """Documents of one cleaned file: the page itself (when it has content outside a listing) and
    one record per listed resource. Metadata lines consumed as fields are added to ``removals``
    so that ``clean`` shows them too."""
    content = [line for line in lines if line.kept]
    cta_after = _cta_positions(lines, content)
    # Listing pages are web pages; a slide deck or a report with short titled sections is not one.
    entries = find_listing(content, cta_after) if is_web_like(page.format) else []
    in_entry = {id(line) for e in entries for line in [e.title, *([e.label] if e.label else []), *e.body, *e.meta]}

    documents: list[Document] = []
    lead_lines = [line for line in content if id(line) not in in_entry]
    lead = _lead_document(lead_lines, page, removals, bool(entries))
    if lead is not None:
        documents.append(lead)
    for position, entry in enumerate(entries, start=1):
        documents.append(_record_document(entry, position, page, removals))
    return documents


def _cta_positions(lines: list[Line], content: list[Line]) -> set[int]:
    position = {id(line): index for index, line in enumerate(content)}
    result: set[int] = set()
    last_kept: int | None = None
    for line in lines:
        if id(line) in position:
            last_kept = position[id(line)]
        elif line.signal == "cta" and last_kept is not None:
            result.add(last_kept)
    return result


def _lead_document(lines: list[Line], page: PageMetadata, removals: list[Removal], is_listing: bool) -> Document | None:
    body = [line for line in lines if not metadata_of(line)]
    if not any(line.kind != "heading" for line in body):
        return None
    if is_listing and not any(_is_body_like(line) for line in body):
        return None  # only stray short lines left around a listing
    region, languages = _consume_metadata([line for line in lines if metadata_of(line)], removals)
    title, organisation, year = page.title, page.organisation, page.year
    label = next((line for line in body if line.signal == "download" and _DOWNLOAD_LABEL.match(line.text)), None)
    if label is not None:
        # "Title - Organisation, 2020 DOWNLOAD": the page names the author and year of the
        # resource it presents; that is more precise than the site that publishes the page.
        match = _DOWNLOAD_LABEL.match(label.text)
        assert match is not None
        organisation = match.group("org").strip()
        year = int(match.group("year"))
        if not page.title_from_catalogue:
            title = match.group("title").strip()
    text, blocks = _layout(body, heading_levels=_heading_levels(body))
    if page.title_source == "filename" and label is None:
        heading = title_from_headings([text[b.start : b.end] for b in blocks if b.kind == "heading"][:6], page.path)
        title = readable_case(prefer_file_name(heading, page.path) if heading else title)
    # A heading that repeats the document's title (an HTML <h1>, a cover page) adds nothing to a
    # section path: the title is in every citation already.
    blocks = [
        b.model_copy(update={"section": tuple(s for s in b.section if s.casefold() != title.casefold())})
        if b.section
        else b
        for b in blocks
    ]
    return Document(
        id=page.path,
        path=page.path,
        title=title,
        organisation=organisation,
        year=year,
        region=page.region or (region[0] if region else None),
        resource_types=list(page.resource_types),
        languages=page.languages or languages,
        url=page.url,
        licence=page.licence,
        format=page.format,
        source_line=body[0].number if body else None,
        text=text,
        blocks=blocks,
    )


def _record_document(entry: Entry, position: int, page: PageMetadata, removals: list[Removal]) -> Document:
    region, languages = _consume_metadata(entry.meta, removals)
    title, year = title_and_year(entry.title.text)
    types: list[str] = []
    if entry.label is not None:
        types = split_label(entry.label.text)
        removals.append(
            Removal(
                line=entry.label.number, text=entry.label.text, reason=f"type label -> metadata: {', '.join(types)}"
            )
        )
    # The listed title is the record's most telling line: it opens the record's passage (as a
    # paragraph of its own), so that it is searched, shown and quoted with the summary.
    heading = Line(text=entry.title.text, number=entry.title.number, kind="text", page=entry.title.page)
    text, blocks = _layout([heading, *entry.body], heading_levels={})
    return Document(
        id=f"{page.path}#{position}",
        path=page.path,
        title=title,
        organisation=page.organisation,
        year=year,
        region=region[0] if region else None,
        resource_types=types or list(page.resource_types),
        languages=languages,
        url=page.url,
        licence=page.licence,
        format=page.format,
        source_title=page.title,
        record=position,
        source_line=entry.title.number,
        text=text,
        blocks=blocks,
    )


def _consume_metadata(lines: list[Line], removals: list[Removal]) -> tuple[list[str], list[str]]:
    region: list[str] = []
    languages: list[str] = []
    for line in lines:
        found = metadata_of(line)
        if found is None:
            continue
        field_name, values = found
        target = region if field_name == "region" else languages
        for value in values:
            if value not in target:
                target.append(value)
        removals.append(
            Removal(line=line.number, text=line.text, reason=f"{field_name} -> metadata: {', '.join(values)}")
        )
    return region, languages


def _heading_levels(lines: list[Line]) -> dict[int, int]:
    """Heading level of each line (by ``id``). Levels stated by the format are used as they are;
    plain-text headings get levels by the order in which their styles first appear, after the
    title block (the heading lines before the first paragraph, which name the document)."""
    levels: dict[int, int] = {}
    explicit = any(line.kind == "heading" for line in lines)
    style_order: list[str] = []
    seen_body = False
    for index, line in enumerate(lines):
        if line.kind == "heading" and is_quotation(line.text):
            seen_body = True
            continue
        if line.kind == "heading":
            levels[id(line)] = line.level if line.level is not None else 1
            seen_body = seen_body or index > 0
            continue
        if explicit:
            seen_body = True
            continue
        next_line = lines[index + 1] if index + 1 < len(lines) else None
        style = heading_style(line, next_line)
        if style is None or is_quotation(line.text):
            seen_body = True
            continue
        if not seen_body and style in ("caps", "title"):
            levels[id(line)] = 0  # title block
            continue
        seen_body = True
        if style not in style_order:
            style_order.append(style)
        levels[id(line)] = style_order.index(style) + 1
    return levels


_QUOTATION = re.compile(r"^\s*[\"“‘'](?P<inner>.+)[\"”’']\s*(?:[-–—]\s*\S.{0,60})?$")
_QUOTED_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def is_quotation(text: str) -> bool:
    """A quotation printed large or styled as a heading (a pull-quote): it opens and closes with
    quotation marks, maybe with its speaker after a dash, and reads as a sentence: six words or
    more, most of them in lower case. A quoted title ("‘A Cost-Benefit Analysis of the ITA
    Intervention in Oxford and Reading’") is still a heading. A pull-quote headed the section path of the 50
    passages after it ("“The Wales Anti Slavery Leadership Group Delivery Plan sets out the Welsh
    Government aim...”"), and a strategy's six epigraphs each headed a section."""
    quoted = _QUOTATION.match(text)
    if not quoted:
        return False
    words = _QUOTED_WORD.findall(quoted.group("inner"))
    return len(words) >= 6 and sum(word[0].islower() for word in words) * 2 > len(words)


_SECTION_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\.?\s+(?=[^\W\d_])")


def _section_number(heading: str) -> list[str] | None:
    """A heading's number as its parts ("2.5. The Seasonal Worker Visa" -> ["2", "5"])."""
    numbered = _SECTION_NUMBER.match(heading)
    return numbered.group(1).split(".") if numbered else None


def _numbered_under(number: list[str], parent: str) -> bool:
    """Whether a heading numbered ``number`` can sit under ``parent``: an unnumbered heading may
    hold any, a numbered one only those its number begins ("2.5" under "2.", not under "1.")."""
    above = _section_number(parent)
    return above is None or (len(above) < len(number) and number[: len(above)] == above)


LEAF_HEADING = re.compile(
    rf"{CONTENTS_TITLE}|in this (?:guide|report|document)|case stud(?:y|ies)(?: \d{{1,3}})?", re.IGNORECASE
)
"""A contents page's heading heads the contents alone, and a case study's label its box, whatever
the print size of the headings after them: a report's "Contents" and "Case study", printed larger
than its chapters, began every section path after them ("Contents > Executive Summary > Case
study > Timely and quality decisions..."; a first-use audit)."""


def _page_starts(text: str, start: int, breaks: list[tuple[int, str]]) -> tuple[tuple[int, int], ...]:
    """Where in the document (``start`` is the paragraph's offset) each later page of a paragraph
    begins, found by the text that begins it there (``Line.page_breaks``); none when any is not
    found again (cleaning changed it), so that the paragraph's pages are cited whole rather than
    wrongly."""
    found: list[tuple[int, int]] = []
    position = 0
    for page, begins in breaks:
        marker = begins.strip()
        at = text.find(marker, position) if marker else -1
        if at < 0:
            return ()
        found.append((start + at, page))
        position = at + 1
    return tuple(found)


def _layout(lines: list[Line], heading_levels: dict[int, int]) -> tuple[str, list[Block]]:
    """Join lines into the document text (a blank line between paragraphs, a single newline
    between consecutive list items or table rows) and record each line's span, kind, section
    path and page."""
    parts: list[str] = []
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    offset = 0
    previous_kind: str | None = None
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        level = heading_levels.get(id(line))
        if level is not None:
            kind = "heading"
        else:
            kind = {"list_item": "list_item", "table_row": "table_row"}.get(line.kind, "paragraph")
        if parts:
            separator = "\n" if kind == previous_kind and kind in ("list_item", "table_row") else "\n\n"
            parts.append(separator)
            offset += len(separator)
        if kind == "heading" and level is not None and level > 0:
            number = _section_number(text)
            while stack and (
                stack[-1][0] >= level
                or LEAF_HEADING.fullmatch(stack[-1][1])
                # Print sizes put "2.5." under "1. Conflict..." when "2." was no larger than it.
                or (number is not None and not _numbered_under(number, stack[-1][1]))
            ):
                stack.pop()
            stack.append((level, text.rstrip(":").strip()))
        section = tuple(title for _, title in stack)
        start = offset
        parts.append(text)
        offset += len(text)
        blocks.append(
            Block(
                start=start,
                end=offset,
                kind=kind,
                section=section,
                page=line.page,
                page_end=line.page_end if line.page_end and line.page_end != line.page else None,
                page_starts=_page_starts(text, start, line.page_breaks),
            )
        )
        previous_kind = kind
    return "".join(parts), blocks
