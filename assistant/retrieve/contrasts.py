"""Words that stand in for one another: adults or children, men or women, one UK nation or
another. A question that names one asks about it *instead of* the others: a follow-up's "and for
children?" does not carry the "adults" of the question before (``conversation``), and a sentence
about adults is not the best match of a question about children (``lookups.window``)."""

from __future__ import annotations

import re

from ..index.lexical import stem, terms_of


def _stems(words: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words.split())


def _group(alternatives: str) -> tuple[frozenset[str], ...]:
    return tuple(_stems(alternative) for alternative in alternatives.split(" / "))


AGES = _group("adult adults / child children minor minors juvenile juveniles teenager teenagers kid kids / youth young")
SEXES = _group("man men male males boy boys / woman women female females girl girls")
NATIONS = _group("england english / wales welsh / scotland scottish / northern ireland irish / uk britain british")
CONTRASTS: tuple[tuple[frozenset[str], ...], ...] = (AGES, SEXES, NATIONS)
"""The groups, each a list of alternatives, each alternative its words' stems."""

_UMBRELLAS = _stems("uk britain british youth young")
"""Alternatives that take in others (the UK holds Scotland; "young people" may be children): a
sentence naming one is not about another group than the question's."""


def replaced(stems: set[str]) -> frozenset[str]:
    """Every word of each group that ``stems`` name (a follow-up naming one replaces the rest)."""
    return frozenset().union(*(frozenset().union(*group) for group in CONTRASTS if any(a & stems for a in group)))


def _named(group: tuple[frozenset[str], ...], stems: set[str]) -> list[int]:
    """Which alternatives of a group some words name (an umbrella, such as the UK, names none)."""
    return [n for n, alternative in enumerate(group) if alternative & stems and not alternative <= _UMBRELLAS]


def _other(group: tuple[frozenset[str], ...], question_stems: set[str], stems: set[str]) -> list[int] | None:
    """The alternatives some words name when they name only others than the question does. A
    question that also names the group's umbrella ("a young person ... they think is an adult")
    may mean any of them: none is another (a first-use audit saw presumption-of-age passages
    for children called "for another group" of such a question)."""
    if any(alternative <= _UMBRELLAS and alternative & question_stems for alternative in group):
        return None
    asked, named = _named(group, question_stems), _named(group, stems)
    return named if asked and named and not set(asked) & set(named) else None


def contrary(question_stems: set[str], sentence_stems: set[str]) -> bool:
    """Whether a sentence is about another alternative of a group than the question names, and
    not about the question's own: "all adults must give informed consent" for "does a child
    need to consent?"."""
    return any(_other(group, question_stems, sentence_stems) is not None for group in CONTRASTS)


_CITIES = {
    "England": "London Birmingham Manchester Liverpool Leeds Sheffield Bristol Newcastle Nottingham Leicester",
    "Wales": "Cardiff Swansea Wrexham",
    "Scotland": "Glasgow Edinburgh Aberdeen Dundee",
    "Northern Ireland": "Belfast",
}
"""The largest cities of each nation, whose law and services differ: a first-use audit's question
about a nail bar "in Cardiff" was not taken to be about Wales, and another's "what about in
Scotland?" was shown the London local authorities' protocol (English housing law) with no note."""
_NATION_NAMES = {"welsh": "Wales", "scottish": "Scotland"} | {
    city.casefold(): nation for nation, cities in _CITIES.items() for city in cities.split()
}
_ENGLISH_CITIES = frozenset(_CITIES["England"].casefold().split())
_NATION = re.compile(
    r"\b(England|Wales|Welsh|Scotland|Scottish|Northern Ireland|"
    + "|".join(" ".join(_CITIES.values()).split())
    + r")\b",
    re.IGNORECASE,
)


