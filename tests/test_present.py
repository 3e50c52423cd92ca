"""Presenting results: citations in every format, the `ask --json` contract as a model, and the
text and Markdown renderings, on hand-made answers."""

import json
import re
from datetime import datetime, timezone

import pytest

from assistant.errors import CitationError
from assistant.models import NO_ANSWER, Answer, AnswerJSON, Citation, DocumentInfo, Hit, Location
from assistant.present import (
    TITLE_IN_LINE_CHARS,
    answer_json,
    citation_line,
    format_citation,
    format_citations,
    refused_json,
    render_answer_markdown,
    render_answer_text,
)

WHEN = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
CITATION = Citation(
    chunk_id=42,
    title="Seeing the Unseen",
    organisation="NEXUS Institute",
    year=2018,
    url="https://example.org/unseen",
    section="Findings",
    page=12,
    path="004.txt",
    indexed_at=WHEN,
)
DOCUMENT = DocumentInfo(
    id="004.txt", path="004.txt", title="Seeing the Unseen", organisation="NEXUS Institute", year=2018
)


def hit(text="Many victims are never identified. They return home alone.", rank=1):
    return Hit(
        rank=rank,
        score=0.91,
        chunk_id=42,
        text=text,
        document=DOCUMENT,
        location=Location(section="Findings", page=12, char_start=10, char_end=10 + len(text)),
        citation=CITATION,
        highlights=[(0, 34)],
        dense_score=0.62,
        lexical_score=None,
    )


def test_the_short_citation_line_names_title_organisation_year_and_place():
    assert citation_line(CITATION) == "Seeing the Unseen — NEXUS Institute, 2018; Findings; p. 12"


def test_a_title_as_long_as_a_description_is_cut_in_the_short_line_and_whole_in_the_citation():
    # A first-use audit's catalogue held a 1,500-character title: 25 lines above every passage.
    title = "Seeing the Unseen: " + "barriers and opportunities in the identification of victims " * 25
    citation = CITATION.model_copy(update={"title": title.strip()})
    line = citation_line(citation)
    assert line.endswith("— NEXUS Institute, 2018; Findings; p. 12"), "what comes after the title stays"
    shown = line.split(" — ")[0]
    assert shown.endswith("…") and len(shown) <= TITLE_IN_LINE_CHARS + 1 and title.startswith(shown[:-1])
    assert title.strip() in format_citation(citation, "text"), "the citation a report pastes keeps it whole"


def test_text_citation_has_every_part_a_report_needs():
    text = format_citation(CITATION, "text")
    assert text.startswith("Seeing the Unseen.") and "NEXUS Institute, 2018." in text
    assert (
        "Section: Findings; p. 12." in text
        and "https://example.org/unseen." in text
        and text.endswith("Accessed 2026-11-02.")
    )


def test_markdown_citation_links_the_title_and_escapes_it():
    odd = CITATION.model_copy(update={"title": "Rights *and* [duties]"})
    assert format_citation(odd, "markdown").startswith("[Rights \\*and\\* \\[duties\\]](https://example.org/unseen)")


def test_csl_json_and_bibtex_carry_the_same_facts():
    [csl] = json.loads(format_citation(CITATION, "csl-json"))
    assert csl["title"] == "Seeing the Unseen" and csl["issued"] == {"date-parts": [[2018]]} and csl["page"] == "12"
    assert csl["type"] == "webpage" and csl["accessed"] == {"date-parts": [[2026, 11, 2]]}
    bibtex = format_citation(CITATION, "bibtex")
    assert bibtex.startswith("@online{") and "year = {2018}" in bibtex and "pages = {12}" in bibtex
    assert (
        "url = {https://example.org/unseen}" in bibtex
        and "urldate = {2026-11-02}" in bibtex
        and "organization = {NEXUS Institute}" in bibtex
    )


def test_an_unknown_citation_format_is_refused():
    with pytest.raises(CitationError, match="unknown citation format"):
        format_citation(CITATION, "chicago")


def test_the_json_contract_is_the_model_serialised_with_its_keys_in_order():
    line = answer_json(Answer(query="who is missed?", abstained=False, hits=[hit()], mode="hybrid")).to_json()
    data = json.loads(line)
    assert list(data) == ["query", "abstained", "results", "mode"], (
        "message and notices only when there is something to say"
    )
    result = data["results"][0]
    assert list(result) == [
        "rank",
        "score",
        "text",
        "document",
        "location",
        "citation",
        "chunk_id",
        "passage_id",
        "highlights",
        "dense_score",
        "lexical_score",
        "also_at",
        "confidence",
        "shown_before",
        "thread_document",
        "other_nations",
        "other_group",
        "list_goes_on",
        "not_guidance",
        "among_myths",
    ]
    assert result["highlights"] == [[0, 34]] and result["lexical_score"] is None
    assert result["citation"] == format_citation(CITATION, "text")
    assert AnswerJSON.model_validate_json(line).results[0].document.title == "Seeing the Unseen"


