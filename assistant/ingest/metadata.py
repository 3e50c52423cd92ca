"""A document's title and organisation, as a reference would give them: the one place that
chooses between what the layout says (the title block of a PDF's first page, a deck's title
slide, a Word Title paragraph), what the file's properties say, the first heading and the file
name; and that finds the organisation in the properties or on the cover ("© …", "Published by …").

File properties are often wrong: they name a template ("PowerPoint Presentation"), whoever last
saved the file ("Microsoft Office User"), a team ("Guidance rules and forms team") or a working
file name ("8426_UoN_Rights_Lab_report_MSPEC_V10"). Such values are never used; a title in
capitals gets a readable case; an organisation not stated anywhere is left empty, not guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

from .base import WORD, Line, vocabulary

MAX_TITLE_CHARS = 200
"""Longer "titles" are a poster's whole text run together, not a title."""

_GENERIC_TITLES = re.compile(
    r"(?:untitled|title|document|presentation|powerpoint presentation|slide|layout|page|draft|template|"
    r"foreword|preface|contents|table of contents|introduction|executive summary|summary|key findings|"
    r"overview|background|acknowledge?ments|about us|mission statement|appendix|annex|case study template|"
    r"microsoft word|slide \d+|not at risk|briefing paper|report|new|final|version)(?:\s*[\w.]{0,3}\d*)?",
    re.IGNORECASE,
)
_FILE_LIKE = re.compile(
    r"(?:\S*_\S*(?:_\S*){2,}|\S*[_-][vV]\d+\S*|[A-Z0-9]{5,}\d\w*|\S+\.(?:docx?|pdf|indd|pptx?|xlsx?))"
)
_JUNK_ORGANISATIONS = re.compile(
    r"microsoft|office user|windows "
    r"user|^user\b|^admin|^owner$|^author$|\bteam$|^unknown$|^hp\b|^dell\b|^lenovo\b|^pc\b|"
    r"(?:adobe|acrobat|indesign|word|pdf)\b",
    re.IGNORECASE,
)
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on onto or over per the to up via vs with within without".split()
)
_ACRONYM_WORDS = frozenset(
    "uk us usa un eu ilo iom nrm cse cce nhs ngo ngos iasc glaa nca cps hmsp msp msptu osce unodc unicef who tor isa "
    "seraf ecins mash marac vcc sca icta dwp hmrc lgbt lgbtq csj htf esol".split()
)


def is_junk_title(text: str | None) -> bool:
    """A value that names no document: empty, generic ("Foreword", "Slide 1", "PowerPoint
    Presentation"), a working file name or code, a list item or sentence fragment ("5.3 Moderate
    Risk indicators include:", "1 = Strongly Disagree"), or a whole page run together."""
    if not text:
        return True
    value = " ".join(text.split())
    if len(value) < 4 or len(value) > MAX_TITLE_CHARS:
        return True
    if _GENERIC_TITLES.fullmatch(value.strip(" .:")):
        return True
    if _FILE_LIKE.fullmatch(value) or re.fullmatch(r"[\w./-]*\d[\w./-]*(?:\s+[\w./-]*\d[\w./-]*)*", value):
        return True
    if value[0] in "\"“‘'«":
        return True  # a quotation from the text, not a title
    if value.endswith(":") or re.match(r"^(?:\d+(?:\.\d+)+\s|\d+[.)]\s|\d+\s*=|[•\-–*]\s)", value):
        return True
    if not re.search(r"[A-Za-z]{3}", value):
        return True
    words = value.split()
    if words[-1].lower().strip(",;") in _SMALL_WORDS and len(words) > 1:
        return True  # cut off mid-phrase ("A Guide for the", "Vietnamese, Albanian and")
    if sum(1 for w in words if len(w) == 1 and w.isalpha()) >= max(4, len(words) * 0.4):
        return True  # letter-spaced display type ("W I L L O W") read letter by letter
    if any(re.search(r"[a-z][A-Z]{2,}", w) for w in words):
        return True  # display type read in pieces ("TeacHING")
    return False


