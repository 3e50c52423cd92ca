"""Words that stand in for one another (retrieve/contrasts.py): the UK nations a question and a
document's title name."""

from assistant.retrieve.contrasts import (
    nation_spoken_of,
    nations_named,
    other_group_note,
    other_nations_note,
    people_named,
)

GUIDANCE = "Modern Slavery Act 2015 – Statutory Guidance for England and Wales"


def test_the_nations_a_text_names_are_its_uk_nations_with_adjectives_as_the_nation():
    assert nations_named(GUIDANCE) == ("England", "Wales")
    assert nations_named("Scottish Government guidance for Northern Ireland and scotland") == (
        "Scotland",
        "Northern Ireland",
    )
    assert nations_named("English classes for Irish citizens in the UK") == (), "a language, another country, all"
    # Found in a first-use audit: a nail bar "in Cardiff" was not taken to be in Wales.
    assert nations_named("a woman exploited in a nail bar in Cardiff") == ("Wales",)
    # And another's "what about in Scotland?" was shown the London protocol (English law) unmarked.
    assert other_nations_note(
        "what about in Scotland?", "London Working Group: local authorities' statutory duties", "Housing duties."
    ) == ("the document is for England; the question names Scotland")
    assert nations_named("Nottinghamshire police") == (), "a county is not its city"
    assert nation_spoken_of("London. " * 6 + "Scotland.") is None, "London is a place in reports on the whole UK"
    assert nations_named("from Glasgow to Belfast") == ("Scotland", "Northern Ireland")


def test_a_document_for_other_nations_than_the_question_names_is_said_to_be_unless_its_passage_names_it():
    note = other_nations_note("Will a child in Scotland be prosecuted?", GUIDANCE, "Section 45 protects children.")
    assert note == "the document is for England and Wales; the question names Scotland"
    assert other_nations_note("Will a child in Wales be prosecuted?", GUIDANCE, "Section 45 protects.") is None
    assert other_nations_note("Will a child be prosecuted?", GUIDANCE, "Section 45 protects.") is None
    assert other_nations_note("In Scotland?", "Practitioner responses", "Section 45 protects.") is None
    assert other_nations_note("In Scotland?", GUIDANCE, "In Scotland the Lord Advocate decides.") is None
    # A title and publisher that name no nation: the passage says whose duty it is (first-use audit).
    factsheet = "Duty to Notify the Home Office of Potential Victims of Modern Slavery"
    notify = "Public authorities must notify the Home Office of any individual encountered in England and Wales."
    assert other_nations_note("what is the duty to notify in Scotland?", factsheet, notify) == (
        "the passage speaks of England and Wales; the question names Scotland"
    )
    assert other_nations_note("what is the duty to notify in Wales?", factsheet, notify) is None
    assert other_nations_note("what is the duty to notify?", factsheet, notify) is None


def test_a_heading_for_another_group_of_people_than_the_question_is_said_so():
    heading = "Modern Slavery Act 2015 – Statutory Guidance\n8. Support for Adult Victims > Recovery Period"
    assert (
        other_group_note("How long is the recovery period for child victims?", heading)
        == "the heading names adults; the question names children"
    )
    assert (
        other_group_note("and for a 16 year old?", heading) == "the heading names adults; the question names children"
    )
    assert other_group_note("What support is there for women?", "Services for men") == (
        "the heading names men; the question names women"
    )
    assert other_group_note("How long is the recovery period?", heading) is None, "the question names no group"
    assert other_group_note("Do adults and children both need to consent?", heading) is None, "it names adults too"
    assert other_group_note("and for children?", "Support for young people") is None, "young people may be children"
    assert other_group_note("and in Scotland?", "Guidance for England and Wales") is None, "nations: other_nations_note"
    # Found in a first-use audit: a children's leaflet was said to be about adults.
    leaflet = "Child sexual exploitation\nIF ANYTHING MAKES YOU SUSPICIOUS TELL AN ADULT YOU TRUST OR REPORT"
    assert other_group_note("child sexual exploitation signs", leaflet) is None, "an adult a child tells"
    assert other_group_note("what signs in children?", "Talk to a trusted adult") is None
    assert other_group_note("what signs in children?", "Support for adult victims") is not None


