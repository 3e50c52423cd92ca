"""What built an index, and the one comparison with what this program would build: the build
plan, staleness, ``index verify`` and opening a generation all follow ``fingerprint.compare``."""

from __future__ import annotations

from assistant.index import fingerprint
from assistant.index.fingerprint import compare
from assistant.ingest.formats import FORMATS, READING_LIBRARIES
from assistant.pipeline import Pipeline


def pipeline_for(settings, corpus) -> Pipeline:
    return Pipeline(settings, index_dir=settings.paths.index_dir, corpus_dir=corpus)


def build(settings, corpus, fake, **kwargs):
    return pipeline_for(settings, corpus).build(embedder_factory=lambda _dir: fake, **kwargs)


def test_an_index_just_built_is_unchanged(settings, corpus, fake):
    build(settings, corpus, fake)
    pipeline = pipeline_for(settings, corpus)
    assert compare(pipeline.manifest(), settings, None).unchanged
    assert not pipeline.status().staleness.stale and pipeline.verify() == []
    assert build(settings, corpus, fake).up_to_date


def test_other_bm25_parameters_rewrite_the_index_without_reading_a_file(settings, corpus, fake):
    build(settings, corpus, fake)
    settings.index.lexical_b = 0.75
    pipeline = pipeline_for(settings, corpus)
    verdict = compare(pipeline.manifest(), settings, None)
    assert verdict.action == "reindex" and verdict.reason == "the BM25 parameters changed"
    assert pipeline.status().staleness.summary() == (
        "unchanged; the next build rewrites the search structures from the stored passages (the BM25 parameters "
        "changed)"
    )
    assert [p.what for p in pipeline.verify()] == [f"the BM25 parameters changed: {verdict.consequence()}"]
    assert "--full" not in pipeline.verify()[0].fix, "a normal build mends it"
    fake.embedded.clear()
    report = build(settings, corpus, fake)
    assert not report.up_to_date and not (report.added or report.changed) and fake.embedded == []
    assert pipeline_for(settings, corpus).manifest().lexical_parameters["b"] == 0.75
    assert build(settings, corpus, fake).up_to_date


def test_a_lower_exact_search_limit_makes_the_next_build_write_an_hnsw_index(settings, corpus, fake):
    build(settings, corpus, fake)
    assert pipeline_for(settings, corpus).manifest().vector_index.kind == "flat"
    settings.index.exact_search_max_vectors = 1
    assert compare(pipeline_for(settings, corpus).manifest(), settings, None).action == "reindex"
    build(settings, corpus, fake)
    assert pipeline_for(settings, corpus).manifest().vector_index.kind == "hnsw"


def test_ef_search_is_a_search_time_setting_applied_on_opening(settings, corpus, fake):
    settings.index.exact_search_max_vectors = 1
    build(settings, corpus, fake)
    settings.index.hnsw_ef_search = 7
    pipeline = pipeline_for(settings, corpus)
    assert compare(pipeline.manifest(), settings, None).unchanged, "no rebuild for a search-time setting"
    assert pipeline.open().vectors.ef_search == 7


def test_another_index_format_needs_a_rebuild_from_scratch(settings, corpus, fake):
    build(settings, corpus, fake)
    manifest = pipeline_for(settings, corpus).manifest().model_copy(update={"schema_version": 1})
    verdict = compare(manifest, settings, None)
    assert verdict.action == "full" and "format 1" in verdict.reason
    assert verdict.consequence() == "the next build starts from scratch"


def test_another_model_needs_a_rebuild_from_scratch(settings, corpus, fake):
    build(settings, corpus, fake)
    manifest = pipeline_for(settings, corpus).manifest()
    other = manifest.model.model_copy(update={"fingerprint": "0" * 64})
    verdict = compare(manifest, settings, other)
    assert verdict.action == "full" and "another embedding model" in verdict.reason


def test_the_reading_libraries_come_from_the_formats_table():
    assert set(READING_LIBRARIES) == {library for f in FORMATS for library in f.libraries}
    assert {"pypdf", "pypdfium2", "python-docx", "python-pptx", "odfpy", "selectolax"} <= set(READING_LIBRARIES)


def test_an_upgraded_reading_library_re_reads_every_file(settings, corpus, fake, monkeypatch):
    build(settings, corpus, fake)
    real_version = fingerprint.metadata.version
    monkeypatch.setattr(fingerprint.metadata, "version", lambda name: "99.0" if name == "pypdf" else real_version(name))
    verdict = compare(pipeline_for(settings, corpus).manifest(), settings, None)
    assert verdict.action == "reread" and verdict.reason == "the ingestion or chunking code changed"
