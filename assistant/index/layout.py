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

import errno
import fcntl
import json
import os
import re
import shutil
import socket
import stat
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ..errors import BuildLockedError, IndexCorruptError
from ..files import KIB, MIB, read_regular
from ..ingest import file_sha256
from ..models import SCHEMA_VERSION, IndexManifest
from .lexical import LexicalIndex, SpellingWords
from .vectors import SentenceVectors, TokenVectors

MANIFEST = "manifest.json"
MANIFEST_LIMIT = 512 * MIB
"""Largest manifest read (it lists every corpus file: 100,000 files take about 40 MB)."""
STORE = "store.sqlite"
VECTORS = "vectors.faiss"
PROBE_VECTORS = "background_probes.npy"
DATA_FILES = (
    STORE,
    VECTORS,
    PROBE_VECTORS,
    *LexicalIndex.FILES,
    *SentenceVectors.FILES,
    *TokenVectors.FILES,
    SpellingWords.FILE,
)
"""Every data file of a generation; each has a checksum in the manifest."""
_CURRENT = "CURRENT"
_GENERATIONS = "generations"
_LOCK = ".build.lock"
_GENERATION_NAME = re.compile(r"gen-[0-9T.]+-[0-9]+\+*")


class IndexLayout:
    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def generations_dir(self) -> Path:
        return self.root / _GENERATIONS

    def current_name(self) -> str | None:
        """The generation CURRENT names, or None when there is none yet. A CURRENT that is not
        the plain name of a generation folder of this index (binary bytes, a path, ``..``, a
        folder, a name with no generation) is damage, never followed."""
        path = self.root / _CURRENT
        try:
            raw = read_regular(path, 4 * KIB, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            raise IndexCorruptError(f"{path} cannot be read ({error.strerror})") from None
        try:
            name = raw.decode("ascii").strip()
        except UnicodeDecodeError:
            raise IndexCorruptError(f"{path} does not hold a generation name (binary bytes)") from None
        if not name:
            return None
        if not _GENERATION_NAME.fullmatch(name):
            raise IndexCorruptError(f"{path} does not hold a generation name of this index ({name[:60]!r})")
        if not (self.generations_dir / name).is_dir():
            raise IndexCorruptError(f"{path} names generation {name}, which is not a folder of {self.generations_dir}")
        return name

    def current_name_or_none(self) -> str | None:
        """``current_name``, with damage read as 'no current generation' (for a build that
        replaces it, and for cleaning up)."""
        try:
            return self.current_name()
        except IndexCorruptError:
            return None

    def generations(self) -> list[Path]:
        """The published generation folders, oldest first."""
        if not self.generations_dir.is_dir():
            return []
        return sorted(
            p
            for p in self.generations_dir.iterdir()
            if _GENERATION_NAME.fullmatch(p.name) and p.is_dir() and not p.is_symlink()
        )

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
        current = self.root / _CURRENT
        if current.is_dir() and not current.is_symlink():
            shutil.rmtree(current)  # damage a --full build repairs
        os.replace(pointer, current)
        _fsync_dir(self.root)
        return final

    def cleanup(self, keep: int) -> list[str]:
        """Remove abandoned temporary folders and pointer files (left by a build that was killed;
        only called under the build lock), anything in generations/ that is not a generation
        folder, and all but the newest ``keep`` generations (the current one is always kept).
        Returns the names removed."""
        removed = []
        for stray in self.root.glob(f".{_CURRENT}.tmp-*"):
            stray.unlink(missing_ok=True)
            removed.append(stray.name)
        if not self.generations_dir.is_dir():
            return removed
        current = self.current_name_or_none()
        for path in self.generations_dir.iterdir():
            if path.name.startswith(".tmp-") or (path.name.startswith("gen-") and not path.is_dir()):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path.name)
        published = sorted(
            (p for p in self.generations_dir.iterdir() if p.is_dir() and p.name.startswith("gen-")),
            key=lambda p: p.name,
        )
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
        handle = _open_lock_file(path)
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
            handle.write(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    }
                )
            )
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


def _open_lock_file(path: Path):
    """The lock file, opened without blocking: a pipe, device or symlink put in its place is
    not ours (this program only ever makes a regular file there) and is replaced."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for attempt in range(2):
        try:
            descriptor = os.open(path, flags, 0o644)
        except OSError as error:
            if attempt or error.errno not in (errno.ELOOP, errno.EISDIR):
                raise
            shutil.rmtree(path) if error.errno == errno.EISDIR else path.unlink()
            continue
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.set_blocking(descriptor, True)
            return os.fdopen(descriptor, "a+", encoding="utf-8")
        os.close(descriptor)
        if attempt:
            break
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    raise IndexCorruptError(f"{path} is not a regular file and could not be replaced")


def _what_is_wrong(error: Exception) -> str:
    """A manifest's fault in a few words: the first field pydantic found wrong and why, or
    that it is not JSON text."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "its text"
        return f"{where}: {str(first.get('msg', 'invalid')).lower()}"[:160]
    return "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else str(error).splitlines()[0][:160]


def read_manifest(generation_dir: Path) -> IndexManifest:
    path = generation_dir / MANIFEST
    try:
        manifest = IndexManifest.model_validate_json(read_regular(path, MANIFEST_LIMIT, follow_symlinks=False))
    except FileNotFoundError as error:
        raise IndexCorruptError(f"{path} is missing") from error
    except (ValueError, UnicodeDecodeError) as error:
        # Not pydantic's wording ("1 validation error for IndexManifest"): what is wrong, in a few words.
        raise IndexCorruptError(f"{path} is not a valid manifest ({_what_is_wrong(error)})") from error
    except OSError as error:
        raise IndexCorruptError(f"{path} cannot be read ({error.strerror})") from error
    if manifest.schema_version != SCHEMA_VERSION:
        # Another format's manifest digests other fields: the compatibility check names the change.
        return manifest
    if manifest.digest != manifest.content_digest():
        raise IndexCorruptError(f"{path} was changed after the build wrote it (its digest does not match)")
    return manifest


def write_manifest(generation_dir: Path, manifest: IndexManifest) -> None:
    """Written last, through a temporary file, with its digest: its presence marks a whole
    generation."""
    manifest = IndexManifest.model_validate_json(manifest.model_dump_json())  # every field set, as a reader will see it
    manifest = manifest.model_copy(update={"digest": manifest.content_digest()})
    path = generation_dir / MANIFEST
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(manifest.model_dump_json(indent=2))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def damaged_files(generation_dir: Path, manifest: IndexManifest) -> list[str]:
    """Data files of a generation that are missing or do not match the manifest's checksums."""
    problems = []
    for name in DATA_FILES:
        path = generation_dir / name
        if not path.exists() and not path.is_symlink():
            problems.append(f"{name} is missing")
            continue
        try:
            checksum = file_sha256(path)
        except OSError as error:
            problems.append(f"{name} cannot be read ({error.strerror})")
            continue
        if manifest.checksums.get(name) != checksum:
            problems.append(f"{name} checksum does not match the manifest: the file was changed or damaged")
    return problems


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
