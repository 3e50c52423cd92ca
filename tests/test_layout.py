"""How an index folder is laid out (index/layout.py): generations published atomically under
CURRENT, cleaned up, checksummed by their manifest, and one build at a time."""

from __future__ import annotations

import pytest

from assistant.errors import BuildLockedError, IndexCorruptError
from assistant.index.layout import IndexLayout, damaged_files, read_manifest
from assistant.pipeline import Pipeline


def test_a_new_folder_has_no_current_generation(tmp_path):
    layout = IndexLayout(tmp_path / "index")
    assert layout.current_name() is None and layout.current_dir() is None and layout.generations() == []


def test_a_published_generation_becomes_current_and_names_sort_in_build_order(tmp_path):
    layout = IndexLayout(tmp_path / "index")
    first, temporary = layout.new_generation()
    layout.publish(first, temporary)
    second, temporary = layout.new_generation()
    assert second > first, "a later build sorts after an earlier one"
    layout.publish(second, temporary)
    assert layout.current_name() == second and [p.name for p in layout.generations()] == [first, second]


def test_cleanup_keeps_the_newest_generations_and_removes_abandoned_builds(tmp_path):
    layout = IndexLayout(tmp_path / "index")
    names = []
    for _ in range(3):
        name, temporary = layout.new_generation()
        layout.publish(name, temporary)
        names.append(name)
    _, abandoned = layout.new_generation()
    removed = layout.cleanup(keep=2)
    assert abandoned.name in removed and names[0] in removed
    assert [p.name for p in layout.generations()] == names[1:] and layout.current_name() == names[2]


@pytest.mark.parametrize("pointer", ["../../etc", "gen-1-1", "\x00\x01binary"])
def test_a_current_pointer_that_names_no_generation_of_this_index_is_damage(tmp_path, pointer):
    layout = IndexLayout(tmp_path / "index")
    layout.root.mkdir()
    (layout.root / "CURRENT").write_text(pointer)
    with pytest.raises(IndexCorruptError, match="CURRENT"):
        layout.current_name()
    assert layout.current_name_or_none() is None


def test_one_build_at_a_time(tmp_path):
    layout = IndexLayout(tmp_path / "index")
    with (
        layout.build_lock(),
        pytest.raises(BuildLockedError, match="another build"),
        IndexLayout(tmp_path / "index").build_lock(),
    ):
        pass
    with layout.build_lock():
        pass  # released after the first


def test_every_data_file_is_checked_against_the_manifest(settings, corpus, fake):
    Pipeline(settings, index_dir=settings.paths.index_dir, corpus_dir=corpus).build(embedder_factory=lambda _dir: fake)
    current = IndexLayout(settings.paths.index_dir).current_dir()
    manifest = read_manifest(current)
    assert damaged_files(current, manifest) == []
    with (current / "vectors.faiss").open("r+b") as handle:
        handle.seek(40)
        handle.write(b"\xff\xff")
    assert any("vectors.faiss" in problem for problem in damaged_files(current, manifest))
