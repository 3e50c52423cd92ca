"""The corpus catalogue (``corpus/catalogue.toml``, or ``catalogue.csv`` as organisations keep
their resource lists in spreadsheets): what is known about each file from outside it. The
catalogue wins over what a file says about itself.

Values are data: each is sanitised (no control or bidi characters, one line) and limited in size
when read. A catalogue that cannot be read, or an entry that is malformed, is an error naming the
entry; an entry listed twice, or one that names no file of the corpus, is a warning."""

from __future__ import annotations

import csv
import hashlib
import io
import posixpath
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import CatalogueError
from ..files import MIB, read_regular_text
from ..text import safe_line, safe_url, strip_control

MAX_VALUE_CHARS = 2000
"""Longest catalogue value accepted (a title, a URL): longer ones are mistakes, and cost time in
every chunk that repeats them."""
LONG_TITLE_CHARS = 300
"""A catalogue title longer than this is most likely a description or an abstract pasted into the
title column: it is kept, with a warning (cards cut it; a full citation prints it whole)."""
CATALOGUE_LIMIT = 64 * MIB
"""Largest catalogue file read (100,000 entries take about 20 MB)."""


class CatalogueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    path: str
    title: str | None = None
    organisation: str | None = None
    url: str | None = None
    year: int | None = Field(default=None, ge=1000, le=2100)
    region: str | None = None
    resource_type: str | None = Field(default=None, alias="type")
    language: str | None = None
    licence: str | None = None

    @field_validator("path")
    @classmethod
    def _path_as_written(cls, value: str) -> str:
        # A file name keeps its own spacing ("Structure  Members.pdf"): only control characters go.
        if len(value) > MAX_VALUE_CHARS:
            raise ValueError(f"longer than {MAX_VALUE_CHARS} characters")
        return strip_control(value).strip()

    @field_validator("title", "organisation", "url", "region", "resource_type", "language", "licence")
    @classmethod
    def _one_safe_line(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value) > MAX_VALUE_CHARS:
            raise ValueError(f"longer than {MAX_VALUE_CHARS} characters")
        return safe_line(value) or None

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = safe_url(value)
        if url is None:
            raise ValueError("not an http(s) web address")
        return url


class Catalogue(BaseModel):
    entries: dict[str, CatalogueEntry] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)

    def get(self, relative_path: str) -> CatalogueEntry | None:
        return self.entries.get(relative_path)

    def unmatched(self, corpus_paths: set[str]) -> list[str]:
        """Warnings for entries that name no file of the corpus (with a near match, if any)."""
        folded = {p.casefold(): p for p in corpus_paths}
        warnings = []
        for path in sorted(set(self.entries) - corpus_paths):
            near = folded.get(path.casefold())
            hint = f" (did you mean {near!r}?)" if near else ""
            warnings.append(f"catalogue entry {path!r} names no file of the corpus{hint}: it is not used")
        return warnings

    def not_listed(self, corpus_paths: set[str]) -> list[str]:
        """A warning naming the corpus's files that a catalogue with entries leaves out: their
        titles come from the files (a first-use audit found one only as "risk incicators" among
        catalogued titles)."""
        missing = sorted(corpus_paths - set(self.entries)) if self.entries else []
        if not missing:
            return []
        named = ", ".join(repr(path) for path in missing[:NOT_LISTED_NAMED])
        more = f" and {len(missing) - NOT_LISTED_NAMED} more" if len(missing) > NOT_LISTED_NAMED else ""
        files = "1 file is" if len(missing) == 1 else f"{len(missing)} files are"
        return [
            f"{files} not in the catalogue: {named}{more}; titles, organisations and years are taken from the files "
            "themselves"
        ]


NOT_LISTED_NAMED = 5
"""Files a catalogue leaves out, named in the build's warning before "and N more"."""


def normalise_path(path: str) -> str:
    """The form a corpus path takes in the index: forward slashes, no ``./``, no ``..`` steps."""
    return posixpath.normpath(path.replace("\\", "/")).lstrip("/")


