"""Index lifecycle: incremental builds, full rebuilds when the model or chunker changes, crash
safety (SIGKILL mid-embedding), the single-writer lock, integrity checks and staleness.

Storage-mechanics tests use a deterministic fake embedder (vectors from a hash of the text): what
is checked is bookkeeping, not meaning. Tests that search use the real model."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import BuildLockedError, IndexMismatchError, NothingToIndexError
from assistant.index.layout import IndexLayout
from assistant.index.lexical import terms_of
from assistant.pipeline import Pipeline

from .conftest import REPO, write
from .fixtures_build import PARAGRAPHS, make_docx, make_pdf, make_pptx, paragraph_runs


def make_pipeline(settings: Settings, corpus: Path) -> Pipeline:
    return Pipeline(settings, index_dir=settings.paths.index_dir, corpus_dir=corpus)


def build(settings, corpus, fake, **kwargs):
    return make_pipeline(settings, corpus).build(embedder_factory=lambda _dir: fake, **kwargs)


def chunk_texts(settings) -> dict[str, list[str]]:
    pipeline = Pipeline(settings, index_dir=settings.paths.index_dir)
    store = pipeline.open().store
    rows = store.connection.execute(
        "SELECT d.path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY d.path, c.ordinal"
    ).fetchall()
    pipeline.close()
    result: dict[str, list[str]] = {}
    for path, text in rows:
        result.setdefault(path, []).append(text)
    return result


# --- incremental builds ---------------------------------------------------------------------------


def test_first_build_indexes_everything(settings, corpus, fake):
    report = build(settings, corpus, fake)
    assert sorted(report.added) == sorted(PARAGRAPHS) and report.chunks == 3 and report.chunks_embedded == 3
    assert report.generation == IndexLayout(settings.paths.index_dir).current_name()


def test_nothing_changed_means_nothing_done(settings, corpus, fake):
    build(settings, corpus, fake)
    fake.embedded.clear()
    report = build(settings, corpus, fake)
    assert report.up_to_date and report.unchanged == 3 and fake.embedded == []


def test_added_changed_and_removed_files(settings, corpus, fake):
    build(settings, corpus, fake)
    fake.embedded.clear()
    write(corpus / "new.md", "# Labour\n\nLabour inspectors check wage slips and working hours on farms.\n")
    write(corpus / "referral.md", "# Referral\n\nAn adult must give informed consent before any referral is made.\n")
    (corpus / "children.md").unlink()
    report = build(settings, corpus, fake)
    assert report.added == ["new.md"] and report.changed == ["referral.md"] and report.removed == ["children.md"]
    assert report.unchanged == 1 and report.chunks_embedded == 2 and report.sentences_embedded == 2
    assert sorted(fake.embedded) == sorted(
        [
            "Referral\nAn adult must give informed consent before any referral is made.",
            "An adult must give informed consent before any referral is made.",
            "Labour\nLabour inspectors check wage slips and working hours on farms.",
            "Labour inspectors check wage slips and working hours on farms.",
        ]
    ), "each passage is embedded with its context, and each of its sentences alone"
    texts = chunk_texts(settings)
    assert set(texts) == {"identification.md", "new.md", "referral.md"}
    assert texts["referral.md"] == ["An adult must give informed consent before any referral is made."]
    pipeline = Pipeline(settings, index_dir=settings.paths.index_dir)
    index = pipeline.open()
    assert index.vectors.size == 3 and sorted(index.vectors.ids()) == sorted(
        r[0] for r in index.store.connection.execute("SELECT id FROM chunks")
    )
    assert index.sentences.size == 3, "the removed file's sentences left with it"
    assert pipeline.verify() == []


def test_a_renamed_file_costs_no_embedding(settings, corpus, fake):
    build(settings, corpus, fake)
    fake.embedded.clear()
    (corpus / "referral.md").rename(corpus / "referral-procedure.md")
    report = build(settings, corpus, fake)
    assert report.added == ["referral-procedure.md"] and report.removed == ["referral.md"]
    assert report.chunks_embedded == 0 and fake.embedded == [], "embeddings are reused by the hash of the embedded text"


def test_unchanged_chunks_of_a_changed_file_are_not_re_embedded(settings, corpus, fake):
    write(
        corpus / "long.md",
        "# Guide\n\n## Part one\n\nThe first part explains the duty to notify.\n\n## Part two\n\nThe second part "
        "explains support.\n",
    )
    build(settings, corpus, fake)
    fake.embedded.clear()
    write(
        corpus / "long.md",
        "# Guide\n\n## Part one\n\nThe first part explains the duty to notify.\n\n## Part two\n\nThe second part "
        "explains support and housing.\n",
    )
    report = build(settings, corpus, fake)
    assert report.changed == ["long.md"] and report.chunks_embedded == 1
    assert fake.embedded[0].endswith("The second part explains support and housing.")


def test_editing_the_catalogue_re_ingests_that_file(settings, corpus, fake):
    build(settings, corpus, fake)
    write(
        corpus / "catalogue.toml",
        '[[file]]\npath = "referral.md"\ntitle = "Referral procedure"\norganisation = "Example Office"\n',
    )
    report = build(settings, corpus, fake)
    assert report.changed == ["referral.md"]
    pipeline = Pipeline(settings, index_dir=settings.paths.index_dir)
    assert pipeline.open().store.document("referral.md").organisation == "Example Office"


def test_a_copy_of_an_indexed_file_never_takes_its_place_and_the_catalogued_copy_is_kept(settings, corpus, fake):
    # Found in a first-use audit: "OLD DRAFT safe-house-procedure.odt", a copy, sorts first, so
    # answers cited the draft's name and the catalogue's year and type were gone.
    build(settings, corpus, fake)
    shutil.copy(corpus / "referral.md", corpus / "OLD DRAFT referral.md")
    report = build(settings, corpus, fake)
    skipped = {r.path: r.reason for r in report.files if r.status == "skipped"}
    assert skipped == {"OLD DRAFT referral.md": "same content as referral.md (indexed once, under that path)"}
    store = make_pipeline(settings, corpus).open().store
    assert store.document("referral.md") is not None and store.document("OLD DRAFT referral.md") is None
    shutil.copy(corpus / "referral.md", corpus / "0 copy referral.md")
    report = build(settings, corpus, fake)
    skipped = {r.path: r.reason for r in report.files if r.status == "skipped"}
    assert skipped == {"0 copy referral.md": "same content as referral.md (indexed once, under that path)"}, (
        "the standing the last build gave, not the first in path order"
    )
    assert make_pipeline(settings, corpus).open().store.document("referral.md") is not None
    fresh = settings.paths.index_dir.parent / "fresh-index"
    write(corpus / "catalogue.toml", '[[file]]\npath = "referral.md"\ntitle = "Referral procedure"\nyear = 2023\n')
    first = Pipeline(settings, index_dir=fresh, corpus_dir=corpus).build(embedder_factory=lambda _dir: fake)
    assert {r.path for r in first.files if r.status == "skipped"} == {"OLD DRAFT referral.md", "0 copy referral.md"}, (
        "a first build keeps the copy the catalogue describes"
    )


def test_a_chunk_keeps_its_id_when_its_file_is_read_again_and_its_text_is_unchanged(settings, corpus, fake):
    build(settings, corpus, fake)

    def ids_by_text():
        pipeline = Pipeline(settings, index_dir=settings.paths.index_dir)
        rows = dict(pipeline.open().store.connection.execute("SELECT text, id FROM chunks").fetchall())
        pipeline.close()
        return rows

    before = ids_by_text()
    write(corpus / "catalogue.toml", '[[file]]\npath = "referral.md"\ntitle = "Quillon protocol"\n')
    write(corpus / "new.md", "# Labour\n\nLabour inspectors check wage slips and working hours on farms.\n")
    report = build(settings, corpus, fake)
    assert report.changed == ["referral.md"] and report.added == ["new.md"]
    after = ids_by_text()
    assert all(after[text] == chunk_id for text, chunk_id in before.items()), (
        "a catalogue edit or a new file elsewhere changes no id"
    )
    assert after["Labour inspectors check wage slips and working hours on farms."] not in before.values(), (
        "a new chunk never takes an old id"
    )
    pipeline = make_pipeline(settings, corpus)
    referral_id = before[next(t for t in before if "informed consent" in t)]
    assert "Quillon protocol" in pipeline.cite(referral_id), "an id written down before still cites, with the new title"
    lexical = pipeline.open().lexical
    assert [chunk_id for chunk_id, _ in lexical.search(terms_of("Quillon"), 5)] == [referral_id], (
        "indexed again with the new title around it"
    )
    assert pipeline.verify() == []


def test_changed_chunker_settings_re_chunk_everything_with_a_reason(settings, corpus, fake):
    build(settings, corpus, fake)
    settings.chunk.max_tokens = 100
    fake.embedded.clear()
    report = build(settings, corpus, fake)
    assert report.reread_reason == "the chunker settings changed" and sorted(report.changed) == sorted(PARAGRAPHS)
    assert fake.embedded == [], "these short files chunk the same way: their embeddings are reused"
    settings.chunk.max_tokens = 30
    write(corpus / "long.md", "# Long\n\n" + "A sentence about labour inspections on farms and factories. " * 8 + "\n")
    report = build(settings, corpus, fake)
    assert report.reread_reason == "the chunker settings changed" and report.chunks_embedded > 0


def test_changed_ingestion_code_re_reads_every_file(settings, corpus, fake, monkeypatch):
    import assistant.index.fingerprint as fingerprint

    build(settings, corpus, fake)
    monkeypatch.setattr(fingerprint, "ingest_version", lambda: "a-newer-cleaning-rule")
    fake.embedded.clear()
    report = build(settings, corpus, fake)
    assert report.reread_reason == "the ingestion or chunking code changed" and len(report.changed) == 3
    assert fake.embedded == []


def test_full_flag_rebuilds_from_scratch(settings, corpus, fake):
    build(settings, corpus, fake)
    report = build(settings, corpus, fake, full=True)
    assert report.full and report.full_reason == "--full was given" and len(report.added) == 3


def test_another_model_rebuilds_everything_and_old_indexes_refuse_it(settings, corpus, fake, model_dir, tmp_path):
    build(settings, corpus, fake)
    other = tmp_path / "other-model"
    shutil.copytree(model_dir, other, ignore=shutil.ignore_patterns("model.safetensors"))
    (other / "model.safetensors").symlink_to(model_dir / "model.safetensors")
    (other / "tokenizer_config.json").write_text((other / "tokenizer_config.json").read_text() + " ")
    other_settings = settings.model_copy(deep=True)
    other_settings.embed.model_dir = other
    with pytest.raises(IndexMismatchError, match="another embedding model"):
        Pipeline(other_settings, index_dir=settings.paths.index_dir).open()
    report = build(other_settings, corpus, fake)
    assert report.full and "embedding model changed" in report.full_reason


def test_old_generations_are_cleaned_up(settings, corpus, fake):
    built = []
    for round_number in range(4):
        write(corpus / "extra.md", f"# Extra\n\nRound {round_number} of edits to this note about shelters.\n")
        built.append(build(settings, corpus, fake).generation)
    layout = IndexLayout(settings.paths.index_dir)
    generations = sorted(p.name for p in layout.generations_dir.iterdir())
    assert generations == sorted(built[-settings.index.keep_generations :])
    assert layout.current_name() == built[-1]


def test_generation_names_sort_in_build_order_within_one_clock_tick(tmp_path):
    layout = IndexLayout(tmp_path / "index")
    names = []
    for _ in range(5):
        name, temporary = layout.new_generation()
        layout.publish(name, temporary)
        names.append(name)
    assert names == sorted(names) and len(set(names)) == 5


# --- skipped files and nothing to index ------------------------------------------------------------


def test_a_mixed_folder_builds_with_a_correct_skip_report(settings, tmp_path, fake):
    corpus = tmp_path / "mixed"
    text = "Frontline workers should record indicators of exploitation and refer the person with consent."
    write(corpus / "note.txt", text)
    write(corpus / "guide.md", f"# Guide\n\n{text}\n")
    write(corpus / "page.html", f"<html><head><title>Page</title></head><body><p>{text}</p></body></html>")
    write(corpus / "report.pdf", make_pdf([paragraph_runs(text, 760)[0]]))
    make_docx(corpus / "policy.docx", [("h1", "Policy"), ("p", text)])
    make_pptx(corpus / "deck.pptx", [("Indicators", [text], "Say it slowly.")])
    write(corpus / "empty.txt", "")
    write(corpus / "empty.md", "")  # a first-use audit saw an empty file called a copy of another
    write(corpus / "scan.pdf", make_pdf([[]]))
    write(corpus / "broken.pdf", b"%PDF-1.4 this is not a pdf")
    write(corpus / "~$policy.docx", b"owner lock")
    write(corpus / "binary.txt", bytes(range(256)) * 8)
    report = build(settings, corpus, fake)
    statuses = {f.path: (f.status, f.reason) for f in report.files}
    for indexed in ("note.txt", "guide.md", "page.html", "report.pdf", "policy.docx", "deck.pptx"):
        assert statuses[indexed] == ("indexed", None), indexed
    assert statuses["empty.txt"] == statuses["empty.md"] == ("empty", "empty file")
    assert statuses["scan.pdf"][0] == "empty" and "no text layer" in statuses["scan.pdf"][1]
    assert statuses["broken.pdf"][0] == "skipped" and "PDF" in statuses["broken.pdf"][1]
    assert statuses["~$policy.docx"] == ("skipped", "temporary or editor file")
    assert statuses["binary.txt"][0] == "skipped"
    status = make_pipeline(settings, corpus).status()
    kept = {path: (state, reason) for path, state, reason in status.skipped}
    assert set(kept) == {"empty.txt", "empty.md", "scan.pdf", "broken.pdf", "~$policy.docx", "binary.txt"}
    assert status.indexed_files == 6


def test_a_corpus_with_nothing_indexable_fails_clearly(settings, tmp_path, fake):
    corpus = tmp_path / "useless"
    write(corpus / "empty.txt", "")
    write(corpus / "empty.md", "")  # a first-use audit saw an empty file called a copy of another
    write(corpus / "scan.pdf", make_pdf([[]]))
    with pytest.raises(NothingToIndexError, match="no file gave any text") as error:
        build(settings, corpus, fake)
    assert "empty.txt" in str(error.value)
    assert IndexLayout(settings.paths.index_dir).current_name() is None


def test_a_file_given_as_the_corpus_is_called_a_file_and_a_missing_folder_missing(settings, tmp_path, fake):
    document = write(tmp_path / "huge.txt", "Forced labour indicators.")
    with pytest.raises(NothingToIndexError, match="is a file, not a folder"):
        build(settings, document, fake)
    with pytest.raises(NothingToIndexError, match="does not exist"):
        build(settings, tmp_path / "nowhere", fake)


# --- crash safety, lock, readers during a rebuild -------------------------------------------------

KILLABLE_BUILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from assistant.config import Settings
    from assistant.pipeline import Pipeline
    from tests.fixtures_build import FakeEmbedder

    class StallingEmbedder(FakeEmbedder):
        def embed_documents(self, texts, progress=None):
            Path({marker!r}).write_text("embedding")
            time.sleep(60)  # killed here, in the middle of embedding

    settings = Settings()
    settings.show_progress = False
    Pipeline(settings, index_dir=Path({index!r}), corpus_dir=Path({corpus!r})).build(embedder_factory=lambda _d: StallingEmbedder())
    """
)


