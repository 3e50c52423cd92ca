"""Ingest: corpus folder -> files -> extracted lines -> cleaned lines -> documents.

``discover_files`` finds what to read (and reports what it will not read, with reasons);
``extract_file`` reads one file in its format; ``documents_from_extraction`` cleans it and splits
it into documents (one per listed resource on a listing page). Every failure of a single file is
a ``FileReport`` with a reason, never an exception that stops a build.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..files import MIB, NotARegularFile, open_regular, read_regular
from ..models import Document, FileReport, Removal
from ..text import safe_url
from .base import Extraction, Line, SkipFile
from .budget import time_budget
from .catalogue import CATALOGUE_NAMES, Catalogue, CatalogueEntry, catalogue_path, entry_hash, load_catalogue
from .chrome import repeated_line_set, web_line_hashes
from .clean import CLEANING_VERSION, candidate_line_hashes, clean_lines
from .detect import UNSUPPORTED, check_package_size, sniff_format
from .formats import BY_NAME, formats_for_suffix, is_web_like
from .metadata import EXAMPLE_NAME, choose_organisation, choose_title
from .structure import PageMetadata, build_documents

__all__ = [
    "CLEANING_VERSION",
    "Catalogue",
    "catalogue_path",
    "entry_hash",
    "infer_catalogue",
    "CorpusFile",
    "IngestedFile",
    "discover_files",
    "extract_file",
    "documents_from_extraction",
    "ingest_file",
    "load_catalogue",
    "repeated_line_set",
    "web_line_hashes",
]

log = logging.getLogger(__name__)

_TEMPORARY = re.compile(
    r"^(?:~\$.*|\.~lock\..*|.*~|.*\.sw[a-p]|\.#.*|#.*#|.*\.(?:tmp|temp|part|crdownload|partial|bak|orig|rej)|"
    r"thumbs\.db|desktop\.ini|icon\r)$",
    re.I,
)


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    """Absolute path on disk."""
    relative: str
    """Path relative to the corpus folder, with forward slashes: the file's identity."""
    size: int
    mtime_ns: int


@dataclass
class IngestedFile:
    report: FileReport
    documents: list[Document] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    line_hashes: set[str] = field(default_factory=set)
    sha256: str = ""


IGNORE_FILE = ".guidanceignore"
"""Files and folders of the corpus never to index, in gitignore syntax (one pattern a line)."""
IGNORE_FILE_LIMIT = 1 * MIB


def load_ignore(corpus_dir: Path):
    """The corpus's ignore patterns (pathspec, gitignore semantics), or None when it has none.
    Matched with RE2, whose time is linear in the path: Python's own regular expressions
    backtrack, and a line such as ``*a*a*a*a*a*a*a*a*a*b`` would take minutes on a long name."""
    import pathspec

    try:
        lines = read_regular(corpus_dir / IGNORE_FILE, IGNORE_FILE_LIMIT).decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines, backend="re2")


