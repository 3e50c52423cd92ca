"""Hostile input and damaged indexes: nothing served wrong, nothing hangs, nothing injected, no
tracebacks. Each test is one attack from the adversarial pass, with the behaviour it must get."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.config import Settings
from assistant.errors import CatalogueError, IndexCorruptError, IndexWriteError
from assistant.index.layout import IndexLayout
from assistant.pipeline import Pipeline
from assistant.report import ReportBasket

from .conftest import write
from .fixtures_build import PARAGRAPHS, make_docx
from .test_build import build, make_pipeline

TERMINAL_ATTACKS = ("\x1b", "\x9b", "\x07", "\u202e", "\u2066")
INJECTED_LINK = "](https://evil.example"


def assert_inert(output: str) -> None:
    for attack in TERMINAL_ATTACKS:
        assert attack not in output, f"{attack!r} reached the output: {output[:300]!r}"
    assert INJECTED_LINK not in output, "a catalogue value opened a second Markdown link"


def cli(*args: str, **kwargs):
    return CliRunner().invoke(main, list(args), **kwargs)


def generation(settings) -> Path:
    layout = IndexLayout(settings.paths.index_dir)
    return layout.generations_dir / layout.current_name()


def all_chunk_text(settings) -> str:
    pipeline = Pipeline(settings, index_dir=settings.paths.index_dir)
    text = " ".join(r[0] for r in pipeline.open().store.connection.execute("SELECT text FROM chunks"))
    pipeline.close()
    return text


# --- 1. a rebuild never launders a damaged index --------------------------------------------------


def test_a_rebuild_after_tampering_with_the_database_re_derives_it_from_the_corpus(settings, corpus, fake):
    build(settings, corpus, fake)
    store = generation(settings) / "store.sqlite"
    with sqlite3.connect(store) as connection:
        connection.execute("UPDATE chunks SET text = replace(text, 'informed consent', 'NO consent')")
    assert any("store.sqlite checksum" in p.what for p in make_pipeline(settings, corpus).verify())
    write(corpus / "children.md", PARAGRAPHS["children.md"] + "\nOne more line.\n")
    report = build(settings, corpus, fake)
    assert report.full and "previous index is damaged" in report.full_reason and "store.sqlite" in report.full_reason
    assert "NO consent" not in all_chunk_text(settings) and "informed consent" in all_chunk_text(settings)
    assert make_pipeline(settings, corpus).verify() == []


@pytest.mark.parametrize(
    "damaged",
    ["lexical_tf.npy", "background_probes.npy", "vectors.faiss", "sentence_vectors.npy", "sentence_chunks.npy"],
)
def test_damaged_arrays_are_named_by_verify_and_not_carried_into_the_next_build(settings, corpus, fake, damaged):
    build(settings, corpus, fake)
    path = generation(settings) / damaged
    data = bytearray(path.read_bytes())
    data[-8:] = b"\x7f" * 8
    path.write_bytes(bytes(data))
    assert any(damaged in p.what for p in make_pipeline(settings, corpus).verify())
    write(corpus / "added.md", "# Added\n\nShelters must explain the rights of survivors.\n")
    report = build(settings, corpus, fake)
    assert report.full and damaged in report.full_reason
    assert make_pipeline(settings, corpus).verify() == []


def test_an_empty_or_cut_vector_index_is_named_in_words_not_in_faiss_internals(settings, corpus, fake):
    # Found in a first-use audit: an empty vectors.faiss showed FAISS's C++ source line.
    build(settings, corpus, fake)
    path = generation(settings) / "vectors.faiss"
    for damaged, state in ((b"", "(empty)"), (path.read_bytes()[:1000], "(1,000 bytes, cut short")):
        path.write_bytes(damaged)
        with pytest.raises(IndexCorruptError) as raised:
            make_pipeline(settings, corpus).open().vectors  # noqa: B018 - opening is the test
        message = str(raised.value)
        assert "vectors.faiss is damaged" in message and state in message, message
        assert "faiss::" not in message and "std::" not in message and "index build --full" in message


def test_build_full_repairs_any_state_of_current(settings, corpus, fake, tmp_path):
    build(settings, corpus, fake)
    current = settings.paths.index_dir / "CURRENT"
    states = {
        "binary bytes": lambda: current.write_bytes(b"\xff\xfe\x00garbage"),
        "a folder": lambda: (current.unlink(), current.mkdir()),
        "a path outside the index": lambda: current.write_text("../../other/index/generations/gen-1-1\n"),
        "a generation that is a file": lambda: (
            current.write_text("gen-20990101T000000.000000-1\n"),
            (settings.paths.index_dir / "generations" / "gen-20990101T000000.000000-1").write_text("x"),
        ),
    }
    for label, damage in states.items():
        if current.is_dir():
            current.rmdir()
        damage()
        with pytest.raises(IndexCorruptError, match="index build --full"):
            make_pipeline(settings, corpus).open()
        result = cli("index", "status", "--index", str(settings.paths.index_dir))
        assert (
            result.exit_code == 1 and "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
        ), label
        build(settings, corpus, fake, full=True)
        assert make_pipeline(settings, corpus).verify() == [], label


def test_a_pointer_file_left_by_a_killed_build_is_removed_by_the_next_one(settings, corpus, fake):
    build(settings, corpus, fake)
    stray = settings.paths.index_dir / ".CURRENT.tmp-99999"
    stray.write_text("gen-x\n")
    write(corpus / "added.md", "# Added\n\nShelters must explain the rights of survivors.\n")
    build(settings, corpus, fake)
    assert not stray.exists()


# --- 2. escape sequences and link injection ------------------------------------------------------

ESC_TITLE = "Guide \x1b]52;c;aGFja2Vk\x07\x1b[2J\u202eelbisiv"
HOSTILE_CATALOGUE = f"""
[[file]]
path = "guide.md"
title = {json.dumps(ESC_TITLE)}
organisation = "Org \\u001b]8;;https://evil.example\\u0007click\\u001b]8;;\\u0007"
region = "Europe\\u001b[31m"
url = "https://ok.example/) [Click me](https://evil.example"
"""


@pytest.fixture
def hostile(tmp_path, st_embedder, monkeypatch):
    import assistant.index.build as build_module

    monkeypatch.setattr(build_module, "default_embedder_factory", lambda batch_size: lambda _d: st_embedder)
    corpus = tmp_path / "corpus"
    write(
        corpus / "guide.md",
        "# Forced labour\n\nInspectors reported \x1b[31mwithheld passports\x1b[0m and \u202eunpaid wages\u202c on "
        "fishing boats. [Click](https://evil.example)\n",
    )
    write(corpus / "catalogue.toml", HOSTILE_CATALOGUE)
    write(corpus / "bad\x1b[2Jname.txt", b"\x00\x01\x02\x03binary" * 50)
    index = tmp_path / "index"
    result = cli("index", "build", "--corpus", str(corpus), "--index", str(index), "--quiet")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    return corpus, index


def test_catalogue_values_and_file_names_are_inert_in_every_output(hostile, tmp_path):
    corpus, index = hostile
    asked = cli("ask", "--index", str(index), "--json", "--mode", "lexical", "withheld passports")
    chunk_id = json.loads(asked.stdout)["results"][0]["chunk_id"]
    outputs = [asked.stdout]
    for style in ("text", "markdown", "bibtex", "csl-json"):
        result = cli("cite", str(chunk_id), "--index", str(index), "--format", style)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    for style in ("text", "markdown"):
        outputs.append(
            cli("ask", "--index", str(index), "--format", style, "--mode", "lexical", "withheld passports").stdout
        )
    outputs.append(cli("index", "status", "--index", str(index), "--corpus", str(corpus), "--documents").output)
    outputs.append(cli("ask", "--index", str(index), "--region", "Atlantis", "passports").output)  # lists known regions
    for output in outputs:
        assert_inert(output)
    markdown = outputs[2]
    assert "(https://ok.example/%29%20%5BClick%20me%5D%28https://evil.example)" in markdown


def test_questions_with_escapes_are_not_echoed_raw(hostile, tmp_path):
    _, index = hostile
    question = "passports \x1b]52;c;aGFja2Vk\x07 \u202ewages"
    for style in ("text", "markdown", "json"):
        assert_inert(cli("ask", "--index", str(index), "--format", style, "--mode", "lexical", question).stdout)
    batch = write(tmp_path / "batch.txt", f"{question}\n\x1b[2J\n")
    assert_inert(cli("ask", "--index", str(index), "--batch", str(batch), "--mode", "lexical").output)


def test_the_report_export_and_the_clipboard_text_are_inert(hostile):
    _, index = hostile
    pipeline = Pipeline(Settings(), index_dir=index)
    answer = pipeline.ask("withheld passports", mode="lexical")
    basket = ReportBasket()
    basket.add("question \x1b[2J", answer.hits[0])
    assert_inert(basket.to_markdown())
    assert "[Click](https://evil.example)" not in basket.to_markdown(), "a link in the passage stays text"
    from assistant.present import format_citation

    assert_inert(format_citation(answer.hits[0].citation, "text"))  # what `c` copies


# --- 3. nothing stalls or exhausts a build -------------------------------------------------------


def test_a_fifo_named_like_a_document_is_reported_not_opened(settings, corpus, fake):
    os.mkfifo(corpus / "stuck.txt")
    report = build(settings, corpus, fake)
    skipped = {f.path: f.reason for f in report.files}
    assert "not a regular file" in skipped["stuck.txt"]


def test_html_nested_two_hundred_thousand_deep_is_skipped_with_a_reason(settings, corpus, fake):
    write(
        corpus / "deep.html", b"<html><body>" + b"<div>" * 200_000 + b"text" + b"</div>" * 200_000 + b"</body></html>"
    )
    report = build(settings, corpus, fake)
    assert "nested more than" in {f.path: f.reason for f in report.files}["deep.html"]
    assert "clean" and "nested more than" in cli("clean", str(corpus / "deep.html"), "--corpus", str(corpus)).output


def test_a_docx_whose_markup_inflates_out_of_proportion_is_skipped(settings, corpus, fake, tmp_path):
    source = make_docx(tmp_path / "small.docx", [("p", "Real text.")]).read_bytes()
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as inflated:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b"<!--" + b" " * 60_000_000 + b"-->")
            inflated.writestr(item, data)
    write(corpus / "bomb.docx", bomb.getvalue())
    assert (corpus / "bomb.docx").stat().st_size < 1_000_000
    report = build(settings, corpus, fake)
    assert "inflates to" in {f.path: f.reason for f in report.files}["bomb.docx"]


def test_one_very_long_paragraph_is_chunked_whole(settings, corpus, fake):
    sentence = "Workers said the employer kept their passports and withheld wages for months. "
    write(corpus / "long.txt", sentence * 6000)  # one 480 KB paragraph
    report = build(settings, corpus, fake)
    long = next(f for f in report.files if f.path == "long.txt")
    assert long.status == "indexed" and long.chunks > 500


def test_an_oversized_catalogue_value_is_a_one_line_error(settings, corpus, fake):
    write(corpus / "catalogue.toml", f'[[file]]\npath = "referral.md"\ntitle = "{"x" * 1_000_000}"\n')
    with pytest.raises(CatalogueError, match=r"entry 1 \('referral.md'\): title: .*longer than 2000 characters"):
        build(settings, corpus, fake)


# --- 4. nothing dropped silently -----------------------------------------------------------------


def test_an_unreadable_folder_is_reported(settings, corpus, fake, monkeypatch):
    folder = corpus / "private"
    write(folder / "note.md", "# Note\n\nSomething.\n")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == folder.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)  # as root, permissions cannot make a folder unreadable
    report = build(settings, corpus, fake)
    assert {f.path: f.reason for f in report.files}["private/"] == "folder cannot be read: Permission denied"


def test_catalogue_entries_for_missing_or_repeated_files_are_warnings(settings, corpus, fake):
    write(
        corpus / "catalogue.toml",
        '[[file]]\npath = "REFERRAL.MD"\ntitle = "A"\n\n[[file]]\npath = "./children.md"\ntitle = '
        '"B"\n\n[[file]]\npath = "children.md"\ntitle = "C"\n',
    )
    report = build(settings, corpus, fake)
    warnings = " | ".join(report.warnings)
    assert "'REFERRAL.MD' names no file of the corpus (did you mean 'referral.md'?)" in warnings
    assert "[[file]] entries 2 and 3 both describe 'children.md': [[file]] entry 3 is used" in warnings
    assert "2 files are not in the catalogue: 'identification.md', 'referral.md'; titles" in warnings
    titles = {d.path: d.title for d in make_pipeline(settings, corpus).document_infos()}
    assert titles["children.md"] == "C"


def test_html_whose_declared_charset_contradicts_its_bytes_is_read_as_what_it_is(settings, corpus, fake):
    for charset in ("utf-16", "cp037"):
        write(
            corpus / f"{charset}.html",
            f'<html><head><meta charset="{charset}"></head><body><p>Plain page about labour inspections in '
            f"{charset}.</p></body></html>".encode("ascii"),
        )
    report = build(settings, corpus, fake)
    files = {f.path: f for f in report.files}
    for charset in ("utf-16", "cp037"):
        assert any("contradict" in w for w in files[f"{charset}.html"].warnings)
    assert "labour inspections in utf-16" in all_chunk_text(settings)


def test_files_without_words_are_empty_and_stray_nul_bytes_are_removed(settings, corpus, fake):
    write(corpus / "dots.txt", ".-*! ?? ... ;; --- !!!\n" * 300)
    write(corpus / "export.txt", b"Shelter staff explain\x00 the rights of survivors in their own language.\n")
    report = build(settings, corpus, fake)
    files = {f.path: f for f in report.files}
    assert files["dots.txt"].status == "empty" and "no words" in files["dots.txt"].reason
    assert files["export.txt"].status == "indexed" and any("NUL" in w for w in files["export.txt"].warnings)
    assert "explain the rights" in all_chunk_text(settings)


def test_a_duplicate_file_is_indexed_once_and_its_path_listed(settings, corpus, fake):
    os.link(corpus / "referral.md", corpus / "referral-again.md")
    report = build(settings, corpus, fake)
    files = {f.path: f for f in report.files}
    assert files["referral-again.md"].status == "indexed", "the first path in path order is indexed"
    assert files["referral.md"].status == "skipped" and files["referral.md"].reason.startswith(
        "same content as referral-again.md"
    )
    assert all_chunk_text(settings).count("informed consent") == 1
    (corpus / "referral-again.md").unlink()
    build(settings, corpus, fake)
    assert all_chunk_text(settings).count("informed consent") == 1, "the copy is indexed once the original is gone"


def test_of_a_file_and_its_copy_the_one_not_named_as_a_copy_is_indexed(settings, corpus, fake):
    # Found in a first-use audit: "copy of risk indicators.doc" came before "risk_indicators.doc"
    # in path order, and its file name became the title citations gave.
    for copy in ("copy of referral.md", "referral (1).md", "referral - Copy.md"):
        os.link(corpus / "referral.md", corpus / copy)
        files = {f.path: f for f in build(settings, corpus, fake).files}
        assert files[copy].status == "skipped" and files[copy].reason.startswith("same content as referral.md"), copy
        (corpus / copy).unlink()


def test_an_index_folder_inside_the_corpus_is_never_indexed(corpus, fake, tmp_path):
    settings = Settings()
    settings.show_progress = False
    settings.paths.index_dir = corpus / "index"
    first = build(settings, corpus, fake)
    write(corpus / "added.md", "# Added\n\nShelters must explain the rights of survivors.\n")
    second = build(settings, corpus, fake)
    assert first.chunks == 3 and second.chunks == 4
    assert any(f.path == "index/" and "index folder" in f.reason for f in second.files)


def test_an_unreadable_file_is_remembered_so_an_unchanged_corpus_stays_up_to_date(settings, corpus, fake):
    write(corpus / "broken.pdf", b"%PDF-1.4 this is not really a PDF")
    build(settings, corpus, fake)
    again = build(settings, corpus, fake)
    assert again.up_to_date
    assert not make_pipeline(settings, corpus).status().staleness.stale


# --- 5. one-line errors, never tracebacks --------------------------------------------------------


def one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def flip_a_page(database: Path) -> None:
    data = bytearray(database.read_bytes())
    page = 4096 * 2
    data[page : page + 4096] = bytes(4096)
    database.write_bytes(bytes(data))


def test_a_damaged_database_is_a_one_line_error_in_ask_and_build_repairs_it(settings, corpus, fake):
    build(settings, corpus, fake)
    flip_a_page(generation(settings) / "store.sqlite")
    output = cli("ask", "--index", str(settings.paths.index_dir), "--mode", "lexical", "consent")
    assert "index build --full" in one_line_error(output)
    report = build(settings, corpus, fake)
    assert report.full and make_pipeline(settings, corpus).verify() == []


def test_a_dropped_table_is_a_one_line_error(settings, corpus, fake):
    build(settings, corpus, fake)
    with sqlite3.connect(generation(settings) / "store.sqlite") as connection:
        connection.execute("DROP TABLE documents")
    output = cli("ask", "--index", str(settings.paths.index_dir), "--mode", "lexical", "consent")
    assert "index build --full" in one_line_error(output)


def test_lexical_arrays_with_wrong_shapes_are_a_one_line_error(settings, corpus, fake):
    build(settings, corpus, fake)
    np.save(generation(settings) / "lexical_rows.npy", np.array([999_999], dtype=np.int32))
    output = cli("ask", "--index", str(settings.paths.index_dir), "--mode", "lexical", "consent")
    message = one_line_error(output)
    assert "lexical index" in message and "index build --full" in message


@pytest.mark.parametrize(
    "catalogue,message",
    [
        (None, "is not a file"),
        ("file = 5\n", "must be a list of [[file]] tables"),
        ('[[file]]\npath = "referral.md"\nyear = 99999999999999999999\n', "year"),
    ],
)
def test_a_broken_catalogue_is_a_one_line_error_naming_it(
    settings, corpus, fake, catalogue, message, tmp_path, st_embedder, monkeypatch
):
    import assistant.index.build as build_module

    monkeypatch.setattr(build_module, "default_embedder_factory", lambda batch_size: lambda _d: st_embedder)
    if catalogue is None:
        (corpus / "catalogue.toml").mkdir()
    else:
        write(corpus / "catalogue.toml", catalogue)
    output = one_line_error(
        cli("index", "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--quiet")
    )
    assert "catalogue.toml" in output and message in output


def test_bad_settings_and_arguments_are_one_line_usage_errors(settings, corpus, fake, tmp_path):
    build(settings, corpus, fake)
    index = str(settings.paths.index_dir)
    result = CliRunner(env={"ASSISTANT_INGEST__MAX_FILE_MB": "abc"}).invoke(main, ["index", "status", "--index", index])
    assert "ASSISTANT_INGEST__MAX_FILE_MB" in one_line_error(result)
    assert "out of range" in one_line_error(
        cli("ask", "--index", index, "--year-from", "99999999999999999999", "consent"), 2
    )
    batch = write(tmp_path / "batch.txt", b"consent\n\xff\xfe broken\n")
    assert "line 2" in one_line_error(cli("ask", "--index", index, "--batch", str(batch)), 2)
    regular_file = write(tmp_path / "not-a-folder", "x")
    assert "is a file" in one_line_error(cli("ask", "--index", str(regular_file), "consent"))
    assert "is a file" in one_line_error(
        cli("index", "build", "--corpus", str(corpus), "--index", str(regular_file), "--quiet")
    )


def test_a_question_with_undecodable_bytes_is_answered(settings, corpus, fake):
    build(settings, corpus, fake)
    index = settings.paths.index_dir
    process = subprocess.run(
        [
            os.sys.executable,
            "-m",
            "assistant",
            "ask",
            "--index",
            str(index),
            "--mode",
            "lexical",
            "--json",
            b"consent \xff".decode("utf-8", "surrogateescape"),
        ],
        capture_output=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["query"] == "consent \ufffd"


@contextmanager
def tmpfs(folder: Path, options: str):
    """A small tmpfs mounted on ``folder`` for the test (skipped where mounting is not allowed)."""
    folder.mkdir()
    if (
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True).returncode
        != 0
    ):
        pytest.skip(f"cannot mount a tmpfs ({options}) here: needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_during_a_build_is_a_one_line_error_and_the_index_survives(settings, corpus, fake, tmp_path):
    with tmpfs(tmp_path / "small", "size=200k") as small:
        settings.paths.index_dir = small / "index"
        write(corpus / "big.txt", "Workers said the employer kept their passports. " * 8000)
        with pytest.raises(IndexWriteError, match="could not be written"):
            build(settings, corpus, fake)


@pytest.mark.anyio
async def test_the_tui_shows_a_damaged_index_as_a_toast_and_keeps_running(settings, corpus, fake):

    from .tui.conftest import make_app, ready

    build(settings, corpus, fake)

    async def scenario():
        app = make_app(settings.paths.index_dir, corpus)
        app.pipeline = Pipeline(
            app.settings, index_dir=settings.paths.index_dir, corpus_dir=corpus, query_embedder=fake
        )
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await ready(pilot)
            with sqlite3.connect(generation(settings) / "store.sqlite") as connection:
                connection.execute("DROP TABLE chunks")
            box = app.screen.query_one("#question")
            box.value = "consent"
            await pilot.press("enter")
            for _ in range(100):
                await pilot.pause(0.05)
                if app._notifications:
                    break
            assert any("index build --full" in n.message for n in app._notifications)
            assert app.is_running

    await scenario()


@pytest.mark.anyio
async def test_the_tui_says_a_damaged_index_could_not_be_opened_and_offers_to_build_it_again(settings, corpus, fake):
    # Found in a first-use audit: with vectors.faiss truncated, the status line read "index
    # unusable:" with nothing after it, and ctrl+b's dialog said "No index has been built yet".
    from textual.widgets import Static

    from assistant.tui.screens.setup import SetupScreen

    from .tui.conftest import make_app, wait_for

    build(settings, corpus, fake)
    with open(generation(settings) / "vectors.faiss", "r+b") as vectors:
        vectors.truncate(1000)
    app = make_app(settings.paths.index_dir, corpus)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        status = app.screen.query_one("#status-bar", Static)
        await wait_for(pilot, lambda: "index unusable" in str(status.render()))
        assert "ctrl+b builds it again" in str(status.render())
        # It says where the message is, and it is there (a later audit was sent "below" for it).
        assert "the message above says why" in str(status.render())
        placeholder = app.screen.query_one("#results").query_one(Static)
        assert "could not be opened" in str(placeholder.render()) and placeholder.region.bottom <= status.region.y
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        message = str(app.screen.query_one("#setup-message", Static).render())
        assert "could not be opened" in message and "No index has been built yet" not in message


def test_a_read_only_index_folder_is_a_one_line_error(settings, corpus, fake, tmp_path):
    with tmpfs(tmp_path / "frozen", "ro,size=100k") as frozen:
        settings.paths.index_dir = frozen
        with pytest.raises(IndexWriteError, match="could not be written.*Read-only"):
            build(settings, corpus, fake)


# --- round two: hangs, unbounded work, bad names, outputs, named errors, noise -------------------

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """The real command in its own process; a hang fails the test instead of the suite."""
    return subprocess.run(
        [os.sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        **kwargs,
    )


def in_child(function, timeout: float = 120) -> int:
    """Run ``function`` in a forked process and return its exit code (0: it returned); a hang
    or a crash fails the test, not the suite."""
    import multiprocessing

    def target():
        function()

    process = multiprocessing.get_context("fork").Process(target=target)
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        pytest.fail(f"still running after {timeout} s: it hangs")
    return process.exitcode


def one_line(process: subprocess.CompletedProcess, code: int = 1) -> str:
    output = process.stdout + process.stderr
    assert process.returncode == code, output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1, output
    return output


@pytest.mark.parametrize("name", ["CURRENT", "manifest.json", "lexical_vocab.json", "store.sqlite"])
@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero"])
def test_a_pipe_or_device_in_place_of_an_index_file_is_named_and_repaired_never_waited_on(
    settings, corpus, fake, name, kind
):
    build(settings, corpus, fake)
    target = settings.paths.index_dir / name if name == "CURRENT" else generation(settings) / name
    target.unlink()
    os.mkfifo(target) if kind == "fifo" else target.symlink_to("/dev/zero")
    index = str(settings.paths.index_dir)
    assert "build --full" in one_line(run_cli("ask", "--index", index, "--mode", "lexical", "consent"))
    verify = run_cli("index", "verify", "--index", index)
    assert verify.returncode == 1 and "Traceback" not in verify.stderr and "build --full" in verify.stderr
    assert in_child(lambda: build(settings, corpus, fake, full=True)) == 0
    assert make_pipeline(settings, corpus).verify() == []
    assert "withheld" in " ".join(
        h.text for h in make_pipeline(settings, corpus).ask("withheld documents", mode="lexical").hits
    )


def test_a_pipe_in_place_of_the_build_lock_is_replaced(settings, corpus, fake):
    os.makedirs(settings.paths.index_dir)
    os.mkfifo(settings.paths.index_dir / ".build.lock")
    assert in_child(lambda: build(settings, corpus, fake)) == 0
    assert make_pipeline(settings, corpus).verify() == []


def test_a_file_replaced_by_a_pipe_after_the_scan_is_skipped_not_waited_on(settings, corpus):
    from assistant.ingest import SkipFile, discover_files, extract_file, file_sha256

    from .test_files import finishes

    files, _ = discover_files(corpus, "catalogue.toml", 10**8)
    (corpus / "children.md").unlink()
    os.mkfifo(corpus / "children.md")
    replaced = next(f for f in files if f.relative == "children.md")
    with pytest.raises(OSError, match="not a regular file"):
        finishes(lambda: file_sha256(replaced.path))
    with pytest.raises(SkipFile, match="not a regular file"):
        finishes(lambda: extract_file(replaced))


def test_index_watch_stops_at_ctrl_c_while_a_file_flips_between_file_pipe_and_link(settings, corpus, fake):
    import signal
    import time

    build(settings, corpus, fake)
    watch = subprocess.Popen(
        [
            os.sys.executable,
            "-m",
            "assistant",
            "index",
            "watch",
            "--corpus",
            str(corpus),
            "--index",
            str(settings.paths.index_dir),
            "--debounce",
            "0.2",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        flipping = corpus / "flip.txt"
        for _ in range(6):
            write(flipping, "Employers who keep passports commit an offence.\n")
            time.sleep(0.4)
            flipping.unlink()
            os.mkfifo(flipping)
            time.sleep(0.4)
            flipping.unlink()
            flipping.symlink_to(corpus / "children.md")
            time.sleep(0.4)
            flipping.unlink()
        os.mkfifo(flipping)
        time.sleep(1.0)
        watch.send_signal(signal.SIGINT)
        _, errors = watch.communicate(timeout=30)
    finally:
        watch.kill()
    assert watch.returncode in (0, 130) and "Traceback" not in errors, errors


def test_an_ignore_line_that_would_backtrack_is_matched_in_linear_time(corpus):
    from assistant.ingest import discover_files

    from .test_files import finishes

    write(corpus / ".guidanceignore", "*a*a*a*a*a*a*a*a*a*b\n*.draft\n")
    write(corpus / ("a" * 240 + ".txt"), "Debt bondage keeps workers in forced labour.\n")
    write(corpus / "notes.draft", "draft")
    files, skipped = finishes(lambda: discover_files(corpus, "catalogue.toml", 10**8))
    assert "a" * 240 + ".txt" in {f.relative for f in files}
    assert {r.path: r.reason for r in skipped}["notes.draft"] == "excluded by .guidanceignore"


def test_a_megabyte_one_word_question_is_cut_and_answered(settings, corpus, fake, tmp_path):
    from assistant.retrieve.abstain import specific_terms

    from .test_files import finishes

    assert finishes(lambda: specific_terms("x" * 1_000_000 + " NRM 2023")) == ["nrm", "2023"]
    build(settings, corpus, fake)
    batch = write(tmp_path / "batch.txt", "consent" * 150_000 + "\nwithheld documents\n")
    process = run_cli(
        "ask", "--index", str(settings.paths.index_dir), "--mode", "lexical", "--json", "--batch", str(batch)
    )
    assert process.returncode == 0, process.stderr
    first, second = (json.loads(line) for line in process.stdout.splitlines())
    assert "cut to its first 10,000 characters" in " ".join(first["notices"]) and second["results"]


@pytest.mark.parametrize(
    "setting, value",
    [
        ("CHUNK__MAX_TOKENS", "0"),
        ("CHUNK__MAX_TOKENS", "-1"),
        ("CHUNK__OVERLAP_TOKENS", "500"),
        ("EMBED__BATCH_SIZE", "0"),
        ("INGEST__MAX_FILE_MB", "nan"),
        ("INDEX__LEXICAL_K1", "nan"),
        ("RETRIEVE__RELATIVE_FLOOR", "nan"),
        ("RETRIEVE__DENSE_WEIGHT", "inf"),
        ("RETRIEVE__CANDIDATES", "0"),
        ("RETRIEVE__PER_DOCUMENT_CAP", "0"),
    ],
)
def test_a_setting_out_of_range_is_refused_when_read_before_any_work(settings, corpus, setting, value):
    env = {**os.environ, f"ASSISTANT_{setting}": value}
    output = one_line(
        run_cli(
            "index",
            "build",
            "--corpus",
            str(corpus),
            "--index",
            str(settings.paths.index_dir),
            "-q",
            env=env,
            timeout=60,
        )
    )
    assert f"ASSISTANT_{setting.split('__')[0]}" in output and "not valid" in output
    assert not settings.paths.index_dir.exists(), "nothing was built"


def test_a_pdf_that_inflates_to_a_gigabyte_is_skipped_with_its_reason(settings, corpus, fake):
    from .fixtures_build import make_inflating_pdf

    write(corpus / "bomb.pdf", make_inflating_pdf(1 << 30))
    assert in_child(lambda: build(settings, corpus, fake)) == 0
    status = make_pipeline(settings, corpus).status()
    assert {path: reason for path, _, reason in status.skipped}["bomb.pdf"].startswith(
        "one of its streams inflates to over 256 MB"
    )
    assert status.indexed_files == 3


def test_a_file_with_an_undecodable_name_or_a_path_too_long_is_skipped_and_the_rest_indexed(settings, corpus, fake):
    write(Path(os.fsdecode(os.fsencode(str(corpus)) + b"/bad\xff\xfename.txt")), "Debt bondage is forced labour.\n")
    # A path over 4,096 bytes cannot be made by name: folder by folder, each opened relative to
    # the one above it.
    folder = os.open(corpus, os.O_RDONLY)
    for level in range(17):
        name = f"d{level:02d}" + "x" * 240
        os.mkdir(name, dir_fd=folder)
        inner = os.open(name, os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    handle = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder)
    os.write(handle, b"Recruiters hold passports.\n")
    os.close(handle)
    os.close(folder)
    report = build(settings, corpus, fake)
    reasons = {f.path: f.reason for f in report.files if f.status == "skipped"}
    assert reasons["bad\ufffd\ufffdname.txt"].startswith("its name is not valid text")
    assert any(r.startswith("its path is longer than 4,000 bytes") for r in reasons.values())
    assert sum(1 for f in report.files if f.status == "indexed") == 3
    assert build(settings, corpus, fake).up_to_date and not make_pipeline(settings, corpus).status().staleness.stale
    printed = cli("index", "status", "--index", str(settings.paths.index_dir))
    assert printed.exit_code == 0 and "bad\ufffd\ufffdname.txt" in printed.output


def test_line_separators_and_tag_characters_never_break_or_hide_in_an_output(settings, corpus, fake, tmp_path):
    write(
        corpus / "separators.md",
        "# Separators\n\nWithheld passports\u2028are an indicator\u2029of forced labour\U000e0041\U000e0042 in farms.\n",
    )
    write(corpus / "catalogue.toml", '[[file]]\npath = "separators.md"\ntitle = "x} and \\\\ backslash \\\\}"\n')
    build(settings, corpus, fake)
    index = str(settings.paths.index_dir)
    batch = write(tmp_path / "batch.txt", "withheld passports\nforced labour farms\n")
    lines = cli("ask", "--index", index, "--mode", "lexical", "--json", "--batch", str(batch)).stdout
    assert len(lines.splitlines()) == 2, "one record per line, whatever a reader splits lines on"
    records = [json.loads(line) for line in lines.splitlines()]
    texts = " ".join(r["text"] + r["citation"] for record in records for r in record["results"])
    assert "\u2028" not in texts and not any(0xE0000 <= ord(c) <= 0xE007F for c in texts)
    for style in ("text", "markdown"):
        shown = cli("ask", "--index", index, "--mode", "lexical", "--format", style, "withheld passports").stdout
        assert "\u2028" not in shown and "\u2029" not in shown and not any(0xE0000 <= ord(c) <= 0xE007F for c in shown)
    chunk_id = records[0]["results"][0]["chunk_id"]
    import bibtexparser

    entry = cli("cite", str(chunk_id), "--index", index, "--format", "bibtex").stdout
    assert entry.count("{") - entry.count("\\{") == entry.count("}") - entry.count("\\}"), entry
    parsed = bibtexparser.parse_string(entry)
    assert len(parsed.entries) == 1 and not parsed.failed_blocks


def test_verify_names_a_dropped_table_instead_of_failing(settings, corpus, fake):
    build(settings, corpus, fake)
    path = generation(settings) / "store.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE embeddings")
    # The checksum changed too; verify goes on to say what the database lacks.
    problems = [p.what for p in make_pipeline(settings, corpus).verify()]
    assert any("store.sqlite" in p for p in problems) and not any("unexpected" in p for p in problems)
    output = run_cli("index", "verify", "--index", str(settings.paths.index_dir))
    assert output.returncode == 1 and "unexpected" not in output.stderr and "Traceback" not in output.stderr


def test_a_vocabulary_that_is_not_a_map_is_a_named_error(settings, corpus, fake):
    build(settings, corpus, fake)
    write(generation(settings) / "lexical_vocab.json", "[1, 2, 3]")
    output = one_line(run_cli("ask", "--index", str(settings.paths.index_dir), "--mode", "lexical", "consent"))
    assert "lexical index" in output and "not a map of words" in output and "unexpected" not in output


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("catalogue.csv", "path,title\nchildren.md," + "x" * 140_000 + "\n", "not a CSV row"),
        ("catalogue.csv", "path,year\nchildren.md,\u00b2\n", "year"),
        ("catalogue.csv", "path,year\nchildren.md," + "9" * 5000 + "\n", "year"),
        ("catalogue.toml", '[[file]]\npath = "children.md"\nyear = ' + "9" * 5000 + "\n", "number too long"),
        ("catalogue.toml", "x = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deep"),
    ],
    ids=[
        "csv cell over the field limit",
        "csv year superscript",
        "csv year of 5000 digits",
        "toml year of 5000 digits",
        "toml nested 100k deep",
    ],
)
def test_a_catalogue_built_to_break_the_reader_is_a_named_one_line_error(settings, corpus, name, content, message):
    write(corpus / name, content)
    output = one_line(
        run_cli("index", "build", "--corpus", str(corpus), "--index", str(settings.paths.index_dir), "-q", timeout=120)
    )
    assert name in output and message in output and "unexpected" not in output


def test_a_chunk_id_too_large_for_a_number_is_a_usage_error(settings, corpus, fake):
    build(settings, corpus, fake)
    result = cli("cite", "99999999999999999999", "--index", str(settings.paths.index_dir))
    assert result.exit_code == 2 and "'99999999999999999999' is not a passage id" in result.output


def test_verify_passes_after_twenty_random_incremental_builds_and_fails_on_each_tamper(settings, corpus, fake):
    import random

    random.seed(7)
    build(settings, corpus, fake)
    words = "passports wages debts recruiters farms fishing domestic hotels referral consent".split()
    for step in range(20):
        files = sorted(p for p in corpus.iterdir() if p.suffix == ".md")
        action = random.choice(["add", "change", "delete", "rename"] if len(files) > 2 else ["add"])
        if action == "add":
            write(corpus / f"new{step}.md", f"# Note {step}\n\n" + " ".join(random.choices(words, k=40)) + ".\n")
        elif action == "change":
            target = random.choice(files)
            write(target, target.read_text() + "\n" + " ".join(random.choices(words, k=25)) + ".\n")
        elif action == "delete":
            random.choice(files).unlink()
        else:
            target = random.choice(files)
            target.rename(corpus / f"renamed{step}.md")
        report = build(settings, corpus, fake)
        assert not report.up_to_date, action
        assert make_pipeline(settings, corpus).verify() == [], f"step {step}: {action}"
    folder = generation(settings)
    for name in ("lexical_rows.npy", "vectors.faiss", "store.sqlite", "manifest.json"):
        original = (folder / name).read_bytes()
        data = bytearray(original)
        data[len(data) // 2] ^= 0xFF
        (folder / name).write_bytes(bytes(data))
        assert make_pipeline(settings, corpus).verify(), f"tampered {name} passed verify"
        (folder / name).write_bytes(original)
    assert make_pipeline(settings, corpus).verify() == []


def test_a_hundred_thousand_stale_catalogue_entries_print_a_few_lines_not_all(settings, corpus):
    entries = "".join(f'[[file]]\npath = "gone/{n}.pdf"\ntitle = "Gone {n}"\n\n' for n in range(100_000))
    write(corpus / "catalogue.toml", entries)
    process = run_cli(
        "index", "build", "--corpus", str(corpus), "--index", str(settings.paths.index_dir), "-q", timeout=600
    )
    assert process.returncode == 0, process.stderr[-500:]
    warnings = [line for line in process.stderr.splitlines() if "names no file of the corpus" in line]
    assert len(warnings) == 6 and warnings[-1].startswith("… and 99,995 more warning:"), warnings[-2:]


def test_a_file_nobody_may_read_is_reported_once_and_the_index_stays_up_to_date(settings, corpus, tmp_path):
    import shutil

    secret = write(corpus / "secret.md", "# Secret\n\nNot for this user.\n")
    secret.chmod(0o000)
    # Root reads any file: as root, the commands run without the capabilities that let it, as
    # an ordinary user would.
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    if prefix and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: no file is unreadable here")
    index = str(tmp_path / "index")

    def run(*args):
        return subprocess.run(
            [*prefix, os.sys.executable, "-m", "assistant", *args],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )

    first = run("index", "build", "--corpus", str(corpus), "--index", index, "-q")
    assert first.returncode == 0 and "secret.md: cannot read" in first.stderr, first.stderr[-400:]
    second = run("index", "build", "--corpus", str(corpus), "--index", index, "-q")
    assert "index is up to date" in second.stdout, second.stdout + second.stderr[-400:]
    status = run("index", "status", "--index", index)
    assert ": up to date" in status.stdout and "cannot read" in status.stdout, status.stdout
