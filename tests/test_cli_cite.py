"""`cite ID`: the citation of one passage, in the format a report needs."""

import json

from click.testing import CliRunner

from assistant.cli import main
from assistant.models import AnswerJSON


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def first_result(bundled_index):
    result = run(
        "ask",
        "--index",
        str(bundled_index),
        "--json",
        "-k",
        "1",
        "Why do Indonesian trafficking victims often go unidentified?",
    )
    return AnswerJSON.model_validate_json(result.stdout.strip().splitlines()[0]).results[0]


def test_cite_prints_the_same_citation_as_the_search_result(bundled_index):
    top = first_result(bundled_index)
    result = run("cite", str(top.chunk_id), "--index", str(bundled_index))
    assert result.exit_code == 0 and result.stdout.strip() == top.citation


def test_cite_in_bibtex_and_csl_json(bundled_index):
    top = first_result(bundled_index)
    bibtex = run("cite", str(top.chunk_id), "--index", str(bundled_index), "--format", "bibtex").stdout
    assert bibtex.startswith("@") and "Seeing the Unseen" in bibtex and "year = {2018}" in bibtex
    [csl] = json.loads(run("cite", str(top.chunk_id), "--index", str(bundled_index), "--format", "csl-json").stdout)
    assert csl["title"].startswith("Seeing the Unseen") and csl["issued"] == {"date-parts": [[2018]]}


def test_an_unknown_passage_id_is_a_one_line_usage_error(bundled_index):
    # Exit 2, as for an id that is no number: a first-use audit saw `cite 99999` exit 1 ("an error
    # of the index or corpus") and `cite abc` exit 2.
    for typed in ("999999", "abc"):
        result = CliRunner().invoke(main, ["cite", typed, "--index", str(bundled_index)])
        assert result.exit_code == 2 and "Traceback" not in result.output, typed
    assert "no chunk 999999" in CliRunner().invoke(main, ["cite", "999999", "--index", str(bundled_index)]).output


def test_a_passage_id_that_is_not_a_number_says_where_to_find_one(bundled_index):
    # Found in a first-use audit: "cite abc" said "'abc' is not a valid integer range".
    result = CliRunner().invoke(main, ["cite", "abc", "--index", str(bundled_index)])
    assert result.exit_code == 2 and "'abc' is not a passage id" in result.output and 'after "chunk"' in result.output
    assert "integer range" not in result.output


def test_every_cards_passage_id_cites_what_the_card_says(bundled_index):
    result = run(
        "ask", "--index", str(bundled_index), "--json", "-k", "5", "How do traffickers recruit migrant workers?"
    )
    answer = AnswerJSON.model_validate_json(result.stdout.strip().splitlines()[0])
    assert answer.results
    for card in answer.results:
        assert card.passage_id and run("cite", card.passage_id, "--index", str(bundled_index)).stdout.strip() == (
            card.citation
        )


def test_cite_takes_a_passage_id_as_ask_prints_it_or_as_csl_json_names_it(bundled_index):
    # Found in a first-use audit: "cite chunk-585" (the CSL-JSON id) and "cite 'chunk 585'" failed.
    top = first_result(bundled_index)
    for written in (f"chunk {top.chunk_id}", f"chunk-{top.chunk_id}"):
        result = run("cite", written, "--index", str(bundled_index))
        assert result.exit_code == 0 and result.stdout.strip() == top.citation, written