def test_sigkill_in_the_middle_of_embedding_leaves_the_previous_index_usable(settings, corpus, fake, tmp_path):
    build(settings, corpus, fake)
    layout = IndexLayout(settings.paths.index_dir)
    before = layout.current_name()
    write(corpus / "new.md", "# New\n\nA new note on debt bondage in brick kilns and how to spot it.\n")
    marker = tmp_path / "embedding-started"
    script = KILLABLE_BUILD.format(
        repo=str(REPO), marker=str(marker), index=str(settings.paths.index_dir), corpus=str(corpus)
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the build never started embedding"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    assert layout.current_name() == before, "readers still see the previous generation"
    assert any(p.name.startswith(".tmp-") for p in layout.generations_dir.iterdir()), (
        "the half-built generation was never published"
    )
    pipeline = Pipeline(settings, index_dir=settings.paths.index_dir, query_embedder=fake)
    answer = pipeline.ask("withheld documents and debts", mode="lexical")
    assert answer.hits and answer.hits[0].document.path == "identification.md"
    assert pipeline.verify() == []

    report = build(settings, corpus, fake)  # the lock died with the process; the next build completes
    assert report.added == ["new.md"] and layout.current_name() != before
    assert not any(p.name.startswith(".tmp-") for p in layout.generations_dir.iterdir())


def test_a_second_build_is_refused_while_one_holds_the_lock(settings, corpus, fake):
    layout = IndexLayout(settings.paths.index_dir)
    with layout.build_lock():
        with pytest.raises(BuildLockedError, match=f"pid {os.getpid()}"):
            build(settings, corpus, fake)
    build(settings, corpus, fake)  # released afterwards


def test_a_reader_keeps_working_during_a_rebuild_and_can_switch(settings, corpus, fake):
    build(settings, corpus, fake)
    reader = Pipeline(settings, index_dir=settings.paths.index_dir, query_embedder=fake)
    first = reader.open().name
    write(corpus / "new.md", "# New\n\nShelter staff should explain rights in the person's own language.\n")
    build(settings, corpus, fake)
    assert reader.ask("referral consent", mode="lexical").hits, "the open generation still answers"
    assert reader.newer_index_available()
    assert reader.reload() and reader.open().name != first
    assert any(h.document.path == "new.md" for h in reader.ask("shelter staff rights language", mode="lexical").hits)


# --- integrity ------------------------------------------------------------------------------------


def _generation(settings) -> Path:
    return IndexLayout(settings.paths.index_dir).current_dir()


def test_verify_passes_on_a_fresh_index(settings, corpus, fake):
    build(settings, corpus, fake)
    assert make_pipeline(settings, corpus).verify() == []


def test_verify_names_a_truncated_faiss_file(settings, corpus, fake):
    build(settings, corpus, fake)
    path = _generation(settings) / "vectors.faiss"
    path.write_bytes(path.read_bytes()[:100])
    problems = make_pipeline(settings, corpus).verify()
    assert any("vectors.faiss checksum" in p.what for p in problems)
    assert all("index build --full" in p.fix for p in problems)


def test_verify_names_a_deleted_database_row(settings, corpus, fake):
    build(settings, corpus, fake)
    path = _generation(settings) / "store.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("DELETE FROM chunks WHERE id = (SELECT min(id) FROM chunks)")
    connection.commit()
    connection.close()
    whats = " | ".join(p.what for p in make_pipeline(settings, corpus).verify())
    assert (
        "store.sqlite checksum" in whats
        and "database holds 2 chunks, manifest says 3" in whats
        and "FAISS ids and database chunk ids differ" in whats
    )


def test_verify_names_an_edited_manifest(settings, corpus, fake):
    build(settings, corpus, fake)
    path = _generation(settings) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["counts"]["chunks"] = 99
    path.write_text(json.dumps(manifest))
    whats = " | ".join(p.what for p in make_pipeline(settings, corpus).verify())
    assert "manifest.json was changed after the build wrote it" in whats


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m["background"].update(mean=0.99),  # every question would abstain
        lambda m: m["model"].update(dimension=512),
        lambda m: m.update(unexpected="key"),
    ],
)
def test_any_edit_of_the_manifest_is_detected_on_open_and_by_verify(settings, corpus, fake, edit):
    from assistant.errors import IndexCorruptError

    build(settings, corpus, fake)
    path = _generation(settings) / "manifest.json"
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest))
    with pytest.raises(
        IndexCorruptError, match="(changed after the build wrote it|not a valid manifest).*index build --full"
    ) as raised:
        make_pipeline(settings, corpus).open()
    # Found in a first-use audit: "(1 validation error for IndexManifest)" reached the user.
    assert "validation error" not in str(raised.value) and "IndexManifest" not in str(raised.value)
    assert any("manifest.json" in p.what for p in make_pipeline(settings, corpus).verify())


