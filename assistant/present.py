"""Presenting results: citations in several formats, the CLI's JSON contract, plain-text and
Markdown renderings, and making document text safe to show in a terminal.

Everything shown from a document is verbatim; only the framing (labels, citation punctuation)
is ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .errors import CitationError
from .ingest.formats import has_slides
from .models import NO_ANSWER, Answer, AnswerJSON, Chunk, Citation, DocumentInfo, Hit, ResultJSON
from .text import json_text, safe_line, safe_path, safe_url, sentence_spans, strip_control

if TYPE_CHECKING:
    from .pipeline import IndexStatus

CITATION_FORMATS = ("text", "markdown", "bibtex", "csl-json")
OCR_NOTE = "Text recognised by OCR from a scan."
"""Said in every citation of a passage whose text OCR read from a page image."""


SECTION_PART_CHARS = 120
"""A heading in a citation's section path is cut at a word after this many characters: a list of
industries or a contents line taken for a heading made a first-use audit's "Cite:" line
unusable as pasted. The passage's location keeps the whole path."""


TITLE_IN_LINE_CHARS = 200
"""A title in the short citation line under a card is cut at a word after this many characters:
a catalogue's 1,500-character title (a description pasted in its title column) filled 25 lines
of an 80-column screen above every passage (a first-use audit). The full citation keeps it."""


def section_path(section: tuple[str, ...] | list[str], longest: int | None = None) -> str | None:
    """A passage's headings joined as a citation prints them ("Annex A > Child-specific
    indicators"), each cut at a word after ``longest`` characters when given; None without any."""
    parts = [part if longest is None or len(part) <= longest else _cut_at_word(part, longest) for part in section]
    return " > ".join(parts) if parts else None


def _cut_at_word(text: str, limit: int) -> str:
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–—-")
    return (cut or text[:limit]) + "…"


def make_citation(chunk: Chunk, document: DocumentInfo, indexed_at: str | datetime) -> Citation:
    when = indexed_at if isinstance(indexed_at, datetime) else datetime.fromisoformat(indexed_at)
    return Citation(
        chunk_id=int(chunk.id or 0),
        title=document.title,
        organisation=document.organisation,
        year=document.year,
        url=document.url,
        section=section_path(chunk.section, SECTION_PART_CHARS),
        page=chunk.page,
        page_end=chunk.page_end,
        page_label=document.page_labels.get(chunk.page) if chunk.page is not None else None,
        page_end_label=document.page_labels.get(chunk.page_end) if chunk.page_end is not None else None,
        path=document.path,
        source_title=document.source_title,
        resource_types=document.resource_types,
        indexed_at=when,
        format=document.format,
        ocr=document.ocr,
    )


def _section_and_pages(citation: Citation) -> tuple[str | None, str | None]:
    """The section and the page or slide, each said once: a slide's section is often its own
    label ("Slide 3", then "slide 3" is not repeated) or starts with it ("Slide 8: Location", and
    "slide 8" is left out)."""
    section, pages = citation.section, _pages(citation)
    if section and pages and has_slides(citation.format):
        head, label = section.casefold(), pages.casefold()
        if head == label:
            return None, pages
        if head.startswith(label) and not head[len(label)].isdigit():
            return section, None
    return section, pages


def page_words(page: int, label: str | None, format: str | None) -> str:
    """One page of a document of ``format`` as a citation says it: "slide 3", "p. 3", or with
    the number printed on it where that differs, "p. A3 (PDF p. 3)" (the document reader says
    the same)."""
    if has_slides(format):
        return f"slide {page}"
    if label is None or label == str(page):
        return f"p. {page}"
    return f"{'pp.' if '–' in label else 'p.'} {label} (PDF p. {page})"  # a spread: "pp. 8–9"


def _pages(citation: Citation) -> str | None:
    if citation.page is None:
        return None
    if not citation.page_end or citation.page_end == citation.page:
        return page_words(citation.page, citation.page_label, citation.format)
    if has_slides(citation.format):
        return (
            f"slides {citation.page}–{citation.page_end}"
            if citation.page_end and citation.page_end != citation.page
            else f"slide {citation.page}"
        )
    printed = _printed_page_range(citation)
    physical = (
        f"{citation.page}–{citation.page_end}"
        if citation.page_end and citation.page_end != citation.page
        else str(citation.page)
    )
    plural = "pp." if "–" in physical else "p."
    if printed is None or printed == physical:
        return f"{plural} {physical}"
    return f"{'pp.' if '–' in printed else 'p.'} {printed} (PDF {plural} {physical})"


