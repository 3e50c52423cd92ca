"""`doctor`: the packaged model loads offline and both query encoders agree."""

from click.testing import CliRunner

from assistant.cli import main


def test_doctor_reports_the_model_and_the_encoders_agreement():
    result = CliRunner().invoke(main, ["doctor"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "model sentence-transformers/all-MiniLM-L6-v2 (384 dims" in result.stdout
    assert "NumPy query encoder agreement: cosine 1.0000" in result.stdout or "cosine 0.9999" in result.stdout
