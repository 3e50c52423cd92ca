"""`eval`: scores for each retrieval mode on a labelled question set."""

import json

from click.testing import CliRunner

from assistant.cli import main

from .conftest import write
from .test_evaluate import SET


def test_eval_prints_a_table_per_set_and_json_on_request(bundled_index, tmp_path):
    questions = write(tmp_path / "tiny.toml", SET)
    corpus = bundled_index.parent / "corpus"
    common = [
        "eval",
        "--questions",
        str(questions),
        "--corpus",
        str(corpus),
        "--index",
        str(bundled_index),
        "--modes",
        "lexical,hybrid",
    ]
    table = CliRunner().invoke(main, common, catch_exceptions=False)
    assert table.exit_code == 0, table.output
    assert "tiny: 2 answerable, 1 off-topic, 1 near-miss questions" in table.stdout
    assert [line.split()[0] for line in table.stdout.splitlines() if line.startswith(("lexical", "hybrid"))] == [
        "lexical",
        "hybrid",
    ]
    scores = json.loads(CliRunner().invoke(main, [*common, "--json"], catch_exceptions=False).stdout)
    assert {s["mode"] for s in scores["tiny"]} == {"lexical", "hybrid"}, "stdout holds the JSON alone"


def test_check_labels_finds_every_phrase_without_asking_a_question(bundled_index, tmp_path):
    questions = write(tmp_path / "tiny.toml", SET)
    corpus = bundled_index.parent / "corpus"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--questions",
            str(questions),
            "--corpus",
            str(corpus),
            "--index",
            str(bundled_index),
            "--check-labels",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "every answer phrase of 2 questions found, in 2 documents" in result.stdout and "MRR" not in result.stdout


def test_eval_refuses_an_unknown_mode():
    result = CliRunner().invoke(main, ["eval", "--modes", "fuzzy", "--beir", "."])
    assert result.exit_code == 2 and "--modes takes lexical, dense, hybrid" in result.output
