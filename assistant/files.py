"""Opening a path this program did not just create: never blocks, never reads a device, never
reads more than it can hold.

A FIFO, a socket or a device put in place of a corpus file or an index file would block
``open()`` for ever (a FIFO waits for a writer, and Ctrl+C with it) or feed endless bytes (a
symlink to /dev/zero); a file replaced after a folder was scanned may be any of these. So every
such path is opened non-blocking, the opened descriptor (not the path, which may change again)
is checked to be a regular file, and small files are read with a size cap.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

KIB = 1 << 10
MIB = 1 << 20


class NotARegularFile(OSError):
    """The path is a FIFO, socket, device or folder: never read."""


class FileTooLarge(OSError):
    """The file holds more than the caller allows."""


def open_regular(path: Path | str, follow_symlinks: bool = True) -> BinaryIO:
    """The file open for reading in binary mode. Raises ``NotARegularFile`` for anything but a
    regular file, and OSError as ``open`` does (with ``follow_symlinks=False``, ELOOP for a
    symlink)."""
    flags = (
        os.O_RDONLY
        | os.O_NONBLOCK
        | getattr(os, "O_CLOEXEC", 0)
        | (0 if follow_symlinks else getattr(os, "O_NOFOLLOW", 0))
    )
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a pipe, socket or device"
            raise NotARegularFile(errno.EINVAL, f"not a regular file ({kind})", str(path))
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_regular(path: Path | str, limit: int, follow_symlinks: bool = True) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (``FileTooLarge`` beyond)."""
    with open_regular(path, follow_symlinks) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(errno.EFBIG, f"larger than the {_size(limit)} this file may hold", str(path))
    return data


def read_regular_text(path: Path | str, limit: int, follow_symlinks: bool = True, encoding: str = "utf-8") -> str:
    """``read_regular``, decoded (UnicodeDecodeError, a ValueError, for bytes of another encoding)."""
    return read_regular(path, limit, follow_symlinks).decode(encoding)


def _size(limit: int) -> str:
    return f"{limit // MIB} MB" if limit >= MIB else f"{limit // KIB} KB" if limit >= KIB else f"{limit} bytes"


def describe(error: OSError) -> str:
    """What went wrong opening a file, in a few words ("not a regular file (a pipe...)")."""
    return error.strerror or str(error)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable and writable by its owner alone, also when the file
    was there before with wider permissions: reports, case notes and the question history hold
    what a practitioner asked about their cases."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
