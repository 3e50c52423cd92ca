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