CSV_COLUMNS = {
    "path": "path",
    "file": "path",
    "filename": "path",
    "file name": "path",
    "title": "title",
    "organisation": "organisation",
    "organization": "organisation",
    "publisher": "organisation",
    "url": "url",
    "link": "url",
    "web address": "url",
    "year": "year",
    "region": "region",
    "country": "region",
    "type": "type",
    "resource type": "type",
    "language": "language",
    "licence": "licence",
    "license": "licence",
}
"""CSV headers understood (case and surrounding spaces aside); other columns are ignored."""


def entry_hash(entry: CatalogueEntry | None) -> str:
    """A short hash of a file's catalogue entry ("" for none): recorded per file at build time,
    so that editing an entry re-reads the file, and ``index status`` says the file changed."""
    return hashlib.sha256(entry.model_dump_json().encode()).hexdigest()[:16] if entry else ""


CATALOGUE_NAMES = ("catalogue.toml", "catalogue.csv")
"""The names a catalogue goes by at the top of a corpus (the first is read when both are there)."""


def catalogue_path(corpus_dir: Path, name: str) -> Path:
    """The catalogue file of a corpus: ``name``, else a ``catalogue.csv`` beside it."""
    named = corpus_dir / name
    if not named.exists() and name == CATALOGUE_NAMES[0] and (corpus_dir / CATALOGUE_NAMES[1]).is_file():
        return corpus_dir / CATALOGUE_NAMES[1]
    return named


def load_catalogue(path: Path) -> Catalogue:
    """Read the catalogue (TOML ``[[file]]`` tables, or a CSV with a header row); a missing file
    is an empty catalogue, a malformed one an error naming the entry."""
    if not path.exists():
        return Catalogue()
    if not path.is_file():
        raise CatalogueError(f"{path} is not a file: remove it, or make it the TOML catalogue")
    try:
        content = read_regular_text(path, CATALOGUE_LIMIT, encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise CatalogueError(f"{path}: not UTF-8 text ({error})") from error
    except OSError as error:
        raise CatalogueError(f"{path}: cannot be read ({error.strerror})") from error
    data: dict = {}  # a TOML catalogue's tables
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path, content)
        raw_entries, places = [raw for _, raw in rows], [("line", line) for line, _ in rows]
    else:
        try:
            data = tomllib.loads(content)
        except tomllib.TOMLDecodeError as error:
            raise CatalogueError(f"{path}: not valid TOML ({error})") from error
        except (RecursionError, ValueError):
            # tomllib raises these itself for values nested thousands deep or integers of
            # thousands of digits.
            raise CatalogueError(f"{path}: not a catalogue (values nested too deep, or a number too long)") from None
        raw_entries = data.get("file", [])
        if not isinstance(raw_entries, list) or not all(isinstance(e, dict) for e in raw_entries):
            raise CatalogueError(f"{path}: `file` must be a list of [[file]] tables")
        places = [("[[file]] entry", n) for n in range(1, len(raw_entries) + 1)]
    entries: dict[str, CatalogueEntry] = {}
    warnings: list[str] = []
    if unread := sorted(key for key in data if key != "file"):
        # `["a.md"]` tables with a title each were read as no catalogue at all, without a word (a
        # first-use audit).
        named = ", ".join(repr(safe_line(key)[:60]) for key in unread[:5]) + (" ..." if len(unread) > 5 else "")
        warnings.append(
            f"catalogue: {named} {'is' if len(unread) == 1 else 'are'} not read: only [[file]] entries are "
            '(each with path = "the file", then title, organisation, year...)'
        )
    positions: dict[str, int] = {}
    invalid: list[str] = []
    for (noun, number), raw in zip(places, raw_entries):
        try:
            entry = CatalogueEntry.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(_problem(e) for e in error.errors())
            # Named by its file too: "entry 9" sends a reader counting (a first-use audit).
            named = raw.get("path") if isinstance(raw.get("path"), str) else None
            which = f"{noun} {number} ({safe_line(named)[:80]!r})" if named else f"{noun} {number}"
            invalid.append(f"{which}: {problems}")
            continue
        key = normalise_path(entry.path)
        if key in entries:
            nouns = "lines" if noun == "line" else "[[file]] entries"
            warnings.append(
                f"catalogue {nouns} {positions[key]} and {number} both describe {key!r}: {noun} {number} is used"
            )
        if entry.title and len(entry.title) > LONG_TITLE_CHARS:
            warnings.append(
                f"catalogue {noun} {number} ({key!r}): the title is {len(entry.title):,} characters long; is it a "
                "description? Cards cut it; full citations print it whole"
            )
        entries[key] = entry
        positions[key] = number
    if len(invalid) == 1:
        raise CatalogueError(f"{path}: {invalid[0]}")
    if invalid:
        # Every entry to fix at once: one at a time, a first-use audit fixed, built and met the next.
        raise CatalogueError(f"{path}: {len(invalid)} entries to fix: " + " | ".join(invalid))
    return Catalogue(entries=entries, warnings=warnings)


