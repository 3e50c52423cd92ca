"""Language guessing from function words: enough to tell the languages of a bilingual treaty."""

import pytest

from assistant.language import guess_language


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Each State Party shall protect the privacy and identity of victims of trafficking in persons.", "en"),
        (
            "Iedere Staat die Partij is, beschermt de persoonlijke levenssfeer en de identiteit van de slachtoffers "
            "van mensenhandel.",
            "nl",
        ),
        ("Chaque État Partie protège la vie privée et l’identité des victimes de la traite des personnes.", "fr"),
        ("Cada Estado Parte protegerá la privacidad y la identidad de las víctimas de la trata de personas.", "es"),
        ("Jeder Vertragsstaat schützt die Privatsphäre und die Identität der Opfer des Menschenhandels.", "de"),
    ],
)
def test_guesses_the_language_of_a_sentence(text, expected):
    assert guess_language(text) == expected


def test_short_or_ambiguous_text_has_no_language():
    assert guess_language("Resolution 2331") is None
    assert guess_language("NRM SCA CGD RGD") is None


def test_a_question_in_another_language_than_english_is_told_apart_from_an_english_one():
    from assistant.language import looks_foreign

    for question in (
        "Jakie są wskaźniki handlu ludźmi?",
        "¿Cuáles son los indicadores de la trata de personas?",
        "Quels sont les indicateurs de la traite?",
        "Was sind die Anzeichen von Menschenhandel?",
    ):
        assert looks_foreign(question), question
    for question in (
        "What are the indicators of trafficking in Łódź?",
        "OSCE ODIHR handbook 2004",
        "Microcin J25 inhibits nucleoside triphosphate (NTP) binding.",
        "If someone working in a hotel suspects a guest is being trafficked, what should they do first?",
        "and for children?",
    ):
        assert not looks_foreign(question), question


def test_a_question_in_another_language_is_searched_as_typed_and_says_so(bundled_pipeline):
    # Found in a first-use audit: the Polish "Jakie są wskaźniki handlu ludźmi?" was searched as
    # "Jamie są wskaźniki handle ludźmi?", and nothing said why it found nothing.
    from assistant.retrieve import NOT_ENGLISH

    answer = bundled_pipeline.ask("Jakie są wskaźniki handlu ludźmi?")
    assert not answer.corrections and NOT_ENGLISH in answer.notices
    english = bundled_pipeline.ask("What are the indicators of trafficking?")
    assert NOT_ENGLISH not in english.notices
