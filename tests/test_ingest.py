"""Ingestion of every supported format, and of hostile or broken files: each bad file is reported
with a reason and skipped, never fatal and never silent."""

import codecs
import os

import pytest

from assistant.ingest import CorpusFile, discover_files, ingest_file, load_catalogue
from assistant.models import pages_of_span

from .conftest import write
from .fixtures_build import encrypt_pdf, make_docx, make_odt, make_pdf, make_pptx, paragraph_runs

LONG = (
    "Labour inspectors should ask to see identity documents, because employers who hold on to "
    "workers' passports keep them from leaving. Debts for recruitment fees, transport and housing "
    "are another means of control."
)


def ingest(path):
    stat = path.stat()
    corpus_file = CorpusFile(path=path, relative=path.name, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
    return ingest_file(corpus_file, load_catalogue(path.parent / "catalogue.toml"))


# --- text encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding,prefix",
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("cp1252", b""),
    ],
)
def test_text_is_decoded_in_every_common_encoding(tmp_path, encoding, prefix):
    text = "Victims’ “rights” – naïve café assessment of identification needs.\n"
    path = write(tmp_path / "note.txt", prefix + text.encode(encoding))
    result = ingest(path)
    assert result.report.status == "indexed"
    assert "Victims’ “rights” – naïve café" in result.documents[0].text
    if encoding == "cp1252":
        assert any("cp1252" in w for w in result.report.warnings), "a fallback decoding is never silent"


def test_unicode_is_normalised(tmp_path):
    path = write(tmp_path / "n.txt", "The identiﬁcation of vic\u00adtims and cafe\u0301 owners matters here.\n")
    assert "The identification of victims and café owners" in ingest(path).documents[0].text


# --- formats --------------------------------------------------------------------------------------


def test_markdown_headings_become_sections_and_front_matter_is_metadata(tmp_path):
    path = write(
        tmp_path / "guide.md",
        "---\ntitle: Field guide\nauthor: Example Office\ndate: 2021-05-01\n---\n\n"
        "# Field guide\n\n## Indicators\n\nWorkers who **cannot leave** the site and have [no documents](http://x) "
        "are at risk of forced labour.\n\n- isolation\n- debt\n\nReport it on [the helpline site](#helpline) or "
        "<https://www.modernslavery.gov.uk>.\n",
    )
    result = ingest(path)
    document = result.documents[0]
    assert document.title == "Field guide" and document.year == 2021 and document.organisation == "Example Office"
    paragraph = next(b for b in document.blocks if "cannot leave" in document.text[b.start : b.end])
    assert paragraph.section == ("Indicators",)
    assert "Workers who cannot leave the site and have no documents (http://x) are at risk" in document.text, (
        "a link's web address is kept after its words: it may be where to report"
    )
    assert "Report it on the helpline site or https://www.modernslavery.gov.uk." in document.text
    assert "**" not in document.text and "](" not in document.text and "<" not in document.text


def test_html_keeps_content_and_drops_page_chrome(tmp_path):
    html = (
        "<html><head><title>Spotting exploitation | Example NGO</title><meta property='og:site_name' content='Example "
        "NGO'></head>"
        "<body><nav><a href='/'>Home</a><a href='/about'>About us</a></nav>"
        "<div id='cookie-consent'>We use cookies to improve your browsing experience.</div>"
        "<main><h1>Spotting exploitation</h1><p>Victims rarely <b>self-identify</b>.</p>"
        "<h2>Signs</h2><ul><li>Withheld passports</li><li>Unpaid wages</li></ul>"
        "<table><tr><th>Sector</th><th>Risk</th></tr><tr><td>Agriculture</td><td>High</td></tr></table></main>"
        "<footer>All rights reserved.</footer><script>document.write('nope')</script></body></html>"
    )
    result = ingest(write(tmp_path / "page.html", html))
    document = result.documents[0]
    assert document.title == "Spotting exploitation" and document.organisation == "Example NGO"
    assert "Victims rarely self-identify." in document.text
    assert "Withheld passports" in document.text and "Agriculture | High" in document.text
    for chrome in ("Home", "About us", "cookies", "All rights reserved", "nope"):
        assert chrome not in document.text
    reasons = {r.reason for r in result.removals}
    assert any("navigation" in r for r in reasons) and any("footer" in r for r in reasons)
    signs = next(b for b in document.blocks if document.text[b.start : b.end] == "Withheld passports")
    assert signs.section == ("Signs",) and signs.kind == "list_item"


def test_a_web_page_named_by_a_breadcrumb_takes_its_heading_and_its_footers_copyright(tmp_path):
    # A saved page of a site: its <title> is a two-word breadcrumb before the site's name, and
    # the only "©" line sits in the footer the cleaner removes. The citation named the file.
    html = (
        "<html><head><title>Modern slavery - Safeguarding - NHS England</title></head><body>"
        "<header><a href='/'>NHS England</a></header>"
        "<main><h1>Modern slavery and human trafficking</h1><p>Health staff are not first responders.</p></main>"
        "<footer><p>© NHS England 2023. All content is available under the Open Government Licence.</p></footer>"
        "</body></html>"
    )
    document = ingest(write(tmp_path / "nhs-england-safeguarding-page.html", html)).documents[0]
    assert document.title == "Modern slavery and human trafficking"
    assert document.organisation == "NHS England"
    assert "NHS England" not in document.text  # the footer and header stay out of the text


def test_a_web_page_site_name_is_not_an_organisation_unless_the_page_says_so(tmp_path):
    html = (
        "<html><head><title>Spotting the signs of exploitation - Example Hub</title></head><body>"
        "<main><h1>Spotting the signs</h1><p>Victims rarely self-identify.</p></main></body></html>"
    )
    document = ingest(write(tmp_path / "page.html", html)).documents[0]
    assert document.title == "Spotting the signs of exploitation" and document.organisation is None


def test_pdf_pages_headings_and_running_headers(tmp_path):
    pages = []
    for number in range(1, 6):
        runs = [("Published by the Example Office 2021", 56, 810, 9, False)]
        top = 760
        if number == 1:
            runs.append(("Guidance on victim identification", 56, top, 24, True))
            top -= 50
        runs.append((f"Section {number} on indicators", 56, top, 15, True))
        body, _ = paragraph_runs(f"Page {number} text. " + LONG, top - 30)
        runs.extend(body)
        runs.append((str(number), 290, 30, 9, False))
        pages.append(runs)
    result = ingest(write(tmp_path / "guide.pdf", make_pdf(pages, author="Example Office")))
    document = result.documents[0]
    assert result.report.format == "pdf" and document.title == "Guidance on victim identification"
    assert document.organisation == "Example Office"
    assert "Published by the Example Office" not in document.text, "running header removed"
    for number in range(1, 6):
        block = next(b for b in document.blocks if f"Page {number} text." in document.text[b.start : b.end])
        assert block.page == number
        assert block.section == (f"Section {number} on indicators",)
    reasons = [r.reason for r in result.removals]
    assert reasons.count("page number") == 5 and any("running header" in r for r in reasons)


