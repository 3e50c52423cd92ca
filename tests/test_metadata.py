"""Titles and organisations a reference can use: chosen from the title block, the properties or
the cover, never from a template, a software default, a team or a fragment of text."""

import pytest

from assistant.ingest.base import Line
from assistant.ingest.metadata import (
    choose_organisation,
    choose_title,
    fallback_title,
    is_junk_title,
    readable_case,
    stated_organisation,
    tidy_title,
    title_from_headings,
)


@pytest.mark.parametrize(
    "junk",
    [
        "PowerPoint Presentation",
        "Foreword",
        "Slide 1",
        "Untitled 2",
        "Layout 1",
        "Contents",
        "Executive Summary",
        "5.3 Moderate Risk indicators include:",
        "1 = Strongly Disagree",
        "8426_UoN_Rights_Lab_report_MSPEC_V10",
        "MBGA34T",
        "SEC.GAL/39/22",
        "Document1.docx",
        "“The plan sets out the aim to make Wales hostile to slavery”",
        "x" * 300,
        "",
    ],
)
def test_values_that_name_no_document_are_never_titles(junk):
    assert is_junk_title(junk)


@pytest.mark.parametrize(
    "title",
    [
        "Modern Slavery Act 2015 – Statutory Guidance for England and Wales",
        "No room for slavery",
        "Voices",
        "10 top tips on working with faith communities",
    ],
)
def test_real_titles_are_kept(title):
    assert not is_junk_title(title)


def test_capitals_get_a_readable_case_and_acronyms_stay():
    assert (
        readable_case("TACKLING MODERN SLAVERY IN THE HOTEL SECTOR ACROSS THE UK")
        == "Tackling Modern Slavery in the Hotel Sector Across the UK"
    )
    assert (
        readable_case("HUMAN TRAFFICKING RESPONSE GUIDE for School Resource Officers")
        == "Human Trafficking Response Guide for School Resource Officers"
    )
    assert readable_case("NRM TOOLKIT FOR FIRST RESPONDERS") == "NRM Toolkit for First Responders"
    assert readable_case("Modern slavery handbook") == "Modern slavery handbook"


def test_the_title_block_comes_before_a_template_property_and_the_file_name_comes_last():
    assert choose_title(
        {"title": "PowerPoint Presentation", "title_block": "County Lines Awareness"}, [], "deck.pptx"
    ) == ("County Lines Awareness", "title block")
    assert choose_title(
        {"title": "Foreword"}, [Line("Foreword", 1, kind="heading", level=0)], "annual_report_2019.pdf"
    ) == ("annual report 2019", "filename")
    heading = [Line("SAFEGUARDING ADULTS PROTOCOL", 1, kind="heading", level=0)]
    assert choose_title({}, heading, "x.docx") == ("Safeguarding Adults Protocol", "title block")


def test_a_title_property_the_document_does_not_open_with_is_a_templates_leftover():
    # First-use audit: five example NRM referral forms (.doc) were all cited as "Report to Crown
    # Prosecutor for Charging Decision", their files' stale title property.
    form = [
        Line("National Referral Mechanism for Potential Adult Victims of Trafficking", 1),
        Line("Section A - Personal Details of the potential victim", 2),
    ]
    stale = {"title": "Report to Crown Prosecutor for Charging Decision"}
    assert choose_title(stale, form, "iasc/Adult - best practice form -SE.doc") == (
        "Adult - best practice form -SE",
        "filename",
    )
    cover = [Line("West Midlands PVVP: Preventing Violence Against Vulnerable People", 1), Line("February 2018", 2)]
    assert choose_title({"title": "Governance Structure February 2018"}, cover + form, "pvvp.pdf")[1] == "file", (
        "words of it open the document: the property is the document's"
    )