def _printed_page_range(citation: Citation) -> str | None:
    """The page numbers a reader finds printed in the document, from its page labels."""
    if citation.page_label is None and citation.page_end_label is None:
        return None
    first = citation.page_label or str(citation.page)
    last = citation.page_end_label or (str(citation.page_end) if citation.page_end else None)
    if not last or last == first:
        return first
    # From the first page printed to the last: spreads "8–9" and "10–11" make "8–11".
    return f"{first.split('–')[0]}–{last.split('–')[-1]}"


def _printed_pages(citation: Citation) -> str | None:
    """Page numbers for a reference manager: pages only, never slides."""
    if citation.page is None or has_slides(citation.format):
        return None
    printed = _printed_page_range(citation)
    if printed is not None:
        return printed.replace("–", "-")
    return (
        str(citation.page)
        if not citation.page_end or citation.page_end == citation.page
        else f"{citation.page}-{citation.page_end}"
    )


def _listing(citation: Citation) -> str | None:
    """The one rule for a resource known only from a page that lists it (``source_title``): the
    organisation is the one that lists it, never said to be its author, and the web address is
    the listing's. Every format says "listed by <organisation> on <listing>" and links the
    address to the listing's title, never to the resource's."""
    if not citation.source_title:
        return None
    by = f"listed by {citation.organisation.rstrip('.')}" if citation.organisation else "listed"
    return f"{by} on “{citation.source_title}”"