def test_a_paragraph_running_onto_the_next_page_says_where_that_page_begins_in_it(tmp_path):
    # Found in a first-use audit: a quotation all on p. 60 was cited "pp. 59–60", because its
    # paragraph began on p. 59 and the whole paragraph's pages were cited.
    first = [
        ("Victims of criminal exploitation are often seen as offenders and are not identified as", 56, 100, 11, False),
        ("victims by the agencies they meet at first", 56, 86, 11, False),
    ]
    second = [
        ("at the roadside. Despite reported increases in female victims, the exploitation may be", 56, 760, 11, False),
        ("secondary to other forms of abuse, most commonly sexual exploitation.", 56, 746, 11, False),
    ]
    document = ingest(write(tmp_path / "p.pdf", make_pdf([first, second]))).documents[0]
    block = next(b for b in document.blocks if "Despite reported" in document.text[b.start : b.end])
    assert (block.page, block.page_end) == (1, 2), "one paragraph over the page break"
    assert "victims by the agencies they meet at first at the roadside" in document.text[block.start : block.end]
    quote = document.text.index("Despite reported")
    assert block.pages_between(quote, block.end) == (2, 2), "the second half is on page 2 alone"
    assert block.pages_between(block.start, quote) == (1, 2), "the sentence that runs over is on both"
    assert block.pages_between(block.start, block.start + 20) == (1, 1)
    assert pages_of_span(document.blocks, quote, block.end) == (2, 2), "as a card's citation reads them"


def test_pdf_hyphenated_line_breaks_are_joined(tmp_path):
    runs = [
        ("Frontline staff must complete the identifi-", 56, 760, 11, False),
        ("cation form and record any anti-", 56, 746, 11, False),
        ("trafficking referral without delay.", 56, 732, 11, False),
    ]
    runs.append(("The pandemic changed exploitation: the impact of COVID-", 56, 718, 11, False))
    runs.append(("19 on county lines was measured in every region.", 56, 704, 11, False))
    document = ingest(write(tmp_path / "h.pdf", make_pdf([runs]))).documents[0]
    assert "complete the identification form and record any anti-trafficking referral" in document.text
    assert "the impact of COVID-19 on county lines" in document.text, (
        "a compound broken before a number keeps its hyphen"
    )


def test_a_compound_or_web_address_broken_at_its_own_hyphen_keeps_it(tmp_path):
    # Found in a first-use audit: "human-trafficking-victims-" + "referral-and-assessment-forms"
    # was quoted as "...victimsreferral-and-assessment-forms", and "rat-infested" as "ratinfested".
    runs = [
        ("Forms are at www.gov.uk/government/publications/human-trafficking-victims-", 56, 760, 11, False),
        ("referral-and-assessment-forms and the house was rat-", 56, 746, 11, False),
        ("infested, with no move-", 56, 732, 11, False),
        ("on accommodation, and the organ-", 56, 718, 11, False),
        ("isation was told.", 56, 704, 11, False),
    ]
    text = " ".join(ingest(write(tmp_path / "u.pdf", make_pdf([runs]))).documents[0].text.split())
    assert "human-trafficking-victims-referral-and-assessment-forms" in text
    assert "the house was rat-infested, with no move-on accommodation" in text
    assert "the organisation was told" in text, "a word the layout hyphenated is rejoined"


def test_a_web_address_the_layout_broke_over_two_lines_is_joined_without_a_space(tmp_path):
    # Found in a first-use audit: a card quoted "www.gov.uk/ government/publications/..." and
    # "https://www.gov. uk/government/...", so a copied address was broken.
    runs = [
        ("Forms are at https://www.gov.uk/government/", 56, 760, 11, False),
        ("publications/human-trafficking-victims-referral and at www.gov.", 56, 746, 11, False),
        ("uk/guidance/modern-slavery and in the act at legislation.gov.uk/a0217.", 56, 732, 11, False),
        ("See www.nhsdirect.wales.", 56, 718, 11, False),
        ("01685 726 300 is the number, or visit https://www.gov.uk/modern-slavery/", 56, 704, 11, False),
        ("and ask for the team.", 56, 690, 11, False),
    ]
    text = ingest(write(tmp_path / "w.pdf", make_pdf([runs]))).documents[0].text
    assert "https://www.gov.uk/government/publications/human-trafficking-victims-referral and" in text
    assert "www.gov.uk/guidance/modern-slavery" in text, "an address broken after a dot"
    assert "www.nhsdirect.wales. 01685 726 300" in " ".join(text.split()), "a telephone number is not an address"
    assert "https://www.gov.uk/modern-slavery/ and ask" in " ".join(text.split()), "a plain word begins a sentence"


def test_the_rest_of_a_bold_bullets_line_is_no_heading(tmp_path):
    # Found in a first-use audit: a key-points box's bold bullet "Support for ... in England and"
    # went on "Wales is provided through a mixture of mainstream and/or specialist", which was taken
    # for a bold heading: passages were cited under it, and a card began "support. Support for...".
    body = [
        (f"Body text of the guidance, line {n}, set in the ordinary size for reading.", 56, 760 - 14 * n, 11, False)
        for n in range(8)
    ]
    box = [
        ("• Support for potential and confirmed adult victims in England and", 56, 600, 11, True),
        ("Wales is provided through a mixture of mainstream and/or specialist", 68, 586, 11, True),
        ("support. Support for adult victims may include accommodation.", 68, 572, 11, False),
        ("Victims of modern slavery may be entitled to support in Wales and", 56, 520, 11, False),
        ("Support in Scotland", 56, 470, 16, False),
        ("Scotland has its own arrangements for adult victims.", 56, 450, 11, False),
    ]
    document = ingest(write(tmp_path / "k.pdf", make_pdf([body + box]))).documents[0]
    headings = {document.text[b.start : b.end] for b in document.blocks if b.kind == "heading"}
    assert not any(h.startswith("Wales is provided") for h in headings), headings
    item = next(b for b in document.blocks if "England and" in document.text[b.start : b.end])
    assert "England and Wales is provided through a mixture" in document.text[item.start : item.end]
    assert "Support in Scotland" in headings, "a heading set apart after an unfinished line is still one"


def test_pdf_footnote_markers_are_set_apart_from_the_word_they_follow(tmp_path):
    sentence = "Employers must never hold passports."
    runs = [
        (sentence, 56, 760, 11, False),
        ("4", 243, 765, 7, False),  # superscript, just after the full stop (Helvetica 11 pt ends at x=242)
        ("They are the workers' own documents and must stay with them at all times.", 56, 746, 11, False),
    ]
    document = ingest(write(tmp_path / "f.pdf", make_pdf([runs]))).documents[0]
    assert "Employers must never hold passports.[4] They are" in document.text