def test_opening_a_damaged_index_is_a_clear_error(settings, corpus, fake):
    from assistant.errors import IndexCorruptError

    build(settings, corpus, fake)
    (_generation(settings) / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="not a valid manifest.*index build --full"):
        make_pipeline(settings, corpus).open()


# --- staleness ------------------------------------------------------------------------------------


def test_status_reports_files_changed_since_the_build(settings, corpus, fake):
    build(settings, corpus, fake)
    pipeline = make_pipeline(settings, corpus)
    assert not pipeline.status().staleness.stale
    write(corpus / "referral.md", PARAGRAPHS["referral.md"] + "\nOne more sentence.\n")
    write(corpus / "added.md", "# Added\n\nNew text.\n")
    (corpus / "children.md").unlink()
    staleness = pipeline.status().staleness
    assert (
        staleness.changed == ["referral.md"]
        and staleness.added == ["added.md"]
        and staleness.removed == ["children.md"]
    )


def test_touching_a_file_without_changing_it_is_not_staleness(settings, corpus, fake):
    build(settings, corpus, fake)
    os.utime(corpus / "referral.md", (time.time() + 100, time.time() + 100))
    assert not make_pipeline(settings, corpus).status().staleness.stale


def test_status_says_when_the_next_build_reads_every_file_again_though_none_changed(settings, corpus, fake):
    """After an upgrade that reads or chunks differently, "up to date" would hide that the index
    still holds the old reading."""
    build(settings, corpus, fake)
    settings.chunk.lexical_context_weight += 0.1
    staleness = make_pipeline(settings, corpus).status().staleness
    assert staleness.stale and not (staleness.added or staleness.changed or staleness.removed)
    assert staleness.summary() == "unchanged; the next build reads every file again (the chunker settings changed)"
    assert staleness.brief() == "chunker settings changed"
    report = build(settings, corpus, fake)
    assert report.reread_reason == "the chunker settings changed"
    assert not make_pipeline(settings, corpus).status().staleness.stale


