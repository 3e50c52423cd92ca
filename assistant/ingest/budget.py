"""A time budget for reading one file. Readers call ``check()`` in their loops (per page, per
paragraph, per element); once the file has taken longer than its budget, reading stops with a
skip reason, so one pathological file cannot stall a build. Cooperative on purpose: a build may run
in a worker thread (the TUI), where signals cannot interrupt it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .base import SkipFile

_deadline: ContextVar[tuple[float, float] | None] = ContextVar("ingest_deadline", default=None)


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise SkipFile when the current file has used up its budget (no budget: never)."""
    budget = _deadline.get()
    if budget is not None and time.monotonic() > budget[0]:
        raise SkipFile(f"took more than {budget[1]:.0f} s to read (ASSISTANT_INGEST__MAX_SECONDS_PER_FILE): skipped")
