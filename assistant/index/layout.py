"""The index folder: generations, the pointer to the current one, and the build lock.

    index/
      CURRENT                    name of the generation readers open
      generations/<name>/        manifest.json (written last), store.sqlite, vectors.faiss,
                                 lexical_*.npy and lexical_vocab.json, lexical_params.json,
                                 background_probes.npy
      generations/.tmp-<name>/   a build in progress (never read; removed if a build dies)
      .build.lock                flock held by the one running build, with its holder's details

A build writes a whole new generation in a temporary folder, renames it into place, and only
then replaces CURRENT (write to a temporary file, fsync, rename): a reader sees the old index or
the new one, never a half-built one, whatever happens to the builder.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ..errors import BuildLockedError, IndexCorruptError
from ..models import IndexManifest
from .lexical import LexicalIndex

MANIFEST = "manifest.json"
STORE = "store.sqlite"
VECTORS = "vectors.faiss"
PROBE_VECTORS = "background_probes.npy"
DATA_FILES = (STORE, VECTORS, PROBE_VECTORS, *LexicalIndex.FILES)
"""Every data file of a generation; each has a checksum in the manifest."""
_CURRENT = "CURRENT"
_GENERATIONS = "generations"
_LOCK = ".build.lock"


class IndexLayout:
    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def generations_dir(self) -> Path:
        return self.root / _GENERATIONS

    def current_name(self) -> str | None:
        try:
            name = (self.root / _CURRENT).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return name or None

    def current_dir(self) -> Path | None:
        name = self.current_name()
        return self.generations_dir / name if name else None

    def new_generation(self) -> tuple[str, Path]:
        """A fresh temporary folder for a build, and the name it will be published under."""
        self.generations_dir.mkdir(parents=True, exist_ok=True)
        # Names sort in build order (cleanup keeps the newest by name), even for builds that
        # finish within one clock tick or after the clock steps back.
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%f")
        newest = max((p.name for p in self.generations_dir.iterdir() if p.name.startswith("gen-")), default="")
        name = f"gen-{stamp}-{os.getpid()}"
        if name <= newest:
            name = f"{newest}+"
        temporary = self.generations_dir / f".tmp-{name}"
        temporary.mkdir()
        return name, temporary

    def publish(self, name: str, temporary: Path) -> Path:
        """Move a finished generation into place and point CURRENT at it, atomically."""
        final = self.generations_dir / name
        _fsync_tree(temporary)
        os.replace(temporary, final)
        _fsync_dir(self.generations_dir)
        pointer = self.root / f".{_CURRENT}.tmp-{os.getpid()}"
        with pointer.open("w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer, self.root / _CURRENT)
        _fsync_dir(self.root)
        return final

    def cleanup(self, keep: int) -> list[str]:
        """Remove abandoned temporary folders and all but the newest ``keep`` generations (the
        current one is always kept). Returns the names removed."""
        if not self.generations_dir.is_dir():
            return []
        current = self.current_name()
        removed = []
        for path in self.generations_dir.iterdir():
            if path.name.startswith(".tmp-"):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        published = sorted((p for p in self.generations_dir.iterdir() if p.is_dir() and p.name.startswith("gen-")), key=lambda p: p.name)
        for path in published[: max(0, len(published) - max(keep, 1))]:
            if path.name != current:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        return removed

    @contextmanager
    def build_lock(self):
        """Hold the single-writer lock for a build. The lock is an flock, so a build killed by
        any signal releases it; the file also records who holds it, for the error message."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / _LOCK
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            detail = _describe_holder(holder)
            raise BuildLockedError(
                f"another build of {self.root} is running ({detail}); wait for it to finish"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


def read_manifest(generation_dir: Path) -> IndexManifest:
    path = generation_dir / MANIFEST
    try:
        return IndexManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise IndexCorruptError(f"{path} is missing") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise IndexCorruptError(f"{path} is not a valid manifest ({str(error).splitlines()[0][:160]})") from error


def write_manifest(generation_dir: Path, manifest: IndexManifest) -> None:
    """Written last, through a temporary file: its presence marks a whole generation."""
    path = generation_dir / MANIFEST
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(manifest.model_dump_json(indent=2))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _describe_holder(holder: str) -> str:
    try:
        data = json.loads(holder)
        return f"pid {data['pid']} on {data['host']}, started {data['started']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