def test_pdf_text_laid_out_a_glyph_at_a_time_reads_as_words(tmp_path):
    # Found in the library: a police force's plan placed each glyph of its letter-spaced text on
    # its own, pdfium broke the line between every two, and the whole plan read "M o d e r n
    # S l a v e r y", so that no word of it could be found.
    widths = {"a": 556, "c": 500, "d": 556, "e": 556, "i": 222, "l": 222, "m": 833, "n": 556, "o": 556}
    widths |= {
        "p": 556,
        "r": 333,
        "s": 500,
        "t": 278,
        "u": 556,
        "v": 500,
        "y": 500,
        "M": 833,
        "V": 667,
        " ": 278,
        ".": 278,
        **dict.fromkeys("0123456789", 556),
    }

    def glyph_by_glyph(text, y, tracking=1.0, size=10.0):
        x, runs = 72.0, []
        for char in text:
            runs.append((char, x, y, size, False))
            x += widths[char] / 1000 * size + tracking
        return runs

    first, second = "Modern slavery is a serious crime.", "Victims need support in 2021."
    pdf = make_pdf([glyph_by_glyph(first, 700) + glyph_by_glyph(second, 686)], scaled=True)
    result = ingest(write(tmp_path / "plan.pdf", pdf))
    assert f"{first} {second}" in result.documents[0].text
    assert not result.documents[0].ocr, "read from the text layer, not recognised from the page image"


def test_pdf_words_printed_letter_by_letter_read_as_the_documents_words(tmp_path):
    # Found in the library: an ESOL resource's headings read "P O T E N T I AL S I T U AT I O N S
    # I N E S O L C L AS S R O O M S" in every citation of their sections.
    runs = [
        ("W H AT I S T R AF F I C K I N G ?", 56, 780, 16, True),
        ("Trafficking is what happens when people are moved and exploited.", 56, 750, 11, False),
        ("Teachers in ESOL classrooms see potential situations of trafficking.", 56, 736, 11, False),
        ("P O T E N T I AL S I T U AT I O N S I N E S O L C L AS S R O O M S", 56, 700, 16, True),
        ("A learner may say her employer keeps her passport.", 56, 670, 11, False),
        ("The grades were a b c d e f and g.", 56, 656, 11, False),
    ]
    document = ingest(write(tmp_path / "esol.pdf", make_pdf([runs]))).documents[0]
    sections = {heading for block in document.blocks for heading in block.section}
    assert "POTENTIAL SITUATIONS IN ESOL CLASSROOMS" in sections, sections
    assert document.title == "What Is Trafficking ?", "the first heading names the document"
    assert "a b c d e f and g" in document.text, "letters that make no words of the document stay"


def test_pdf_table_rows_keep_their_cells_together_in_reading_order(tmp_path):
    rows = [
        ("Indicator", "What to look for"),
        ("Documents", "Employer holds the passport"),
        ("Debt", "Fees for recruitment and travel"),
    ]
    runs = [("Signs of labour exploitation that a labour inspector can see at a workplace.", 56, 760, 11, False)]
    for number, (name, sign) in enumerate(rows):
        runs += [(name, 56, 720 - 20 * number, 11, False), (sign, 250, 720 - 20 * number, 11, False)]
    text = ingest(write(tmp_path / "t.pdf", make_pdf([runs]))).documents[0].text
    assert (
        "Indicator What to look for Documents Employer holds the passport Debt Fees for recruitment and travel"
        in " ".join(text.split())
    )


def test_pdf_title_block_is_one_compact_block_of_large_print(tmp_path):
    runs = [
        ("The Voice of British Survivors", 56, 780, 28, True),
        ("of Modern Slavery", 56, 746, 28, True),
        ("Human Trafficking Foundation", 56, 560, 28, True),  # large print far below: a publisher's name, not the title
        (
            "Survivors told us what helped them recover and what stood in their way after the referral.",
            56,
            500,
            11,
            False,
        ),
    ]
    document = ingest(write(tmp_path / "voices.pdf", make_pdf([runs]))).documents[0]
    assert document.title == "The Voice of British Survivors of Modern Slavery"
    poster = [
        ("THERE IS NO ONE TYPE OF MODERN SLAVERY", 40, 800, 36, True),
        ("ORGANISATION & ROLES VICTIM VULNERABILITIES", 40, 760, 18, True),  # a panel label at half the size
        ("Victims may be moved around the country and exploited in several places over time.", 40, 600, 11, False),
    ]
    assert (
        ingest(write(tmp_path / "poster.pdf", make_pdf([poster]))).documents[0].title
        == "There Is No One Type of Modern Slavery"
    )
    panels = [
        ("THERE IS NO ONE TYPE OF MODERN SLAVERY", 40, 805, 26, False),
        ("RECRUITMENT TRANSIT", 40, 756, 25, False),  # a panel label in another size, 1.9 lines below
        ("Victims are forced, coerced or deceived into exploitation over time.", 40, 560, 13, False),
        ("Victims may be moved around the country and exploited in several places over time.", 40, 540, 13, False),
    ]
    assert (
        ingest(write(tmp_path / "panels.pdf", make_pdf([panels]))).documents[0].title
        == "There Is No One Type of Modern Slavery"
    )
    display = [
        (text, 56, 743 - 83 * row, 48, True)
        for row, text in enumerate(("TACKLING MODERN", "SLAVERY IN THE", "HOTEL SECTOR", "ACROSS THE UK"))
    ]
    display.append(
        (
            "Hotels are in a key position to spot the signs of trafficking and forced labour among guests and staff.",
            56,
            300,
            11,
            False,
        )
    )
    assert (
        ingest(write(tmp_path / "hotel.pdf", make_pdf([display]))).documents[0].title
        == "Tackling Modern Slavery in the Hotel Sector Across the UK"
    ), "a headline's loosely led lines in one size stay together"
    broken = [
        ("The Impact of COVID-", 56, 780, 28, True),
        ("19 on Child Criminal Exploitation: practice-", 56, 746, 28, True),
        ("based research", 56, 712, 28, True),
        (
            "Interim findings from interviews with police, social workers and youth workers in England.",
            56,
            600,
            11,
            False,
        ),
    ]
    assert (
        ingest(write(tmp_path / "covid.pdf", make_pdf([broken]))).documents[0].title
        == "The Impact of COVID-19 on Child Criminal Exploitation: practice-based research"
    ), "a hyphen at the end of a heading's line is a compound's"


