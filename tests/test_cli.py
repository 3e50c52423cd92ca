"""The command-line contract that scripts and evaluations depend on."""


import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.models import AnswerJSON

from .conftest import write


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_ask_json_prints_one_valid_object_per_question(bundled_index):
    result = run("ask", "--index", str(bundled_index), "--json", "-k", "3", "Why do Indonesian trafficking victims often go unidentified?")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    answer = AnswerJSON.model_validate_json(lines[0])
    assert not answer.abstained and len(answer.results) == 3
    top = answer.results[0]
    assert top.document.title.startswith("Seeing the Unseen") and top.document.path == "004_0e36c2b1859f3387.txt"
    assert "NEXUS Institute" in top.citation and "2018" in top.citation


def test_ask_batch_answers_every_line_in_order(bundled_index, tmp_path):
    questions = ["What did resolution 2331 address?", "best sourdough recipe", "", "why do victims decline assistance"]
    batch = write(tmp_path / "questions.txt", "\n".join(questions) + "\n")
    result = run("ask", "--index", str(bundled_index), "--json", "--batch", str(batch))
    assert result.exit_code == 0, result.output
    answers = [AnswerJSON.model_validate_json(line) for line in result.stdout.strip().splitlines()]
    assert [a.query for a in answers] == [q for q in questions if q]
    assert answers[1].abstained and answers[1].results == []
    assert not answers[0].abstained and not answers[2].abstained


def test_ask_human_output_shows_passage_and_citation(bundled_index):
    result = run("ask", "--index", str(bundled_index), "-k", "1", "Blue Dot safe spaces for children")
    assert result.exit_code == 0
    assert "[1]" in result.stdout and "Cite:" in result.stdout and "Blue Dot" in result.stdout


@pytest.mark.parametrize("subcommand", [["ask", "a question"], ["index", "status"], ["cite", "1"]])
def test_missing_index_is_a_one_line_error_naming_the_fix(tmp_path, subcommand):
    result = CliRunner().invoke(main, [*subcommand[:1], *subcommand[1:2], *subcommand[2:], "--index", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "run: python -m assistant index build" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_empty_question_is_a_usage_error(bundled_index):
    result = CliRunner().invoke(main, ["ask", "--index", str(bundled_index), "   "])
    assert result.exit_code == 2 and "empty" in result.output


def test_unknown_option_is_a_usage_error():
    assert CliRunner().invoke(main, ["ask", "--no-such-option"]).exit_code == 2


def test_index_build_prints_a_summary_line(tmp_path, st_embedder, monkeypatch):
    import assistant.build as build

    monkeypatch.setattr(build, "default_embedder_factory", lambda batch_size: (lambda _d: st_embedder))
    corpus = tmp_path / "corpus"
    write(corpus / "guide.md", "# Guide\n\nLabour inspectors should look for withheld passports and debt bondage.\n")
    result = run("index", "build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--quiet")
    assert result.exit_code == 0, result.output
    summary = result.stdout.strip().splitlines()[-1]
    assert "indexed 1 files" in summary and "1 chunks" in summary and " s" in summary
    status = run("index", "status", "--index", str(tmp_path / "index"), "--corpus", str(corpus))
    assert status.exit_code == 0 and "sentence-transformers/all-MiniLM-L6-v2" in status.stdout and "up to date" in status.stdout


def _commands(group, prefix=()):
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


@pytest.mark.parametrize("path,command", list(_commands(main)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_an_example(path, command):
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert command.help and "Example:" in command.help