# --- growth: the approximate index ------------------------------------------------------------


def test_large_indexes_switch_to_hnsw_and_stay_correct(settings, corpus, fake):
    settings.index.exact_search_max_vectors = 2  # this corpus has 3 chunks: above the threshold
    build(settings, corpus, fake)
    pipeline = Pipeline(settings, index_dir=settings.paths.index_dir, corpus_dir=corpus, query_embedder=fake)
    index = pipeline.open()
    assert index.manifest.vector_index.kind == "hnsw" and index.vectors.info.parameters["m"] == settings.index.hnsw_m
    assert pipeline.verify() == []
    question = "Frontline staff identify victims by looking for indicators such as withheld documents and debts."
    hits = index.vectors.search(fake.embed_queries([index.store.chunks_of_document("identification.md")[0].text])[0], 3)
    assert len(hits) == 3
    from assistant.models import Filters

    only = pipeline.ask(question, mode="dense", filters=Filters(documents=["referral.md"]), k=3)
    assert all(h.document.path == "referral.md" for h in only.hits)


def test_listing_a_file_in_the_ignore_file_removes_it_from_the_index(settings, corpus, fake):
    build(settings, corpus, fake)
    write(corpus / ".guidanceignore", "referral.md\n")
    report = build(settings, corpus, fake)
    assert report.removed == ["referral.md"]
    assert [(f.path, f.reason) for f in report.files] == [("referral.md", "excluded by .guidanceignore")]
    assert {d.path for d in make_pipeline(settings, corpus).document_infos()} == {"identification.md", "children.md"}
    assert not make_pipeline(settings, corpus).status().staleness.stale
    assert build(settings, corpus, fake).up_to_date