def test_a_bold_heading_that_wraps_onto_a_second_line_is_one_heading(tmp_path):
    runs = [
        ("User feedback survey on the Home Office's modern slavery National", 56, 597, 12, True),
        ("Referral Mechanism statistical publications", 56, 583, 12, True),
    ]
    body, _ = paragraph_runs(
        "First Responder Organisations have a responsibility to identify potential victims of modern slavery and refer "
        "them.",
        555,
    )
    paragraph = [
        (text, 56, 480 - 14 * row, 12, True)
        for row, text in enumerate(
            (
                "This bold paragraph runs on over four lines of the page,",
                "and so it is a paragraph set in bold type for emphasis,",
                "not a heading that wraps: a heading is short and does",
                "not run on for four lines or more than twenty-five words.",
            )
        )
    ]
    document = ingest(write(tmp_path / "survey.pdf", make_pdf([runs + body + paragraph]))).documents[0]
    assert (
        document.title
        == "User feedback survey on the Home Office's modern slavery National Referral Mechanism statistical "
        "publications"
    )
    headings = [document.text[block.start : block.end] for block in document.blocks if block.kind == "heading"]
    assert not any("bold paragraph" in heading for heading in headings), "a bold paragraph is body text, not a heading"


def test_a_bare_number_below_all_text_of_a_page_is_its_page_number_even_outside_the_footer_band(tmp_path):
    pages = [[("Hotel Sector Booklet", 56, 700, 30, True)]]  # a cover without a number
    for number in (1, 2, 3):
        topic = ("recruitment fees", "withheld passports", "threats to family")[number - 1]
        body, _ = paragraph_runs(
            f"This page of the guidance explains how {topic} keep workers from leaving their jobs.", 700
        )
        pages.append(
            [(str(number), 300, 95, 11, False)] + body
        )  # written first, printed at the foot, above the 9% band
    document = ingest(write(tmp_path / "booklet.pdf", make_pdf(pages))).documents[0]
    assert not any(word in document.text.split() for word in ("1", "2", "3")), "no page number glued to a paragraph"
    assert document.page_labels == {2: "1", 3: "2", 4: "3"}, "the printed numbers become the pages a citation gives"


def test_page_labels_that_only_prefix_the_pdfs_own_numbers_are_not_taken_for_printed_ones(tmp_path):
    # Found in a first-use audit: a report whose every page is labelled "A1", "A2"... (a layout
    # program's prefix) was cited "p. A4 (PDF p. 4)", and BibTeX said pages = {A4}; "4" is printed.
    import io

    import pypdf
    from pypdf.constants import PageLabelStyle

    from assistant.ingest.readers.pdf import page_labels

    pages = [[(f"Page {n} of the report on compensation for survivors.", 56, 700, 11, False)] for n in range(1, 5)]

    def labelled(*ranges) -> pypdf.PdfReader:
        writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(pages))))
        for first, last, style, prefix, start in ranges:
            writer.set_page_label(first, last, style, prefix, start)
        out = io.BytesIO()
        writer.write(out)
        return pypdf.PdfReader(io.BytesIO(out.getvalue()))

    assert page_labels(labelled((0, 3, PageLabelStyle.DECIMAL, "A", 1)), 4) == {}
    assert page_labels(labelled((0, 3, PageLabelStyle.DECIMAL, "A-", 5)), 4) == {
        1: "A-5",
        2: "A-6",
        3: "A-7",
        4: "A-8",
    }
    assert page_labels(
        labelled((0, 1, PageLabelStyle.LOWERCASE_ROMAN, None, 1), (2, 3, PageLabelStyle.DECIMAL, "A", 1)), 4
    ) == {
        1: "i",
        2: "ii",
        3: "A1",
        4: "A2",
    }, "an annex numbered apart is what the pages print"


def test_pdf_words_broken_by_extraction_are_rejoined_from_the_documents_own_words():
    from assistant.ingest.base import Line
    from assistant.ingest.readers.pdf import rejoin_split_words

    lines = [
        Line(text="The Single Competent Authority operates the NRM. Telephone: 028 90 191049.", number=1),
        Line(text="Oper ates 10am to 4pm. T elephone 101 in an emergency.", number=2),
        Line(text="Move in to the hostel; a part of the support. Report it to the police.", number=3),
    ]
    rejoin_split_words(lines)
    assert lines[1].text == "Operates 10am to 4pm. Telephone 101 in an emergency."
    assert lines[2].text == "Move in to the hostel; a part of the support. Report it to the police.", (
        "real words stay apart"
    )


def test_a_contents_page_with_its_page_numbers_in_a_column_of_their_own_is_navigation(tmp_path):
    # Found in a first-use audit: the contents entry "Guidance on who to approach if you are not a
    # first responder" (its page number set apart in a column) was a strong first card.
    entries = ["Glossary", "Introduction to the NRM", "How to submit the referral", "Referring for additional support"]
    contents = [("Contents", 56, 780, 20, True)]
    for n, entry in enumerate(entries):
        contents += [
            (entry, 56, 740 - 40 * n, 12, True),
            ("Guidance on who to approach if you are not sure", 56, 726 - 40 * n, 10, False),
        ]
    # The column of numbers is read after the entries, as pdfium reads the real one.
    contents += [(str(number), 500, 520 - 20 * n, 10, False) for n, number in enumerate((3, 5, 9, 14, 21, 24))]
    body = [
        (f"First responders complete the referral form online, line {n} of the guidance.", 56, 760 - 14 * n, 11, False)
        for n in range(10)
    ]
    document = ingest(write(tmp_path / "toolkit.pdf", make_pdf([contents, body, body, body]))).documents[0]
    assert (
        "Guidance on who to approach" not in document.text and "Referring for additional support" not in document.text
    )
    assert "First responders complete the referral form online" in document.text


def test_a_contact_printed_large_with_an_email_address_is_no_heading(tmp_path):
    # Found in a first-use audit: "Police Scotland National Human Trafficking Unit
    # scdnational...@scotland.pnn.police.uk" was the section of the next contact's passage.
    runs = [
        ("Contacts", 56, 780, 20, True),
        ("Police Scotland National Human Trafficking Unit", 56, 740, 14, False),
        ("humantraffickingunit@scotland.pnn.police.uk", 56, 724, 14, False),
        ("Your local authority takes referrals of anyone under the age of 18 years old.", 56, 690, 11, False),
        ("It also takes referrals of adults where there are possible care needs to consider.", 56, 676, 11, False),
    ]
    body = [
        (f"Ordinary text of the toolkit, line {n}, in the size for reading.", 56, 760 - 14 * n, 11, False)
        for n in range(12)
    ]
    document = ingest(write(tmp_path / "contacts.pdf", make_pdf([body, runs]))).documents[0]
    block = next(b for b in document.blocks if "Your local authority" in document.text[b.start : b.end])
    assert not any("@" in heading for heading in block.section), block.section
    assert "humantraffickingunit@scotland.pnn.police.uk" in document.text


