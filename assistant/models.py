"""Pydantic models for everything that crosses a stage boundary.

ingest -> ``Document`` (with ``Block`` spans) -> chunk -> ``Chunk`` -> embed/index -> retrieve ->
``Hit`` (with ``DocumentInfo``, ``Location``, ``Citation``) inside an ``Answer``. The index on
disk is described by an ``IndexManifest``; a build by a ``BuildReport``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from .text import json_text, safe_line

SCHEMA_VERSION = 8
"""Version of the on-disk index layout (SQLite schema, FAISS ids, manifest fields)."""

Mode = Literal["lexical", "dense", "hybrid"]
"""How passages are found: BM25 alone, the model's vectors alone, or both combined."""
MODES: tuple[Mode, ...] = get_args(Mode)

BlockKind = Literal["heading", "paragraph", "list_item", "table_row"]
FileStatus = Literal["indexed", "skipped", "empty"]


class Block(BaseModel):
    """A span of a document's text: a paragraph, list item or heading, with where it sits."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    kind: BlockKind = "paragraph"
    section: tuple[str, ...] = ()
    """Heading path the block sits under, outermost first."""
    page: int | None = None
    """1-based page (PDF) or slide (pptx) where the block starts; None for flowing text."""
    page_end: int | None = None
    """Page where the block ends, when it runs over a page break."""
    page_starts: tuple[tuple[int, int], ...] = ()
    """In a block that runs over page breaks, where in the text each later page begins, and the
    page: a passage from the block's second half is on its last page alone (empty: not known,
    and the block's pages are cited whole)."""

    def pages_between(self, start: int, end: int) -> tuple[int | None, int | None]:
        """(first page, last page) of the block's text from ``start`` to ``end``."""
        if self.page is None:
            return None, None
        first, last = self.page, self.page_end or self.page
        if self.page_starts:
            first = max([self.page, *(page for offset, page in self.page_starts if offset <= start)])
            last = max([self.page, *(page for offset, page in self.page_starts if offset < end)])
        return first, last


class DocumentInfo(BaseModel):
    """What a citation and a result need to know about a document (everything but its text)."""

    id: str
    """Stable id: the file path, plus ``#N`` for the N-th resource record of a listing page."""
    path: str
    """Path of the source file, relative to the corpus folder, with forward slashes."""
    title: str
    organisation: str | None = None
    year: int | None = None
    region: str | None = None
    resource_types: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    url: str | None = None
    licence: str | None = None
    format: str = "txt"
    source_title: str | None = None
    """For a resource record: the title of the page that lists it."""
    record: int | None = None
    """For a resource record: its 1-based position among the page's records."""
    source_line: int | None = None
    """1-based line of the source file where this document starts."""
    ocr: bool = False
    """The text was recognised by OCR from page images (a scan without a text layer), so a
    quotation may carry recognition errors: citations say so."""
    page_labels: dict[int, str] = Field(default_factory=dict, exclude=True)
    """The number printed on each page where it differs from the PDF's page number (from the
    PDF's page labels): citations give both. Not part of the JSON output."""


def pages_of_span(blocks: list[Block], start: int, end: int) -> tuple[int | None, int | None]:
    """(first page, last page) of the document's text from ``start`` to ``end``, from the
    pages of the structure spans it overlaps ((None, None): flowing text)."""
    pages = [b.pages_between(start, end) for b in blocks if b.start < end and start < b.end and b.page is not None]
    if not pages:
        return None, None
    return min(p for p, _ in pages), max(p for _, p in pages)


_PASSAGE_ID = re.compile(r"([0-9]{1,18})(?:@([0-9]{1,12})-([0-9]{1,12}))?")


class PassageId(BaseModel):
    """What ``cite`` takes: a stored passage ("42"), or a card cut from the document's text
    around it ("42@1200-1850": the passage whose words it starts from, and the card's offsets in
    the document's cleaned text), whose citation gives the pages of exactly that text."""

    chunk_id: int
    span: tuple[int, int] | None = None

    @classmethod
    def parse(cls, text: str) -> PassageId | None:
        # As `ask` prints it ("chunk 42") or a CSL-JSON id ("chunk-42").
        found = _PASSAGE_ID.fullmatch(re.sub(r"^chunk[\s-]*", "", text.strip(), flags=re.IGNORECASE))
        if found is None:
            return None
        chunk, start, end = found.groups()
        if start is None:
            return cls(chunk_id=int(chunk))
        return cls(chunk_id=int(chunk), span=(int(start), int(end))) if int(start) < int(end) else None

    def __str__(self) -> str:
        return f"{self.chunk_id}" if self.span is None else f"{self.chunk_id}@{self.span[0]}-{self.span[1]}"