def test_an_abstention_and_a_refused_batch_line_follow_the_same_contract():
    abstained = json.loads(
        answer_json(Answer(query="sourdough", abstained=True, message="No passage answers.", mode="hybrid")).to_json()
    )
    assert abstained == {
        "query": "sourdough",
        "abstained": True,
        "results": [],
        "mode": "hybrid",
        "message": "No passage answers.",
    }
    refused = json.loads(refused_json("", "the question is empty").to_json())
    assert refused == {"query": "", "abstained": True, "results": [], "error": "the question is empty"}


def test_text_rendering_strips_terminal_escapes_from_document_text():
    rendered = render_answer_text(
        Answer(query="q", abstained=False, hits=[hit("Before \x1b[2Jafter. Second sentence.")])
    )
    assert "\x1b" not in rendered and "[1] Seeing the Unseen" in rendered and "Cite: Seeing the Unseen." in rendered


def test_a_follow_ups_card_the_last_answer_showed_says_so():
    again = hit().model_copy(update={"shown_before": True})
    assert "shown in the last answer" in render_answer_text(Answer(query="q", abstained=False, hits=[again]))
    assert "shown in the last answer" not in render_answer_text(Answer(query="q", abstained=False, hits=[hit()]))
    assert json.loads(answer_json(Answer(query="q", abstained=False, hits=[again])).to_json())["results"][0][
        "shown_before"
    ]


def test_markdown_rendering_quotes_each_passage_under_its_citation():
    rendered = render_answer_markdown(Answer(query="who is missed?", abstained=False, hits=[hit()]))
    assert rendered.startswith("## who is missed?") and "1. [Seeing the Unseen](https://example.org/unseen)" in rendered
    assert "   > Many victims are never identified." in rendered
    assert "   Best match: Many victims are never identified." in rendered, "the sentence the text output marks"


def test_markdown_says_what_a_follow_up_was_searched_with_and_how_well_each_card_matches():
    # Found in a first-use audit: a follow-up pasted from --format markdown read as a question
    # asked on its own, and no card said how well it matched.
    card = hit().model_copy(update={"confidence": "fair", "thread_document": True})
    follow_up = Answer(query="and for children?", abstained=False, hits=[card], context_words=["self-identify"])
    rendered = render_answer_markdown(follow_up)
    assert "_Searched with: self-identify (from earlier questions)_" in rendered
    assert "(match fair, ranked up: from a document the earlier question found)" in rendered
    alone = render_answer_markdown(Answer(query="q", abstained=False, hits=[hit()]))
    assert "Searched with" not in alone and "(score 0.910)" in alone


def test_citation_punctuation_is_clean_whatever_the_title_ends_with():
    question = CITATION.model_copy(
        update={"title": "What is trafficking in persons?", "organisation": "LEAGUE OF NATIONS.", "url": None}
    )
    text = format_citation(question, "text")
    assert "persons?." not in text and "What is trafficking in persons?" in text
    assert "NATIONS.." not in text and "LEAGUE OF NATIONS, 2018." in text


def test_web_sources_are_accessed_and_files_are_indexed():
    assert format_citation(CITATION, "text").endswith("Accessed 2026-11-02.")
    local = CITATION.model_copy(update={"url": None})
    assert format_citation(local, "text").endswith("File: 004.txt. Indexed 2026-11-02.")


def test_a_slide_is_never_cited_as_a_page():
    slide = CITATION.model_copy(update={"format": "pptx", "page": 7, "url": None})
    assert "slide 7" in format_citation(slide, "text") and "p. 7" not in format_citation(slide, "text")
    assert "pages" not in format_citation(slide, "bibtex")
    [csl] = json.loads(format_citation(slide, "csl-json"))
    assert "page" not in csl
    assert format_citation(slide, "bibtex").lower().count("slide 7") == 1, "not 'Slide 7; slide 7'"
    for section in ("Slide 7", "Slide 7: Key roles", "Slide 7 > Speaker notes"):
        titled = slide.model_copy(update={"section": section})
        styles = ("text", "markdown", "bibtex")
        for line in (*(format_citation(titled, style) for style in styles), citation_line(titled)):
            assert line.lower().count("slide 7") == 1, line
    later = slide.model_copy(update={"section": "Slide 70: Annex"})
    assert "slide 7." in format_citation(later, "text"), "slide 70 is not slide 7"