def test_a_citation_gives_the_printed_page_beside_the_pdf_page(settings, tmp_path, fake):
    import io

    import pypdf

    topics = ["identity documents held by employers", "debts for recruitment fees", "threats against family members"]
    pages = [
        paragraph_runs(
            " ".join(
                f"Sentence {n} of page {page} explains how {topic} keep workers from leaving their jobs."
                for n in range(1, 12)
            ),
            700,
        )[0]
        for page, topic in enumerate(topics, start=1)
    ]
    source = pypdf.PdfReader(io.BytesIO(make_pdf(pages)))
    writer = pypdf.PdfWriter(clone_from=source)
    writer.set_page_label(0, 0, style="/r")  # a cover numbered i
    writer.set_page_label(1, 2, style="/D", start=61)  # then 61, 62
    labelled = io.BytesIO()
    writer.write(labelled)
    corpus = tmp_path / "corpus"
    write(corpus / "report.pdf", labelled.getvalue())
    build(settings, corpus, fake)
    pipeline = make_pipeline(settings, corpus)
    chunks = {c.page: c for c in pipeline.open().store.chunks_of_document("report.pdf")}
    assert set(chunks) == {1, 2, 3}, "one passage per page"
    citation = pipeline.citation(chunks[3].id)
    assert (citation.page, citation.page_label) == (3, "62")
    assert "p. 62 (PDF p. 3)" in pipeline.cite(chunks[3].id)
    assert "pages = {62}" in pipeline.cite(chunks[3].id, "bibtex")
    first = pipeline.citation(chunks[1].id)
    expected = "pp. i–61 (PDF pp. 1–2)" if first.page_end == 2 else "p. i (PDF p. 1)"
    assert expected in pipeline.cite(chunks[1].id)
    hits = pipeline.ask("threats against family members", mode="lexical").hits
    assert any(hit.location.page_label for hit in hits), "an answer's location gives the printed page too"
    for hit in hits:
        pages = (hit.citation.page, hit.citation.page_end, hit.citation.page_label, hit.citation.page_end_label)
        assert (hit.location.page, hit.location.page_end, hit.location.page_label, hit.location.page_end_label) == pages