class Document(DocumentInfo):
    """A cleaned document: its text and the structure spans that the chunker follows."""

    text: str
    blocks: list[Block] = Field(default_factory=list)

    def info(self) -> DocumentInfo:
        return DocumentInfo(**self.model_dump(include=set(DocumentInfo.model_fields)), page_labels=self.page_labels)


class Chunk(BaseModel):
    """A passage of one document: ``document.text[char_start:char_end] == text``."""

    id: int | None = None
    """SQLite rowid, which is also the FAISS id; None until stored."""
    document_id: str
    ordinal: int
    text: str
    char_start: int
    char_end: int
    section: tuple[str, ...] = ()
    page: int | None = None
    page_end: int | None = None
    token_count: int
    """Word pieces of ``text`` alone (no special tokens)."""
    language: str | None = None
    """ISO 639-1 code guessed from the text (None when too short to tell)."""
    embed_text: str = ""
    """What the model embeds: context (title, section) + text. Never longer than the model keeps."""
    embed_token_count: int = 0
    """Word pieces of ``embed_text`` including the two special tokens."""


class Removal(BaseModel):
    """One piece of text that cleaning dropped, and the rule that dropped it."""

    line: int
    """1-based line of the extracted text."""
    text: str
    reason: str


class FileReport(BaseModel):
    """The outcome of ingesting one file."""

    path: str
    status: FileStatus
    reason: str | None = None
    """Why a file was skipped or empty; None when indexed."""
    format: str | None = None
    documents: int = 0
    chunks: int = 0
    chars_extracted: int = 0
    chars_removed: int = 0
    warnings: list[str] = Field(default_factory=list)


class Citation(BaseModel):
    """Everything a report needs to cite one passage."""

    chunk_id: int
    title: str
    organisation: str | None = None
    year: int | None = None
    url: str | None = None
    section: str | None = None
    page: int | None = None
    page_end: int | None = None
    page_label: str | None = None
    """The page number printed on the page, where it differs from ``page`` (the PDF's)."""
    page_end_label: str | None = None
    path: str
    source_title: str | None = None
    resource_types: list[str] = Field(default_factory=list)
    indexed_at: datetime
    format: str | None = None
    """The document's format: a pptx 'page' is a slide, which a reference does not cite as a page."""
    ocr: bool = False
    """The passage's text was recognised by OCR from a scanned page."""

    def reference_key(self) -> tuple:
        """What makes two cited passages one entry of a reference list: the same document,
        section and pages. Passages on p. 137 and on pp. 137-138 are two entries, or the list
        would cite the second by the first's pages."""
        return (
            self.path,
            self.title,
            self.section,
            self.page,
            self.page_end or self.page,
            self.page_label,
            self.page_end_label,
        )


class Location(BaseModel):
    """Where a passage is in its document: its section path, its pages, its offsets."""

    section: str | None = None
    page: int | None = None
    """1-based PDF page (or slide) where the passage starts; None for flowing text."""
    page_end: int | None = None
    """The PDF page (or slide) where it ends (``page`` again for a passage on one page)."""
    page_label: str | None = None
    """The page number printed on its first page, where it differs from ``page``."""
    page_end_label: str | None = None
    """The page number printed on its last page, where it differs from ``page_end``."""
    char_start: int
    char_end: int


