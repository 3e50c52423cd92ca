"""The library's front door (pipeline.py): one index and the corpus it is built from, its
advice, staleness, reloading and the index errors every front end shows."""

from __future__ import annotations

import pytest

from assistant.errors import CorpusMismatchError, IndexCorruptError, IndexMissingError
from assistant.pipeline import Pipeline

from .conftest import write


def build(settings, corpus, fake, **kwargs):
    return Pipeline(settings, index_dir=settings.paths.index_dir, corpus_dir=corpus).build(
        embedder_factory=lambda _dir: fake, **kwargs
    )


def test_an_index_remembers_its_corpus_and_the_advice_names_its_folder(settings, corpus, fake):
    build(settings, corpus, fake)
    pipeline = Pipeline(settings, index_dir=settings.paths.index_dir)
    assert pipeline.corpus_dir == corpus, "not the default corpus/"
    assert (
        pipeline.advice(full=True) == f"run: python -m assistant index build --full --index {settings.paths.index_dir}"
    )


def test_an_index_whose_manifest_is_damaged_is_repaired_from_a_folder_the_user_names(settings, corpus, fake):
    # Found in a first-use audit: the advice named the default corpus/, and run from the project
    # folder it replaced the damaged library with the bundled pages without asking.
    build(settings, corpus, fake)
    for manifest in settings.paths.index_dir.glob("generations/*/manifest.json"):
        manifest.write_text(manifest.read_text()[:40])
    pipeline = Pipeline(settings, index_dir=settings.paths.index_dir)
    with pytest.raises(IndexCorruptError) as raised:
        pipeline.open()
    assert str(raised.value).endswith(
        f"run: python -m assistant index build --full --index {settings.paths.index_dir} --corpus YOUR-DOCUMENTS-FOLDER"
        " (YOUR-DOCUMENTS-FOLDER: the folder of documents this index was built from)"
    ), str(raised.value)
    assert str(settings.paths.corpus_dir) not in str(raised.value)
    named = Pipeline(settings, index_dir=settings.paths.index_dir, corpus_dir=corpus)
    assert named.advice(full=True).endswith(f"--corpus {corpus}"), "the folder the user named"
    named.build(embedder_factory=lambda _dir: fake, full=True)
    assert Pipeline(settings, index_dir=settings.paths.index_dir).open().store is not None


def test_a_missing_index_is_an_error_that_ends_with_the_build_that_makes_it(settings):
    with pytest.raises(IndexMissingError) as raised:
        Pipeline(settings, index_dir=settings.paths.index_dir).open()
    assert str(raised.value).endswith(
        f"run: python -m assistant index build --index {settings.paths.index_dir} --corpus {settings.paths.corpus_dir}"
    )


def test_building_an_index_from_another_corpus_needs_to_be_asked_for(settings, corpus, fake, tmp_path):
    build(settings, corpus, fake)
    other = tmp_path / "other"
    write(other / "a.md", "# Other\n\nA guide to labour inspections on fishing vessels.\n")
    with pytest.raises(CorpusMismatchError, match="--replace-corpus"):
        build(settings, other, fake)
    report = build(settings, other, fake, replace_corpus=True)
    assert report.full and Pipeline(settings, index_dir=settings.paths.index_dir).corpus_dir == other


def test_staleness_names_added_changed_and_removed_files(settings, corpus, fake):
    build(settings, corpus, fake)
    write(corpus / "new.md", "# New\n\nShelter staff explain rights in the person's language.\n")
    write(corpus / "referral.md", "# Referral\n\nA referral needs informed consent, recorded in writing.\n")
    (corpus / "children.md").unlink()
    staleness = Pipeline(settings, index_dir=settings.paths.index_dir).staleness()
    assert (staleness.added, staleness.changed, staleness.removed) == (["new.md"], ["referral.md"], ["children.md"])
    assert staleness.brief() == "1 added, 1 changed, 1 removed"


