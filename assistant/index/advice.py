"""The one way this program tells a user to make or repair an index: the build command, naming
the index folder it applies to, and the corpus where the index does not know its own."""

from __future__ import annotations

import shlex
from pathlib import Path

from ..text import safe_line


def build_command(index_dir: Path, corpus_dir: Path | None = None, full: bool = False) -> str:
    """``python -m assistant index build [--full] --index DIR [--corpus DIR]``, quoted for a shell."""
    parts = ["python -m assistant index build"] + (["--full"] if full else [])
    parts += ["--index", shlex.quote(safe_line(str(index_dir)))]
    if corpus_dir is not None:
        parts += ["--corpus", shlex.quote(safe_line(str(corpus_dir)))]
    return " ".join(parts)


def build_advice(index_dir: Path, corpus_dir: Path | None = None, full: bool = False) -> str:
    """The fix, as the last words of an error: "run: python -m assistant index build ..."."""
    return "run: " + build_command(index_dir, corpus_dir, full)
