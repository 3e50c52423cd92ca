"""`clean FILE`: what cleaning removes from one file of the corpus, and why."""

from click.testing import CliRunner

from assistant.cli import main

from .conftest import BUNDLED_CORPUS


def test_clean_lists_removals_with_their_rules_and_the_documents(tmp_path):
    result = CliRunner().invoke(
        main,
        ["clean", str(BUNDLED_CORPUS / "004_0e36c2b1859f3387.txt"), "--corpus", str(BUNDLED_CORPUS)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("004_0e36c2b1859f3387.txt: read as txt;") and "characters removed" not in lines[0]
    assert any(line.startswith("Removed or moved to metadata (") for line in lines)
    assert "Documents (10):" in result.stdout


def test_clean_of_a_missing_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "nothing.txt")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_clean_of_a_file_outside_any_corpus_reads_it_with_no_catalogue(tmp_path, monkeypatch):
    # Found in a first-use audit: a file outside the corpus was read with "/nonexistent" as its
    # catalogue, an error wherever such a folder exists.
    (tmp_path / "elsewhere").mkdir()
    note = tmp_path / "elsewhere" / "note.md"
    note.write_text("# Referral\n\nA referral needs informed consent, recorded in writing.\n")
    monkeypatch.chdir(tmp_path)  # the default corpus folder ("corpus") does not hold it
    result = CliRunner().invoke(main, ["clean", str(note)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("note.md: read as md;") or "read as md" in result.stdout.splitlines()[0]
