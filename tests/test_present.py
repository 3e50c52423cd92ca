"""Presenting results: citations in every format, the `ask --json` contract as a model, and the
text and Markdown renderings, on hand-made answers."""

import json
from datetime import datetime, timezone

import pytest

from assistant.errors import CitationError
from assistant.models import Answer, AnswerJSON, Citation, DocumentInfo, Hit, Location
from assistant.present import (
    answer_json,
    citation_line,
    format_citation,
    refused_json,
    render_answer_markdown,
    render_answer_text,
)

WHEN = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
CITATION = Citation(
    chunk_id=42, title="Seeing the Unseen", organisation="NEXUS Institute", year=2018, url="https://example.org/unseen",
    section="Findings", page=12, path="004.txt", indexed_at=WHEN,
)
DOCUMENT = DocumentInfo(id="004.txt", path="004.txt", title="Seeing the Unseen", organisation="NEXUS Institute", year=2018)


def hit(text="Many victims are never identified. They return home alone.", rank=1):
    return Hit(
        rank=rank, score=0.91, chunk_id=42, text=text, document=DOCUMENT,
        location=Location(section="Findings", page=12, char_start=10, char_end=10 + len(text)),
        citation=CITATION, highlights=[(0, 34)], dense_score=0.62, lexical_score=None,
    )


def test_the_short_citation_line_names_title_organisation_year_and_place():
    assert citation_line(CITATION) == "Seeing the Unseen — NEXUS Institute, 2018; Findings; p. 12"


def test_text_citation_has_every_part_a_report_needs():
    text = format_citation(CITATION, "text")
    assert text.startswith("Seeing the Unseen.") and "NEXUS Institute, 2018." in text
    assert "Section: Findings; p. 12." in text and "https://example.org/unseen." in text and "File: 004.txt." in text


def test_markdown_citation_links_the_title_and_escapes_it():
    odd = CITATION.model_copy(update={"title": "Rights *and* [duties]"})
    assert format_citation(odd, "markdown").startswith("[Rights \\*and\\* \\[duties\\]](https://example.org/unseen)")


def test_csl_json_and_bibtex_carry_the_same_facts():
    csl = json.loads(format_citation(CITATION, "csl-json"))
    assert csl["title"] == "Seeing the Unseen" and csl["issued"] == {"date-parts": [[2018]]} and csl["page"] == "12"
    bibtex = format_citation(CITATION, "bibtex")
    assert bibtex.startswith("@misc{") and "year = {2018}" in bibtex and "pages = {12}" in bibtex


def test_an_unknown_citation_format_is_refused():
    with pytest.raises(CitationError, match="unknown citation format"):
        format_citation(CITATION, "chicago")


def test_the_json_contract_is_the_model_serialised_with_its_keys_in_order():
    line = answer_json(Answer(query="who is missed?", abstained=False, hits=[hit()], mode="hybrid")).to_json()
    data = json.loads(line)
    assert list(data) == ["query", "abstained", "results", "mode"], "message and notices only when there is something to say"
    result = data["results"][0]
    assert list(result) == ["rank", "score", "text", "document", "location", "citation", "chunk_id", "highlights", "dense_score", "lexical_score"]
    assert result["highlights"] == [[0, 34]] and result["lexical_score"] is None
    assert result["citation"] == format_citation(CITATION, "text")
    assert AnswerJSON.model_validate_json(line).results[0].document.title == "Seeing the Unseen"


def test_an_abstention_and_a_refused_batch_line_follow_the_same_contract():
    abstained = json.loads(answer_json(Answer(query="sourdough", abstained=True, message="No passage answers.", mode="hybrid")).to_json())
    assert abstained == {"query": "sourdough", "abstained": True, "results": [], "mode": "hybrid", "message": "No passage answers."}
    refused = json.loads(refused_json("", "the question is empty").to_json())
    assert refused == {"query": "", "abstained": True, "results": [], "error": "the question is empty"}


def test_text_rendering_strips_terminal_escapes_from_document_text():
    rendered = render_answer_text(Answer(query="q", abstained=False, hits=[hit("Before \x1b[2Jafter. Second sentence.")]))
    assert "\x1b" not in rendered and "[1] Seeing the Unseen" in rendered and "Cite: Seeing the Unseen." in rendered


def test_markdown_rendering_quotes_each_passage_under_its_citation():
    rendered = render_answer_markdown(Answer(query="who is missed?", abstained=False, hits=[hit()]))
    assert rendered.startswith("## who is missed?") and "1. [Seeing the Unseen](https://example.org/unseen)" in rendered
    assert "   > Many victims are never identified." in rendered
