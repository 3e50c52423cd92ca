"""The corpus catalogue (``corpus/catalogue.toml``): what is known about each file from outside it.
The catalogue wins over what a file says about itself.

Values are data: each is sanitised (no control or bidi characters, one line) and limited in size
when read. A catalogue that cannot be read, or an entry that is malformed, is an error naming the
entry; an entry listed twice, or one that names no file of the corpus, is a warning."""

from __future__ import annotations

import posixpath
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import CatalogueError
from ..text import safe_line, safe_url

MAX_VALUE_CHARS = 2000
"""Longest catalogue value accepted (a title, a URL): longer ones are mistakes, and cost time in
every chunk that repeats them."""


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

    @field_validator("path", "title", "organisation", "url", "region", "resource_type", "language", "licence")
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


def normalise_path(path: str) -> str:
    """The form a corpus path takes in the index: forward slashes, no ``./``, no ``..`` steps."""
    return posixpath.normpath(path.replace("\\", "/")).lstrip("/")


def load_catalogue(path: Path) -> Catalogue:
    """Read the catalogue; a missing file is an empty catalogue, a malformed one an error."""
    if not path.exists():
        return Catalogue()
    if not path.is_file():
        raise CatalogueError(f"{path} is not a file: remove it, or make it the TOML catalogue")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{path}: not valid TOML ({error})") from error
    except OSError as error:
        raise CatalogueError(f"{path}: cannot be read ({error.strerror})") from error
    raw_entries = data.get("file", [])
    if not isinstance(raw_entries, list) or not all(isinstance(e, dict) for e in raw_entries):
        raise CatalogueError(f"{path}: `file` must be a list of [[file]] tables")
    entries: dict[str, CatalogueEntry] = {}
    positions: dict[str, int] = {}
    warnings: list[str] = []
    for position, raw in enumerate(raw_entries, start=1):
        try:
            entry = CatalogueEntry.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise CatalogueError(f"{path}: [[file]] entry {position}: {problems}") from error
        key = normalise_path(entry.path)
        if key in entries:
            warnings.append(f"catalogue entries {positions[key]} and {position} both describe {key!r}: entry {position} is used")
        entries[key] = entry
        positions[key] = position
    return Catalogue(entries=entries, warnings=warnings)