def readable_case(title: str) -> str:
    """A title with words in capitals, in title case: small words lower-case (except first), acronyms
    kept ("TACKLING MODERN SLAVERY IN THE HOTEL SECTOR ACROSS THE UK" -> "Tackling Modern Slavery
    in the Hotel Sector Across the UK"); words with lower-case letters stay as written."""
    words = title.split()
    shouting = [w for w in words if sum(c.isalpha() for c in w) >= 4 and not any(c.islower() for c in w)]
    if len(shouting) < 2:
        return title
    result = []
    for position, word in enumerate(words):
        core = re.sub(r"[^\w]", "", word).casefold()
        if any(c.islower() for c in word):
            result.append(word)  # "HUMAN TRAFFICKING GUIDE for School Officers": lower-case words were written so
        elif core in _ACRONYM_WORDS or (len(core) <= 3 and not re.search(r"[aeiouy]", core) and core.isalpha()):
            result.append(word)
        elif position > 0 and core in _SMALL_WORDS:
            result.append(word.lower())
        else:
            result.append(_capitalise(word))
    return " ".join(result)


def _capitalise(word: str) -> str:
    """A word in capitals in title case; each part of a compound too ("ANTI-SLAVERY" -> "Anti-Slavery")."""
    if "-" in word.strip("-"):
        return "-".join(
            _capitalise(part) if part.lower() not in _SMALL_WORDS else part.lower() for part in word.split("-")
        )
    lowered = word.lower()
    for index, char in enumerate(lowered):
        if char.isalpha():
            return lowered[:index] + char.upper() + lowered[index + 1 :]
    return lowered


def choose_title(own: dict[str, object], lines: list[Line], relative: str, web_page: bool = False) -> tuple[str, str]:
    """(title, where it came from): the layout's title block, the file's title property, else
    the file name (which ``structure`` may replace with one of the first headings, see
    ``title_from_headings``); the first that names a document, in a readable case. A web page's
    <title> comes first, without the site name after it ("Page title | Site name")."""
    title_block = own.get("title_block") or next(
        (line.text for line in lines[:80] if line.kind == "heading" and not line.removed and line.level == 0), None
    )
    candidates = [("title block", title_block), ("file", own.get("title"))]
    if web_page:
        page_title = _without_site_name(own.get("title"))
        page_heading = title_block or next(
            (line.text for line in lines[:80] if line.kind == "heading" and not line.removed and line.level == 1), None
        )  # the page's <h1>
        candidates = [("file", page_title), ("title block", page_heading)]
        if _word_count(page_title) <= 2 < _word_count(page_heading):
            # "Modern slavery - Safeguarding - NHS England" is a site's breadcrumb; the page's
            # own heading ("Modern slavery and human trafficking") names it better than a
            # two-word label or the file name would.
            candidates.reverse()
    if own.get("ocr"):
        # Text read by OCR from a designed cover is too unreliable to name the document by
        # (a misread word in every citation): the file's properties or its name instead.
        candidates = [("file", own.get("title")), ("ocr", None)]
    for source, value in candidates:
        text = " ".join(_FOOTNOTE_MARK.sub("", str(value)).split()) if value else ""
        if source == "title block" and text and is_question(text) and names_a_document(fallback_title(relative)):
            continue  # "How are children brought to the UK" opens a chapter of "Child Trafficking operational handbook.doc"
        if source == "file" and text and not web_page and not opens_with(text, lines):
            continue  # a template's leftover property: five NRM referral forms said "Report to Crown Prosecutor"
        if text and not is_junk_title(text) and not (source == "title block" and is_bare_organisation(text)):
            return with_example_mark(
                readable_case(tidy_title(prefer_file_name(text, relative), lines)), relative
            ), source
    return readable_case(fallback_title(relative)), "ocr-filename" if own.get("ocr") else "filename"


_OPENING_CHARACTERS = 5000