class Hit(BaseModel):
    """One ranked passage. Its text is verbatim from the document."""

    rank: int
    score: float
    chunk_id: int
    text: str
    document: DocumentInfo
    location: Location
    citation: Citation
    highlights: list[tuple[int, int]] = Field(default_factory=list)
    """Char offsets, inside ``text``, of the sentence(s) that best match the question."""
    dense_score: float | None = None
    lexical_score: float | None = None
    also_at: list[Citation] = Field(default_factory=list)
    """Where the same passage, word for word or nearly, is also found (another page, another file)."""
    confidence: Literal["strong", "fair", "weak"] | None = None
    """How likely the passage is to answer, in words, from the learned ranker's probability
    (None without it): see ``retrieve.confidence``."""
    shown_before: bool = False
    """In a conversation: the card overlaps a card of the answer before (``conversation.Thread.ask``
    marks it, so that a passage read already is not taken for a new one)."""
    thread_document: bool = False
    """In a conversation: the card ranked higher as a passage of the last answer's documents (a
    follow-up's thread), so it may come before a card that matches more strongly."""
    closest: bool = False
    """Shown under a refusal as one of the passages closest to the question: the search does not
    take it for an answer (``Answer.closest``)."""
    list_goes_on: bool = False
    """The card ends on an item of a list that the document goes on with (``passages.list_goes_on``)."""
    other_nations: str | None = None
    """Said when the document's title names only other UK nations than the question does and
    the passage names none of the question's ("the document is for England and Wales; the
    question names Scotland"; ``contrasts.other_nations_note``)."""
    not_guidance: str | None = None
    """What the card's file looks like when its name says it is not guidance ("tabular data": a
    library's own catalogue was a first-use audit's first card; ``ingest.looks_like``)."""
    other_group: str | None = None
    """Said when the document's title or the card's section heading names only another group of
    people than the question ("the heading names adults; the question names children";
    ``contrasts.other_group_note``)."""
    among_myths: bool = False
    """The passage is from a section on myths or labels a myth (``text.among_myths``): none of its
    sentences is highlighted, and the card says a sentence may be the myth."""
    passage_id: str = ""
    """What ``cite`` takes for this card (``PassageId``): the chunk id, or, for a card that runs
    onto pages its stored passage does not cover, the chunk id and the card's offsets."""


NO_ANSWER = (
    "The search found no passage that answers this question. The documents may still cover it in other "
    "words: try the terms a guidance document would use."
)
NO_DOCUMENT_MATCHES = "No document matches the filters, so no passage within them can answer this question."
FILTERED_OUT = (
    "The search found no passage within the filters that answers this question, but passages outside them do: clear "
    "the filters to see them."
)
"""The refusals, each said one way: the CLI, the JSON and the terminal UI show ``Answer.message``. A
refusal says what the search found, never that the documents are silent: a first-use audit's nurse
was told "no passage in the corpus answers" of a question the statutory guidance answers in other
words, and read it as "the guidance is silent"."""
OUTSIDE_FILTERS = "a passage outside the filters matches this question more strongly: clear the filters to see it"
"""Said beside an answer within filters whose first card is not strong, when the first card
without the filters is strong and outside them."""
UNDATED_LEFT_OUT = (
    "a year filter leaves out every document that gives no year: the passage outside the filters is of one"
)
"""Said beside ``OUTSIDE_FILTERS`` or ``FILTERED_OUT`` when a year filter left out the first card
of the whole corpus because its document has no year (a first-use audit could not tell why)."""


class Answer(BaseModel):
    """The result of one question: ranked passages, or an abstention."""

    query: str
    abstained: bool
    hits: list[Hit] = Field(default_factory=list)
    message: str | None = None
    """Plain statement shown instead of results when abstaining (always set then)."""
    notices: list[str] = Field(default_factory=list)
    """Things the user should know about how the question was handled."""
    mode: Mode = "hybrid"
    best_dense_score: float | None = None
    filtered_out: bool = False
    """Refused because of the filters: without them, passages answer (clearing them shows them)."""
    searched_for: str | None = None
    """What was searched, when it is not the question as typed (misspelt words corrected)."""
    corrections: list[tuple[str, str]] = Field(default_factory=list)
    """(word as typed, word searched) for each misspelt word corrected."""
    context_words: list[str] = Field(default_factory=list)
    """Words of earlier questions of a conversation searched with this one."""
    closest: list[Hit] = Field(default_factory=list)
    """When abstained (neither for the filters nor for a year no passage names): the passages
    closest to the question, which the search does not take for an answer, for the reader to
    judge. Never counted as answers (``hits`` stays empty)."""

    def cards(self) -> list[Hit]:
        """The cards shown: the answer's, or under a refusal the closest passages."""
        return self.hits or self.closest