def sentence_end(text: str) -> str:
    """A citation part ended by one full stop: a title that ends with ? or ! or . keeps its own."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!", "…")) else text + "."


def safe_citation(citation: Citation) -> Citation:
    """A citation fit to print: every text field on one line without control or bidi characters,
    and the URL an http(s) URL that cannot break out of a Markdown link (or none)."""
    return citation.model_copy(
        update={
            "title": safe_line(citation.title),
            "organisation": safe_line(citation.organisation) if citation.organisation else None,
            "section": safe_line(citation.section) if citation.section else None,
            "path": safe_path(citation.path),
            "source_title": safe_line(citation.source_title) if citation.source_title else None,
            "url": safe_url(citation.url),
            "page_label": safe_line(citation.page_label) if citation.page_label else None,
            "page_end_label": safe_line(citation.page_end_label) if citation.page_end_label else None,
            "resource_types": [safe_line(t) for t in citation.resource_types],
        }
    )


def line_title(citation: Citation) -> str:
    """The title as the short citation line prints it: without control characters, cut at a
    word after ``TITLE_IN_LINE_CHARS``."""
    title = safe_line(citation.title)
    return title if len(title) <= TITLE_IN_LINE_CHARS else _cut_at_word(title, TITLE_IN_LINE_CHARS)


def citation_line(citation: Citation) -> str:
    """The short form under a result: title (``line_title``) — organisation, year; section or
    page; and "text by OCR" for a passage read from a scan, so that its words are checked before
    they are quoted. A resource known from a listing page is "listed by" its organisation (see
    ``_listing``)."""
    line = line_title(citation)
    citation = safe_citation(citation)
    who = ", ".join(str(p) for p in (_listing(citation) or citation.organisation, citation.year) if p)
    section, pages = _section_and_pages(citation)
    where = "; ".join(p for p in (section, pages, "text by OCR" if citation.ocr else None) if p)
    if who:
        line += f" — {who}"
    if where:
        line += f"; {where}"
    return line


def format_citation(citation: Citation, style: str = "text") -> str:
    if style not in CITATION_FORMATS:
        raise CitationError(f"unknown citation format {style!r}: use one of {', '.join(CITATION_FORMATS)}")
    if style == "csl-json":
        return format_citations([citation], style)  # an array, as CSL processors read
    citation = safe_citation(citation)
    indexed = citation.indexed_at.date().isoformat()
    if style == "bibtex":
        return _bibtex(citation)
    esc = markdown_escape if style == "markdown" else str
    if style == "markdown" and citation.url and not citation.source_title:
        title = f"[{esc(citation.title)}]({citation.url})"
    elif style == "markdown":
        title = f"*{esc(citation.title)}*"
    else:
        title = citation.title
    parts = [sentence_end(title) if not (citation.year and citation.source_title) else f"{title} ({citation.year})."]
    if citation.source_title:
        listed = f"Listed by {esc(citation.organisation.rstrip('.'))} on" if citation.organisation else "Listed on"
        listing = f"“{esc(citation.source_title)}”"
        parts.append(
            f"{listed} [{listing}]({citation.url})." if style == "markdown" and citation.url else f"{listed} {listing}."
        )
    else:
        who = ", ".join(
            esc(str(p))
            for p in (citation.organisation.rstrip(".") if citation.organisation else None, citation.year)
            if p
        )
        if who:
            parts.append(sentence_end(who))
    section, pages = _section_and_pages(citation)
    where = "; ".join(p for p in (f"Section: {esc(section)}" if section else None, pages) if p)
    if where:
        parts.append(sentence_end(where))
    if citation.ocr:
        parts.append(OCR_NOTE)
    if citation.url and style == "text":
        parts.append(citation.url + ".")
    # A web source is cited with the date it was read; a file with the date it was indexed.
    parts.append(f"Accessed {indexed}." if citation.url else f"File: {esc(citation.path)}. Indexed {indexed}.")
    return " ".join(parts)


def format_citations(citations: list[Citation], style: str = "text") -> str:
    """Several citations in one style: BibTeX entries one after another, CSL-JSON as the array
    CSL processors read, text and Markdown one per line."""
    if style == "csl-json":
        items = [_csl(safe_citation(c)) for c in citations]
        for item, suffix in zip(items, _distinct_suffixes([item["id"] for item in items])):
            item["id"] += suffix
        return json_text(items, indent=2)
    if style == "bibtex":
        safe = [safe_citation(c) for c in citations]
        suffixes = _distinct_suffixes([_bibtex_key(c) for c in safe])
        return "\n\n".join(_bibtex(c, suffix) for c, suffix in zip(safe, suffixes))
    return "\n".join(format_citation(c, style) for c in citations)


def _distinct_suffixes(keys: list[str]) -> list[str]:
    """What makes each key distinct ("", "-2", "-3"...): two passages of one chunk cut apart (its
    stored pages, and a card running onto the next page) are two entries, and a reference manager
    keeps only one of two entries with the same key."""
    seen: dict[str, int] = {}
    suffixes = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        suffixes.append("" if seen[key] == 1 else f"-{seen[key]}")
    return suffixes


def markdown_escape(text: str) -> str:
    """One line of document or user text for Markdown: sanitised, with every character that could
    start a link, an image, emphasis, a heading, a table or raw HTML escaped."""
    # Only where a character could start markup: an underscore inside a word ("March_2020") and
    # a "#" or "!" in mid-line are plain text in Markdown, and escaping them would leave
    # backslashes in what a reader copies.
    text = re.sub(r"([\\`*\[\]<]|(?<![^\W_])_|_(?![^\W_])|^[#>]|!(?=\[))", r"\\\1", safe_line(text))
    return text


def markdown_quote(text: str) -> list[str]:
    """A passage as Markdown block-quote lines, its paragraphs and bullets kept, nothing live. A
    line followed by another of its paragraph (a list item, a table row) ends in a hard line
    break (two spaces): a renderer joined a first-use audit's list of five forms of exploitation
    into one run-on sentence."""
    lines = strip_control(text).split("\n")
    quoted = []
    for line, following in zip(lines, [*lines[1:], ""]):
        if not line.strip():
            quoted.append(">")
            continue
        quoted.append(f"> {markdown_escape(line)}{'  ' if following.strip() else ''}")
    return quoted


def _csl(citation: Citation) -> dict:
    notes = [] if citation.url else [f"File: {citation.path}; indexed {citation.indexed_at.date().isoformat()}"]
    if citation.source_title:
        notes.append(_listing(citation)[0].upper() + _listing(citation)[1:])
    item: dict = {
        "id": f"chunk-{citation.chunk_id}",
        "type": "webpage" if citation.url else "report",
        "title": citation.title,
    }
    if citation.ocr:
        notes.append(OCR_NOTE.rstrip("."))  # the notes are joined with "; "
    if notes:
        item["note"] = "; ".join(notes)
    if citation.organisation:
        if not citation.source_title:  # a listing's organisation lists the resource; it is not its author
            item["author"] = [{"literal": citation.organisation}]
        item["publisher"] = citation.organisation
    if citation.year:
        item["issued"] = {"date-parts": [[citation.year]]}
    if citation.url:
        item["URL"] = citation.url
        item["accessed"] = {
            "date-parts": [[citation.indexed_at.year, citation.indexed_at.month, citation.indexed_at.day]]
        }
    if citation.source_title:
        item["container-title"] = citation.source_title
    if citation.section:
        item["section"] = citation.section
    pages = _printed_pages(citation)
    if pages:
        item["page"] = pages
    return item


def _bibtex_key(citation: Citation) -> str:
    """The entry's key: the title's first two words, the year and the chunk ("modernslavery2020c367")."""
    key_words = re.findall(r"[A-Za-z]+", citation.title)[:2]
    return "".join(w.lower() for w in key_words) + str(citation.year or "") + f"c{citation.chunk_id}"


def _bibtex(citation: Citation, key_suffix: str = "") -> str:
    """``@online`` for a web source (with ``url`` and ``urldate`` together), ``@techreport``
    otherwise (grey literature: guidance, reports); the organisation as a corporate author in
    double braces, and as ``organization``/``institution``; ``pages`` only for page numbers."""
    key = _bibtex_key(citation) + key_suffix
    online = bool(citation.url)
    fields = [("title", "{" + _bib(citation.title) + "}")]
    if citation.organisation:
        if not citation.source_title:  # a listing's organisation lists the resource; it is not its author
            fields.append(("author", "{" + _bib(citation.organisation) + "}"))
        fields.append(("organization" if online else "institution", _bib(citation.organisation)))
    if citation.year:
        fields.append(("year", str(citation.year)))
    if online:
        fields.append(("url", citation.url))
        fields.append(("urldate", citation.indexed_at.date().isoformat()))
    pages = _printed_pages(citation)
    if pages:
        fields.append(("pages", pages.replace("-", "--")))
    notes = []
    if citation.source_title:
        listing = _listing(citation)
        notes.append(_bib(listing[0].upper() + listing[1:]))
    section, pages = _section_and_pages(citation)
    if section:
        notes.append(f"Section: {_bib(section)}")
    if has_slides(citation.format) and pages:
        notes.append(pages)
    if citation.ocr:
        notes.append(OCR_NOTE.rstrip("."))  # the notes are joined with "; "
    if not online:  # a file is found by its name; a web source by its address
        notes.append(f"File: {_bib(citation.path)}")
    if notes:
        fields.append(("note", "; ".join(notes)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{'online' if online else 'techreport'}{{{key},\n{body}\n}}"


def _bib(text: str) -> str:
    """A value inside braces: a backslash is a command in BibTeX, so it is written as one, and
    braces and LaTeX's special characters are escaped (an entry's braces always balance)."""
    text = re.sub(r"([&%$#_{}~^])", r"\\\1", text.replace("\\", "\x00"))
    return text.replace("\x00", r"\textbackslash{}")


# --- the CLI's JSON contract (its shape is models.AnswerJSON) ----------------------------------


def answer_json(answer: Answer) -> AnswerJSON:
    return AnswerJSON(
        query=answer.query,
        abstained=answer.abstained,
        results=[_result_json(hit) for hit in answer.hits],
        mode=answer.mode,
        message=answer.message,
        notices=answer.notices,
        searched_for=answer.searched_for,
        context_words=answer.context_words,
        closest=[_result_json(hit) for hit in answer.closest],
    )


def _result_json(hit: Hit) -> ResultJSON:
    return ResultJSON(
        rank=hit.rank,
        score=hit.score,
        text=hit.text,
        document=hit.document,
        location=hit.location,
        citation=format_citation(hit.citation, "text"),
        chunk_id=hit.chunk_id,
        passage_id=hit.passage_id or str(hit.chunk_id),
        highlights=hit.highlights,
        dense_score=hit.dense_score,
        lexical_score=hit.lexical_score,
        also_at=[format_citation(c, "text") for c in hit.also_at],
        confidence=hit.confidence,
        shown_before=hit.shown_before,
        thread_document=hit.thread_document,
        other_nations=hit.other_nations,
        other_group=hit.other_group,
        list_goes_on=hit.list_goes_on,
        not_guidance=hit.not_guidance,
        among_myths=hit.among_myths,
    )


def refused_json(question: str, error: str) -> AnswerJSON:
    """A ``--batch`` question that could not be asked (empty, unknown filter value, ...)."""
    return AnswerJSON(query=strip_control(question), abstained=True, error=error)


# --- human-readable renderings ------------------------------------------------------------------


SHOWN_BEFORE = "shown in the last answer"
"""Said of a follow-up's card that the last answer showed too (``Hit.shown_before``)."""
THREAD_DOCUMENT = "ranked up: from a document the earlier question found"
"""Said of a follow-up's card that ranks higher for its document (``Hit.thread_document``): it may
come before a card that matches more strongly."""


