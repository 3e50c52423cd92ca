"""Opening paths the program did not just create: a pipe, a device or a symlink in place of a
file is refused at once, never waited on, and small files are read with a size cap."""

import os
import threading

import pytest

from assistant.files import FileTooLarge, NotARegularFile, open_regular, read_regular

from .conftest import write


def finishes(function, seconds: float = 10.0):
    """Run ``function`` in a thread; fail (rather than hang the suite) if it blocks."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function()
        except BaseException as error:  # the error is the outcome under test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked: the call did not return"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "CURRENT"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile, match="not a regular file"):
        finishes(lambda: open_regular(fifo))


def test_a_symlink_to_a_device_is_refused_and_never_read(tmp_path):
    link = tmp_path / "manifest.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(NotARegularFile):
        finishes(lambda: read_regular(link, 1 << 20))
    with pytest.raises(OSError):
        finishes(lambda: read_regular(link, 1 << 20, follow_symlinks=False))


def test_a_symlink_to_a_regular_file_is_read_only_when_links_may_be_followed(tmp_path):
    target = write(tmp_path / "real.json", "{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert read_regular(link, 100) == b"{}"
    with pytest.raises(OSError):
        read_regular(link, 100, follow_symlinks=False)


def test_a_file_over_its_cap_is_refused_not_read_whole(tmp_path):
    big = write(tmp_path / "vocab.json", b"x" * 5000)
    assert read_regular(big, 5000) == b"x" * 5000
    with pytest.raises(FileTooLarge, match="larger than the 4 KB"):
        read_regular(big, 4096)
