"""The report basket (report.py): passages kept with their questions, exported as Markdown, plain
text, BibTeX or CSL-JSON, and marked exported once written."""

from __future__ import annotations

from datetime import datetime, timezone

from assistant.present import format_citation
from assistant.report import ReportBasket

from .test_present import CITATION, hit

WHEN = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)


def basket() -> ReportBasket:
    kept = ReportBasket()
    kept.add("Why are *victims* [often] unidentified?", hit("Many victims are never identified_ They return home."))
    kept.add("and who refers them?", hit("Frontline staff refer victims to the #1 shelter.", rank=2))
    return kept


def test_the_plain_text_report_reads_as_written_with_no_markdown_escapes():
    text = basket().render("text", generated=WHEN, index_name="gen-1")
    assert "1. Why are *victims* [often] unidentified?" in text, "the question as typed, no backslashes"
    assert "“Many victims are never identified_ They return home.”" in text
    assert "\\" not in text and "#" not in text.replace("#1 shelter", "")
    assert text.count("Source: ") == 2 and text.rstrip().endswith(f"1. {format_citation(CITATION, 'text')}")


def test_the_markdown_report_escapes_what_markdown_would_read_as_markup():
    markdown = basket().render("markdown", generated=WHEN)
    assert "Why are \\*victims\\* \\[often\\] unidentified?" in markdown
    assert markdown.startswith("# Guidance Lookup report")


def test_writing_a_report_marks_every_passage_exported(tmp_path):
    kept = basket()
    assert kept.not_exported() == 2
    path = kept.export_to(tmp_path / "out" / "report.txt", "text")
    assert path.read_text(encoding="utf-8").startswith("Guidance Lookup report") and kept.not_exported() == 0
    assert ReportBasket.EXPORT_FORMATS["text"] == ".txt"