CLOSEST_HEADING = "The closest passages, which the search does not take for an answer (judge them yourself):"
"""Said above the passages a refusal shows (``Answer.closest``)."""
CLOSEST_MARK = "closest, not an answer"
"""Said of each of them, instead of a match."""
KEPT_FROM_CLOSEST = "Kept from the closest passages, which the search did not take for an answer"
"""Said in a case note or report of the passages kept from them."""


LIST_GOES_ON = "the list goes on in the document"
"""Said of a card that ends on an item of a list the document goes on with (``Hit.list_goes_on``):
the items shown are not the whole list."""


QUIZ_ITEM = "a true-or-false exercise item, not a statement of guidance"
"""Said of a card whose best sentence is an item of a worksheet to mark true or false: "Your
boss can ask to keep your passport or bank card. T / F" states the opposite of the guidance."""
_TRUE_OR_FALSE = re.compile(r"(?<!\w)(?:T\s*/\s*F|True\s*(?:/|or)\s*False)(?!\w)")


MYTHS = "from a list of myths and the facts that answer them: a sentence here may be the myth, not the guidance"
"""Said of a card from a section on myths, or one that labels its myths (``text.among_myths``):
no sentence of it is highlighted either."""


def not_guidance_mark(hit: Hit) -> str | None:
    """Said of a card whose file looks, by its name, like something else than guidance."""
    return f"the file looks like {hit.not_guidance}, not guidance" if hit.not_guidance else None


