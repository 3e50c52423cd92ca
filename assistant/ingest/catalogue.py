"""The corpus catalogue (``corpus/catalogue.toml``): what is known about each file from outside it.
The catalogue wins over what a file says about itself."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import CatalogueError


class CatalogueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    path: str
    title: str | None = None
    organisation: str | None = None
    url: str | None = None
    year: int | None = None
    region: str | None = None
    resource_type: str | None = Field(default=None, alias="type")
    language: str | None = None
    licence: str | None = None


class Catalogue(BaseModel):
    entries: dict[str, CatalogueEntry] = Field(default_factory=dict)

    def get(self, relative_path: str) -> CatalogueEntry | None:
        return self.entries.get(relative_path)


def load_catalogue(path: Path) -> Catalogue:
    """Read the catalogue; a missing file is an empty catalogue, a malformed one an error."""
    if not path.exists():
        return Catalogue()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{path}: not valid TOML ({error})") from error
    entries: dict[str, CatalogueEntry] = {}
    for position, raw in enumerate(data.get("file", []), start=1):
        try:
            entry = CatalogueEntry.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise CatalogueError(f"{path}: [[file]] entry {position}: {problems}") from error
        entries[entry.path.replace("\\", "/")] = entry
    return Catalogue(entries=entries)