def test_software_defaults_people_and_teams_are_never_organisations():
    assert choose_organisation({"author": "Microsoft Office User"}, []) is None
    assert choose_organisation({"author": "Guidance rules and forms team"}, []) is None
    assert choose_organisation({"author": "katehood"}, []) is None
    assert choose_organisation({"author": "Thomas Rhidian(Home Office)"}, []) == "Home Office"
    assert (
        choose_organisation({"author": "© University of Nottingham Rights Lab, 2020."}, [])
        == "University of Nottingham Rights Lab"
    )
    assert (
        choose_organisation({"author": "Blue Campaign - Department of Homeland Security"}, [])
        == "Blue Campaign - Department of Homeland Security"
    )


def test_the_organisation_a_document_states_on_its_cover_or_last_page():
    cover = [Line("Voices", 1), Line("© University of Nottingham Rights Lab, 2020.", 2)]
    assert stated_organisation(cover) == "University of Nottingham Rights Lab"
    assert stated_organisation([Line("Published by the Scottish Government, June 2017", 1)]) == "Scottish Government"
    mention = [Line("Use the index published by the Walk Free Foundation and the US Department of Labor.", 1)]
    assert stated_organisation(mention) is None, "a sentence about someone else's publication names no publisher"
    # Found in a first-use audit: a law's list in a deck's notes, "(c) the National Crime Agency",
    # made the Agency the author of every citation of the deck.
    listed = [Line("(a) a chief officer of police,", 1), Line("(c) the National Crime Agency,", 2)]
    assert stated_organisation(listed) is None, "the third item of a list is no copyright line"
    assert stated_organisation([Line("(c) 2017 Home Office", 1)]) == "Home Office"
    assert choose_organisation({}, [Line("Nothing here says who wrote this.", 1)]) is None, (
        "left empty rather than guessed"
    )
    # Found in a first-use audit: the statutory guidance had no organisation, though its running
    # footer says "Published by the Home Office March 2020" on every page.
    footer = "running header/footer (repeats on many pages)"
    pages = [Line(f"{n} Published by the Home Office March 2020", n, kind="blank", removed=footer) for n in range(9)]
    assert stated_organisation([Line("Modern Slavery Act 2015 Statutory Guidance", 1), *pages]) == "Home Office"
    other = [Line("Published by the Home Office March 2020", 1, kind="blank", removed="page number")]
    assert stated_organisation(other) is None, "only a running header or footer of what cleaning dropped"


@pytest.mark.parametrize(
    "junk",
    [
        "Modern Slavery & Human Trafficking A Guide for the",
        "Vietnamese, Albanian and",  # cut off mid-phrase
        "W I L L O W C C E F I L M S T e a c h I N G Toolkit",
        "Willow CCE FILMs TeacHING Toolkit",  # display type in pieces
    ],
)
def test_titles_cut_off_or_read_in_pieces_are_never_titles(junk):
    assert is_junk_title(junk)


def test_a_one_or_two_word_label_gives_way_to_a_file_name_that_says_more():
    assert (
        choose_title({"title_block": "SERAF"}, [], "SERAF Categories of risk framework.doc")[0]
        == "SERAF Categories of risk framework"
    )
    assert (
        choose_title({"title_block": "Annual Report"}, [], "Sandwell Modern slavery annual report.pdf")[0]
        == "Sandwell Modern slavery annual report"
    )
    assert (
        choose_title({"title_block": "Modern slavery handbook"}, [], "The Passage Modern Slavery Handbook_v2.pdf")[0]
        == "Modern slavery handbook"
    )


def test_a_footnote_marker_is_not_part_of_a_title():
    title = "Policing County Lines: Impact of Covid-19 Interim research briefing, Feb 2021[1]"
    assert (
        choose_title({"title_block": title}, [], "briefing.pdf")[0]
        == "Policing County Lines: Impact of Covid-19 Interim research briefing, Feb 2021"
    )