def test_a_nation_or_group_only_the_carried_words_name_is_said_to_come_from_the_earlier_questions():
    # Found in a first-use audit: "does she have to agree?" was flagged "the question names
    # England"; England came from the earlier questions.
    carried = "does she have to agree? england child refer"
    assert other_nations_note("does she have to agree?", "Scottish NRM form", "Consent.", earlier=carried) == (
        "the document is for Scotland; the earlier questions name England"
    )
    asked = "what about in Scotland? england child refer"
    assert other_nations_note("what about in Scotland?", GUIDANCE, "Consent.", earlier=asked) == (
        "the document is for England and Wales; the question names Scotland"
    ), "the question's own nation, not the carried one"
    heading = "Statutory Guidance\n8. Support for Adult Victims"
    assert other_group_note("how long does it last?", heading, earlier="how long does it last? child") == (
        "the heading names adults; the earlier questions name children"
    )
    assert other_group_note("and for adults?", heading, earlier="and for adults? child") is None


def test_a_document_whose_publisher_names_another_nation_is_said_to_be_from_it():
    # Found in a first-use audit: a question about Wales was shown first, with no note, a
    # Scottish Act's section from "Trafficking and Exploitation Strategy" (The Scottish Government).
    strategy = "Trafficking and Exploitation Strategy"
    assert other_nations_note(
        "What if a young person's age is disputed in Wales?",
        strategy,
        "Section 12.",
        organisation="The Scottish Government",
    ) == ("the document is from The Scottish Government; the question names Wales")
    assert other_nations_note("In Wales?", strategy, "Section 12.", organisation="Home Office") is None
    assert other_nations_note("In Scotland?", strategy, "Section 12.", organisation="The Scottish Government") is None
    assert other_nations_note("In Wales?", GUIDANCE, "s.45", organisation="The Scottish Government") is None, (
        "the title's nations decide when it names some"
    )


def test_a_question_naming_a_young_person_and_an_adult_is_about_neither_group_alone():
    # Found in a first-use audit: "a young person says they are 16 ... think they are an adult"
    # was told the presumption-of-age passages were for another group.
    question = "A young person says they are 16 but social services think they are an adult: what now?"
    assert other_group_note(question, "Children > Presumption of age") is None
    assert other_group_note("What if the person is an adult?", "Children > Presumption of age") == (
        "the heading names children; the question names adults"
    )


def test_a_document_whose_text_speaks_mostly_of_one_nation_is_said_to_when_title_and_publisher_name_none():
    # Found in a first-use audit: a health visitor in England was shown first, without a note, an
    # "All Wales Protocol" leaflet titled "Messages for practice", whose passage names no nation.
    leaflet = "The All Wales Protocol applies across Wales. " * 3 + "Welsh safeguarding boards in Wales lead it."
    assert nation_spoken_of(leaflet) == "Wales"
    assert nation_spoken_of("In England and Wales " * 5) is None, "two nations alike: neither mostly"
    assert nation_spoken_of("Wales. " * 4) is None, "too few mentions to say"
    assert nation_spoken_of("Wales. " * 5 + "Scotland. England.") is None, "not three times all the others"
    assert nation_spoken_of("Nothing about a nation.") is None
    title, passage = "Messages for practice", "Signs include going missing from home."
    assert other_nations_note("signs of CSE in England?", title, passage, spoken_of="Wales") == (
        "the document speaks mostly of Wales; the question names England"
    )
    assert other_nations_note("signs of CSE in Wales?", title, passage, spoken_of="Wales") is None
    assert other_nations_note("signs of CSE?", title, passage, spoken_of="Wales") is None
    assert other_nations_note("signs in England?", GUIDANCE, passage, spoken_of="Wales") is None, (
        "the title's nations decide when it names some"
    )
    assert other_nations_note("signs in England?", title, "In England, a child...", spoken_of="Wales") is None, (
        "the passage names the question's nation"
    )


def test_the_people_a_topic_named_are_a_word_for_each_group():
    assert people_named("A 16 year old boy was found in a cannabis grow house") == ["children", "men"]
    assert people_named("support for adult women") == ["adults", "women"]
    assert people_named("what support is there for young people?") == [], "young people may be either"
    assert people_named("how long does it take?") == []