def discover_files(
    corpus_dir: Path, catalogue_name: str, max_bytes: int, exclude: Path | None = None
) -> tuple[list[CorpusFile], list[FileReport]]:
    """Files to ingest, in path order, and reports for what will not be read.

    Hidden files and folders, temporary and editor files are skipped with a reason; symlinks are
    never followed (a loop, a target outside the corpus, or a duplicate of a file already in it),
    each reported; only regular files are opened (a FIFO or a device would block a build for
    ever); a folder that cannot be read is reported, not passed over; files over the size limit
    are skipped with the limit named; ``exclude`` (the index folder, when it lies inside the
    corpus) is never read."""
    root = corpus_dir.resolve()
    if not root.is_dir():
        return [], []
    excluded = exclude.resolve() if exclude is not None else None
    ignore = load_ignore(root)
    found: list[CorpusFile] = []
    skipped: list[FileReport] = []

    def unreadable(error: OSError) -> None:
        where = Path(error.filename).resolve() if error.filename else root
        relative = where.relative_to(root).as_posix() if where != root and where.is_relative_to(root) else "."
        skipped.append(
            FileReport(path=relative + "/", status="skipped", reason=f"folder cannot be read: {error.strerror}")
        )

    for directory, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable):
        base = Path(directory)
        for name in sorted(dirnames):
            full = base / name
            relative = full.relative_to(root).as_posix()
            unusable = _unusable_name(full, relative)
            if unusable:
                dirnames.remove(name)
                skipped.append(FileReport(path=_printable(relative) + "/", status="skipped", reason=unusable))
            elif name.startswith("."):
                dirnames.remove(name)
                skipped.append(FileReport(path=relative + "/", status="skipped", reason="hidden folder"))
            elif full.is_symlink():
                dirnames.remove(name)
                skipped.append(FileReport(path=relative + "/", status="skipped", reason=_symlink_reason(full, root)))
            elif excluded is not None and full.resolve() == excluded:
                dirnames.remove(name)
                skipped.append(
                    FileReport(path=relative + "/", status="skipped", reason="the index folder itself: never indexed")
                )
            elif ignore is not None and ignore.match_file(relative + "/"):
                dirnames.remove(name)
                skipped.append(FileReport(path=relative + "/", status="skipped", reason=f"excluded by {IGNORE_FILE}"))
        dirnames.sort()
        for name in sorted(filenames):
            full = base / name
            relative = full.relative_to(root).as_posix()
            if relative in (catalogue_name, IGNORE_FILE):
                continue
            if relative in CATALOGUE_NAMES:
                # A second catalogue beside the one read is no document either, and its entries
                # are not used: said, so that nobody edits it in vain.
                skipped.append(
                    FileReport(
                        path=relative,
                        status="skipped",
                        reason=f"a second catalogue: {catalogue_name} is the one read; merge this one into it, or "
                        "remove one of them",
                    )
                )
                continue
            unusable = _unusable_name(full, relative)
            if unusable:
                skipped.append(FileReport(path=_printable(relative), status="skipped", reason=unusable))
                continue
            if ignore is not None and ignore.match_file(relative):
                skipped.append(FileReport(path=relative, status="skipped", reason=f"excluded by {IGNORE_FILE}"))
                continue
            if name.startswith("."):
                skipped.append(FileReport(path=relative, status="skipped", reason="hidden file"))
                continue
            if _TEMPORARY.match(name):
                skipped.append(FileReport(path=relative, status="skipped", reason="temporary or editor file"))
                continue
            if full.is_symlink():
                skipped.append(FileReport(path=relative, status="skipped", reason=_symlink_reason(full, root)))
                continue
            try:
                status = full.stat()
            except OSError as error:
                skipped.append(FileReport(path=relative, status="skipped", reason=f"cannot read: {error.strerror}"))
                continue
            if not stat.S_ISREG(status.st_mode):
                skipped.append(
                    FileReport(
                        path=relative,
                        status="skipped",
                        reason="not a regular file (a pipe, socket or device): never opened",
                    )
                )
                continue
            if status.st_size > max_bytes:
                skipped.append(
                    FileReport(
                        path=relative,
                        status="skipped",
                        reason=f"too large: {status.st_size / 1e6:.1f} MB over the {max_bytes / 1e6:.0f} MB limit "
                        "(ASSISTANT_INGEST__MAX_FILE_MB)",
                    )
                )
                continue
            found.append(CorpusFile(path=full, relative=relative, size=status.st_size, mtime_ns=status.st_mtime_ns))
    found.sort(key=lambda f: f.relative)
    skipped.sort(key=lambda r: r.path)
    return found, skipped


MAX_PATH_BYTES = 4000
"""Longest corpus path read, in bytes (the system refuses paths of more than 4,096)."""


def _unusable_name(full: Path, relative: str) -> str | None:
    """Why a file or folder cannot be indexed by its name alone, or None: a name that is not
    text in any encoding (bytes a file system allows, and no citation can show), a path too long
    for the system to open."""
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid text (undecodable bytes): rename it to index it"
    if len(os.fsencode(full)) > MAX_PATH_BYTES:
        return f"its path is longer than {MAX_PATH_BYTES:,} bytes: move it higher up or shorten its folders' names"
    return None


def _printable(relative: str) -> str:
    """A path with undecodable bytes shown as replacement characters."""
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _symlink_reason(link: Path, root: Path) -> str:
    try:
        target = link.resolve(strict=True)
    except RuntimeError:
        return "symlink loop: not followed"
    except OSError as error:
        if getattr(error, "errno", None) == 40:  # ELOOP
            return "symlink loop: not followed"
        return "broken symlink: not followed"
    parent = link.parent.resolve()
    if target == parent or target in parent.parents:
        return "symlink loop (points at a folder that contains it): not followed"
    if not target.is_relative_to(root):
        return "symlink to a location outside the corpus: not followed"
    return f"symlink to {target.relative_to(root).as_posix()}, which is indexed under its own path"


