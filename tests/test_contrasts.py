"""Words that stand in for one another (retrieve/contrasts.py): the UK nations a question and a
document's title name."""

from assistant.retrieve.contrasts import nations_named, other_nations_note

GUIDANCE = "Modern Slavery Act 2015 – Statutory Guidance for England and Wales"


def test_the_nations_a_text_names_are_its_uk_nations_with_adjectives_as_the_nation():
    assert nations_named(GUIDANCE) == ("England", "Wales")
    assert nations_named("Scottish Government guidance for Northern Ireland and scotland") == (
        "Scotland",
        "Northern Ireland",
    )
    assert nations_named("English classes for Irish citizens in the UK") == (), "a language, another country, all"


def test_a_document_for_other_nations_than_the_question_names_is_said_to_be_unless_its_passage_names_it():
    note = other_nations_note("Will a child in Scotland be prosecuted?", GUIDANCE, "Section 45 protects children.")
    assert note == "the document is for England and Wales; the question names Scotland"
    assert other_nations_note("Will a child in Wales be prosecuted?", GUIDANCE, "Section 45 protects.") is None
    assert other_nations_note("Will a child be prosecuted?", GUIDANCE, "Section 45 protects.") is None
    assert other_nations_note("In Scotland?", "Practitioner responses", "Section 45 protects.") is None
    assert other_nations_note("In Scotland?", GUIDANCE, "In Scotland the Lord Advocate decides.") is None