def card_marks(hit: Hit) -> list[str]:
    """What is said of a card beside its match: a worksheet's true-or-false item; a list of
    myths; for a follow-up, ranked up for its document, shown in the last answer; a list the
    document goes on with; a document for other UK nations, a file that is not guidance, or a
    heading for another group of people than the question names (the text, the Markdown and the
    terminal UI say the same)."""
    # The item's mark may sit just before or after the sentence ("... bank card. T / F").
    best = " ".join(hit.text[max(0, start - 8) : end + 8] for start, end in hit.highlights)
    marks = (
        (QUIZ_ITEM, bool(_TRUE_OR_FALSE.search(best))),
        (MYTHS, hit.among_myths),
        (THREAD_DOCUMENT, hit.thread_document),
    )
    shown = (
        (SHOWN_BEFORE, hit.shown_before),
        (LIST_GOES_ON, hit.list_goes_on),
        (hit.other_nations, True),
        (not_guidance_mark(hit), True),
        (hit.other_group, True),
    )
    return [mark for mark, on in (*marks, *shown) if mark and on]


def card_cautions(hit: Hit) -> list[str]:
    """The card's marks that stay true wherever its passage is quoted (a report, a case note): all
    but those about the conversation (ranked up for its document, shown in the last answer). A
    first-use audit's report quoted a template's sample form with no word that it was one."""
    return [mark for mark in card_marks(hit) if mark not in (THREAD_DOCUMENT, SHOWN_BEFORE)]