def test_a_number_in_large_print_is_never_a_heading(tmp_path):
    runs = [
        ("Findings", 56, 780, 20, True),
        ("48%", 56, 740, 28, True),
        ("of the people referred were children, most of them exploited by county lines gangs.", 56, 712, 11, False),
        ("Every one of them was offered an independent advocate within a week of the referral.", 56, 698, 11, False),
    ]
    later = [(text, x, y - 100, size, bold) for text, x, y, size, bold in runs]
    document = ingest(write(tmp_path / "stat.pdf", make_pdf([runs, later]))).documents[0]
    assert document.title == "Findings", "a number is not part of the title block"
    assert not any("48%" in heading for block in document.blocks for heading in block.section), (
        "nor a section heading on a later page"
    )
    assert document.text.count("48% of the people referred were children") == 2, "it opens its paragraph on both pages"


def test_docx_headings_lists_and_tables(tmp_path):
    path = make_docx(
        tmp_path / "checklist.docx",
        [
            ("h1", "Checklist for managers"),
            ("p", LONG),
            ("h2", "Supply chains"),
            ("bullet", "Audit recruitment agencies every year."),
            ("table", "Question|Answer\nDo you have a policy?|Yes"),
        ],
        title="Modern slavery checklist",
        author="Example County Council",
    )
    result = ingest(path)
    document = result.documents[0]
    assert document.title == "Modern slavery checklist" and document.organisation == "Example County Council"
    bullet = next(b for b in document.blocks if "Audit recruitment" in document.text[b.start : b.end])
    assert bullet.kind == "list_item" and bullet.section == ("Checklist for managers", "Supply chains")
    assert "Do you have a policy? | Yes" in document.text


def test_docx_author_that_is_a_person_is_not_taken_as_organisation(tmp_path):
    path = make_docx(tmp_path / "note.docx", [("p", LONG)], author="Smith, Jane")
    assert ingest(path).documents[0].organisation is None


def test_the_date_a_file_was_made_is_its_year_only_when_the_document_prints_it(tmp_path):
    # Found in a first-use audit: a python-docx file was cited with its template's year (2013),
    # as a scanned handbook would be with the year of its scan.
    template = make_docx(tmp_path / "reflection.docx", [("h1", "Guidelines on reflection periods"), ("p", LONG)])
    assert ingest(template).documents[0].year is None
    printed = make_docx(
        tmp_path / "printed.docx",
        [("h1", "Guidelines on reflection periods"), ("p", "Published March 2013."), ("p", LONG)],
    )
    assert ingest(printed).documents[0].year == 2013


def test_odt_headings_lists_tables_and_metadata(tmp_path):
    path = make_odt(
        tmp_path / "pathway.odt",
        [
            ("h1", "Making a referral"),
            ("p", LONG),
            ("h2", "In an emergency"),
            ("bullet", "Call the police on 999 in an emergency."),
            ("table", "Service|Number\nModern Slavery Helpline|08000 121 700"),
        ],
        title="Referral pathway for adults",
        creator="Example Anti-Slavery Partnership",
    )
    result = ingest(path)
    assert result.report.status == "indexed" and result.report.format == "odt" and not result.report.warnings
    document = result.documents[0]
    assert (
        document.title == "Referral pathway for adults" and document.organisation == "Example Anti-Slavery Partnership"
    )
    bullet = next(b for b in document.blocks if "Call the police" in document.text[b.start : b.end])
    assert bullet.kind == "list_item" and bullet.section == ("Making a referral", "In an emergency")
    assert "Modern Slavery Helpline | 08000 121 700" in document.text


def test_odt_is_recognised_by_content_and_a_damaged_one_is_skipped(tmp_path):
    odt = make_odt(tmp_path / "source.odt", [("p", LONG)]).read_bytes()
    renamed = ingest(write(tmp_path / "renamed.bin", odt))
    assert renamed.report.format == "odt" and "Labour inspectors" in renamed.documents[0].text
    damaged = ingest(write(tmp_path / "damaged.odt", odt[:200]))
    assert damaged.report.status == "skipped" and damaged.report.reason


def test_pptx_one_section_per_slide_with_speaker_notes(tmp_path):
    path = make_pptx(
        tmp_path / "briefing.pptx",
        [
            (
                "What is modern slavery?",
                ["Forced labour", "Sexual exploitation"],
                "Explain that consent is irrelevant.",
            ),
            ("Spotting the signs", ["Fear of authorities"], ""),
        ],
    )
    document = ingest(path).documents[0]
    notes = next(b for b in document.blocks if "consent is irrelevant" in document.text[b.start : b.end])
    assert notes.section == ("Slide 1: What is modern slavery?", "Speaker notes") and notes.page == 1
    signs = next(b for b in document.blocks if "Fear of authorities" in document.text[b.start : b.end])
    assert signs.section == ("Slide 2: Spotting the signs",) and signs.page == 2


def test_type_is_detected_from_content_not_extension(tmp_path):
    pdf = make_pdf([paragraph_runs(LONG, 760)[0]])
    result = ingest(write(tmp_path / "misnamed.txt", pdf))
    assert result.report.format == "pdf" and "Labour inspectors" in result.documents[0].text
    assert result.report.warnings and "pdf" in result.report.warnings[0]


def test_legacy_doc_is_read(tmp_path):
    fixture = os.path.join(os.path.dirname(__file__), "fixtures", "legacy.doc")
    path = write(tmp_path / "legacy.doc", open(fixture, "rb").read())
    result = ingest(path)
    assert result.report.status == "indexed" and result.report.format == "doc"
    assert "withheld passports" in result.documents[0].text


# --- hostile and broken input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,content,status,reason",
    [
        ("empty.txt", b"", "empty", "empty file"),
        ("blank.txt", b"  \n\n \t\n", "empty", "empty file"),
        ("binary.txt", bytes(range(256)) * 20, "skipped", "binary"),
        ("undecodable.txt", b"abc \x81\x8d\x8f\x90\x9d " * 50, "skipped", "not valid UTF-8"),
        ("corrupt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref", "skipped", "PDF"),
        ("truncated.docx", b"PK\x03\x04" + b"\x00" * 60, "skipped", "binary"),
        ("sheet.xlsx", None, "skipped", "spreadsheets"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "skipped", "image"),
    ],
)
def test_broken_files_are_reported_with_a_reason(tmp_path, name, content, status, reason):
    if content is None:
        import zipfile

        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
    else:
        path = write(tmp_path / name, content)
    result = ingest(path)
    assert result.report.status == status and reason.lower() in (result.report.reason or "").lower()
    assert result.documents == []