def opens_with(title: str, lines: list[Line]) -> bool:
    """Whether the document's opening text holds any of a title's words (of four letters or
    more). A file's title property is often left from the template or the document it was
    copied from (five example NRM referral forms, .doc files, all had "Report to Crown
    Prosecutor for Charging Decision", a word of which none of them opens with); a true one
    shares words with the cover or the first pages (in the library, three quarters of them or
    more). A title of no such word, or a document of no
    text, keeps its property."""
    words = [w for w in re.findall(r"[a-z0-9]{4,}", title.lower())]
    if not words:
        return True
    opening, length = [], 0
    for line in lines:
        if line.removed:
            continue
        opening.append(line.text.lower())
        length += len(line.text)
        if length >= _OPENING_CHARACTERS:
            break
    found = set(re.findall(r"[a-z0-9]{4,}", " ".join(opening)))
    return not found or any(w in found for w in words)


EXAMPLE_NAME = re.compile(r"\b(?:example|sample|template|specimen|exemplar|mock[- ]?up)(?!s?[-_ ]+of\b)", re.I)
"""A name saying the file is an example, a sample or a template ("Adult - Poor Referral
ExampleLE", "Log frame Template"); "Examples of good practice" names guidance."""


def with_example_mark(title: str, relative: str) -> str:
    """A title, and the file's name after it when that name says the file is an example, a
    sample or a template and the title does not: a training file named "Adult - Poor Referral
    Example" opens with "Report to Crown Prosecutor for Charging Decision", and a practitioner
    must not cite it as guidance (first-use audit)."""
    named = fallback_title(relative)
    if EXAMPLE_NAME.search(named) and not EXAMPLE_NAME.search(title):
        return f"{title} ({named})"
    return title


_FOOTNOTE_MARK = re.compile(r"\[\d{1,3}\]")


def tidy_title(title: str, lines: list[Line]) -> str:
    """A title as a reference prints it, whatever slips the source left in it: a doubled sign
    ("Modern Slavery && Human Trafficking"), and two words run together where the document writes
    them apart ("ANTI-SLAVERYAWARENESS", judged by the document's own vocabulary, as
    ``readers.pdf.rejoin_split_words`` judges the reverse)."""
    title = re.sub(r"([&+/,;:])(?:\s*\1)+", r"\1", title)
    glued = [w for w in WORD.findall(title) if len(w) >= 9]
    if not glued:
        return title
    counts = vocabulary(lines)
    for word in glued:
        lowered = word.lower()
        if counts[lowered] > 2:
            continue  # a word of the document, not an accident of its title
        splits = [
            cut for cut in range(4, len(lowered) - 3) if counts[lowered[:cut]] >= 2 and counts[lowered[cut:]] >= 2
        ]
        if len(splits) == 1:
            cut = splits[0]
            title = re.sub(rf"\b{re.escape(word)}\b", f"{word[:cut]} {word[cut:]}", title, count=1)
    return title