def _problem(error) -> str:
    """One check an entry failed, in words that name the fix (not the validation library's)."""
    field = ".".join(map(str, error["loc"]))
    if field == "year" and (
        error["type"].startswith("int") or error["type"] in ("greater_than_equal", "less_than_equal")
    ):
        # 20021 or 21 as well as "Feb 2021": the fix is the same (a first-use audit met the
        # validation library's "Input should be less than or equal to 2100").
        return (
            f"year: {str(error.get('input'))[:40]!r} is not a year from 1000 to 2100: write it as four digits, such as "
            "2021"
        )
    return f"{field}: {error['msg'].removeprefix('Value error, ')}"


def _csv_rows(path: Path, content: str) -> list[tuple[int, dict]]:
    """The rows of a CSV catalogue as entries, each with its line in the file (the row number a
    spreadsheet shows): known columns renamed, empty cells and rows without a file name left
    out, the year read as a number. Columns may be separated by commas, or by semicolons or tabs
    as some spreadsheets save them."""
    header = content.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in header), ",")
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    try:
        return _csv_entries(path, reader)
    except csv.Error as error:
        # A cell over the csv module's field limit (131,072 characters), a NUL byte.
        raise CatalogueError(f"{path}: line {reader.line_num}: not a CSV row ({error})") from None


def _csv_entries(path: Path, reader: csv.DictReader) -> list[tuple[int, dict]]:
    if not reader.fieldnames or not any(
        (h or "").strip().casefold() in CSV_COLUMNS and CSV_COLUMNS[(h or "").strip().casefold()] == "path"
        for h in reader.fieldnames
    ):
        raise CatalogueError(f"{path}: a CSV catalogue needs a header row with a path, file or filename column")
    rows = []
    for row in reader:
        entry: dict[str, object] = {}
        for header, value in row.items():
            key = CSV_COLUMNS.get((header or "").strip().casefold())
            if key and isinstance(value, str) and value.strip() and key not in entry:
                entry[key] = value.strip()
        if "year" in entry:
            year = str(entry["year"])
            # Only plain digits are a number ("²" is a digit to str.isdigit, and int() refuses
            # thousands of digits): anything else stays text, which the entry's check names.
            entry["year"] = int(year) if year.isascii() and year.isdigit() and len(year) <= 6 else year
        if entry.get("path"):
            rows.append((reader.line_num, entry))
    return rows


def render_catalogue(entries: list[tuple[CatalogueEntry, str]]) -> str:
    """A TOML catalogue with a comment above each entry (what was inferred, or why not)."""
    import json

    lines = [
        "# Catalogue of this folder: what is known about each file from outside it. Values here win",
        "# over what the files say about themselves. Written by `python -m assistant catalogue init`",
        "# from what each file states: check every entry, correct it, and remove what you cannot confirm.",
        "# Keys: path, title, organisation, year, url, region, type, language, licence.",
        "",
    ]
    for entry, note in entries:
        lines.append(f"# {safe_line(note)}")
        lines.append("[[file]]")
        for key in ("path", "title", "organisation", "year", "url", "region", "resource_type", "language", "licence"):
            value = getattr(entry, key)
            if value is None:
                continue
            name = "type" if key == "resource_type" else key
            lines.append(
                f"{name} = {value}" if isinstance(value, int) else f"{name} = {json.dumps(value, ensure_ascii=False)}"
            )
        lines.append("")
    return "\n".join(lines)