def best_quote(hit: Hit) -> str:
    """A card's highlighted sentences as one line, joined by " … ", with "…" where one begins or
    ends inside a sentence of the card (a long sentence is matched in parts): "PV said she had no
    food and he refused to talk" read as the whole sentence (first-use audit)."""
    quote = " … ".join(" ".join(strip_control(hit.text[start:end]).split()) for start, end in hit.highlights)
    if not hit.highlights:
        return quote
    sentences = sentence_spans(hit.text)
    (start, _), (_, end) = hit.highlights[0], hit.highlights[-1]
    if start not in {s for s, _ in sentences} and hit.text[:start].strip():
        quote = "… " + quote
    if end not in {e for _, e in sentences} and hit.text[end:].strip():
        quote += " …"
    return quote


def best_words(hit: Hit) -> str:
    """What a card's highlighted sentence is called: under a refusal it is only the closest."""
    return "Closest sentence" if hit.closest else "Best match"


def match_words(hit: Hit) -> str:
    """A card's match in words (the learned ranker's), or its score outside hybrid mode; a
    passage shown under a refusal is no match at all."""
    if hit.closest:
        return CLOSEST_MARK
    return f"match {hit.confidence}" if hit.confidence else f"score {hit.score:.3f}"


def render_answer_text(answer: Answer, width: int = 100, wrap_citations: bool = False) -> str:
    """An answer as plain text, its passages wrapped to ``width``; with ``wrap_citations`` (at a
    terminal) each card's heading and citation too, at words, where a terminal's own wrap cut
    "Ho|me Office" (first-use audit); piped, they stay one line each, for grep."""
    import textwrap

    lines = [f"Question: {safe_line(answer.query)}"]
    if answer.context_words:
        lines.append(f"Searched with: {', '.join(map(safe_line, answer.context_words))} (from your earlier questions)")
    for notice in answer.notices:
        lines.append(f"Note: {safe_line(notice)}")
    if answer.abstained:
        lines.append("")
        lines.append(answer.message or NO_ANSWER)
        if not answer.filtered_out:  # when the filters are the cause, the message says so
            lines.append("Try other words, or fewer of them.")
        if answer.closest:
            lines += ["", CLOSEST_HEADING]
    for hit in answer.cards():
        lines.append("")
        # The learned ranker's word for how well a card matches; its score, which holds a
        # follow-up's preference for the last answer's documents, would contradict it ("weak,
        # 0.805" above "fair, 0.442"): the JSON has the score.
        header = (
            f"[{hit.rank}] {citation_line(hit.citation)}   "
            f"({', '.join([match_words(hit), f'chunk {hit.passage_id or hit.chunk_id}', *card_marks(hit)])})"
        )
        lines.extend(wrapped_at_words(header, width, "    ") if wrap_citations else [header])
        body = strip_control(hit.text)
        for paragraph in body.split("\n"):
            if paragraph.strip():
                lines.extend(textwrap.wrap(paragraph, width=width, initial_indent="    ", subsequent_indent="    "))
        if hit.highlights:
            lines.extend(
                textwrap.wrap(
                    f"{best_words(hit)}: {best_quote(hit)}",
                    width=width,
                    initial_indent="    » ",
                    subsequent_indent="      ",
                )
            )
        cited = ["    Cite: " + format_citation(hit.citation, "text")]
        cited += ["    Also stated in: " + format_citation(other, "text") for other in hit.also_at]
        for line in cited:
            lines.extend(wrapped_at_words(line, width, "      ") if wrap_citations else [line])
    return "\n".join(lines)


