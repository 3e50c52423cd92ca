"""`index build | status | verify | watch`: building from the command line, what status reports,
verify naming damage, and watch rebuilding when the corpus changes."""

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

from click.testing import CliRunner

from assistant.cli import main

from .conftest import REPO, write


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_index_build_prints_a_summary_line(tmp_path, st_embedder, monkeypatch):
    import assistant.index.build as build

    monkeypatch.setattr(build, "default_embedder_factory", lambda batch_size: lambda _d: st_embedder)
    corpus = tmp_path / "corpus"
    write(corpus / "guide.md", "# Guide\n\nLabour inspectors should look for withheld passports and debt bondage.\n")
    write(
        corpus / "copy of guide.md",
        "# Guide\n\nLabour inspectors should look for withheld passports and debt bondage.\n",
    )
    write(corpus / "empty.txt", "")
    result = run("index", "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--quiet")
    assert result.exit_code == 0, result.output
    summary, reasons = result.stdout.strip().splitlines()[-2:]
    assert (
        "read 3 files: 1 indexed, 1 skipped, 1 empty (3 added" in summary and "1 chunks" in summary and " s" in summary
    )
    assert "peak memory" in summary and " MB" in summary, "a build says what memory it took"
    assert reasons == "not indexed, by reason: 1 empty file; 1 same content as another file"
    # A first-use audit's rebuild, which read one changed file, said "0 skipped, 0 empty" of a
    # folder still holding them.
    write(corpus / "more.md", "# More\n\nEmployers who hold passports commit an offence.\n")
    again = run("index", "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--quiet")
    summary, still = again.stdout.strip().splitlines()[-2:]
    assert "read 1 file: 1 indexed, 0 skipped, 0 empty (1 added" in summary
    assert still == (
        "still not indexed: 2 files unchanged since an earlier build skipped them (`index status` lists each with "
        "its reason)"
    )
    status = run("index", "status", "--index", str(tmp_path / "index"), "--corpus", str(corpus))
    assert (
        status.exit_code == 0
        and "sentence-transformers/all-MiniLM-L6-v2" in status.stdout
        and "up to date" in status.stdout
    )


def test_a_catalogue_edit_is_named_as_the_reason_a_file_is_read_again(tmp_path, st_embedder, monkeypatch):
    import assistant.index.build as build

    monkeypatch.setattr(build, "default_embedder_factory", lambda batch_size: lambda _d: st_embedder)
    corpus = tmp_path / "corpus"
    write(corpus / "guide.md", "# Guide\n\nLabour inspectors should look for withheld passports and debt bondage.\n")
    arguments = ("index", "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--quiet")
    assert run(*arguments).exit_code == 0
    write(corpus / "catalogue.toml", '[[file]]\npath = "guide.md"\norganisation = "Labour Inspectorate"\n')
    result = run(*arguments)
    assert result.exit_code == 0, result.output
    assert "catalogue entries changed for 1 files (guide.md)" in result.output
    assert "0 chunks and 0 of their sentences embedded" in result.output, "the organisation is not what the model sees"


def test_index_status_lists_contents_and_the_corpus_state(bundled_index):
    result = run(
        "index",
        "status",
        "--index",
        str(bundled_index),
        "--corpus",
        str(bundled_index.parent / "corpus"),
        "--documents",
    )
    assert result.exit_code == 0, result.output
    assert "5 of 5 files indexed: 26 documents, " in result.stdout
    assert f"Corpus {bundled_index.parent / 'corpus'}: up to date" in result.stdout
    assert "Seeing the Unseen" in result.stdout


def test_index_verify_passes_a_sound_index_and_names_damage(bundled_index, tmp_path):
    sound = run("index", "verify", "--index", str(bundled_index))
    assert sound.exit_code == 0 and "is consistent" in sound.stdout
    damaged = tmp_path / "index"
    shutil.copytree(bundled_index, damaged)
    generation = damaged / "generations" / (damaged / "CURRENT").read_text().strip()
    (generation / "vectors.faiss").write_bytes((generation / "vectors.faiss").read_bytes()[:1000])
    result = CliRunner().invoke(main, ["index", "verify", "--index", str(damaged)])
    assert result.exit_code == 1
    assert "problem: vectors.faiss checksum" in result.output
    assert f"fix: run: python -m assistant index build --full --index {damaged}" in result.output, (
        "the fix names this index"
    )