def test_a_spreadsheet_catalogue_is_not_a_file_added_since_the_build(settings, corpus, fake):
    # Found in a first-use audit: with a catalogue.csv, status always said "1 added: catalogue.csv".
    write(corpus / "catalogue.csv", "file,title\nreferral.md,Referral guide\n")
    build(settings, corpus, fake)
    staleness = Pipeline(settings, index_dir=settings.paths.index_dir).staleness()
    assert not staleness.stale and staleness.added == []


def test_an_edited_catalogue_entry_makes_its_file_changed_since_the_build(settings, corpus, fake):
    # Found in a first-use audit: after a title was corrected in the catalogue, status said
    # "up to date", though the next build changed the citations.
    write(corpus / "catalogue.toml", '[[file]]\npath = "referral.md"\ntitle = "Referral guide"\n')
    build(settings, corpus, fake)
    assert not Pipeline(settings, index_dir=settings.paths.index_dir).staleness().stale
    write(corpus / "catalogue.toml", '[[file]]\npath = "referral.md"\ntitle = "Referral guide, 2nd edition"\n')
    staleness = Pipeline(settings, index_dir=settings.paths.index_dir).staleness()
    assert staleness.changed == ["referral.md"] and staleness.added == staleness.removed == []
    (corpus / "catalogue.toml").unlink()
    assert Pipeline(settings, index_dir=settings.paths.index_dir).staleness().changed == ["referral.md"]


def test_an_open_pipeline_keeps_answering_from_its_generation_until_it_reloads(settings, corpus, fake):
    build(settings, corpus, fake)
    reader = Pipeline(settings, index_dir=settings.paths.index_dir, query_embedder=fake)
    reader.open()
    assert not reader.newer_index_available() and not reader.reload()
    write(corpus / "new.md", "# New\n\nShelter staff explain rights in the person's language.\n")
    build(settings, corpus, fake)
    assert reader.newer_index_available()
    assert len(reader.document_infos()) == 3, "still the generation it opened"
    assert reader.reload() and len(reader.document_infos()) == 4


def test_a_cards_own_offsets_cite_the_pages_its_text_runs_onto(settings, tmp_path, fake):
    # A card may take whole sentences from the next passage, onto the next page: `cite` of its
    # chunk id alone gave only the first page (27 of 455 dev cards).
    from assistant.errors import CitationError
    from assistant.models import PassageId

    from .conftest import write
    from .fixtures_build import make_pdf, paragraph_runs

    first = "Frontline workers should record indicators of exploitation and refer the person with consent. " * 30
    second = "Children do not need to consent to be referred, and the local authority must be told at once. " * 30
    corpus = tmp_path / "corpus"
    write(corpus / "guide.pdf", make_pdf([paragraph_runs(first, 760)[0], paragraph_runs(second, 760)[0]]))
    build(settings, corpus, fake)
    pipeline = Pipeline(settings, index_dir=settings.paths.index_dir)
    store = pipeline.open().store
    rows = store.connection.execute("SELECT id, document_id, char_start, char_end, page FROM chunks ORDER BY ordinal")
    chunk_id, document, start, end, page = rows.fetchone()
    assert page == 1
    length = store.document_length(document)
    whole = pipeline.citation(PassageId(chunk_id=chunk_id, span=(start, length)))
    assert (whole.page, whole.page_end) == (1, 2), "the card's own pages"
    assert pipeline.cite(f"{chunk_id}@{start}-{length}") == pipeline.cite(
        str(PassageId(chunk_id=chunk_id, span=(start, length)))
    )
    assert pipeline.citation(chunk_id).page_end in (None, 1), "the stored passage alone: its first page only"
    with pytest.raises(CitationError, match="is not around chunk"):
        pipeline.citation(f"{chunk_id}@{length + 5}-{length + 50}")
    with pytest.raises(CitationError, match="not a passage id"):
        pipeline.citation("12@x-y")