def wrapped_at_words(line: str, width: int, indent: str) -> list[str]:
    """A line wrapped at words, its continuation lines indented by ``indent``; a URL or a file
    path is never broken (a reader copies it whole)."""
    import textwrap

    return textwrap.wrap(line, width=width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def render_refused_markdown(question: str, error: str) -> str:
    """A question of a batch that was not searched, as Markdown beside the answers (a line of
    control characters only came out as plain text with an empty "Question:")."""
    heading = markdown_escape(safe_line(question)) or "(a line with nothing printable)"
    return f"## {heading}\n\n_Not searched: {markdown_escape(safe_line(error))}_\n"


def render_answer_markdown(answer: Answer) -> str:
    """An answer as Markdown, saying what the text output says of it: the words searched with
    from earlier questions, the notes, each card's match and its best sentence (a follow-up
    pasted into a report must not read as a question asked on its own)."""
    lines = [f"## {markdown_escape(answer.query)}", ""]
    if answer.context_words:
        carried = ", ".join(markdown_escape(word) for word in answer.context_words)
        lines += [f"_Searched with: {carried} (from earlier questions)_", ""]
    for notice in answer.notices:
        lines += [f"_Note: {markdown_escape(notice)}_", ""]
    if answer.abstained:
        lines.append(f"_{markdown_escape(answer.message or NO_ANSWER)}_")
        if not answer.closest:
            return "\n".join(lines) + "\n"
        lines += ["", f"_{CLOSEST_HEADING}_", ""]
    for hit in answer.cards():
        lines.append(
            f"{hit.rank}. {format_citation(hit.citation, 'markdown')} ({', '.join([match_words(hit), *card_marks(hit)])})"
        )
        lines.append("")
        lines.extend(f"   {line}" for line in markdown_quote(hit.text))
        lines.append("")
        if hit.highlights:
            lines += [f"   {best_words(hit)}: {markdown_escape(best_quote(hit))}", ""]
        for other in hit.also_at:
            lines.append(f"   Also stated in: {format_citation(other, 'markdown')}")
            lines.append("")
    return "\n".join(lines)


def status_lines(
    status: IndexStatus,
    path: Callable[[str], str],
    when: Callable[[datetime], str],
    took: Callable[[float], str],
    listed_records: int = 0,
    generation: bool = False,
) -> list[tuple[str, bool]]:
    """What is said about an index, line by line as (line, heading), for ``index status`` and the
    terminal UI's index screen alike: where it is, when and from what it was built, what it holds,
    which files were read by OCR, whether the corpus changed since, and what was not indexed.
    The front ends choose only how a folder, a time and a duration look, and the style of a
    heading; a blank line ends each part."""
    listed = f" (of which {listed_records} resources listed on web pages)" if listed_records else ""
    named = f" (generation {safe_line(status.generation)})" if generation else ""
    lines = [
        (f"Index folder {path(status.index_dir)}{named}", True),
        (f"Built {when(status.built_at)} in {took(status.build_seconds)} from {path(status.corpus_dir)}", False),
        (
            f"Model {status.model} (fingerprint {status.model_fingerprint[:12]}), {status.vector_index} vector index",
            False,
        ),
        (
            f"{status.indexed_files} of {status.files} files indexed: {status.documents} documents{listed}, "
            f"{status.chunks} passages",
            False,
        ),
        ("", False),
    ]
    if status.problem:
        lines.append((f"The index could not be opened: {safe_line(status.problem)}", True))
        lines.append(("", False))
    by_ocr = [(file, warning) for file, warning in status.warnings if "OCR" in warning or "scan" in warning]
    read_by_ocr = list(dict.fromkeys(file for file, _ in by_ocr))
    if read_by_ocr:
        lines.append(("Read by OCR (check quotations against the original):", True))
        lines.extend((f"  {safe_path(file)}", False) for file in read_by_ocr)
        lines.append(("", False))
    # What the build said of a file it indexed ("decoded as cp1252", "unknown extension .xyz: read
    # as txt") is kept here: a first-use audit lost it once the build's output had scrolled away.
    warned = [(file, warning) for file, warning in status.warnings if (file, warning) not in by_ocr]
    if warned:
        lines.append(("Indexed with a warning:", True))
        lines.extend((f"  {safe_path(file)}: {safe_line(warning)}", False) for file, warning in warned)
        lines.append(("", False))
    if status.staleness is not None:
        staleness = status.staleness
        lines.append((f"Corpus {path(status.compared_with)}: {staleness.summary()}", staleness.stale))
        for label, files in (
            ("added", staleness.added),
            ("changed", staleness.changed),
            ("removed", staleness.removed),
        ):
            lines.extend((f"  {label}: {safe_path(file)}", False) for file in files)
        lines.append(("", False))
    if status.skipped:
        lines.append(("Not indexed:", True))
        lines.extend(
            (f"  {state}: {safe_path(file)}: {safe_line(reason)}", False) for file, state, reason in status.skipped
        )
        lines.append(("", False))
    return lines