def nations_named(text: str) -> tuple[str, ...]:
    """The UK nations a text names ("Scottish" and "Glasgow" name Scotland), in order: "Statutory
    Guidance for England and Wales" -> ("England", "Wales"). "English" and "Irish" are left out: more often
    a language or another country."""
    found = (m.group(1).title() for m in _NATION.finditer(text))
    return tuple(dict.fromkeys(_NATION_NAMES.get(n.casefold(), n) for n in found))


MOSTLY = 5
"""A document's text that names one UK nation at least this many times, and three times as often
as all the others together, speaks mostly of it (``nation_spoken_of``)."""


def nation_spoken_of(text: str) -> str | None:
    """The UK nation a document's text names most, when it names it ``MOSTLY`` times or more and
    three times as often as the other nations together: an "All Wales Protocol" leaflet titled
    "Messages for practice" names Wales seven times and no other nation. None otherwise (a UK-wide
    document names several, "England and Wales" names two alike)."""
    counts: dict[str, int] = {}
    for match in _NATION.finditer(text):
        if match.group(1).casefold() in _ENGLISH_CITIES:
            continue  # London is named as a place in reports on the whole UK (its police, its councils)
        nation = _NATION_NAMES.get(match.group(1).casefold(), match.group(1).title())
        counts[nation] = counts.get(nation, 0) + 1
    if not counts:
        return None
    nation = max(counts, key=lambda n: counts[n])
    others = sum(counts.values()) - counts[nation]
    return nation if counts[nation] >= MOSTLY and counts[nation] >= 3 * others else None


def document_nations(title: str, organisation: str | None) -> tuple[str, ...]:
    """The UK nations a document is for: those its title names, or its publisher's when the
    title names none ("The Scottish Government")."""
    return nations_named(title) or nations_named(organisation or "")


EARLIER = "the earlier questions name"
"""Whose words named a nation or group that the question as typed does not: those it carried."""


def other_nations_note(
    question: str,
    title: str,
    passage: str,
    earlier: str = "",
    organisation: str | None = None,
    spoken_of: str | None = None,
) -> str | None:
    """Said of a card whose document's title names only other UK nations than the question does
    (a question about Scotland, a passage of the "Statutory Guidance for England and Wales"),
    or whose title names none and whose publisher names another ("The Scottish Government"), or
    neither names one and the document's text speaks mostly of another (``spoken_of``, from
    ``nation_spoken_of``), or the passage names only others, unless the passage itself names the
    question's nation: law and services differ between
    the nations, and the title is the reader's only sign of it. ``earlier``: the question with
    the words it carried, when the question names no nation itself. None otherwise."""
    asked, who = nations_named(question), "the question names"
    if not asked and earlier:
        asked, who = nations_named(earlier), EARLIER
    covered, document = document_nations(title, organisation), ""
    if nations_named(title):
        document = f"the document is for {' and '.join(covered)}"
    elif covered:
        # A first-use audit asked about Wales and was shown first, without a note, a Scottish Act's
        # section from "Trafficking and Exploitation Strategy — The Scottish Government".
        document = f"the document is from {organisation}"
    elif spoken_of:
        # A first-use audit in England was shown an "All Wales Protocol" leaflet first, without a
        # note: neither its title ("Messages for practice") nor its passage names Wales.
        covered, document = (spoken_of,), f"the document speaks mostly of {spoken_of}"
    elif nations_named(passage):
        # Neither title nor publisher names one, but the passage does: a factsheet's "duty to notify
        # the Home Office of any individual encountered in England and Wales" was shown for Scotland
        # without a word (a first-use audit).
        covered = nations_named(passage)
        document = f"the passage speaks of {' and '.join(covered)}"
    if not asked or not covered or set(asked) & set(covered) or set(asked) & set(nations_named(passage)):
        return None
    return f"{document}; {who} {' and '.join(asked)}"


PEOPLE = ((AGES, ("adults", "children", "young people")), (SEXES, ("men", "women")))
"""The groups of people (not of places), with a word for each alternative: a heading naming adults
scopes what follows to adults, where one naming a nation may describe a process the whole UK
shares (``other_nations_note`` says that of a title)."""