class Filters(BaseModel):
    """Restrict a search to documents with these properties (all given ones must hold)."""

    regions: list[str] = Field(default_factory=list)
    resource_types: list[str] = Field(default_factory=list)
    organisations: list[str] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list)
    """Document ids or source paths."""
    year_from: int | None = None
    year_to: int | None = None

    def is_empty(self) -> bool:
        return not (
            self.regions
            or self.resource_types
            or self.organisations
            or self.documents
            or self.year_from is not None
            or self.year_to is not None
        )

    def describe(self, document_titles: dict[str, str] | None = None) -> str:
        """The filters in words, a document by its title where known ("only within: Seeing the
        Unseen; year: 2020–…"); empty for none."""
        parts = []
        if self.documents:
            titles = document_titles or {}
            parts.append("only within: " + "; ".join(safe_line(titles.get(d, d)) for d in self.documents))
        if self.regions:
            parts.append("region: " + ", ".join(map(safe_line, self.regions)))
        if self.resource_types:
            parts.append("type: " + ", ".join(map(safe_line, self.resource_types)))
        if self.organisations:
            parts.append("organisation: " + ", ".join(map(safe_line, self.organisations)))
        if self.year_from or self.year_to:
            parts.append(f"year: {self.year_from or '…'}–{self.year_to or '…'}")
        return "; ".join(parts)


class ThreadFocus(BaseModel):
    """What a follow-up that carries the thread knows of the last answer: the documents of its
    first cards (their passages rank higher: a follow-up is most often answered there) and the
    passages it showed (read already: a follow-up asks something else); and what any question
    of the topic knows of it: the nation it named."""

    documents: list[str] = Field(default_factory=list)
    """Document ids."""
    passages: list[int] = Field(default_factory=list)
    """Chunk ids."""
    nations: list[str] = Field(default_factory=list)
    """The words naming the UK nation the topic's questions named ("Scotland"): a card of another
    nation's guidance says so, whether or not the question carries the thread's words ("how
    long is the recovery period?" after a question about Scotland: a first-use audit read the 45
    days of England and Wales as Scotland's)."""
    people: list[str] = Field(default_factory=list)
    """The groups of people the topic's newest question to name one named ("children" for "a 16
    year old boy"): a card headed for another group says so, as for ``nations`` ("does he need
    to consent?" after a question about a 16-year-old showed the adults' consent rule with no
    note; a first-use audit)."""


class ModelInfo(BaseModel):
    name: str
    dimension: int
    fingerprint: str
    max_seq_length: int


class ChunkerInfo(BaseModel):
    max_tokens: int
    overlap_tokens: int
    min_tokens: int
    paragraph_fill: float = 0.7
    lexical_context_weight: float = 0.4
    context: str
    max_context_tokens: int
    version: int


class FileEntry(BaseModel):
    sha256: str
    size: int
    mtime_ns: int
    status: FileStatus
    reason: str | None = None
    documents: int = 0
    chunks: int = 0
    catalogue_hash: str = ""
    """Hash of the file's catalogue entry: editing the entry re-ingests the file."""


class IndexCounts(BaseModel):
    files: int
    indexed_files: int
    skipped_files: int
    documents: int
    chunks: int
    vectors: int
    sentences: int = 0
    """Sentence units with their own vector (see chunk.sentence_units)."""


class VectorIndexInfo(BaseModel):
    kind: Literal["flat", "hnsw"]
    parameters: dict[str, int] = Field(default_factory=dict)


