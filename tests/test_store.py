"""The SQLite store of one generation (index/store.py), on a real database written by a build:
transactions, deletion of a file with everything it holds, filters, neighbours and embeddings."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from assistant.errors import IndexCorruptError
from assistant.index.layout import STORE, IndexLayout
from assistant.index.store import Store
from assistant.models import SCHEMA_VERSION, Filters
from assistant.pipeline import Pipeline


@pytest.fixture
def store_copy(settings, corpus, fake, tmp_path):
    """A writable copy of a built generation's database."""
    Pipeline(settings, index_dir=settings.paths.index_dir, corpus_dir=corpus).build(embedder_factory=lambda _dir: fake)
    source = IndexLayout(settings.paths.index_dir).current_dir() / STORE
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(source.read_bytes())
    store = Store.open_writable(copy)
    yield store
    store.close()


def test_a_new_store_records_its_schema_version(tmp_path):
    store = Store.create(tmp_path / "new.sqlite", SCHEMA_VERSION)
    assert store.schema_version() == SCHEMA_VERSION and store.chunk_count() == 0 and store.quick_check() == "ok"


def test_a_published_store_opens_read_only(settings, corpus, fake):
    Pipeline(settings, index_dir=settings.paths.index_dir, corpus_dir=corpus).build(embedder_factory=lambda _dir: fake)
    store = Store.open_readonly(IndexLayout(settings.paths.index_dir).current_dir() / STORE)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.delete_file("referral.md")
    assert store.chunk_count() == 3


def test_a_file_that_is_not_a_database_is_named_as_damage(tmp_path):
    (tmp_path / "junk.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(IndexCorruptError, match="junk.sqlite is not a readable SQLite database"):
        Store.open_readonly(tmp_path / "junk.sqlite")


def test_deleting_a_file_removes_its_documents_and_chunks_and_a_failed_transaction_keeps_them(store_copy):
    with pytest.raises(RuntimeError), store_copy.transaction():
        store_copy.delete_file("referral.md")
        raise RuntimeError("the build failed half-way")
    assert store_copy.chunk_count() == 3, "rolled back"
    with store_copy.transaction():
        assert store_copy.delete_file("referral.md") == 1
    assert store_copy.chunk_count() == 2 and "referral.md" not in {r["path"] for r in store_copy.file_rows()}
    with store_copy.transaction():
        assert store_copy.drop_unused_embeddings() >= 1, "the deleted chunk's embedding goes too"
    assert store_copy.without_embedding() == 0


def test_filters_select_chunks_by_their_documents(store_copy):
    everything = store_copy.filtered_chunk_ids(Filters())
    assert sorted(everything.tolist()) == sorted(store_copy.chunk_ids())
    children = store_copy.filtered_chunk_ids(Filters(documents=["children.md"]))
    assert (
        len(children) == 1 and "Children cannot consent" in store_copy.chunk_texts(children.tolist())[int(children[0])]
    )
    assert store_copy.filtered_chunk_ids(Filters(year_from=2999)).size == 0


def test_an_organisation_is_one_filter_value_however_its_documents_spell_it(store_copy):
    # Found in a first-use audit: "Scottish Government" left out the documents of "The Scottish
    # Government".
    ids = [row[0] for row in store_copy.connection.execute("SELECT id FROM documents ORDER BY id")]
    spellings = ["The Scottish Government", "Scottish Government", "Scottish government."]
    for document, spelling in zip(ids, spellings):
        store_copy.connection.execute("UPDATE documents SET organisation = ? WHERE id = ?", (spelling, document))
    assert store_copy.facet_values()["organisation"] == ["Scottish Government"], "the spelling most documents use"
    for asked in spellings:
        found = store_copy.filtered_chunk_ids(Filters(organisations=[asked]))
        assert sorted(found.tolist()) == sorted(store_copy.filtered_chunk_ids(Filters(documents=ids[:3])).tolist())
    assert store_copy.filtered_chunk_ids(Filters(organisations=["Government"])).size == 0, "a whole name, not a part"


def test_vectors_come_back_in_id_order_with_their_ids(store_copy):
    ids, vectors = next(store_copy.iter_vectors(384))
    assert ids.tolist() == sorted(store_copy.chunk_ids()) and vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_the_chunks_around_a_chunk_stay_inside_its_document(store_copy):
    one = min(store_copy.chunk_ids())
    assert store_copy.chunks_around([one], 2) == [one], "each of these documents is one chunk"
    assert store_copy.chunks_around([], 2) == []