def prefer_file_name(title: str, relative: str) -> str:
    """A title of one or two words beside a file name of three words or more, and more than the
    title ("SERAF" for "SERAF Categories of risk framework", "Annual Report" for "Sandwell Modern
    slavery annual report", "Mild risk" for "Seraf Risk Chart") is a running label or the first
    cell of a chart, not the document's name: the file name says more."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    named = fallback_title(relative)
    name_words = re.findall(r"[a-z0-9]+", named.lower())
    if 0 < len(words) <= 2 and len(name_words) >= max(len(words) + 1, 3) and not _FILE_LIKE.fullmatch(named):
        return named
    return title


_DOCUMENT_WORDS = re.compile(
    r"\b(?:report|guide|guidance|strategy|plan|statement|toolkit|handbook|briefing|policy|protocol|framework|review|"
    r"recommendations?|checklist|leaflet|newsletter|pathway|assessment|evaluation|annual|training|course|form)\b",
    re.I,
)


_QUESTION_START = re.compile(r"^(?:how|what|why|when|where|who|which|can|could|should|do|does|is|are)\b", re.I)


def is_question(text: str) -> bool:
    """A heading phrased as a question, which a handbook's chapters often are: it ends with a
    question mark, or opens with a question word in a sentence ("How are children brought to the
    UK"). A title in title case that opens with one ("What Looks Promising for Tackling Modern
    Slavery: A review ...") is not a question."""
    if text.rstrip().endswith("?"):
        return True
    words = text.split()
    return bool(_QUESTION_START.match(text)) and len(words) > 1 and words[1][:1].islower() and ":" not in text


def names_a_document(text: str) -> bool:
    """A name of three words or more with a word that says what kind of document it is
    ("Child Trafficking operational handbook")."""
    return len(text.split()) >= 3 and bool(_DOCUMENT_WORDS.search(text))


def is_bare_organisation(text: str) -> bool:
    """A heading that is only an organisation's name ("Organization for Security and
    Co-operation in Europe" over a letter's real title): the publisher, not the title."""
    return (
        looks_like_organisation(text)
        and bool(_ORGANISATION_WORDS.search(text))  # a name in capitals alone may be a slogan
        and not _DOCUMENT_WORDS.search(text)
        and not is_junk_title(text)
        and len(text.split()) <= 8
    )


def _word_count(text: object) -> int:
    return len(re.findall(r"\w+", str(text))) if text else 0


_SITE_SEPARATORS = (" | ", " – ", " — ", " - ")
"""What separates a web page's title from its site's name in its <title> ("Page | Site")."""


def _without_site_name(value: object) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    for separator in _SITE_SEPARATORS:
        if separator in text and len(text.split(separator)[0]) >= 8:
            return text.split(separator)[0].strip()
    return text or None


def title_from_headings(headings: list[str], path: str) -> str | None:
    """A document without a stated title: among its first headings, the one that shares most
    words with the file name (treaties name the file after the English title but may open with
    another language), else the first heading."""
    candidates = [" ".join(h.split()) for h in headings if not is_junk_title(h)]
    candidates = [h for h in candidates if not is_bare_organisation(h)] or candidates
    # "I. Principles", "2.1 Scope", "Category 1 Not at risk": numbered headings name parts of a
    # document, not the document.
    candidates = [
        h
        for h in candidates
        if not re.match(
            r"^(?:(?:[IVXLC]+|[A-Za-z]|\d+(?:\.\d+)*)[.)]\s|(?:category|section|part|chapter|step|stage|level|module|unit|appendix|annex)\s+(?:\d+|[IVXLC]+|[A-Z])\b)",
            h,
            re.I,
        )
    ] or candidates
    if not candidates:
        return None
    name_words = {w for w in re.findall(r"[a-z]{3,}", Path(path).stem.lower())}

    def overlap(heading: str) -> float:
        words = {w for w in re.findall(r"[a-z]{3,}", heading.lower())}
        return len(words & name_words) / max(len(words | name_words), 1)

    best = max(candidates, key=overlap)
    if overlap(best) >= 0.3:
        return best
    named = re.sub(r"^(?:[A-Z]{2,}\d+|\d+)[\s-]+", "", fallback_title(path))
    named = " ".join(named.replace("-", " ").split())
    descriptive = not _FILE_LIKE.fullmatch(named) and not re.search(r"\d{5,}", named)
    if descriptive and (len(named.split()) >= 4 or (len(named.split()) >= 3 and overlap(best) == 0)):
        # a descriptive file name beats an unrelated heading ("Description Associated actions",
        # a chart's column header, for "Seraf Risk Chart")
        return named[:1].upper() + named[1:]
    return best if overlap(best) > 0 else candidates[0]


def fallback_title(relative: str) -> str:
    """The file name as words: underscores, and the hyphens of a name without spaces
    ("supporting-eea-nationals-with-care-needs"), become spaces; three or more capitalised words
    run together are parted ("UkraineAntiTraffickingReport"); a second suffix left by a conversion
    ("Chart.docx.pdf"), a download's copy number ("business briefing (1)") and working-file
    marks at the end ("Final", "v2", "FINAL") go."""
    stem = re.sub(r"\.(?:docx?|pptx?|xlsx?|pdf|odt)$", "", Path(relative).stem, flags=re.I)
    if " " not in stem and stem.count("-") >= 2:
        stem = stem.replace("-", " ")
    stem = stem.replace("_", " ")
    # Three or more capitalised words run together are a file name's words; "McDonald",
    # "iPhone" and "PowerPoint" are names.
    stem = re.sub(r"\b(?:[A-Z][a-z]{2,}){3,}\b", lambda m: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", m.group()), stem)
    named = " ".join(stem.split())
    while True:
        shorter = re.sub(r"(?:\s*\(\d{1,2}\)|[\s-]+(?:final|v\d+(?:\.\d+)*|copy))$", "", named, flags=re.I).strip()
        if shorter == named or len(shorter) < 4:
            break
        named = shorter
    return named or relative


_ORGANISATION_WORDS = re.compile(
    r"\b(?:department|ministry|office|council|institute|agency|organi[sz]ation|foundation|campaign|"
    r"commission|association|trust|cent(?:re|er)|government|police|constabulary|university|college|unit|service|network|"
    r"initiative|alliance|coalition|partnership|programme|program|project|authority|society|nations|union|"
    r"committee|commissioner|secretariat|bureau|charity|court|parliament|assembly|federation|group|international|inc|ltd|llc|lab)\b",
    re.I,
)


def looks_like_organisation(value: object) -> bool:
    """File properties name whoever last saved the file as 'author': only names that look like an
    organisation (and are not a software default or a team) are taken as the organisation."""
    text = " ".join(str(value).split()) if value is not None else ""
    if not text or len(text) > 120 or _JUNK_ORGANISATIONS.search(text):
        return False
    return bool(_ORGANISATION_WORDS.search(text) or re.fullmatch(r"[A-Z]{2,8}(?:[ &-][A-Z]{2,8})*", text))


_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_STATED = re.compile(
    r"(?:©|^\s*(?:\(c\)|copyright|published by|produced by))\s*(?:\d{4}\s*,?\s*)?(?:by\s+)?(?:the\s+)?"
    r"(?P<name>[A-Z][\w'’&.,()\- ]{2,100}?)\s*(?:,?\s*(?:" + _MONTHS + r"))?\s*(?:,?\s*\(?(?:19|20)\d{2}\)?)?"
    r"\s*(?:[.;|]|$)",
    re.IGNORECASE | re.MULTILINE,
)


_PAGE_NUMBER_AROUND = re.compile(r"^\s*\d{1,4}\s+|\s+\d{1,4}\s*$")


_FOOTER = re.compile(r"footer|contentinfo", re.IGNORECASE)
"""Removal reasons of a PDF's running header or footer ("running header/footer ...") or a web
page's footer: dropped from the text, but "© NHS England 2023" there says who published it."""


def stated_organisation(lines: list[Line]) -> str | None:
    """The organisation a document states on its cover, its last pages or its running footer:
    "© …" anywhere in a line, or a line that begins "Copyright …", "Published by …" or
    "Produced by …", naming an organisation (a sentence that mentions who published something
    else is not one; a date after the name is not part of it)."""
    kept = [line.text for line in lines if not line.removed]
    # A running footer ("Published by the Home Office March 2020" on every page), or a web page's
    # footer, is dropped from the text but says who published it as well as a cover does.
    running = [
        _PAGE_NUMBER_AROUND.sub("", line.text)  # "2 Published by the Home Office March 2020"
        for line in lines
        if line.removed and _FOOTER.search(line.removed)
    ]
    for text in kept[:60] + kept[-60:] + list(dict.fromkeys(running))[:20]:
        for match in _STATED.finditer(text):
            if _LIST_LETTER.match(match.group(0)):
                continue
            name = match.group("name").strip(" ,.-")
            name = tidy_organisation(re.sub(r"^(?:the\s+)", "", name, flags=re.I))
            if looks_like_organisation(name):
                return name
    return None


_LIST_LETTER = re.compile(r"\s*\(c\)(?!.*(?:copyright|\b(?:19|20)\d{2}\b))", re.IGNORECASE)
"""A "(c)" with neither a year nor "copyright" after it is the third item of a list, not a
copyright sign: a law's list "(a) a chief officer of police ... (c) the National Crime Agency"
in a deck's notes made the Agency the deck's author (a first-use audit)."""


def choose_organisation(
    own: dict[str, object], lines: list[Line], title: str | None = None, web_page: bool = False
) -> str | None:
    """The organisation from the file's properties (publisher, company, or an author that is an
    organisation: "Thomas Rhidian (Home Office)" gives "Home Office"), else as the document
    states it, else (a web page) the site its <title> names; None when nothing says."""
    for key in ("organisation", "publisher", "company"):
        value = own.get(key)
        if value and not _JUNK_ORGANISATIONS.search(str(value)):
            return tidy_organisation(str(value))
    author = " ".join(str(own.get("author") or "").split())
    bracketed = re.search(r"\(([^()]{3,80})\)\s*$", author)
    if bracketed and looks_like_organisation(bracketed.group(1)):
        return tidy_organisation(bracketed.group(1))
    if looks_like_organisation(author):
        return tidy_organisation(author)
    if own.get("ocr"):
        return stated_organisation(lines)  # a heading read by OCR is too unreliable a letterhead
    return (
        stated_organisation(lines)
        or (web_page and site_name(own.get("title"), lines))
        or letterhead_organisation(lines, title)
    )


def site_name(page_title: object, lines: list[Line]) -> str | None:
    """A web page's site: the last part of its <title> ("Modern slavery - Safeguarding - NHS
    England"), when a copyright line of the page names it too ("© NHS England 2023", in a footer
    the cleaner removed). A name without an organisation's word is taken only so confirmed."""
    text = " ".join(str(page_title).split()) if page_title else ""
    separator = next((s for s in _SITE_SEPARATORS if s in text), None)
    if separator is None:
        return None
    name = text.rsplit(separator, 1)[1].strip()
    if not name or len(name.split()) > 6:
        return None
    for line in lines:
        for match in _STATED.finditer(line.text):
            if tidy_organisation(match.group("name")).casefold() == name.casefold():
                return name
    return None


def letterhead_organisation(lines: list[Line], title: str | None = None) -> str | None:
    """An organisation named alone in one of the first headings of the first page, other than
    the title (a letterhead: "Organization for Security and Co-operation in Europe" above the
    document's title)."""
    kept = [line for line in lines if not line.removed and line.kind != "blank"][:6]
    first_page = kept[0].page if kept else None
    for line in kept:
        text = " ".join(line.text.split())
        folded = readable_case(text).casefold()
        if title and (folded in title.casefold() or title.casefold() in folded):
            continue  # the title itself, or a part of it
        # "Organisation" names an organisation in "Organization for Security ...", but labels a
        # poster's panel in "Organisation & Roles"
        named = _ORGANISATION_WORDS.search(re.sub(r"\borgani[sz]ation\b(?!\s+(?:for|of)\b)", "", text, flags=re.I))
        if line.kind == "heading" and line.page == first_page and named and is_bare_organisation(text):
            return readable_case(tidy_organisation(text))
    return None


_MONTHS = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"


def tidy_organisation(name: str) -> str:
    """Without a copyright sign or a trailing date ("© Rights Lab, 2020." -> "Rights Lab",
    "Scottish Government, June" -> "Scottish Government")."""
    name = " ".join(name.split()).strip(" ,.-")
    name = re.sub(r"^(?:©|\(c\)|copyright\b)\s*(?:(?:19|20)\d{2}\s*,?\s*)?", "", name, flags=re.IGNORECASE).strip(
        " ,.-"
    )
    name = re.sub(r"[,\s]+(?:copyright|all rights reserved)\.?$", "", name, flags=re.IGNORECASE)
    name = re.sub(
        r",\s*(?:\d{1,2}\s+)?" + _MONTHS + r"\b.*$", "", name, flags=re.IGNORECASE
    )  # ", 7 July 2021 version 2"
    name = re.sub(rf"[,\s]+(?:{_MONTHS}\b\.?)?\s*(?:(?:19|20)\d{{2}})?\s*$", "", name, flags=re.IGNORECASE)
    name = name.strip(" ,.-")
    if name == name.lower():
        name = " ".join(w if w in _SMALL_WORDS else w.capitalize() for w in name.split())  # "home office"
    return name