def test_bibtex_of_several_citations_parses_with_a_bibtex_parser():
    import bibtexparser

    local = CITATION.model_copy(update={"url": None, "chunk_id": 43, "title": "Rights & duties: a 100% guide_{x}"})
    library = bibtexparser.parse_string(format_citations([CITATION, local], "bibtex"))
    assert not library.failed_blocks and [e.entry_type for e in library.entries] == ["online", "techreport"]
    report = library.entries[1].fields_dict
    assert report["institution"].value == "NEXUS Institute" and "url" not in report and "urldate" not in report


def test_csl_json_renders_with_a_csl_processor():
    from citeproc import Citation as CslCitation
    from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(
        format_citations([CITATION, CITATION.model_copy(update={"chunk_id": 43, "url": None})], "csl-json")
    )
    source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(
        CitationStylesStyle("harvard-cite-them-right", validate=False), source, formatter.plain
    )
    for item in items:
        bibliography.register(CslCitation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == 2 and all("Seeing the Unseen" in entry and "2018" in entry for entry in rendered)


def test_a_listed_resource_is_cited_by_one_rule_in_every_format():
    listed = CITATION.model_copy(
        update={"source_title": "NEXUS Institute publications", "url": "https://example.org/publications"}
    )
    assert (
        citation_line(listed)
        == "Seeing the Unseen — listed by NEXUS Institute on “NEXUS Institute publications”, 2018; Findings; p. 12"
    )
    assert "Listed by NEXUS Institute on “NEXUS Institute publications”." in format_citation(listed, "text")
    markdown = format_citation(listed, "markdown")
    assert (
        markdown.startswith("*Seeing the Unseen* (2018).")
        and "[“NEXUS Institute publications”](https://example.org/publications)" in markdown
    )
    assert "[Seeing the Unseen](" not in markdown, (
        "the address is the listing's: the resource's title never links to it"
    )
    bibtex = format_citation(listed, "bibtex")
    assert (
        "author" not in bibtex
        and "organization = {NEXUS Institute}" in bibtex
        and "Listed by NEXUS Institute on" in bibtex
    )
    assert "File:" not in bibtex, "a web source is found by its address, not by an internal file name"
    [csl] = json.loads(format_citation(listed, "csl-json"))
    assert (
        "author" not in csl
        and csl["publisher"] == "NEXUS Institute"
        and csl["container-title"] == "NEXUS Institute publications"
    )
    assert csl["note"].startswith("Listed by NEXUS Institute on")


def test_the_status_of_an_index_is_said_once_for_the_cli_and_the_terminal_ui(bundled_pipeline):
    from assistant.present import status_lines

    status = bundled_pipeline.status()
    lines = status_lines(status, path=str, when=lambda moment: "(then)", took=lambda seconds: "(took)", generation=True)
    assert lines[0] == (f"Index folder {status.index_dir} (generation {status.generation})", True)
    assert lines[1][0] == f"Built (then) in (took) from {status.corpus_dir}"
    assert ("5 of 5 files indexed: 26 documents, " + str(status.chunks) + " passages", False) in lines
    assert (f"Corpus {status.compared_with}: up to date", False) in lines, "not a heading while up to date"
    assert lines[-1] == ("", False)


def test_a_refusals_closest_passages_follow_it_apart_with_their_citations_and_no_match():
    near = hit().model_copy(update={"closest": True, "confidence": None})
    refused = Answer(query="q", abstained=True, message=NO_ANSWER, closest=[near])
    text = render_answer_text(refused)
    assert text.index(NO_ANSWER) < text.index("The closest passages") < text.index("[1] ")
    assert "closest, not an answer" in text and "match" not in text.split("The closest passages")[1].split("\n")[2]
    assert "» Closest sentence: " in text and "Best match" not in text, "the sentence is only the closest too"
    assert "Cite: Seeing the Unseen." in text
    markdown = render_answer_markdown(refused)
    assert f"_{NO_ANSWER}" in markdown and "closest, not an answer" in markdown
    assert "Seeing the Unseen" in markdown
    line = json.loads(answer_json(refused).to_json())
    assert line["abstained"] and line["results"] == [] and line["closest"][0]["chunk_id"] == 42
    assert line["closest"][0]["confidence"] is None
    assert "closest" not in json.loads(answer_json(Answer(query="q", abstained=True, message="none")).to_json())
    assert "closest passages" not in render_answer_text(Answer(query="q", abstained=True, message="none"))


def test_a_page_is_said_the_same_way_by_a_citation_and_by_the_document_reader():
    # Found in a first-use audit: a card said "pp. A3–A4 (PDF pp. 3–4)", the reader "p. 3".
    from assistant.present import page_words

    assert page_words(3, "A3", "pdf") == "p. A3 (PDF p. 3)"
    assert page_words(3, None, "pdf") == page_words(3, "3", "pdf") == "p. 3"
    assert page_words(3, None, "pptx") == "slide 3"
    labelled = CITATION.model_copy(update={"page": 3, "page_end": None, "page_label": "A3"})
    assert page_words(3, "A3", "pdf") in citation_line(labelled)


def test_a_card_whose_best_sentence_is_a_true_or_false_item_says_it_is_no_guidance():
    # Found in a first-use audit: "Your boss can ask to keep your passport or bank card. T / F",
    # a worksheet item whose answer is "false", was the strong first card for an inspector.
    text = "T / F 7. Your boss can ask to keep your passport or bank card. T / F 8. You get paid."
    quiz = hit(text).model_copy(update={"highlights": [(6, 63)]})
    assert "a true-or-false exercise item, not a statement of guidance" in render_answer_text(
        Answer(query="q", abstained=False, hits=[quiz])
    )
    plain = hit("Employers must not keep a worker's passport or bank card.")
    assert "true-or-false" not in render_answer_text(Answer(query="q", abstained=False, hits=[plain]))


def test_a_card_from_a_list_of_myths_says_a_sentence_may_be_the_myth_and_highlights_none():
    # Found in a first-use audit: the strong first card of a statutory guidance's Myth | Reality
    # table singled out "A person is not a victim of modern slavery when they say they have a
    # better life than previously", the myth its next sentence answers, as its "Best match".
    from assistant.text import among_myths

    text = (
        "A person is not a victim of modern slavery when they say they have a better life than previously.\n"
        "Some people are willing to tolerate their situation. This doesn't mean they are not a victim."
    )
    assert among_myths("2. What is Modern Slavery? > Myths about modern slavery", text)
    assert among_myths(None, "Myth: victims always ask for help.\nReality: most do not.")
    assert among_myths("Myth-busting", "x") and not among_myths(
        "Signs", "Victims rarely ask for help; a mythical tale."
    )
    myth = hit(text).model_copy(update={"among_myths": True, "highlights": []})
    rendered = render_answer_text(Answer(query="q", abstained=False, hits=[myth]))
    assert "a sentence here may be the myth, not the guidance" in rendered and "Best match" not in rendered
    assert "may be the myth" in render_answer_markdown(Answer(query="q", abstained=False, hits=[myth]))
    line = json.loads(answer_json(Answer(query="q", abstained=False, hits=[myth])).to_json())
    assert line["results"][0]["among_myths"] is True and line["results"][0]["highlights"] == []
    plain = hit("Victims rarely ask for help.")
    assert "myth" not in render_answer_text(Answer(query="q", abstained=False, hits=[plain]))


def test_a_quoted_list_keeps_one_item_to_a_line_when_the_markdown_is_rendered():
    # Found in a first-use audit: a report's quoted list of forms of exploitation rendered as one
    # run-on paragraph ("sexual exploitation domestic servitude forced labour ...").
    from markdown_it import MarkdownIt

    from assistant.present import markdown_quote

    quoted = markdown_quote("Forms of exploitation:\nsexual exploitation\ndomestic servitude\n\nNext, the *signs*.")
    assert quoted == [
        "> Forms of exploitation:  ",
        "> sexual exploitation  ",
        "> domestic servitude",
        ">",
        "> Next, the \\*signs\\*.",
    ]
    html = MarkdownIt().render("\n".join(quoted))
    assert "sexual exploitation<br />\ndomestic servitude</p>" in html and "<em>" not in html


def test_two_passages_of_one_chunk_are_two_entries_with_distinct_keys():
    # Found in a first-use audit: `cite 367 367@13189-14666 --format bibtex` gave two entries
    # keyed modernslavery2020c367 (pages 10, and 9-10): a reference manager keeps one.
    running_on = CITATION.model_copy(update={"page": 11, "page_end": 12})
    bibtex = format_citations([CITATION, running_on], "bibtex")
    keys = re.findall(r"^@\w+\{([^,]+),", bibtex, flags=re.M)
    assert len(keys) == 2 and len(set(keys)) == 2 and keys[1] == keys[0] + "-2"
    ids = [item["id"] for item in json.loads(format_citations([CITATION, running_on], "csl-json"))]
    assert ids == ["chunk-42", "chunk-42-2"]
    assert len(re.findall(r"^@", format_citations([CITATION], "bibtex"), flags=re.M)) == 1


def test_a_citation_names_its_file_with_the_spaces_of_its_name():
    # Found in a first-use audit: "Home Office  Criminal..." (two spaces) was cited with one, a
    # file that is not there.
    spaced = CITATION.model_copy(update={"url": None, "path": "iasc/Home Office  Criminal Exploitation.pdf"})
    assert "File: iasc/Home Office  Criminal Exploitation.pdf." in format_citation(spaced, "text")
    broken = CITATION.model_copy(update={"url": None, "path": "iasc/a\nb\u202ec.pdf"})
    assert "File: iasc/a\\x0ab\\u202ec.pdf." in format_citation(broken, "text"), "one line, the bidi control inert"


def test_a_best_match_that_is_part_of_a_sentence_says_so_with_an_ellipsis():
    # Found in a first-use audit: "» Best match: PV said she had no food and he refused to talk"
    # read as the whole sentence; it goes on "to her because she would not work as a prostitute".
    from assistant.present import best_quote

    text = "PV said she had no food and he refused to talk to her because she would not work. She left."
    cut = hit(text).model_copy(update={"highlights": [(0, 46)]})
    assert best_quote(cut) == "PV said she had no food and he refused to talk …"
    assert "Best match: PV said she had no food and he refused to talk …" in render_answer_text(
        Answer(query="q", abstained=False, hits=[cut])
    )
    middle = hit(text).model_copy(update={"highlights": [(24, 46), (82, 91)]})
    assert best_quote(middle) == "… and he refused to talk … She left."
    whole = hit(text).model_copy(update={"highlights": [(0, 81)]})
    assert best_quote(whole) == text[:81]


def test_a_passage_across_two_spreads_cites_the_printed_pages_from_first_to_last():
    spreads = CITATION.model_copy(
        update={"page": 5, "page_end": 6, "page_label": "8–9", "page_end_label": "10–11", "format": "pdf"}
    )
    assert "pp. 8–11 (PDF pp. 5–6)" in format_citation(spreads, "text")
    one = CITATION.model_copy(update={"page": 5, "page_label": "8–9", "format": "pdf"})
    assert "pp. 8–9 (PDF p. 5)" in format_citation(one, "text")
    assert "pages = {8--9}" in format_citation(one, "bibtex")


def test_at_a_terminal_a_cards_heading_and_citation_wrap_at_words():
    # Found in a first-use audit: in chat at 80 columns the card's heading and "Cite:" line ran
    # past the edge and the terminal cut them mid-word ("Ho|me Office").
    from assistant.present import render_answer_text

    title = "A Long Title About Identifying Trafficking Victims " * 2
    long = hit().model_copy(
        update={
            "citation": CITATION.model_copy(update={"title": title}),
            "document": DOCUMENT.model_copy(update={"title": title}),
        }
    )
    answer = Answer(query="q", abstained=False, hits=[long])
    wrapped = render_answer_text(answer, width=60, wrap_citations=True).splitlines()
    assert all(len(line) <= 60 or "://" in line for line in wrapped), wrapped
    assert any(line.startswith("[1] A Long Title") for line in wrapped)
    assert any(line.startswith("    Cite: ") for line in wrapped)
    assert "https://example.org/unseen." in "\n".join(wrapped), "a URL is never broken"
    piped = render_answer_text(answer, width=60)
    assert any(len(line) > 60 and line.startswith("[1] ") for line in piped.splitlines()), "piped: one line, for grep"


def test_a_heading_too_long_for_a_citation_is_cut_at_a_word_and_the_location_keeps_it_whole():
    # Found in a first-use audit: a list of industries taken for a heading made the "Cite:" line
    # 200 characters of section before the page.
    from assistant.present import SECTION_PART_CHARS, section_path

    industries = "Agriculture, construction, food processing, hospitality, cleaning, car washes, " * 3
    cut = section_path(("Briefing", industries.strip()), SECTION_PART_CHARS)
    assert cut.startswith("Briefing > Agriculture, construction") and cut.endswith("…")
    assert len(cut) <= len("Briefing > ") + SECTION_PART_CHARS + 1 and not cut.endswith(" …")
    assert section_path(("Annex A", "Child-specific indicators"), SECTION_PART_CHARS) == (
        "Annex A > Child-specific indicators"
    ), "a heading of usual length is as printed"
    assert section_path(("Briefing", industries.strip())) == f"Briefing > {industries.strip()}"
    assert section_path(()) is None