def test_encrypted_pdf_is_skipped_with_the_reason(tmp_path):
    data = encrypt_pdf(make_pdf([paragraph_runs(LONG, 760)[0]]))
    result = ingest(write(tmp_path / "locked.pdf", data))
    assert result.report.status == "skipped" and "encrypted" in result.report.reason


def test_scanned_pdf_without_text_layer_is_reported(tmp_path):
    result = ingest(write(tmp_path / "scan.pdf", make_pdf([[], []])))
    assert result.report.status == "empty"
    assert result.report.reason.startswith("no text layer"), (
        "with OCR: no text on the images; without: how to install it"
    )


def test_discovery_reports_hidden_temporary_oversized_and_symlinked_files(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "good.txt", LONG)
    write(corpus / ".hidden.txt", LONG)
    write(corpus / "~$draft.docx", b"lock")
    write(corpus / ".DS_Store", b"\x00\x00")
    write(corpus / "notes.txt.swp", b"swap")
    write(corpus / "catalogue.toml.orig", '[[file]]\npath = "good.txt"\n')  # a merge tool's backup
    write(corpus / ".git" / "config", "x")
    write(corpus / "huge.txt", "x" * 5000)
    write(tmp_path / "outside.txt", LONG)
    os.symlink(tmp_path / "outside.txt", corpus / "outside-link.txt")
    os.symlink(corpus, corpus / "loop")
    os.symlink(corpus / "missing.txt", corpus / "broken.txt")
    os.symlink(corpus / "good.txt", corpus / "duplicate.txt")
    found, skipped = discover_files(corpus, "catalogue.toml", max_bytes=1000)
    assert [f.relative for f in found] == ["good.txt"]
    reasons = {r.path: r.reason for r in skipped}
    assert reasons[".hidden.txt"] == "hidden file" and reasons[".DS_Store"] == "hidden file"
    assert reasons["~$draft.docx"] == reasons["notes.txt.swp"] == "temporary or editor file"
    assert reasons["catalogue.toml.orig"] == "temporary or editor file"
    assert reasons[".git/"] == "hidden folder"
    assert "too large" in reasons["huge.txt"] and "MAX_FILE_MB" in reasons["huge.txt"]
    assert "outside the corpus" in reasons["outside-link.txt"]
    assert "loop" in reasons["loop/"]
    assert "broken symlink" in reasons["broken.txt"]
    assert "good.txt" in reasons["duplicate.txt"]


def test_an_ignore_file_excludes_files_and_folders_and_says_so(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "guide.md", "# Guide\n\nReal guidance text about identification.\n")
    write(corpus / "notes" / "private.md", "# Private\n\nA caseworker's own notes.\n")
    write(corpus / "SOURCES.tsv", "title\turl\nGuide\thttps://example.org\n")
    write(corpus / ".guidanceignore", "# not guidance\nnotes/\n*.tsv\n")
    files, skipped = discover_files(corpus, "catalogue.toml", 10**8)
    assert [f.relative for f in files] == ["guide.md"]
    assert {r.path: r.reason for r in skipped} == {
        "SOURCES.tsv": "excluded by .guidanceignore",
        "notes/": "excluded by .guidanceignore",
    }


def test_files_that_do_not_look_like_guidance_are_indexed_with_a_warning_naming_the_ignore_file(tmp_path):
    readme = ingest(
        write(tmp_path / "README.md", "# About this folder\n\nThese documents were sent by the regional team.\n")
    )
    table = ingest(write(tmp_path / "SOURCES.tsv", "title\turl\nGuide to identification\thttps://example.org/guide\n"))
    for result, kind in ((readme, "README"), (table, "tabular data")):
        assert result.report.status == "indexed"
        assert any(kind in w and ".guidanceignore" in w for w in result.report.warnings), result.report.warnings
    assert not ingest(
        write(tmp_path / "guide.md", "# Guide\n\nReal guidance text about identification.\n")
    ).report.warnings


def test_the_number_printed_on_a_page_becomes_its_label_when_the_pdf_has_no_page_labels(tmp_path):
    from .fixtures_build import make_pdf

    body = "Potential victims must be told what the National Referral Mechanism offers before they consent."
    pages = [[("Annual Report", 72, 700, 24, True)]]
    pages += [
        [(f"Section {n}", 72, 760, 14, True), (body, 72, 700, 11, False), (str(n), 297, 30, 9, False)]
        for n in range(1, 6)
    ]
    path = write(tmp_path / "report.pdf", make_pdf(pages))
    (corpus_file,), _ = discover_files(tmp_path, "catalogue.toml", 1 << 20)
    document = ingest_file(corpus_file, load_catalogue(tmp_path / "none.toml")).documents[0]
    assert document.page_labels == {2: "1", 3: "2", 4: "3", 5: "4", 6: "5"}, (
        "the cover is not numbered; page 2 of the PDF is printed page 1"
    )
    assert path.exists()


def test_printed_numbers_that_skip_a_number_part_way_label_each_run_of_pages_by_its_own(tmp_path):
    # Found in a first-use audit: a report printed 1 to 12 on PDF pages 2 to 13 and 14 on, on PDF
    # pages 14 on (13 left out), and a "1" on its back cover; no offset held for 60% of its
    # pages, so none was taken, and "p. 5" was cited for the text printed as page 4.
    from .fixtures_build import make_pdf

    body = "Students learnt how to report a situation of unfairness at work."
    printed = [None, 1, 2, 3, 4, 6, 7, 8, 1]  # PDF pages 1 to 9: a cover, ..., a back cover
    pages = [
        [(f"Part {page}", 72, 760, 14, True), (body, 72, 700, 11, False)]
        + ([(str(number), 297, 30, 9, False)] if number is not None else [])
        for page, number in enumerate(printed, start=1)
    ]
    write(tmp_path / "report.pdf", make_pdf(pages))
    (corpus_file,), _ = discover_files(tmp_path, "catalogue.toml", 1 << 20)
    document = ingest_file(corpus_file, load_catalogue(tmp_path / "none.toml")).documents[0]
    assert document.page_labels == {2: "1", 3: "2", 4: "3", 5: "4"}, (
        "pages 6 to 9 print their PDF numbers (the back cover's '1' is no run)"
    )