def file_sha256(path: Path) -> str:
    """The sha256 of a regular file's bytes (``files.NotARegularFile`` for a pipe or device
    put in its place, a symlink refused: corpus symlinks are never followed)."""
    digest = hashlib.sha256()
    with open_regular(path, follow_symlinks=False) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def extract_file(corpus_file: CorpusFile) -> tuple[Extraction, str]:
    """Read and extract one file; returns the extraction and the sha256 of the bytes read.
    Raises SkipFile with the reason when the file cannot be indexed."""
    data = _read_regular_file(corpus_file.path)
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise SkipFile("empty file", status="empty")
    suffix = corpus_file.path.suffix.lower()
    kind = sniff_format(data, suffix)
    if kind in UNSUPPORTED:
        raise SkipFile(UNSUPPORTED[kind])
    check_package_size(data, kind)
    extraction = BY_NAME[kind].read(data)
    not_guidance = looks_like(corpus_file.path.name)
    if not_guidance:
        extraction.warnings.append(
            f"looks like {not_guidance}, not guidance: it is indexed; list it in {IGNORE_FILE} to leave it out"
        )
    expected = formats_for_suffix(suffix)
    if not expected:
        extraction.warnings.append(f"unknown extension {suffix or '(none)'}: content read as {kind}")
    elif kind not in expected:
        extraction.warnings.append(f"content is {kind}, not {suffix}: read as {kind}")
    return extraction, sha


_NOT_GUIDANCE_NAMES = re.compile(r"^(?:readme|changelog|changes|license|licence|copying|sources)(?:[._-].*)?$", re.I)
_DATA_SUFFIXES = {
    ".csv": "tabular data",
    ".tsv": "tabular data",
    ".json": "structured data",
    ".xml": "structured data",
    ".yaml": "structured data",
    ".yml": "structured data",
}


def looks_like(name: str) -> str | None:
    """What a file that a folder of documents often carries, but that is not guidance, seems to
    be by its name (a README, a list of sources, a spreadsheet export), or None. Building warns of
    such a file; each card of it says so (``Hit.not_guidance``)."""
    suffix = Path(name).suffix.lower()
    if suffix in _DATA_SUFFIXES:
        return _DATA_SUFFIXES[suffix]
    if _NOT_GUIDANCE_NAMES.match(name):
        return "a README, licence or list of sources"
    if EXAMPLE_NAME.search(Path(name).stem) or _FORM_NAME.search(Path(name).stem):
        # "Adult - Poor Referral ExampleLE.doc" is a training file's deliberately poor referral: a
        # first-use audit was shown it first, called a fair match, for what a police officer must
        # do; another kept a "best practice form"'s sample case for a client's own facts.
        return "an example, a template or a form"
    return None


_FORM_NAME = re.compile(r"\bforms?\b", re.IGNORECASE)
"""A form to fill in ("Adult - best practice form -LE.doc", "SERAF Risk Assessment Form.doc"):
its filled-in samples are not a case's facts, and its questions are not guidance."""


def _read_regular_file(path: Path) -> bytes:
    """The file's bytes; opened without blocking and checked to be a regular file first, so that
    a pipe or a device put in place of a file cannot stall a build."""
    try:
        with open_regular(path, follow_symlinks=False) as handle:
            return handle.read()
    except NotARegularFile:
        raise SkipFile("not a regular file (a pipe, socket or device): never opened") from None
    except OSError as error:
        raise SkipFile(f"cannot read: {error.strerror}") from None