class IndexManifest(BaseModel):
    """manifest.json of one index generation, written last: its presence marks a whole index."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    generation: str
    created_at: datetime
    build_seconds: float
    corpus_dir: str
    model: ModelInfo
    chunker: ChunkerInfo
    ingest_version: str
    """Fingerprint of the ingestion and chunking code that built this index."""
    files: dict[str, FileEntry]
    counts: IndexCounts
    vector_index: VectorIndexInfo
    checksums: dict[str, str]
    """sha256 of each data file of the generation (``index.layout.DATA_FILES``)."""
    repeated_lines: list[str] = Field(default_factory=list)
    """Lines recognised as site chrome because many files repeat them (hashes)."""
    lexical_parameters: dict[str, float] = Field(default_factory=dict)
    """BM25 k1 and b of the lexical index."""
    background: Background | None = None
    """Best-match cosine of this index for unrelated questions (see retrieve/abstain.py)."""
    digest: str = ""
    """sha256 of this manifest's other fields: an edited manifest (a changed background, count or
    checksum) is detected like a damaged data file."""

    def content_digest(self) -> str:
        """Digest of the fields the manifest was written with: a field added later with a default
        (absent from an older manifest, so unset when it is read) does not change it."""
        return hashlib.sha256(self.model_dump_json(exclude={"digest"}, exclude_unset=True).encode("utf-8")).hexdigest()


class Background(BaseModel):
    """An index's best-match cosine for questions about unrelated subjects: mean and spread (see
    retrieve/abstain.py)."""

    mean: float
    std: float
    probes: int
    method: str = "mean"
    """How mean and spread were taken: "mean" over all probes (older indexes), or "lower-75"
    over the three quarters of probes that match the corpus least (see measure_background)."""


class BuildReport(BaseModel):
    """What a build did, for the summary line and ``index status``."""

    generation: str | None
    full: bool
    full_reason: str | None = None
    reread_reason: str | None = None
    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: int = 0
    files: list[FileReport] = Field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    catalogue_changed: list[str] = Field(default_factory=list)
    """Files read again because only their catalogue entry changed."""
    embed_seconds: float = 0.0
    seconds: float = 0.0
    peak_memory_mb: float | None = None
    """The building process's peak resident memory so far (None where the OS does not say)."""
    up_to_date: bool = False
    left_out: int = 0
    """Files of the corpus the new index leaves out (skipped or empty), this build's and those an
    earlier build found so and that have not changed since."""
    warnings: list[str] = Field(default_factory=list)
    """What the user should know about the corpus as a whole (catalogue entries for missing
    files, unreadable folders, a previous index found damaged)."""


# --- the `ask --json` contract (one object per question) ----------------------------------------


class ResultJSON(BaseModel):
    """One ranked passage in ``ask --json``."""

    model_config = ConfigDict(extra="forbid")

    rank: int
    score: float
    text: str
    document: DocumentInfo
    location: Location
    citation: str
    """The passage's citation as plain text (``cite --format text``)."""
    chunk_id: int
    passage_id: str = ""
    """What ``cite`` takes for this card: ``chunk_id``, or for a card that runs onto pages its
    stored passage does not cover, "chunk_id@start-end" (its offsets)."""
    highlights: list[tuple[int, int]] = Field(default_factory=list)
    dense_score: float | None = None
    lexical_score: float | None = None
    also_at: list[str] = Field(default_factory=list)
    """Citations (plain text) of near-identical passages elsewhere: the same text, further locations."""
    confidence: Literal["strong", "fair", "weak"] | None = None
    """How likely the passage is to answer, from the learned ranker (hybrid mode): strong, fair or weak."""
    shown_before: bool = False
    """The passage overlaps one the answer to the last ``--context`` question showed."""
    thread_document: bool = False
    """The passage ranked higher as one of the documents of the answer to the last ``--context``
    question."""
    other_nations: str | None = None
    """The document is for other UK nations than the question names (see ``Hit.other_nations``)."""
    other_group: str | None = None
    """The title or section heading names only another group of people than the question (see
    ``Hit.other_group``)."""
    list_goes_on: bool = False
    """The passage ends on an item of a list that the document goes on with."""
    not_guidance: str | None = None
    """What the passage's file looks like, by its name, when that is not guidance ("tabular data",
    see ``Hit.not_guidance``)."""
    among_myths: bool = False
    """The passage is from a list of myths (``Hit.among_myths``): no sentence is highlighted; last,
    as keys added to the contract are."""


class AnswerJSON(BaseModel):
    """Each line printed by ``ask --json``: scripts outside the repository rely on it. ``message``
    and ``notices`` appear only when there is something to say; a ``--batch`` line whose question
    was refused carries ``error`` instead of ``mode``."""

    model_config = ConfigDict(extra="forbid")

    query: str
    abstained: bool
    results: list[ResultJSON] = Field(default_factory=list)
    mode: Mode | None = None
    message: str | None = None
    notices: list[str] = Field(default_factory=list)
    searched_for: str | None = None
    """What was searched, when not the question as typed (misspelt words corrected, or words of
    earlier questions added)."""
    context_words: list[str] = Field(default_factory=list)
    """The words of earlier questions of the conversation (``ask --context``) searched with it."""
    closest: list[ResultJSON] = Field(default_factory=list)
    """When abstained: the passages closest to the question, which the search does not take for
    an answer (``confidence`` null); never counted in ``results``."""
    error: str | None = None

    def to_json(self) -> str:
        optional = {
            name
            for name in ("mode", "message", "notices", "searched_for", "context_words", "closest", "error")
            if not getattr(self, name)
        }
        return json_text(self.model_dump(mode="json", exclude=optional))