def test_a_pdf_of_two_page_spreads_cites_the_pair_of_numbers_each_spread_prints(tmp_path):
    # Found in a first-use audit: a guide exported as spreads cited "p. 5" for text printed on
    # page 8 (each PDF page prints two numbers; one spread shows only one, under a picture).
    from assistant.present import page_words

    from .fixtures_build import make_pdf

    body = "Businesses of all sizes can be implicated by modern slavery in their supply chains."
    pages = [[("A guide for small businesses", 72, 700, 24, True)]]
    for page in range(2, 7):
        left, right = 2 * page - 2, 2 * page - 1
        footer = [(f"{left} {right}", 560, 30, 9, False)] if page != 4 else [(str(left), 60, 30, 9, False)]
        pages.append([(f"Part {page}", 72, 760, 14, True), (body, 72, 700, 11, False), *footer])
    pages.append([("Published October 2021.", 72, 700, 11, False)])
    write(tmp_path / "guide.pdf", make_pdf(pages))
    (corpus_file,), _ = discover_files(tmp_path, "catalogue.toml", 1 << 20)
    document = ingest_file(corpus_file, load_catalogue(tmp_path / "none.toml")).documents[0]
    assert document.page_labels == {2: "2–3", 3: "4–5", 4: "6–7", 5: "8–9", 6: "10–11"}
    assert page_words(5, document.page_labels[5], "pdf") == "pp. 8–9 (PDF p. 5)"


def test_a_bold_glossary_term_that_wraps_is_not_a_heading_and_the_next_entry_is_not_filed_under_it(tmp_path):
    # Statutory guidance's glossary: each term is set in bold inside quotation marks, and a long
    # term wraps, so its first line is a bold line of capitalised words ("... Practice Co-").
    runs = [
        ("Modern Slavery Statutory Guidance", 56, 800, 24, True),
        ("This guidance is for staff who may encounter potential victims of modern slavery.", 56, 780, 11, False),
        ("Glossary", 56, 766, 16, True),
        ("\u201cIndependent Child Trafficking Guardians Regional Practice Co-", 56, 750, 11, True),
        ("Ordinator\u201d (ICTG RPC) holds a strategic role, working with professionals who are", 56, 736, 11, False),
        ("already engaged with a child, and does not work directly with the child.", 56, 722, 11, False),
        (
            "\u201cRecovery and Reflection Period\u201d refers to the period from the date of a positive",
            56,
            700,
            11,
            False,
        ),
        ("Reasonable Grounds decision until a Conclusive Grounds decision, at least 45 days.", 56, 686, 11, False),
    ]
    document = ingest(write(tmp_path / "guidance.pdf", make_pdf([runs]))).documents[0]
    headings = [document.text[block.start : block.end] for block in document.blocks if block.kind == "heading"]
    assert not any("Independent" in heading for heading in headings)
    recovery = next(b for b in document.blocks if "Recovery and Reflection" in document.text[b.start : b.end])
    assert recovery.section == ("Glossary",), "a citation names the section the passage is really in"


def test_a_line_that_opens_a_quotation_it_does_not_close_is_not_a_heading():
    from assistant.text import leaves_quotation_open

    assert leaves_quotation_open("\u201cIndependent Child Trafficking Guardians Regional Practice Co-")
    assert leaves_quotation_open('"Victim Care Contract Prime')
    assert not leaves_quotation_open("Quality assuring a decision \u201cSecond pair of eyes\u201d")
    assert not leaves_quotation_open("The National Referral Mechanism")


def pdf_under_an_intro(path, intro: str, runs):
    """A one-page PDF of ``intro`` as a paragraph, then ``runs``; its document and headings."""
    opening, _ = paragraph_runs(intro, 780)
    document = ingest(write(path, make_pdf([opening + runs]))).documents[0]
    return document, [document.text[block.start : block.end] for block in document.blocks if block.kind == "heading"]


def test_an_unfinished_bold_heading_line_takes_its_next_line_or_is_no_heading(tmp_path):
    runs = [
        ("Key outcome: people at most risk get help to", 56, 740, 12, True),
        ("increase their resilience against trafficking", 56, 726, 12, True),
        ("Local partners will offer support to people whose circumstances put them at risk.", 56, 700, 11, False),
        ("Nationals of Vietnam, Albania and", 56, 670, 11, True),
        ("the United Kingdom were the most often referred, as in the years before.", 56, 656, 11, False),
        ("Annex A", 56, 626, 11, True),
        ("The referral form that first responders use is reproduced in this annex, page by page.", 56, 612, 11, False),
    ]
    intro = "This strategy sets out how partners will work together against human trafficking."
    _, headings = pdf_under_an_intro(tmp_path / "strategy.pdf", intro, runs)
    assert "Key outcome: people at most risk get help to increase their resilience against trafficking" in headings
    assert not any(heading.endswith((" to", " and")) for heading in headings), headings
    assert "Annex A" in headings, "a capital letter ends a heading"


def test_a_bold_contact_line_is_no_heading_and_a_number_it_wraps_is_kept_whole(tmp_path):
    # Found in a first-use audit: "GLAA on 0800 432" was taken for a heading and the passage
    # under it began "0804."; a bold list of helplines was one long section heading.
    runs = [
        ("Contact the Gangmasters and Labour Abuse Authority (GLAA) on 0800 432", 56, 740, 11, True),
        ("0804. GLAA is the investigative agency that protects vulnerable and exploited workers.", 56, 726, 11, False),
        ("Modern Slavery Helpline 08000 121 700", 56, 690, 11, True),
        ("The helpline is open every day and every night, and calls are free from any phone.", 56, 676, 11, False),
    ]
    intro = "If you suspect modern slavery in your business, report it at once."
    document, headings = pdf_under_an_intro(tmp_path / "contacts.pdf", intro, runs)
    assert not any("0800" in heading for heading in headings), headings
    assert "(GLAA) on 0800 432 0804. GLAA is" in " ".join(document.text.split())


def test_a_bold_line_ending_on_a_comma_is_a_heading_only_with_the_line_that_completes_it(tmp_path):
    # Found in a first-use audit: "9. Child Victims > Wales are an independent source of advice
    # for trafficked children," was a passage's section path; a foreword's "Dame Sara Thornton,"
    # was a heading too.
    runs = [
        ("Wales are an independent source of advice for trafficked children,", 56, 740, 12, True),
        ("and they speak for the child in meetings with the local authority and the police.", 56, 700, 11, False),
        ("Case Study – Hoang,", 56, 670, 12, True),
        ("Victim of Cannabis Cultivation", 56, 656, 12, True),
        ("Hoang was brought to the United Kingdom at fifteen and made to tend plants in a loft.", 56, 630, 11, False),
    ]
    intro = "This report describes how children are exploited by criminal gangs across the country."
    _, headings = pdf_under_an_intro(tmp_path / "report.pdf", intro, runs)
    assert not any(heading.endswith(",") for heading in headings), headings
    assert "Case Study – Hoang, Victim of Cannabis Cultivation" in headings, headings