def page_metadata(relative: str, extraction: Extraction, entry: CatalogueEntry | None) -> PageMetadata:
    """The catalogue wins over what the document says; title and organisation are chosen by
    ``metadata.py`` (title block, properties, first heading, file name; properties or cover)."""
    own = extraction.metadata
    web_page = extraction.format == "html"
    if entry and entry.title:
        title, title_source = entry.title, "catalogue"
    else:
        title, title_source = choose_title(own, extraction.lines, relative, web_page=web_page)
    year = (
        (entry.year if entry and entry.year else None)
        or _year_of(own.get("year"))
        or year_in_name(relative, _year_of(own.get("date")) or _year_of(own.get("file_date")))
        or _year_of(own.get("date"))
        or _file_year_printed(own.get("file_date"), extraction.lines)
    )
    language = entry.language if entry and entry.language else _language_name(own.get("language"))
    organisation = (entry.organisation if entry and entry.organisation else None) or choose_organisation(
        own, extraction.lines, title, web_page=web_page
    )
    return PageMetadata(
        path=relative,
        title=title,
        organisation=organisation,
        year=year,
        region=(entry.region if entry else None) or _text_or_none(own.get("region")),
        resource_types=[entry.resource_type]
        if entry and entry.resource_type
        else ([str(own["type"])] if own.get("type") else []),
        languages=[language] if language else [],
        url=(entry.url if entry and entry.url else None) or safe_url(_text_or_none(own.get("url"))),
        licence=(entry.licence if entry else None) or _text_or_none(own.get("licence") or own.get("license")),
        format=extraction.format,
        title_source=title_source,
    )


OPENING_LINES = 120
"""The lines of a document's opening (its cover, title page and contents) that a file's own date
must be printed in to be taken for its year."""


def _file_year_printed(file_date: object, lines: list[Line]) -> int | None:
    """The year of the date a file was made or saved (PDF CreationDate, Office and ODF created),
    only when the document's opening prints it: a scan made in 2026 of a 2004 handbook, or a
    report written from a 2013 template, would otherwise be cited with the wrong year."""
    year = _year_of(file_date)
    if year is None:
        return None
    opening = " ".join(line.text for line in lines[:OPENING_LINES])
    return year if re.search(rf"(?<!\d){year}(?!\d)", opening) else None


def year_in_name(relative: str, dated: int | None = None) -> int | None:
    """The year a file's name holds. A period ("annual-report-2021-2022", "statement-2017-18") is
    dated by the file itself when its date falls within it or the year after: an annual report
    for 2021-22 came out in 2022 (a first-use audit saw it cited as 2021), a strategy for
    2018-2021 in 2018; else by its first year."""
    stem = Path(relative).stem
    match = re.search(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)", stem)
    if not match:
        return None
    first = int(match.group(1))
    period = re.match(r"\s*[-_–]\s*(\d{4}|\d{2})(?!\d)", stem[match.end() :])
    if period and dated:
        last = int(period.group(1)) if len(period.group(1)) == 4 else first // 100 * 100 + int(period.group(1))
        if first < last <= first + 10 and first <= dated <= last + 1:
            return dated
    return first


_LANGUAGES = {
    "en": "English",
    "fr": "French",
    "nl": "Dutch",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "ar": "Arabic",
    "ru": "Russian",
    "zh": "Chinese",
    "id": "Indonesian",
    "vi": "Vietnamese",
    "th": "Thai",
}


def _language_name(value: object) -> str | None:
    text = _text_or_none(value)
    if not text:
        return None
    code = text.replace("_", "-").split("-")[0].lower()
    return _LANGUAGES.get(code, text if len(text) > 3 else None)