def test_one_long_document_is_embedded_a_window_at_a_time(settings, tmp_path, monkeypatch):
    # Found in a first-use audit: a 50 MB text file (70,000 passages) was embedded in one call,
    # whose word-piece vectors reached 14.8 GB of memory before any was written to the spill.
    from .fixtures_build import FakeEmbedder

    class CountingEmbedder(FakeEmbedder):
        calls: list[int] = []

        def embed_passages(self, texts, progress=None):
            self.calls.append(len(texts))
            return super().embed_passages(texts, progress)

    monkeypatch.setattr("assistant.index.build.EMBED_WINDOW", 16)
    corpus = tmp_path / "long"
    write(corpus / "log.txt", "\n\n".join(f"Entry {n}: " + " ".join(["record"] * 150) + f" {n}." for n in range(60)))
    embedder = CountingEmbedder()
    report = make_pipeline(settings, corpus).build(embedder_factory=lambda _dir: embedder)
    assert report.chunks > 16 and sum(embedder.calls) >= report.chunks
    assert max(embedder.calls) <= 16, embedder.calls
    assert make_pipeline(settings, corpus).verify() == [], "every passage has its vector and word pieces"


def test_no_progress_bar_of_a_build_counts_past_its_total(settings, tmp_path, monkeypatch):
    # Found in a first-use audit: "embedding passages and their sentences: 4203" after "4201/4201":
    # files read after a batch was embedded were counted on the embedding bar.
    from .fixtures_build import FakeEmbedder

    class Recorded:
        def __init__(self):
            self.stages: list[list] = []  # [name, total, counted]

        def stage(self, name, total):
            self.stages.append([name, total, 0])

        def advance(self, amount=1):
            self.stages[-1][2] += amount

        def close(self):
            pass

    monkeypatch.setattr("assistant.index.build.EMBED_WINDOW", 16)
    corpus = tmp_path / "files"
    for n in range(6):
        write(corpus / f"log{n}.txt", "\n\n".join(f"Entry {n}.{m}: " + " ".join(["record"] * 150) for m in range(12)))
    recorded = Recorded()
    make_pipeline(settings, corpus).build(progress=recorded, embedder_factory=lambda _dir: FakeEmbedder())
    assert all(counted <= total for _, total, counted in recorded.stages if total is not None), recorded.stages
    reading = [stage for stage in recorded.stages if stage[0] == "reading and chunking files"]
    assert len(reading) > 1 and sum(counted for _, _, counted in reading) == 6, "every file counted, once"