def test_a_letterhead_names_the_organisation_not_the_title():
    lines = [
        Line("Organization for Security and Co-operation in Europe", 1, kind="heading", level=1, page=1),
        Line(
            "Recommendations of the OSCE Special Representative on anti-trafficking prevention",
            2,
            kind="heading",
            level=1,
            page=1,
        ),
        Line("In recent weeks, an unprecedented number of persons seeking refuge arrived.", 3, page=1),
    ]
    assert choose_title({"title_block": lines[0].text}, lines, "513784.pdf")[1] != "title block"
    assert (
        choose_organisation(
            {}, lines, "Recommendations of the OSCE Special Representative on anti-trafficking prevention"
        )
        == "Organization for Security and Co-operation in Europe"
    )
    poster = [Line("Organisation & Roles Victim Vulnerabilities Recruitment", 1, kind="heading", level=1, page=1)]
    assert choose_organisation({}, poster, "There Is No One Type of Modern Slavery") is None, (
        "a poster's panel label is no publisher"
    )
    titled = [Line("Hertfordshire Modern Slavery Partnership Governance Structure", 1, kind="heading", level=1, page=1)]
    assert choose_organisation({}, titled, "Hertfordshire Modern Slavery Partnership Governance Structure") is None


def test_a_scan_is_named_by_its_properties_or_file_name_not_by_ocr_text():
    misread = [Line("GEX, SECRETS AND LIES", 1, kind="heading", level=0)]
    assert choose_title({"ocr": True, "title_block": "GEX, SECRETS AND LIES"}, misread, "cse_leaflet.pdf") == (
        "cse leaflet",
        "ocr-filename",
    )
    assert choose_title({"ocr": True, "title": "Sex, Secrets and Lies"}, misread, "cse_leaflet.pdf") == (
        "Sex, Secrets and Lies",
        "file",
    )
    assert (
        choose_title({"ocr": True}, [], "supporting-eea-nationals-with-care-needs.pdf")[0]
        == "supporting eea nationals with care needs"
    )


def test_organisations_lose_dates_versions_and_copyright_words_and_get_a_readable_case():
    from assistant.ingest.metadata import tidy_organisation

    assert tidy_organisation("Islington Council, 7 July 2021 version 2") == "Islington Council"
    assert (
        tidy_organisation("Independent Anti-Slavery Commissioner copyright") == "Independent Anti-Slavery Commissioner"
    )
    assert tidy_organisation("home office") == "Home Office"


def test_a_short_chart_label_gives_way_to_a_descriptive_file_name_and_a_conversion_suffix_goes():
    assert (
        choose_title({"title_block": "Mild risk"}, [], "SERAF risk chart for practitioners.docx.pdf")[0]
        == "SERAF risk chart for practitioners"
    )
    assert choose_title({"title_block": "Voices"}, [], "Voices.pdf")[0] == "Voices"


def test_a_title_loses_the_slips_of_its_layout():
    assert tidy_title("Modern Slavery && Human Trafficking", []) == "Modern Slavery & Human Trafficking"
    deck = [
        Line(text, n, page=1)
        for n, text in enumerate(
            [
                "Modern slavery awareness for front-line staff.",
                "Raising awareness of modern slavery in Wales.",
                "Slavery is hidden in plain sight.",
            ]
        )
    ]
    assert (
        tidy_title("WALES ANTI-SLAVERYAWARENESS BRIEF INTRODUCTION", deck)
        == "WALES ANTI-SLAVERY AWARENESS BRIEF INTRODUCTION"
    ), "two words the document writes apart, run together on the title slide"
    assert (
        choose_title(
            {"title_block": "WALES ANTI-SLAVERYAWARENESS BRIEF INTRODUCTION"}, deck, "Wales Lunch and Learn.pptx"
        )[0]
        == "Wales Anti-Slavery Awareness Brief Introduction"
    )
    campus = [
        Line("Antislavery work on campus: antislavery networks and antislavery policy.", 1, page=1),
        Line("Anti means against.", 2, page=1),
        Line("Slavery exists.", 3, page=1),
        Line("Anti slavery.", 4, page=1),
    ]
    assert tidy_title("Voices: antislavery work", campus) == "Voices: antislavery work", (
        "a word the document uses as one stays one"
    )


