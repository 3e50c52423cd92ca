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