def people_named(text: str) -> list[str]:
    """The groups of people a text names, a word for each ("a 16 year old boy" -> ["children",
    "men"]): what a topic was about, for a later question that names none (``other_group_note``)."""
    stems = stems_of(text)
    return [words[n] for group, words in PEOPLE for n in _named(group, stems)]


_ADULT_TO_TELL = re.compile(
    r"\b(?:tell|talk to|speak to|ask)\s+(?:a|an|your)\s+(?:trusted\s+|safe\s+)?adults?\b"
    r"|\b(?:a|an|your)\s+adults?\s+(?:you|they|who)\s+trust\b|\btrusted\s+adults?\b",
    re.IGNORECASE,
)
"""An adult whom a child tells or trusts: a heading of guidance for children ("If anything makes
you suspicious tell an adult you trust"), not one about adults (a first-use audit's children's
leaflet was said to be about adults)."""


def other_people(question_stems: set[str], heading: str) -> tuple[list[str], list[str]] | None:
    """The groups of people a document title or section heading names, and the question's,
    when the heading names only others ("8. Support for Adult Victims" for a question about
    children: (["adults"], ["children"])); None otherwise. An adult to tell or trust
    (``_ADULT_TO_TELL``) names no group."""
    named = stems_of(_ADULT_TO_TELL.sub(" ", heading))
    for group, words in PEOPLE:
        other = _other(group, question_stems, named)
        if other is not None:
            return [words[n] for n in other], [words[n] for n in _named(group, question_stems)]
    return None


def other_group_note(question: str, heading: str, earlier: str = "") -> str | None:
    """Said of a card whose title or section heading names only another group of people than the
    question: "the heading names adults; the question names children" (``earlier``, as for
    ``other_nations_note``). None otherwise."""
    stems, who = stems_of(question), "the question names"
    if earlier and not any(_named(group, stems) for group, _ in PEOPLE):
        stems, who = stems_of(earlier), EARLIER
    found = other_people(stems, heading)
    if found is None:
        return None
    in_heading, in_question = found
    return f"the heading names {' and '.join(in_heading)}; {who} {' and '.join(in_question)}"


def stems_of(text: str) -> set[str]:
    """A text's word stems as lexical search sees them, and the age group it names by number."""
    return set(terms_of(text)) | age_stems(text)


_AGE = re.compile(r"\b(\d{1,2})[- ]?(?:years?|yrs?)[- ]?old\b|\baged (\d{1,2})\b", re.IGNORECASE)
_UNDER_18 = re.compile(r"\b(?:under|below|younger than)[- ]?(?:the age of )?18s?\b|\bunder-18s?\b", re.IGNORECASE)
_OVER_18 = re.compile(r"\b(?:18|eighteen) (?:years )?(?:or|and) (?:over|above|older)\b|\bover 18\b", re.IGNORECASE)


AGE_PHRASE_WORDS = re.compile(r"(?:\d{1,2}-)?(?:years?|yrs?)(?:-old)?|old|aged", re.IGNORECASE)
"""The words of an age given by number ("15 year old", "15-year-old", "aged 17"): they say only
the age, which ``age_words`` says as a group."""


def age_words(text: str) -> list[str]:
    """The age group a text names by number, as a word ("a 15 year old girl" -> ["child"])."""
    return sorted(word for word in ("adult", "child") if stem(word) in age_stems(text))


def age_stems(text: str) -> set[str]:
    """The age group a text names by number ("a 17 year old", "under 18", "18 years and above"),
    as the stem of its word ("child" or "adult"), for ``contrary``."""
    found = set()
    for match in _AGE.finditer(text):
        age = int(match.group(1) or match.group(2))
        found.add(stem("child") if age < 18 else stem("adult"))
    if _UNDER_18.search(text):
        found.add(stem("child"))
    if _OVER_18.search(text):
        found.add(stem("adult"))
    return found