def test_an_exported_report_is_readable_by_its_owner_alone_even_over_a_file_that_was_not(tmp_path):
    # Found in a first-use audit: exports were -rw-r--r-- while the basket they came from is private.
    import stat

    before = tmp_path / "report.md"
    before.write_text("old")
    before.chmod(0o644)
    for path in (basket().export_to(before), basket().export_to(tmp_path / "new" / "report.md")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_follow_up_kept_in_the_report_says_what_it_was_searched_with():
    kept = ReportBasket()
    kept.add("Why are victims unidentified?", hit("Many victims are never identified."))
    kept.add("how long does that take?", hit("Referral takes up to 45 days.", rank=2), ["referral", "victims"])
    text = kept.render("text", generated=WHEN)
    asked = "how long does that take? (searched with: referral, victims, from the earlier questions)"
    assert f"2. {asked}" in text and f"Question: {asked}" in text
    assert "Question: Why are victims unidentified?\n" in text, "a question that carried nothing is as typed"
    assert ReportBasket.model_validate_json(kept.model_dump_json()).items[1].searched_with == ["referral", "victims"]
    older = '{"items": [{"question": "q", "chunk_id": 1, "text": "t", "citation": %s}]}' % CITATION.model_dump_json()
    assert ReportBasket.model_validate_json(older).items[0].asked == "q", "a report saved before still loads"


def test_a_passage_kept_from_the_closest_under_a_refusal_says_so_in_every_report():
    # Found in a first-use audit: a refused question's closest passage, added in the TUI, was
    # exported under the question as if it answered it (the case note said so; the report not).
    kept = ReportBasket()
    kept.add(
        "what if the person says they are not a victim?",
        hit("Sign the Slavery Free pledge.").model_copy(update={"closest": True}),
    )
    kept.add("Why are victims unidentified?", hit("Many victims are never identified.", rank=2))
    note = "Kept from the closest passages, which the search did not take for an answer to this question."
    for style in ("markdown", "text"):
        report = kept.render(style, generated=WHEN)
        assert report.count(note) == 1, style
        assert report.index(note) < report.index("Slavery Free") < report.index("Many victims"), style
    assert ReportBasket.model_validate_json(kept.model_dump_json()).items[0].closest


def test_what_a_card_says_of_its_passage_goes_into_every_report_and_the_case_note():
    # Found in a first-use audit: a template's sample referral form, marked on its card "the file
    # looks like an example or a template, not guidance", was exported with no word of it.
    from assistant.conversation import Thread, Turn, case_note
    from assistant.models import Answer

    sample = hit("Organisation: Salvation Army. Where was the victim encountered: Dover.").model_copy(
        update={
            "not_guidance": "an example, a template or a form",
            "other_nations": "the document is for Scotland; the question names Wales",
        }
    )
    kept = ReportBasket()
    kept.add("what happened to the person?", sample)
    for style in ("markdown", "text"):
        report = kept.render(style, generated=WHEN)
        assert "Note: the file looks like an example, a template or a form, not guidance" in report, style
        assert "the document is for Scotland; the question names Wales" in report, style
    assert ReportBasket.model_validate_json(kept.model_dump_json()).items[0].cautions == kept.items[0].cautions
    answer = Answer(query="what happened to the person?", abstained=False, hits=[sample])
    turn = Turn(question="what happened to the person?", answer=answer, kept=[sample.rank])
    assert "Note: the file looks like an example, a template or a form, not guidance" in case_note(Thread(turns=[turn]))


def test_the_items_an_index_no_longer_holds_where_they_were_are_named():
    kept = basket()  # two passages of chunk 42 in CITATION's file
    path = CITATION.path
    assert kept.not_in(lambda ids: dict.fromkeys(ids, path)) == [], "both still there"
    assert len(kept.not_in(lambda ids: {})) == 2, "the file changed or was removed: its ids are gone"
    assert len(kept.not_in(lambda ids: dict.fromkeys(ids, "renamed.pdf"))) == 2, "the id now belongs to another file"
    assert ReportBasket().not_in(lambda ids: {}) == []


def test_passages_of_one_section_on_different_pages_are_two_references_each_with_its_own_pages():
    # Found in a first-use audit: 15.20 (p. 137) and 15.21-15.25 (pp. 137-138) of the statutory
    # guidance were both cited as [1], "p. 137", and the BibTeX entry said pages = {137}.
    kept = ReportBasket()
    kept.add("q", hit("Paragraph 15.20 on housing."))
    running_on = hit("Paragraphs 15.21 to 15.25, onto the next page.", rank=2)
    running_on.chunk_id = 43  # the shared CITATION is copied below, never changed in place
    running_on.citation = running_on.citation.model_copy(update={"chunk_id": 43, "page_end": 13})
    kept.add("q", running_on)
    markdown = kept.render("markdown", generated=WHEN)
    assert "[1]" in markdown and "[2]" in markdown
    assert markdown.rstrip().endswith(format_citation(running_on.citation, "markdown"))
    assert "pp. 12–13" in format_citation(running_on.citation, "markdown")
    assert kept.render("bibtex").count("@online{") == 2
    same_page = ReportBasket()
    same_page.add("q", hit("One sentence on p. 12."))
    other = hit("Another sentence on p. 12.", rank=2)
    other.chunk_id = 44
    same_page.add("q", other)
    assert "[2]" not in same_page.render("markdown", generated=WHEN), "one place, one reference"


def test_passages_whose_file_changed_or_went_are_marked_and_the_report_says_so():
    # Found in a first-use audit: passages of a deleted file were exported as cited quotations.
    from assistant.report import CHECK, OUT_OF_DATE

    def of(chunk_id: int, path: str):
        found = hit(f"Passage {chunk_id} of {path}.")
        return found.model_copy(update={"chunk_id": chunk_id, "citation": CITATION.model_copy(update={"path": path})})

    kept = ReportBasket()
    for chunk_id, path in ((1, "kept.pdf"), (2, "edited.pdf"), (3, "gone.pdf")):
        kept.add("q", of(chunk_id, path))
    held = {1: "kept.pdf", 2: "edited.pdf"}  # the index holds no passage 3 any more
    assert kept.mark_out_of_date(lambda ids: {i: held[i] for i in ids if i in held}, {"edited.pdf"}) == 2
    assert [item.out_of_date for item in kept.items] == [False, True, True]
    assert kept.to_markdown().count(OUT_OF_DATE) == 2 and kept.to_text().count(OUT_OF_DATE) == 2
    # The reference list says so too: it is often copied on its own (another audit's was not marked).
    assert kept.to_markdown().split("## References")[1].count(CHECK) == 2
    assert kept.to_text().split("\nReferences\n")[1].count(CHECK) == 2
    rebuilt = held | {3: "gone.pdf"}
    assert kept.mark_out_of_date(lambda ids: rebuilt, set()) == 0, "marks are the last check's, not kept for ever"


def test_a_passage_whose_file_left_the_corpus_is_said_to_be_gone_and_one_whose_file_changed_changed():
    # Found in a first-use audit: a removed file's passage and a replaced file's were both "changed
    # or removed", and only one of them could still be checked against its file.
    from assistant.report import FILE_CHANGED, FILE_REMOVED

    kept = ReportBasket()
    for chunk_id, path in ((2, "edited.pdf"), (3, "gone.pdf")):
        found = hit(f"Passage {chunk_id}.")
        kept.add(
            "q", found.model_copy(update={"chunk_id": chunk_id, "citation": CITATION.model_copy(update={"path": path})})
        )
    assert kept.mark_out_of_date(lambda ids: {}, set(), lambda path: path == "edited.pdf") == 2
    assert [item.file_removed for item in kept.items] == [False, True]
    for exported in (kept.to_markdown(), kept.to_text()):
        assert exported.count(FILE_CHANGED) == 1 and exported.count(FILE_REMOVED) == 1
        assert exported.index(FILE_CHANGED) < exported.index("Passage 2.") < exported.index(FILE_REMOVED)
        assert "changed or been removed" not in exported.split("References")[0]


def test_what_was_removed_is_put_back_where_it_was_unless_it_was_added_again():
    basket = ReportBasket()
    for n, text in enumerate(["First passage.", "Second passage.", "Third passage."], start=1):
        basket.add("q", hit(text, rank=n))
    texts = lambda: [item.text for item in basket.items]  # noqa: E731
    removed = [(1, basket.remove(1))]
    basket.put_back(removed)
    assert texts() == ["First passage.", "Second passage.", "Third passage."]
    cleared = list(enumerate(basket.items))
    basket.clear()
    basket.add("q", hit("Second passage.", rank=2))  # added again meanwhile
    basket.put_back(cleared)
    assert sorted(texts()) == ["First passage.", "Second passage.", "Third passage."], "never twice"
    assert basket.unexported


def test_a_follow_up_names_the_earlier_questions_it_carried_words_from_and_each_passage_its_match():
    # Found in a first-use audit: "and if she's under 18?" was listed under an unrelated question
    # of another topic, and the report dropped the "weak" the card had said.
    kept = ReportBasket()
    kept.add(
        "Signs a patient is being trafficked?",
        hit("Someone else speaks for the patient.").model_copy(update={"confidence": "strong"}),
    )
    follow_up = hit("Children are referred to local authority children's services.", rank=2)
    kept.add(
        "and if she's under 18?",
        follow_up.model_copy(update={"confidence": "weak"}),
        ["interpreter", "woman"],
        ["a woman came in with injuries", "can he interpret for her?"],
    )
    for style in ("text", "markdown"):
        text = kept.render(style, generated=WHEN)
        assert (
            "and if she's under 18? (searched with: interpreter, woman, from the earlier questions "
            "“a woman came in with injuries”; “can he interpret for her?”)"
        ) in text.replace("\\", "")
        assert "Match: strong" in text and "Match: weak" in text
    alone = ReportBasket()
    alone.add("q", hit(), [], ["an earlier question"])
    assert alone.items[0].asked == "q", "a question that carried nothing names no earlier one"


def test_a_passage_quoted_whole_by_a_kept_one_of_its_file_is_not_kept_twice_and_a_wider_one_takes_its_place():
    # Found in a first-use audit: two cards of one passage, cut around different sentences, were
    # both kept, and the report quoted the same sentences twice under two numbers.
    whole = "Victims may not self-identify. They fear the police. They may owe a debt."
    kept = ReportBasket()
    assert kept.add("q1", hit("They fear the police. They may owe a debt.")) == "added"
    assert kept.add("q2", hit(whole, rank=2)) == "widened"
    assert [item.text for item in kept.items] == [whole] and kept.items[0].question == "q2"
    assert kept.add("q3", hit("Victims may not self-identify.", rank=3)) == "already"
    elsewhere = hit("They fear the police.")
    elsewhere.citation = elsewhere.citation.model_copy(update={"path": "other.pdf"})
    assert kept.add("q4", elsewhere) == "added", "the same words in another file are another source"
    assert len(kept.items) == 2