def test_a_file_name_loses_copy_numbers_and_working_marks_and_parts_words_run_together():
    assert fallback_title("business briefing (1).pdf") == "business briefing"
    assert fallback_title("Problem Profile Guide_Final.pdf") == "Problem Profile Guide"
    assert fallback_title("HO_LL_Duty of notice_poster_2_v2.pdf") == "HO LL Duty of notice poster 2"
    assert fallback_title("UkraineAntiTraffickingReport_2022_05_10.pdf") == "Ukraine Anti Trafficking Report 2022 05 10"
    assert fallback_title("McDonald and PowerPoint guide.pdf") == "McDonald and PowerPoint guide", (
        "names in camel case stay whole"
    )
    assert fallback_title("Final.pdf") == "Final"


def test_a_two_word_chart_label_gives_way_to_a_three_word_file_name():
    assert choose_title({"title": "Mild risk"}, [], "Seraf Risk Chart.docx.pdf")[0] == "Seraf Risk Chart"


def test_numbered_parts_and_unrelated_column_headers_do_not_name_a_document():
    headings = ["Category 1 Not at risk", "Description Associated actions", "Category 2 Mild risk"]
    assert title_from_headings(headings, "Seraf Risk Chart.pdf") == "Seraf Risk Chart"
    assert (
        title_from_headings(["Section 2 Scope", "Referral Guidance for Partners"], "rg.pdf")
        == "Referral Guidance for Partners"
    )
    survey = [
        "User feedback survey on the Home Office's modern slavery National Referral Mechanism statistical publications"
    ]
    assert title_from_headings(survey, "31617-User_Survey_151931.pdf") == survey[0], (
        "a heading sharing the file name's words wins"
    )


def test_a_chapter_heading_phrased_as_a_question_does_not_name_a_handbook():
    chapter = [Line("How are children brought to the UK", 1, kind="heading", level=0)]
    assert choose_title({}, chapter, "Child Trafficking operational handbook.doc") == (
        "Child Trafficking operational handbook",
        "filename",
    )
    leaflet = [Line("What is modern slavery?", 1, kind="heading", level=0)]
    assert choose_title({}, leaflet, "leaflet1.pdf")[0] == "What is modern slavery?", (
        "a leaflet may be titled by its question"
    )


def test_a_title_in_title_case_that_opens_with_a_question_word_still_titles_its_report():
    title = "What Looks Promising for Tackling Modern Slavery: A review of practice-based research"
    heading = [Line(title, 1, kind="heading", level=0)]
    own = {"title": "Modern Slavery Report_What Looks Promising_A4 brochure_21-031_FEB21_PROOF 2"}
    relative = "iasc/modern-slavery-report-what-looks-promising-a4-brochure-21-031-feb21-proof-2.pdf"
    assert choose_title(own, heading, relative)[0] == title


def test_a_file_named_as_an_example_or_a_template_says_so_in_its_title():
    # Found in a first-use audit: "Adult - Poor Referral ExampleLE.doc", a training example of a
    # poor referral, was cited as "Report to Crown Prosecutor for Charging Decision".
    from assistant.ingest.metadata import with_example_mark

    title = "Report to Crown Prosecutor for Charging Decision"
    assert with_example_mark(title, "iasc/Adult - Poor Referral ExampleLE.doc") == (
        "Report to Crown Prosecutor for Charging Decision (Adult - Poor Referral ExampleLE)"
    )
    assert with_example_mark("Annual report template", "iasc/Annual Report Templates.docx") == "Annual report template"
    assert with_example_mark(title, "iasc/Counterexamples of practice.pdf") == title
    assert with_example_mark(title, "iasc/Statutory Guidance.pdf") == title