def test_every_chunk_keeps_its_word_piece_vectors_and_an_incremental_build_copies_the_unchanged(settings, corpus, fake):
    from .fixtures_build import FakeEmbedder

    build(settings, corpus, fake)
    first = make_pipeline(settings, corpus).open()
    before = {chunk_id: first.tokens.rows(chunk_id)[0].tobytes() for chunk_id, _ in first.store.chunk_hashes()}
    assert before and all(before.values()), "every chunk has word-piece vectors"
    chunk = first.store.chunks_of_document("identification.md")[0]
    own_words = fake.embed_question(chunk.text)[1]
    assert first.tokens.maxsim([chunk.id], own_words)[0] > 0.99, "a chunk matches its own words"
    write(corpus / "children.md", PARAGRAPHS["children.md"] + "\nChildren cannot consent to their own exploitation.\n")
    second_embedder = FakeEmbedder()
    build(settings, corpus, second_embedder)
    second = make_pipeline(settings, corpus).open()
    after = {chunk_id: second.tokens.rows(chunk_id)[0].tobytes() for chunk_id, _ in second.store.chunk_hashes()}
    kept = [c.id for c in second.store.chunks_of_document("identification.md")]
    assert all(after[c] == before[c] for c in kept), "unchanged chunks' rows are copied, not recomputed"
    assert all("identification" not in t.casefold() for t in second_embedder.embedded), (
        "only the changed file is embedded"
    )
    assert make_pipeline(settings, corpus).verify() == []