def test_a_file_or_a_folder_of_documents_named_as_the_index_is_never_advised_to_be_built_into(tmp_path):
    # Found in a first-use audit: "--index report.txt" and "--index corpus" were each told to run
    # "index build --index" on that very path.
    a_file = tmp_path / "batch.txt"
    a_file.write_text("consent\n", encoding="utf-8")
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "guide.md").write_text("# Consent\n\nAdults consent to a referral.\n", encoding="utf-8")
    for named, said in (
        (a_file, "is a file, not an index folder: name the folder that holds the index with --index, not a file"),
        (documents, f"{documents} holds documents: name the index folder with --index, and this folder with --corpus"),
    ):
        result = CliRunner().invoke(main, ["ask", "--index", str(named), "consent"])
        assert result.exit_code == 1 and said in result.output
        assert "index build" not in result.output and len(result.output.strip().splitlines()) == 1


def test_every_advice_names_the_index_folder_it_applies_to_and_the_corpus_when_it_must(bundled_index, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = CliRunner().invoke(main, ["ask", "--index", str(empty), "consent"])
    # An index folder of the user's own is not for the bundled corpus (a first-use audit was told
    # "--corpus corpus" for her library's index): the command asks for her folder.
    assert missing.exit_code == 1 and f"index build --index {empty} --corpus YOUR-DOCUMENTS-FOLDER" in missing.output
    damaged = tmp_path / "damaged"
    shutil.copytree(bundled_index, damaged)
    (damaged / "CURRENT").write_bytes(b"\xff\xfe")
    result = CliRunner().invoke(main, ["ask", "--index", str(damaged), "consent"])
    assert result.exit_code == 1 and result.output.rstrip().endswith(
        f"run: python -m assistant index build --full --index {damaged}"
    ), result.output
    status = CliRunner().invoke(main, ["index", "status", "--index", str(damaged)])
    assert f"build --full --index {damaged}" in status.output and "--corpus" not in status.output, (
        "its corpus is known from an earlier generation"
    )


def test_index_watch_rebuilds_when_a_file_changes(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "guide.md", "# Guide\n\nLabour inspectors should look for withheld passports and debt bondage.\n")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1"}
    command = [
        sys.executable,
        "-m",
        "assistant",
        "index",
        "watch",
        "--corpus",
        str(corpus),
        "--index",
        str(tmp_path / "index"),
        "--debounce",
        "0.2",
    ]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 120
        edits = 0
        while time.monotonic() < deadline and not rebuilt(seen):
            try:
                seen.append(lines.get(timeout=1.0))
            except queue.Empty:
                pass
            # The watcher starts just after it says so: edit until it has seen a change.
            if any("watching" in line for line in seen) and not any("rebuilding" in line for line in seen):
                edits += 1
                write(
                    corpus / "second.md",
                    f"# Second\n\nA survivor may be entitled to a recovery period of at least {30 + edits} days.\n",
                )
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C
        process.wait(timeout=30)
    time.sleep(0.5)  # the reader thread takes the last lines
    while not lines.empty():
        seen.append(lines.get())
    assert rebuilt(seen), "".join(seen)
    assert "1 added, 0 changed, 0 removed, 1 unchanged" in "".join(seen)
    # Found in a first-use audit: Ctrl+C printed watchfiles' own log line.
    assert seen[-1] == "stopped watching\n" and "watchfiles" not in "".join(seen) and process.returncode == 0


def rebuilt(lines: list[str]) -> bool:
    """A build summary after the watcher said it saw a change."""
    changed = next((i for i, line in enumerate(lines) if "rebuilding" in line), None)
    return changed is not None and any(line.startswith("read ") for line in lines[changed:])


def test_an_index_remembers_its_corpus_and_another_corpus_needs_an_explicit_flag(tmp_path, st_embedder, monkeypatch):
    import assistant.index.build as build_module

    monkeypatch.setattr(build_module, "default_embedder_factory", lambda batch_size: lambda _d: st_embedder)
    casework, other, index = tmp_path / "casework", tmp_path / "other", tmp_path / "index"
    write(casework / "a.md", "# Shelters\n\nShelter staff explain the rights of survivors in their own language.\n")
    write(other / "b.md", "# Inspections\n\nLabour inspectors visit farms at night to find hidden workers.\n")
    assert run("index", "build", "--corpus", str(casework), "--index", str(index), "--quiet").exit_code == 0
    write(casework / "c.md", "# Referral\n\nA referral needs the informed consent of an adult.\n")
    status = run("index", "status", "--index", str(index))
    assert f"Corpus {casework}: changed since the last build: 1 added" in status.stdout
    assert f"run: python -m assistant index build --index {index}" in status.stdout
    again = run("index", "build", "--index", str(index), "--quiet")
    assert "1 added" in again.stdout, "without --corpus, the index's own corpus is built"
    refused = CliRunner().invoke(main, ["index", "build", "--corpus", str(other), "--index", str(index), "--quiet"])
    assert (
        refused.exit_code == 1
        and str(casework) in refused.output
        and str(other) in refused.output
        and "--replace-corpus" in refused.output
    )
    replaced = run("index", "build", "--corpus", str(other), "--index", str(index), "--replace-corpus", "--quiet")
    assert replaced.exit_code == 0 and "read 1 file: 1 indexed" in replaced.stdout
    assert f"{other}: up to date" in run("index", "status", "--index", str(index)).stdout


def test_a_build_stopped_with_ctrl_c_says_the_index_is_as_it_was(tmp_path, monkeypatch):
    # Found in a first-use audit: Ctrl+C printed only "Aborted.", which does not say whether the
    # library still answers. (Ctrl+C reaches the build as KeyboardInterrupt, raised here.)
    from assistant.pipeline import Pipeline

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Pipeline, "build", interrupted)
    write(tmp_path / "corpus" / "a.md", "# A\n\nText.\n")

    def build():
        return CliRunner().invoke(
            main, ["index", "build", "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
        )

    first = build()
    # A first build stopped leaves nothing to answer (a later audit was told it "answers as before").
    assert first.exit_code == 130 and first.stderr.startswith(f"stopped: no index was made in {tmp_path / 'index'}")
    (tmp_path / "index" / "generations" / "gen-20261205T093740.000000-1").mkdir(parents=True)  # one built before
    again = build()
    assert again.exit_code == 130
    assert again.stderr.startswith(f"stopped: nothing was changed, {tmp_path / 'index'} answers as before the build")


def test_index_status_keeps_what_the_build_warned_of_each_file(tmp_path, st_embedder, monkeypatch):
    # Found in a first-use audit: "decoded as cp1252" and "unknown extension" were printed by the
    # build and then lost; `index status` listed only the files not indexed.
    import assistant.index.build as build

    monkeypatch.setattr(build, "default_embedder_factory", lambda batch_size: lambda _d: st_embedder)
    corpus = tmp_path / "corpus"
    write(corpus / "wages.txt", "Workers said “the boss keeps our passports” and deducts rent.\n".encode("cp1252"))
    write(corpus / "guide.md", "# Guide\n\nLabour inspectors should look for withheld passports.\n")
    assert run("index", "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--quiet").exit_code == 0
    status = run("index", "status", "--index", str(tmp_path / "index"), "--corpus", str(corpus)).stdout
    assert "Indexed with a warning:\n  wages.txt: decoded as cp1252" in status


def test_index_status_of_a_damaged_index_shows_what_was_built_and_why_it_cannot_be_opened(
    tmp_path, st_embedder, monkeypatch
):
    # Found in a first-use audit: with vectors.faiss truncated, `index status` printed one error
    # line and nothing of what the index held.
    import json

    from assistant.index.layout import IndexLayout

    _, index = built_with(tmp_path, st_embedder, monkeypatch)
    layout = IndexLayout(index)
    with open(layout.generations_dir / layout.current_name() / "vectors.faiss", "r+b") as vectors:
        vectors.truncate(100)
    result = CliRunner().invoke(main, ["index", "status", "--index", str(index)])
    assert result.exit_code == 1
    assert "1 of 1 files indexed" in result.stdout and "The index could not be opened: " in result.stdout
    assert "index build --full" in result.stdout and "Traceback" not in result.output
    as_json = CliRunner().invoke(main, ["index", "status", "--index", str(index), "--json"])
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["problem"]


def test_index_status_says_what_the_next_build_removes_or_stops_on(tmp_path, st_embedder, monkeypatch):
    # Found in a first-use audit: after a .guidanceignore left out two indexed files, status did
    # not say they would be removed; after a catalogue edit with a year 3024, it said "up to date".
    corpus, index = built_with(tmp_path, st_embedder, monkeypatch, "draft.md")
    write(corpus / ".guidanceignore", "draft.md\n")
    status = run("index", "status", "--index", str(index)).stdout
    assert "changed since the last build: 1 removed" in status and "  removed: draft.md" in status
    write(corpus / "catalogue.toml", '[[file]]\npath = "guide.md"\nyear = 3024\n')
    status = run("index", "status", "--index", str(index)).stdout
    assert "the catalogue cannot be used, and the next build stops on it: " in status
    assert "'3024' is not a year" in status and "up to date" not in status


def built_with(tmp_path, st_embedder, monkeypatch, *more: str):
    """(corpus, index) of a folder holding a short guide (and a short file for each name in
    ``more``), indexed with the real model."""
    import assistant.index.build as build

    monkeypatch.setattr(build, "default_embedder_factory", lambda batch_size: lambda _d: st_embedder)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write(corpus / "guide.md", "# Guide\n\nLabour inspectors should look for withheld passports.\n")
    for name in more:
        write(corpus / name, f"# {name}\n\nNot for use.\n")
    assert run("index", "build", "--corpus", str(corpus), "--index", str(index), "--quiet").exit_code == 0
    return corpus, index
