"""`ask`: the command-line contract that scripts and evaluations depend on (JSON Lines, batch,
human-readable text and Markdown)."""

from click.testing import CliRunner

from assistant.cli import main
from assistant.models import NO_ANSWER, AnswerJSON

from .conftest import write


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_ask_json_prints_one_valid_object_per_question(bundled_index):
    result = run(
        "ask",
        "--index",
        str(bundled_index),
        "--json",
        "-k",
        "3",
        "Why do Indonesian trafficking victims often go unidentified?",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    answer = AnswerJSON.model_validate_json(lines[0])
    assert not answer.abstained and 1 <= len(answer.results) <= 3, (
        "at most k: weak cards below the relative floor are not shown"
    )
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


def test_a_batch_of_blank_lines_is_a_usage_error_and_a_refused_line_echoes_no_control_characters(
    bundled_index, tmp_path
):
    blank = write(tmp_path / "blank.txt", "\n  \n\n")
    result = CliRunner().invoke(main, ["ask", "--index", str(bundled_index), "--batch", str(blank)])
    assert result.exit_code == 2 and "holds no question" in result.output
    controls = write(tmp_path / "controls.txt", "\x01\x02\x03\nwhy do victims decline assistance\n")
    result = run("ask", "--index", str(bundled_index), "--json", "--batch", str(controls))
    first = AnswerJSON.model_validate_json(result.stdout.splitlines()[0])
    assert first.error and first.query == "", "the question as typed, control characters removed (docs/json.md)"


def test_ask_human_output_shows_passage_and_citation(bundled_index):
    result = run("ask", "--index", str(bundled_index), "-k", "1", "Blue Dot safe spaces for children")
    assert result.exit_code == 0
    assert "[1]" in result.stdout and "Cite:" in result.stdout and "Blue Dot" in result.stdout


def test_empty_question_is_a_usage_error(bundled_index):
    result = CliRunner().invoke(main, ["ask", "--index", str(bundled_index), "   "])
    assert result.exit_code == 2 and "empty" in result.output


def test_an_empty_context_is_named_as_the_context_not_the_question(bundled_index):
    result = CliRunner().invoke(main, ["ask", "--index", str(bundled_index), "--context", " ", "and for children?"])
    assert result.exit_code == 2 and "--context is empty" in result.output and "question is empty" not in result.output


def test_ask_markdown_quotes_passages_under_linked_citations(bundled_index):
    result = run(
        "ask", "--index", str(bundled_index), "--format", "markdown", "-k", "2", "Blue Dot safe spaces for children"
    )
    assert result.exit_code == 0
    assert (
        result.stdout.startswith("## Blue Dot safe spaces for children")
        and "   > " in result.stdout
        and "1. " in result.stdout
    )


def test_ask_filters_restrict_results_and_an_unknown_value_lists_the_known_ones(bundled_index):
    result = run("ask", "--index", str(bundled_index), "--json", "--region", "Asia", "victim identification")
    answer = AnswerJSON.model_validate_json(result.stdout.strip().splitlines()[0])
    assert answer.results and all(r.document.region == "Asia" for r in answer.results)
    unknown = CliRunner().invoke(main, ["ask", "--index", str(bundled_index), "--region", "Atlantis", "victims"])
    assert unknown.exit_code == 2 and "known values are" in unknown.output and "Asia" in unknown.output


def test_ask_off_topic_says_that_nothing_answers(bundled_index):
    result = run("ask", "--index", str(bundled_index), "best sourdough bread recipe with a starter")
    assert result.exit_code == 0 and NO_ANSWER in result.stdout and "[1]" not in result.stdout
    assert "remove filters" not in result.stdout, "no filters were set: the advice does not mention them"


def test_the_passages_are_wrapped_to_a_narrow_terminal(bundled_index, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    result = run("ask", "--index", str(bundled_index), "Why do Indonesian trafficking victims often go unidentified?")
    assert result.exit_code == 0, result.output
    quoted = [line for line in result.stdout.splitlines() if line.startswith("    ") and "Cite:" not in line]
    assert quoted and max(map(len, quoted)) <= 59, "wrapped to the terminal, not to 100 columns"
    monkeypatch.setenv("COLUMNS", "200")
    wide = run("ask", "--index", str(bundled_index), "Why do Indonesian trafficking victims often go unidentified?")
    wide_quoted = [line for line in wide.stdout.splitlines() if line.startswith("    ") and "Cite:" not in line]
    assert max(map(len, wide_quoted)) <= 100, "never wider than 100 columns, however wide the terminal"


def test_an_answer_from_an_index_older_than_its_files_says_which_passages_come_from_changed_or_removed_ones(
    settings, shared_embedder_factory
):
    # Found in a first-use audit: a telephone number changed in the file and a deleted file were
    # still quoted and cited, and nothing on stdout or stderr said that the index was out of date.
    from assistant.pipeline import Pipeline

    corpus = settings.paths.corpus_dir
    write(corpus / "safe-house.md", "# Safe house\n\nOut of hours, call the safe house duty worker on 0800 555 0199.\n")
    write(corpus / "referral.md", "# Referral\n\nOut of hours, call the duty social worker before any referral.\n")
    write(corpus / "other.md", "# Interpreters\n\nUse a professional interpreter, never a family member.\n")
    Pipeline(settings).build(embedder_factory=shared_embedder_factory)
    write(corpus / "safe-house.md", "# Safe house\n\nOut of hours, call the safe house duty worker on 0800 555 0200.\n")
    (corpus / "referral.md").unlink()
    index = str(settings.paths.index_dir)
    result = run("ask", "--index", index, "--json", "Who do I call out of hours?")
    assert result.exit_code == 0, result.output
    assert (
        "note: the index is out of date (1 changed, 1 removed since it was built): run: python -m assistant index"
        in (result.stderr)
    )
    answer = AnswerJSON.model_validate_json(result.stdout.strip().splitlines()[0])
    files = {r.document.path for r in answer.results}
    assert files & {"safe-house.md", "referral.md"}, files
    for rank, card in enumerate(answer.results, start=1):
        if card.document.path == "safe-house.md":
            assert f"passage {rank}: safe-house.md has changed since the index was built" in " ".join(answer.notices)
        if card.document.path == "referral.md":
            assert f"passage {rank}: referral.md is no longer in the corpus; rebuild the index before citing it" in (
                answer.notices
            )
    assert not any("other.md" in notice for notice in answer.notices)
    # cite says so too (a later audit cited a deleted file's passage with no word of it).
    cited = run("cite", str(answer.results[0].chunk_id), "--index", index)
    assert cited.exit_code == 0 and "note: the index is out of date (1 changed, 1 removed" in cited.stderr
    text = run("ask", "--index", index, "Who do I call out of hours?")
    assert "Note: passage 1: " in text.stdout
    Pipeline(settings).build(embedder_factory=shared_embedder_factory)
    fresh = run("ask", "--index", index, "Who do I call out of hours?")
    assert "out of date" not in fresh.stderr and "Note: passage" not in fresh.stdout


def test_a_passage_from_a_list_of_myths_has_no_highlighted_sentence_and_says_so(tmp_path, st_embedder, monkeypatch):
    # Found in a first-use audit: a Myth | Reality table's myth was the strong first card's
    # highlighted best match, in the text, the TUI and `ask --json`.
    import assistant.index.build as build

    monkeypatch.setattr(build, "default_embedder_factory", lambda batch_size: lambda _d: st_embedder)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write(
        corpus / "guidance.md",
        "# Statutory guidance\n\n## Identifying victims\n\nFirst responders should look for signs of control.\n\n"
        "## Myths about modern slavery\n\nA person is not a victim when they say they have a better life than "
        "before.\nSome people tolerate their situation as a stepping stone. This does not mean they are not a "
        "victim.\n",
    )
    assert run("index", "build", "--corpus", str(corpus), "--index", str(index), "--quiet").exit_code == 0
    asked = run("ask", "--index", str(index), "--json", "-k", "3", "is a person a victim if they have a better life?")
    results = AnswerJSON.model_validate_json(asked.stdout.splitlines()[0]).results
    myths = [r for r in results if "better life" in r.text]
    assert myths and all(r.among_myths and r.highlights == [] for r in myths)
    assert all(not r.among_myths for r in results if "better life" not in r.text)
    text = run("ask", "--index", str(index), "-k", "1", "is a person a victim if they have a better life?").stdout
    assert "may be the myth, not the guidance" in text and "Best match" not in text


def test_a_document_is_named_to_document_as_index_status_lists_it_escapes_and_all(tmp_path, st_embedder, monkeypatch):
    # Found in a first-use audit: `index status --documents` listed "field notes txt.md" (its
    # right-to-left override dropped), and --document refused that name.
    import assistant.index.build as build

    monkeypatch.setattr(build, "default_embedder_factory", lambda batch_size: lambda _d: st_embedder)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write(corpus / "field notes \u202etxt.md", "# Notes\n\nWorkers on the farm said their wages paid off a debt.\n")
    write(corpus / "guide.md", "# Guide\n\nLabour inspectors should look for withheld passports.\n")
    assert run("index", "build", "--corpus", str(corpus), "--index", str(index), "--quiet").exit_code == 0
    listing = run("index", "status", "--documents", "--index", str(index)).stdout
    assert "[field notes \\u202etxt.md]" in listing and "\u202e" not in listing
    listed = run("ask", "--index", str(index), "--document", "field notes \\u202etxt.md", "--json", "wages debt")
    answer = AnswerJSON.model_validate_json(listed.stdout.splitlines()[0])
    assert listed.exit_code == 0 and answer.results
    assert {r.document.id for r in answer.results} == {"field notes \u202etxt.md"}
    unknown = run("ask", "--index", str(index), "--document", "field notes txt.md", "wages")
    assert unknown.exit_code == 2 and "unknown document 'field notes txt.md'" in unknown.output


def test_a_batch_line_not_searched_is_markdown_in_markdown_output(bundled_index, tmp_path):
    # Found in a first-use audit: a line of control characters came out as plain text ("Question:
    # \nerror: ...") in the middle of --format markdown.
    batch = tmp_path / "questions.txt"
    batch.write_text("what is debt bondage?\n\x01\x02\n", encoding="utf-8")
    result = run("ask", "--index", str(bundled_index), "-k", "1", "--format", "markdown", "--batch", str(batch))
    assert result.exit_code == 0
    assert "## (a line with nothing printable)\n\n_Not searched: the question is empty" in result.stdout
    assert "Question:" not in result.stdout and "\nerror:" not in result.stdout


def test_a_question_of_punctuation_alone_is_a_one_line_error_not_a_search(bundled_index):
    # Found in a first-use audit: "?!?... ;;; ---" was searched, and "no passage matched well enough".
    result = run("ask", "--index", str(bundled_index), "?!?... ;;; ---")
    assert result.exit_code == 2 and "the question has no words, only punctuation or symbols" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert run("ask", "--index", str(bundled_index), "-k", "1", "NRM?").exit_code == 0


def test_json_and_markdown_asked_together_is_a_usage_error(bundled_index):
    # Found in a first-use audit: `ask --json --format markdown` printed JSON without a word.
    result = run("ask", "--index", str(bundled_index), "--json", "--format", "markdown", "debt bondage")
    assert result.exit_code == 2 and "--json and --format markdown ask for two formats" in result.output