def test_a_page_title_drawn_after_the_pages_text_heads_that_page_and_a_case_studys_name_heads_only_its_box(tmp_path):
    # Found in a first-use audit of a compensation report: each page's large title was drawn last,
    # so "Time limits" was cited under the title of the page before ("Support for survivors"), and
    # a case study's name in a side box became the parent of every later section ("The criteria
    # for CICS > Sheena > Timescales").
    first, _ = paragraph_runs("Support workers help survivors apply. " + LONG, 700)
    second, below = paragraph_runs("An application must be made within two years of the injury. " + LONG, 680)
    box, _ = paragraph_runs(
        "Amalfi was trafficked to the UK for sexual exploitation. Amalfi was helped to escape.",
        560,
        x=320,
        width_chars=40,
    )
    third, _ = paragraph_runs("A crime of violence must have caused the injury. " + LONG, 740)
    pages = [
        [*first, ("Support for survivors", 56, 780, 30, False)],
        [("Time limits", 56, 710, 14, True), *second, ("Amalfi", 320, 590, 20, False), *box],
        [("Crime of violence", 56, 770, 14, True), *third],
    ]
    pages[1].append(("The criteria for the scheme", 56, 780, 30, False))  # the page's title, drawn last
    document = ingest(write(tmp_path / "report.pdf", make_pdf(pages))).documents[0]

    def section_of(words: str) -> tuple[str, ...]:
        return next(b for b in document.blocks if words in document.text[b.start : b.end]).section

    assert section_of("within two years") == ("The criteria for the scheme", "Time limits")
    assert section_of("Amalfi was helped") == ("The criteria for the scheme", "Time limits", "Amalfi")
    assert section_of("crime of violence must") == ("The criteria for the scheme", "Crime of violence"), (
        "the box's name heads the box alone"
    )


def test_a_file_named_as_an_example_or_a_template_looks_like_no_guidance():
    # Found in a first-use audit: a training file's deliberately poor referral form was the first
    # card, called a fair match, for what a police officer must do.
    from assistant.ingest import looks_like

    assert looks_like("Adult - Poor Referral ExampleLE.doc") == "an example, a template or a form"
    assert looks_like("NRM referral form template.docx") == "an example, a template or a form"
    assert looks_like("Adult - best practice form -LE.doc") == "an example, a template or a form"
    assert looks_like("Performance Management guide.pdf") is None
    assert looks_like("Statutory Guidance.pdf") is None
    assert looks_like("Log frame Template.docx") == "an example, a template or a form"
    assert looks_like("examples-of-good-practice.pdf") is None, "examples of good practice are guidance"


def test_a_contents_page_or_a_case_study_label_heads_no_section_after_it(tmp_path):
    # Found in a first-use audit: a report's "Contents" and "Case study", printed larger than its
    # chapters, began every section path after them ("Contents > Executive Summary > Case study >
    # Timely and quality decisions"), and the citations said so.
    text = (
        "# A path to freedom\n\n## Contents\n\nAbout the report 2\n\n### About the report\n\n"
        "This report looks at support for survivors.\n\n## Case study\n\nAmir was found at a car wash and referred by "
        "the police.\n\n### Timely decisions\n\nDecisions should be made within a reasonable time so that victims "
        "can move on.\n"
    )
    document = ingest(write(tmp_path / "path-to-freedom.md", text)).documents[0]
    sections = {document.text[b.start : b.end]: b.section for b in document.blocks if b.kind != "heading"}
    assert sections["This report looks at support for survivors."] == ("About the report",)
    assert sections["Amir was found at a car wash and referred by the police."] == ("Case study",)
    timely = "Decisions should be made within a reasonable time so that victims can move on."
    assert sections[timely] == ("Timely decisions",)


def test_a_pull_quote_styled_as_a_heading_heads_no_section_and_a_quoted_title_still_does(tmp_path):
    # Found in the library: a delivery plan's pull-quote, styled as a heading, was the section of
    # the 50 passages after it in their citations, and a strategy's epigraphs each headed one.
    text = (
        "# Delivery plan\n\n## Our aims\n\nThe plan has four aims.\n\n"
        "## “The plan sets out the Government aim to make Wales hostile to slavery”\n\n"
        "Each aim has a lead officer.\n\n## ‘A Cost-Benefit Analysis of the ITA Intervention in Oxford and Reading’\n\n"
        "The analysis was published in 2020.\n"
    )
    document = ingest(write(tmp_path / "plan.md", text)).documents[0]
    sections = {document.text[b.start : b.end]: b.section for b in document.blocks}
    assert sections["Each aim has a lead officer."] == ("Our aims",)
    quote = "“The plan sets out the Government aim to make Wales hostile to slavery”"
    assert sections[quote] == ("Our aims",), "the quotation stays in the text, as a paragraph"
    title = "A Cost-Benefit Analysis of the ITA Intervention in Oxford and Reading"
    assert sections["The analysis was published in 2020."] == (f"‘{title}’",)


def test_a_numbered_heading_sits_under_the_heading_its_number_begins_with(tmp_path):
    # Found in a first-use audit: "2.5. The Seasonal Worker Visa" was cited under "1. Conflict
    # drives human trafficking" when the report's "2." heading was printed no larger than "1.".
    text = (
        "# The war and trafficking\n\nA roundtable report.\n\n"
        "## Key findings\n\n### 1. Conflict drives trafficking\n\n#### 1.1. Risks of war\n\n"
        "Risk rises in war.\n\n#### 2.1. Visas\n\nVisas heighten risks.\n\n### 6. Intervention\n\n"
        "#### 6.3 Moderate risk\n\nSome text.\n\n#### 6.4.1 Significant risk\n\nMore text.\n"
    )
    document = ingest(write(tmp_path / "report.md", text)).documents[0]
    sections = {document.text[b.start : b.end]: b.section for b in document.blocks if b.kind != "heading"}
    assert sections["Risk rises in war."] == ("Key findings", "1. Conflict drives trafficking", "1.1. Risks of war")
    assert sections["Visas heighten risks."] == ("Key findings", "2.1. Visas")
    assert sections["More text."] == ("Key findings", "6. Intervention", "6.4.1 Significant risk")


def test_a_period_in_a_file_name_is_dated_by_the_file_when_its_date_falls_within_it():
    # Found in a first-use audit: "iasc-annual-report-2021-2022.pdf", presented in April 2022 (its
    # PDF date), was cited as 2021.
    from assistant.ingest import year_in_name

    assert year_in_name("iasc-annual-report-2021-2022.pdf", 2022) == 2022
    assert year_in_name("jlp-modern-slavery-statement-2017-18.pdf", 2018) == 2018
    assert year_in_name("hmsp-strategy-2018-2021.pdf", 2018) == 2018, "a strategy comes out as its period begins"
    assert year_in_name("hmsp-strategy-2018-2021.pdf", 2024) == 2018, "a file saved long after says nothing"
    assert year_in_name("hmsp-strategy-2018-2021.pdf", None) == 2018
    assert year_in_name("UkraineAntiTraffickingReport_2022_05_10.pdf", 2023) == 2022, "a date, not a period"
    assert year_in_name("notes.pdf", 2022) is None