def _text_or_none(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _year_of(value: object) -> int | None:
    if value is None:
        return None
    match = re.search(r"\b(19\d{2}|20\d{2})\b", str(value))
    return int(match.group(1)) if match else None


def documents_from_extraction(
    relative: str, extraction: Extraction, catalogue: Catalogue, repeated: set[str] | frozenset[str]
) -> tuple[list[Document], list[Removal]]:
    """Clean an extraction and split it into documents."""
    web_like = is_web_like(extraction.format)
    removals = clean_lines(extraction.lines, repeated if web_like else frozenset(), web_like=web_like)
    page = page_metadata(relative, extraction, catalogue.get(relative))
    documents = build_documents(extraction.lines, page, removals)
    removals.sort(key=lambda r: r.line)
    return documents, removals


def ingest_file(
    corpus_file: CorpusFile,
    catalogue: Catalogue,
    repeated: set[str] | frozenset[str] = frozenset(),
    max_seconds: float = 120.0,
) -> IngestedFile:
    """Extract, clean and split one file: the one path a build, ``clean`` and the tests use.
    Never raises for a bad file: the report says why, and the file's hash is kept so that an
    unchanged bad file is not read again on every build. Reading stops after ``max_seconds``."""
    try:
        with time_budget(max_seconds):
            extraction, sha = extract_file(corpus_file)
    except SkipFile as skip:
        return IngestedFile(
            report=FileReport(path=corpus_file.relative, status=skip.status, reason=skip.reason),
            sha256=_sha_or_empty(corpus_file.path),
        )
    except Exception as error:  # a reader bug or a file shape nobody anticipated: report, go on
        log.warning("unexpected error reading %s: %s: %s", corpus_file.relative, type(error).__name__, error)
        return IngestedFile(
            report=FileReport(
                path=corpus_file.relative,
                status="skipped",
                reason=f"could not be read ({type(error).__name__}: {error})",
            ),
            sha256=_sha_or_empty(corpus_file.path),
        )
    return ingest_extraction(corpus_file.relative, extraction, sha, catalogue, repeated)


def _sha_or_empty(path: Path) -> str:
    try:
        return file_sha256(path)
    except OSError:
        return ""


_HAS_WORDS = re.compile(r"[^\W\d_]{2,}")
"""A word of two letters or more: a document without one has nothing to find (a file of
punctuation would otherwise fill the index with passages of symbols)."""


def ingest_extraction(
    relative: str, extraction: Extraction, sha: str, catalogue: Catalogue, repeated: set[str] | frozenset[str]
) -> IngestedFile:
    line_hashes = candidate_line_hashes(extraction.lines) if is_web_like(extraction.format) else set()
    chars_extracted = sum(len(line.text) for line in extraction.lines if line.kind != "blank" or line.removed)
    try:
        documents, removals = documents_from_extraction(relative, extraction, catalogue, repeated)
    except Exception as error:
        log.warning("unexpected error structuring %s: %s: %s", relative, type(error).__name__, error)
        return IngestedFile(
            report=FileReport(
                path=relative, status="skipped", reason=f"could not be processed ({type(error).__name__}: {error})"
            ),
            sha256=sha,
        )
    cleaned = bool(documents)
    documents = [d for d in documents if _HAS_WORDS.search(d.text)]
    labels = extraction.metadata.get("page_labels")
    if isinstance(labels, dict):
        for document in documents:
            document.page_labels = dict(labels)
    if extraction.metadata.get("ocr"):
        for document in documents:
            document.ocr = True
    report = FileReport(
        path=relative,
        status="indexed" if documents else "empty",
        reason=None
        if documents
        else ("no words: only punctuation, symbols or numbers" if cleaned else "no text left after cleaning"),
        format=extraction.format,
        documents=len(documents),
        chars_extracted=chars_extracted,
        chars_removed=sum(len(r.text) for r in removals),
        warnings=list(extraction.warnings),
    )
    return IngestedFile(report=report, documents=documents, removals=removals, line_hashes=line_hashes, sha256=sha)


def infer_catalogue(
    corpus_dir: Path, catalogue_name: str = "catalogue.toml", max_bytes: int = 64 << 20
) -> list[tuple[CatalogueEntry, str]]:
    """What the files of a folder say about themselves, as catalogue entries for a person to
    check and correct: (entry, note) per file, the note saying where each value came from or why
    the file gives nothing (skipped, empty)."""
    files, skipped = discover_files(corpus_dir, catalogue_name, max_bytes)
    entries: list[tuple[CatalogueEntry, str]] = []
    for corpus_file in files:
        ingested = ingest_file(corpus_file, Catalogue())
        if not ingested.documents:
            entries.append(
                (CatalogueEntry(path=corpus_file.relative), f"{ingested.report.status}: {ingested.report.reason}")
            )
            continue
        document = ingested.documents[0]
        entries.append(
            (
                CatalogueEntry(
                    path=corpus_file.relative,
                    title=document.title,
                    organisation=document.organisation,
                    year=document.year,
                ),
                "inferred: check the title, organisation and year"
                + ("" if document.organisation else " (no organisation stated in the file)"),
            )
        )
    entries.extend(
        (CatalogueEntry(path=report.path.rstrip("/")), f"{report.status}: {report.reason}")
        for report in skipped
        if not report.path.endswith("/")
    )
    return sorted(entries, key=lambda item: item[0].path)
