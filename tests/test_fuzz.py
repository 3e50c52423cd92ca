"""Fuzzing the two doors hostile input comes through: file readers (any bytes, under any name) and
the question path (any text). Neither may raise anything but its own named error, hang past the
time budget, or let a control character through to what is shown."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import QueryError
from assistant.ingest import CorpusFile, ingest_file, load_catalogue
from assistant.present import render_answer_markdown, render_answer_text

from .fixtures_build import make_docx, make_odt

PREFIXES = [
    b"",
    b"%PDF-1.4\n",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"<html><body>",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"---\ntitle: x\n---\n# ",
]
SUFFIXES = [".txt", ".md", ".html", ".pdf", ".docx", ".pptx", ".odt", ".doc", ""]
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def ingest_bytes(folder, data: bytes, suffix: str):
    path = folder / f"fuzzed{suffix}"
    path.write_bytes(data)
    stat = path.stat()
    return ingest_file(
        CorpusFile(path=path, relative=path.name, size=stat.st_size, mtime_ns=stat.st_mtime_ns),
        load_catalogue(folder / "none.toml"),
        max_seconds=20,
    )


@FUZZ
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_under_any_name_give_a_report_never_an_exception(tmp_path, prefix, body, suffix):
    result = ingest_bytes(tmp_path, prefix + body, suffix)
    assert result.report.status in ("indexed", "skipped", "empty")
    assert (result.report.status == "indexed") == bool(result.documents)
    for document in result.documents:
        assert not any(ch in document.text for ch in "\x1b\x9b\x07\u202e"), "control characters never reach a document"


def _mutants(data: bytes):
    return st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), min_size=1, max_size=12).map(
        lambda flips: bytes(b if i not in dict(flips) else dict(flips)[i] for i, b in enumerate(data))
    )


def _office_samples() -> dict[str, bytes]:
    """One small docx and one odt, made once: the mutants of a test run flip bytes of the same file."""
    import tempfile
    from pathlib import Path

    blocks = [
        ("h1", "Referral"),
        ("p", "A first responder completes the form within 24 hours."),
        ("table", "Service|Number\nHelpline|08000 121 700"),
    ]
    with tempfile.TemporaryDirectory() as folder:
        return {
            "docx": make_docx(Path(folder) / "s.docx", blocks).read_bytes(),
            "odt": make_odt(Path(folder) / "s.odt", blocks).read_bytes(),
        }


OFFICE = _office_samples()


@FUZZ
@given(data=st.data())
def test_byte_flipped_office_packages_give_a_report(tmp_path, data):
    sample = data.draw(st.sampled_from(sorted(OFFICE)))
    mutant = data.draw(_mutants(OFFICE[sample]))
    result = ingest_bytes(tmp_path, mutant, f".{sample}")
    assert result.report.status in ("indexed", "skipped", "empty")


@FUZZ
@given(names=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=5))
def test_zip_packages_with_arbitrary_members_give_a_report(tmp_path, names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for index, name in enumerate(names):
            package.writestr(f"{index}-{name.replace(chr(0), '')}", b"<x/>")
        package.writestr("word/document.xml", b"<not-really-word/>")
    assert ingest_bytes(tmp_path, buffer.getvalue(), ".docx").report.status in ("indexed", "skipped", "empty")


@FUZZ
@given(question=st.text(max_size=300))
def test_any_question_is_answered_or_refused_by_name(bundled_pipeline, question):
    try:
        answer = bundled_pipeline.ask(question, k=3)
    except QueryError:
        return
    for rendered in (render_answer_text(answer), render_answer_markdown(answer)):
        assert not any(ch in rendered for ch in "\x1b\x9b\x07\u202e")
