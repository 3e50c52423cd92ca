"""Titles and organisations a reference can use: chosen from the title block, the properties or
the cover, never from a template, a software default, a team or a fragment of text."""

import pytest

from assistant.ingest.base import Line
from assistant.ingest.metadata import choose_organisation, choose_title, is_junk_title, readable_case, stated_organisation


@pytest.mark.parametrize("junk", [
    "PowerPoint Presentation", "Foreword", "Slide 1", "Untitled 2", "Layout 1", "Contents", "Executive Summary",
    "5.3 Moderate Risk indicators include:", "1 = Strongly Disagree", "8426_UoN_Rights_Lab_report_MSPEC_V10", "MBGA34T",
    "SEC.GAL/39/22", "Document1.docx", "“The plan sets out the aim to make Wales hostile to slavery”", "x" * 300, "",
])
def test_values_that_name_no_document_are_never_titles(junk):
    assert is_junk_title(junk)


@pytest.mark.parametrize("title", [
    "Modern Slavery Act 2015 – Statutory Guidance for England and Wales", "No room for slavery", "Voices", "10 top tips on working with faith communities",
])
def test_real_titles_are_kept(title):
    assert not is_junk_title(title)


def test_capitals_get_a_readable_case_and_acronyms_stay():
    assert readable_case("TACKLING MODERN SLAVERY IN THE HOTEL SECTOR ACROSS THE UK") == "Tackling Modern Slavery in the Hotel Sector Across the UK"
    assert readable_case("HUMAN TRAFFICKING RESPONSE GUIDE for School Resource Officers") == "Human Trafficking Response Guide for School Resource Officers"
    assert readable_case("NRM TOOLKIT FOR FIRST RESPONDERS") == "NRM Toolkit for First Responders"
    assert readable_case("Modern slavery handbook") == "Modern slavery handbook"


def test_the_title_block_comes_before_a_template_property_and_the_file_name_comes_last():
    assert choose_title({"title": "PowerPoint Presentation", "title_block": "County Lines Awareness"}, [], "deck.pptx") == ("County Lines Awareness", "title block")
    assert choose_title({"title": "Foreword"}, [Line("Foreword", 1, kind="heading", level=0)], "annual_report_2019.pdf") == ("annual report 2019", "filename")
    heading = [Line("SAFEGUARDING ADULTS PROTOCOL", 1, kind="heading", level=0)]
    assert choose_title({}, heading, "x.docx") == ("Safeguarding Adults Protocol", "title block")


def test_software_defaults_people_and_teams_are_never_organisations():
    assert choose_organisation({"author": "Microsoft Office User"}, []) is None
    assert choose_organisation({"author": "Guidance rules and forms team"}, []) is None
    assert choose_organisation({"author": "katehood"}, []) is None
    assert choose_organisation({"author": "Thomas Rhidian(Home Office)"}, []) == "Home Office"
    assert choose_organisation({"author": "© University of Nottingham Rights Lab, 2020."}, []) == "University of Nottingham Rights Lab"
    assert choose_organisation({"author": "Blue Campaign - Department of Homeland Security"}, []) == "Blue Campaign - Department of Homeland Security"


def test_the_organisation_a_document_states_on_its_cover_or_last_page():
    cover = [Line("Voices", 1), Line("© University of Nottingham Rights Lab, 2020.", 2)]
    assert stated_organisation(cover) == "University of Nottingham Rights Lab"
    assert stated_organisation([Line("Published by the Scottish Government, June 2017", 1)]) == "Scottish Government"
    mention = [Line("Use the index published by the Walk Free Foundation and the US Department of Labor.", 1)]
    assert stated_organisation(mention) is None, "a sentence about someone else's publication names no publisher"
    assert choose_organisation({}, [Line("Nothing here says who wrote this.", 1)]) is None, "left empty rather than guessed"
