"""A conversation: follow-up questions that carry the thread's topic, made of the user's own words.

A practitioner asks, reads, and asks again: "Why do victims not self-identify?", then "and for
children?". The follow-up alone finds passages about children in general; with the thread it
should find children not self-identifying. Nothing here may write text, so the follow-up is
searched with the earlier questions' most telling words added (historical query expansion, Lin
et al., 2020), weighted below its own words, and the words added are shown, so the user can
search the question alone instead.

``carried_context`` decides from the follow-up and the thread: a short, elliptical or
pronoun-led question ("and", "what about", "that", "they") carries the topic; a question that
says what it is about starts a new one. ``Thread`` keeps the turns of a conversation in memory;
the terminal UI and ``python -m assistant chat`` use both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from .index.lexical import STOPWORDS, stem
from .models import Answer, Filters, Hit, Mode, ThreadFocus
from .retrieve.abstain import specific_terms
from .retrieve.contrasts import (
    AGE_PHRASE_WORDS,
    age_stems,
    age_words,
    document_nations,
    nations_named,
    people_named,
    replaced,
)
from .retrieve.stages import ASKING_WORDS
from .text import safe_line, word_tokens

if TYPE_CHECKING:
    from .pipeline import Pipeline

_LEADS = re.compile(
    r"^\s*(?:and|but|also|so|or|plus|then|what about|how about|what if|same for|and what about|and how about)\b", re.I
)
_POINTERS = frozenset(
    "it its that this those these they them their theirs there he she him her his such same ones".split()
)
_PRONOUNS = frozenset("it its they them their theirs he she him her his".split())
"""Pointers that stand for someone or something named before ("this", "that", "there" also
qualify a noun of the question itself: "this tax year", "are there exceptions")."""
_RELATIONAL = frozenset(
    "exception exceptions difference differences alternative alternatives instead otherwise else".split()
)
"""Words that are always relative to something said before: an exception is to a rule, a
difference from a case ("are there exceptions, like work done by prisoners?")."""
_REFERS_BACK = _POINTERS | _RELATIONAL
"""What makes a question of few words of its own a follow-up (``is_follow_up``)."""
_WORTH_A_RETRY = _PRONOUNS | _RELATIONAL
"""What makes a question refused alone worth asking again with the thread (``Thread.ask``)."""
_QUESTION_WORDS = frozenset(
    "what when where which who whom whose why how is are was were do does did can could should would will may must "
    "whats whos wheres hows".split()  # "what's", folded
)

THREAD_CARDS = 2
"""A follow-up favours the documents of the last answer's first cards (52 of 59 follow-ups of
the dev conversations are answered in the document of the question before)."""
ASKED_ALONE = "asked on its own"
SHOWN_CARDS = 3
"""The cards of an earlier answer whose words say what it was about (to choose the words
carried), and which a follow-up has read (``ThreadFocus.passages``: shown lower)."""
ANSWER_SHARE = 0.05
"""A card scored below this share of the first card's is not what the answer was about (the
thread's documents, the passages read and the words carried come from the others). Until
2026-12-04 such cards were not shown at all (``relative_floor`` 0.05), and the thread's
settings were chosen on the cards above it."""
MAX_CONTEXT_WORDS = 4
"""Words added from the thread at most: the topic, not the whole earlier question."""
SHORT = 2
"""A question of at most this many words of its own (not question or common words) says too little alone."""
POINTED = 4
"""A question of at most this many words of its own that points back ("that", "they") is a follow-up."""
ANCHORED_AFTER = 3
"""From the fourth question of a topic on, the first question's most telling word is always
carried: newest first, four words drifted away from the topic ("car wash" was gone by the fifth
follow-up of a first-use audit's conversation, and "what about nail bars?" was refused). The dev
conversations have three questions at most, so their figures do not see this rule."""
CARRIED_ONLY = (
    "none of this question's own words ({words}) is in the first passages: they match the words carried from "
    "the earlier questions; ask it on its own to see what it finds by itself"
)
"""Said of a follow-up whose first passages hold none of its own words (each of its cards is then
called a weak match at most): a short question on
something else ("what's the weather tomorrow?" after questions about a car wash) is taken for a
follow-up by its length, and the words it carried find passages about wages (first-use audit;
on the dev conversations 30 of the 39 short off-topic questions answered after a thread, and 9
of 109 follow-ups, 7 of them answered, have none of their words in the first three cards)."""
RETRY_WORDS = 8
"""A question of more words of its own describes its own case ("she is 17, her passport is held
by..."): refused alone, it is not searched again with an earlier topic's words."""


def answer_cards(answer: Answer) -> list[Hit]:
    """The cards of an answer that say what it was about: those scored at least ``ANSWER_SHARE``
    of the first card's (a card far below the first is shown, but is not what the answer was)."""
    if not answer.hits:
        return []
    floor = ANSWER_SHARE * answer.hits[0].score
    return [hit for hit in answer.hits if hit.score >= floor]


def mark_shown_before(answer: Answer, last: Answer) -> None:
    """Mark the cards of ``answer`` that overlap a card of ``last`` (the same document, some of
    the same text): the user has read them, whichever passage ranked them."""
    for hit in answer.hits:
        hit.shown_before = any(
            hit.document.id == seen.document.id
            and hit.location.char_start < seen.location.char_end
            and seen.location.char_start < hit.location.char_end
            for seen in last.hits
        )


class Context(BaseModel):
    """What a question carries from the thread: the words added and where they come from."""

    words: list[str] = Field(default_factory=list)
    """Words of the earlier questions, as the user typed them, added to the search."""
    reason: str = ""
    """Why (a short or elliptical question), or why not, in words the user can read."""

    @property
    def carried(self) -> bool:
        return bool(self.words)

    @property
    def alone(self) -> bool:
        """The user asked for the question on its own (no words of the thread)."""
        return self.reason == ASKED_ALONE


_SURFACE_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_CONTRACTION = re.compile(r"^(.+?)(n['’]t|['’](?:re|ll|ve|d|s|m))$")
"""A word and a contracted ending: "they're", "we'll", "can't", "it's"."""
_SHORTENED = {"ca": "can", "wo": "will", "sha": "shall"}
"""Words a contraction with "n't" shortens ("can't", "won't", "shan't")."""


def _without_contraction(word: str) -> str:
    """The word a contraction starts with ("they're" -> "they", "can't" -> "can"), or the word
    ("victim's" -> "victim": the subject stays)."""
    found = _CONTRACTION.match(word)
    if not found:
        return word
    base = found.group(1)
    return _SHORTENED.get(base, base) if found.group(2)[0] == "n" else base


def question_words(question: str) -> list[str]:
    """A question's words as lexical search folds them (``word_tokens``), with a contraction
    read as the word it starts with: "and if they're under 18?" points back with "they"."""
    return [t for word in _SURFACE_WORD.findall(question.lower()) for t in word_tokens(_without_contraction(word))]


def own_words(question: str) -> list[str]:
    """The words a question says of its subject, in lower case as typed ("self-identify"
    stays one word): not question words, not common words, not a contraction of them
    ("they're", "can't"), and not a bare number of up to three digits ("under 18": the number
    says nothing of the subject without the words around it)."""
    words = []
    for word in (w.lower() for w in _SURFACE_WORD.findall(question)):
        if word.isdigit() and len(word) <= 3:
            continue
        parts = word_tokens(_without_contraction(word))
        if parts and any(len(p) > 1 and p not in STOPWORDS and p not in _QUESTION_WORDS for p in parts):
            words.append(word)
    return words


def _stem_of(word: str) -> str:
    """A word's stem as lexical search sees it (the last part of a compound counts)."""
    parts = [p for p in word_tokens(word) if p not in STOPWORDS] or word_tokens(word) or [word]
    return stem(parts[-1])


_DEFINING = frozenset("define defined definition definitions mean means meaning".split())
"""Words of a question asking what a term is ("What is the definition of trafficking?")."""


def names_its_subject(question: str) -> bool:
    """A short question that is whole on its own: asked as a question ("What happens in
    Ukraine?"), pointing back at nothing, and naming a name, acronym or number ("what is an
    NRM") or asking what a term means ("What is the definition of trafficking?", "what is
    cuckooing?")."""
    tokens = word_tokens(question)
    if not tokens or tokens[0] not in _QUESTION_WORDS or _POINTERS.intersection(tokens):
        return False
    return bool(specific_terms(question)) or bool(_DEFINING.intersection(tokens)) or _asks_what_a_term_is(tokens)


def _asks_what_a_term_is(tokens: list[str]) -> bool:
    """ "what is cuckooing?", "what are county lines?", "what's debt bondage?": a term with no
    article or an indefinite one ("what is the time limit?" asks about something said before)."""
    rest = (
        tokens[2:]
        if tokens[:2] in (["what", "is"], ["what", "are"])
        else tokens[1:]
        if tokens[:1] == ["whats"]
        else None
    )
    if not rest:
        return False
    rest = rest[1:] if rest[0] in ("a", "an") else rest
    return bool(rest) and rest[0] not in STOPWORDS


def names_a_titled_subject(question: str, titles: Callable[[], Iterable[str]]) -> bool:
    """ "What is the duty to notify?": a question asking what "the" something is, of two words of
    its own or more, that a document of the corpus names in its title ("Duty to Notify the Home
    Office of Potential Victims..."), is about that subject, not the topic before it (a first-use
    audit saw it carry "travelling, related, adult, child"). "What is the time limit?" names
    something said before, and no title. ``titles`` is called only for a question of that form."""
    tokens = word_tokens(question)
    rest = (
        tokens[2:] if tokens[:2] in (["what", "is"], ["what", "are"]) else tokens[1:] if tokens[:1] == ["whats"] else []
    )
    if not rest or rest[0] != "the" or _POINTERS.intersection(rest):
        return False
    term = rest[1:]
    if sum(word not in STOPWORDS for word in term) < 2:
        return False
    phrase = f" {' '.join(term)} "
    return any(phrase in f" {' '.join(word_tokens(title))} " for title in titles())


def is_follow_up(question: str) -> tuple[bool, str]:
    """Whether a question leans on the one before it, and why: it leads with "and", "what
    about"...; it says at most ``SHORT`` words of its own, unless it names its subject
    (``names_its_subject``); or it points back ("that", "they", or a word relative to what came
    before: "does consent make any difference?") and says at most ``POINTED`` of its own."""
    words = own_words(question)
    if _LEADS.match(question):
        return True, "it follows on from the last question"
    if len(words) <= SHORT and names_its_subject(question):
        return False, "it names its own subject"
    if len(words) <= SHORT:
        return True, "it is short"
    if len(words) <= POINTED and _REFERS_BACK.intersection(question_words(question)):
        return True, "it refers back to the last question"
    return False, "it names its own subject"


def carried_context(
    question: str,
    earlier: list[str],
    idf: Callable[[str], float],
    limit: int = MAX_CONTEXT_WORDS,
    shown: list[str] | None = None,
    follows: tuple[bool, str] | None = None,
    only_shown: bool = False,
) -> Context:
    """The words a follow-up carries from the topic's earlier questions (newest first), or none
    for a question that stands alone (``follows`` overrides ``is_follow_up``). Of each earlier
    question, the words found in the passages shown for it (``shown``, one text per question)
    come first, as what the answer was about; then by how telling they are in this corpus (IDF
    of their stem). A word the follow-up has (by stem) is not added twice, nor one it replaces
    ("adults" after "and for children?", ``contrasts.replaced``), nor a word relative to the question
    before it ("difference"): it is not the topic. From ``ANCHORED_AFTER`` earlier questions on,
    the first one's most telling word takes the last place; a UK nation the topic named always
    takes a place, unless the follow-up names another. ``only_shown``: only words that the
    passages shown hold are carried."""
    if not earlier:
        return Context(reason="first question")
    follows_up, reason = follows or is_follow_up(question)
    if not follows_up:
        return Context(reason=reason)
    shown = shown or []
    have = {_stem_of(w) for w in own_words(question)} | age_stems(question)  # "over 18" names adults
    have |= replaced(have)

    def telling(position: int) -> list[str]:
        """An earlier question's words that can be carried, the most telling first; an age given
        by number is carried as its group ("child" for "a 15 year old girl", not "year, old": a
        first-use audit's follow-up was searched with "old, older, girl, men")."""
        read = _stems(shown[position]) if position < len(shown) else set()
        words = own_words(earlier[position])
        if ages := age_words(earlier[position]):
            words = [w for w in words if not AGE_PHRASE_WORDS.fullmatch(w)] + ages
        ranked = sorted(
            dict.fromkeys(words),
            key=lambda w: (_stem_of(w) not in read, -idf(_stem_of(w)), w),
        )
        return [
            w
            for w in ranked
            if idf(_stem_of(w)) > 0
            and w.casefold() not in _RELATIONAL
            and _stem_of(w) not in ASKING_WORDS
            and (_stem_of(w) in read or not only_shown)
        ]

    anchor = [w for w in telling(0) if _stem_of(w) not in have][:1] if len(earlier) >= ANCHORED_AFTER else []
    have |= {_stem_of(w) for w in anchor}
    # The UK nation the topic named is where the answer must hold (law and services differ):
    # it is carried whatever the passages shown said, unless the follow-up names another.
    nation = [w for w in _nation_words(earlier) if _stem_of(w) not in have][:2]
    have |= {_stem_of(w) for w in nation}
    anchor = nation + anchor
    chosen: list[str] = []
    room = limit - len(anchor)
    for position in reversed(range(len(earlier))):
        for word in telling(position):
            if len(chosen) >= room:
                break
            if _stem_of(word) not in have:
                have.add(_stem_of(word))
                chosen.append(word)
    return Context(words=(chosen + anchor)[:limit], reason=reason)


def _nation_words(earlier: list[str]) -> list[str]:
    """The words naming a UK nation in the newest earlier question that names one, as typed
    ("Scotland", or "Northern", "Ireland")."""
    for question in reversed(earlier):
        named = {w for n in nations_named(question) for w in n.casefold().split()}
        if named:
            # A word names a nation itself ("Scottish"), or is part of its name ("Northern").
            return [w for w in own_words(question) if nations_named(w) or w.casefold() in named]
    return []


def _stems(text: str) -> set[str]:
    return {stem(token) for token in word_tokens(text) if token not in STOPWORDS}


class Turn(BaseModel):
    """One question of a conversation and how it was answered."""

    question: str
    """As typed."""
    context: Context = Field(default_factory=Context)
    """What it carried from the thread (nothing: asked on its own)."""
    answer: Answer
    filters: Filters = Field(default_factory=Filters)
    new_topic: bool = False
    """The user started a new topic with this question."""
    kept: list[int] = Field(default_factory=list)
    """The ranks of the cards the user kept for the case note."""
    left_out: bool = False
    """Left out of the case note by the user (chat's /drop: a question asked by mistake, such as
    a first-use audit's ward bleep number in a patient's note)."""
    filter_titles: dict[str, str] = Field(default_factory=dict)
    """The titles of the documents ``filters`` searched within, by id, as the case note names them
    (a refusal has no card to take them from: a first-use audit's note named one by its file)."""

    def cards(self) -> list[Hit]:
        """The cards shown: the answer's, or after a refusal the closest passages (which the
        user may judge and keep)."""
        return self.answer.cards()

    def cannot_keep(self, rank: int) -> str | None:
        """Why card ``rank`` cannot be kept for the case note, in words; None when it can."""
        cards = self.cards()
        if not cards:
            return "The last question found no passage to keep."
        if not any(hit.rank == rank for hit in cards):
            return f"Give the number of a passage of the last answer, 1 to {len(cards)} (e.g. /keep 1)."
        if rank in self.kept:
            return f"Passage {rank} is kept already."
        return None

    def keep(self, rank: int) -> bool:
        """Keep a card for the case note; False when it cannot be (``cannot_keep`` says why)."""
        if self.cannot_keep(rank):
            return False
        self.kept.append(rank)
        return True

    def kept_hits(self) -> list[Hit]:
        return [hit for hit in self.cards() if hit.rank in self.kept]

    def keep_only(self, passages: set[int]) -> None:
        """Let go of the kept cards whose passage is not among ``passages`` (chunk ids)."""
        self.kept = [hit.rank for hit in self.kept_hits() if hit.chunk_id in passages]


class Thread(BaseModel):
    """A conversation kept in memory: its turns, in order."""

    turns: list[Turn] = Field(default_factory=list)

    def keep_only(self, passages: set[int]) -> None:
        """Keep for the case note only the cards whose passage is among ``passages`` (chunk ids):
        a passage taken out of the report is taken out of the case note too (a first-use audit
        removed two wrong passages from the report and found both quoted in the case note)."""
        for turn in self.turns:
            turn.keep_only(passages)

    def asked_before(self, turn: Turn) -> list[str]:
        """The questions of ``turn``'s topic asked before it, as typed."""
        place = next((n for n, other in enumerate(self.turns) if other is turn), len(self.turns))
        return [] if turn.new_topic else [other.question for other in Thread(turns=self.turns[:place]).topic_turns()]

    def turn_showing(self, question: str, chunk_id: int, number: int = 0) -> Turn | None:
        """The turn numbered ``number`` (from 1) if it asked ``question`` and showed the passage
        ``chunk_id`` (a card of an earlier turn kept after a later one asked the same question: a
        first-use audit's passage was filed under the re-ask); otherwise the latest turn that did."""
        if 0 < number <= len(self.turns):
            turn = self.turns[number - 1]
            if turn.question == question and any(hit.chunk_id == chunk_id for hit in turn.cards()):
                return turn
        return next(
            (
                turn
                for turn in reversed(self.turns)
                if turn.question == question and any(hit.chunk_id == chunk_id for hit in turn.cards())
            ),
            None,
        )

    def topic_turns(self) -> list[Turn]:
        """The turns of the current topic (since the last new topic)."""
        turns: list[Turn] = []
        for turn in self.turns:
            if turn.new_topic:
                turns = []
            turns.append(turn)
        return turns

    def topic_numbers(self) -> list[int]:
        """The numbers (from 1) of the current topic's turns, as ``case_note`` takes them."""
        first = max((n for n, turn in enumerate(self.turns, start=1) if turn.new_topic), default=1)
        return list(range(first, len(self.turns) + 1))

    def topic_count(self) -> int:
        """How many topics the conversation has had (a question after /new or ctrl+n starts one)."""
        return sum(1 for n, turn in enumerate(self.turns) if n == 0 or turn.new_topic)

    def last_answer(self) -> Answer | None:
        """The topic's last answer that showed passages: a refusal in between (a question asked
        within filters that kept nothing) does not make the thread forget what it was about."""
        answered = [turn for turn in self.topic_turns() if not turn.answer.abstained]
        return answered[-1].answer if answered else None

    def documents(self, asked: str = "") -> list[str]:
        """The documents of the last answer's first cards (``last_answer``), less those for other
        UK nations than ``asked`` (the question searched, with its carried words) names: a
        first-use audit's "what support is she entitled to in Wales?" showed first two Scottish
        Government cards, ranked up only as the last answer's documents."""
        last = self.last_answer()
        if last is None:
            return []
        wanted = set(nations_named(asked))

        def for_another_nation(hit: Hit) -> bool:
            covered = set(document_nations(hit.document.title, hit.document.organisation))
            return bool(wanted and covered) and not wanted & covered

        cards = answer_cards(last)[:THREAD_CARDS]
        return list(dict.fromkeys(hit.document.id for hit in cards if not for_another_nation(hit)))

    def focus(self, asked: str = "") -> ThreadFocus:
        """What a follow-up knows of the last answer (``last_answer``): its documents
        (``documents``, those for another UK nation than ``asked`` names left out) and the
        passages of its first ``SHOWN_CARDS`` cards; and the topic's nation (``topic_nations``)."""
        last = self.last_answer()
        if last is None:
            return ThreadFocus()
        hits = answer_cards(last)[:SHOWN_CARDS]
        return ThreadFocus(
            documents=self.documents(asked),
            passages=[hit.chunk_id for hit in hits],
            nations=self.topic_nations(),
            people=self.topic_people(),
        )

    def topic_nations(self) -> list[str]:
        """The words naming the UK nation the topic's newest question to name one named."""
        return _nation_words([turn.question for turn in self.topic_turns()])

    def topic_people(self) -> list[str]:
        """The groups of people the topic's newest question to name one named (``people_named``)."""
        return next((named for turn in reversed(self.topic_turns()) if (named := people_named(turn.question))), [])

    def topic_focus(self) -> ThreadFocus:
        """What a question that carries nothing knows of its topic: the nation and the people it named."""
        return ThreadFocus(nations=self.topic_nations(), people=self.topic_people())

    def context_for(
        self, question: str, idf: Callable[[str], float], alone: bool = False, follows: tuple[bool, str] | None = None
    ) -> Context:
        """What ``question`` would carry (nothing when ``alone``). A question that found no
        passage lends no words while another of the topic did: its words led nowhere ("who do I
        call out of hours?" refused, then "what if they say no?" would search "hours, call")."""
        if alone:
            return Context(reason=ASKED_ALONE)
        turns = self.topic_turns()
        answered = [turn for turn in turns if not turn.answer.abstained]
        if answered:
            shown = [" ".join(hit.text for hit in answer_cards(turn.answer)[:SHOWN_CARDS]) for turn in answered]
            return carried_context(question, [turn.question for turn in answered], idf, shown=shown, follows=follows)
        # Every question of the topic was refused: of their words, only those the closest passages
        # shown under the refusals hold are carried ("what's the weather tomorrow?" refused after
        # /new lent "weather, tomorrow" to the next question; a chat audit).
        shown = [" ".join(hit.text for hit in turn.answer.closest[:SHOWN_CARDS]) for turn in turns]
        return carried_context(
            question, [turn.question for turn in turns], idf, shown=shown, follows=follows, only_shown=True
        )

    def ask(
        self,
        pipeline: Pipeline,
        question: str,
        *,
        alone: bool = False,
        new_topic: bool = False,
        filters: Filters | None = None,
        as_typed: bool = False,
        k: int | None = None,
        mode: Mode | None = None,
    ) -> Turn:
        """The next turn of the conversation (not yet added to it): ``question`` searched with
        what it carries from the thread (``context_for``) and the thread's documents. A question
        that names its own subject but points back with a pronoun ("they", "them", "it") or
        asks for an exception, a difference or an alternative, says at most ``RETRY_WORDS`` of its
        own and finds no answer alone, is searched again with the thread, and shown so when that
        answers.
        ``alone`` searches it on its own; ``new_topic`` starts a new topic with it."""
        thread = Thread() if new_topic else self
        question = safe_line(question)  # as typed, less any escape sequence pasted with it

        def search(context: Context) -> Answer:
            return pipeline.ask(
                question,
                k=k,
                mode=mode,
                filters=filters,
                as_typed=as_typed,
                context=context.words or None,
                thread=thread.focus(" ".join([question, *context.words])) if context.carried else thread.topic_focus(),
            )

        titled = bool(thread.turns) and names_a_titled_subject(question, pipeline.document_titles)
        follows = (False, "it names a subject a document is titled by") if titled else None
        context = thread.context_for(question, pipeline.idf, alone=alone, follows=follows)
        answer = search(context)
        points_back = bool(_WORTH_A_RETRY.intersection(question_words(question)))
        says_enough = len(own_words(question)) > RETRY_WORDS
        if answer.abstained and points_back and not says_enough and not alone and not context.carried and thread.turns:
            retry = thread.context_for(
                question, pipeline.idf, follows=(True, "it refers back, and alone it found no answer")
            )
            if retry.carried:
                second = search(retry)
                if not second.abstained:
                    context, answer = retry, second
        if context.carried and not answer.abstained:
            # The cards shown first, however far below the first they score: the note speaks of them.
            missing = words_not_in(question, answer.hits[:SHOWN_CARDS])
            if missing:
                answer.notices.append(CARRIED_ONLY.format(words=", ".join(missing)))
                # Nothing the user asked this time is in them: no card is called a strong or fair
                # match for it (the order stays the ranker's).
                for hit in answer.hits:
                    hit.confidence = "weak" if hit.confidence else hit.confidence
        if filters is not None and filters.documents:
            # Searched within documents chosen: every card is of them, and "ranked up for the
            # last answer's document" would be said of each (first-use audit).
            for hit in answer.hits:
                hit.thread_document = False
        if self.turns:
            mark_shown_before(answer, self.turns[-1].answer)
        within = set(filters.documents) if filters is not None else set()
        titles = {info.id: info.title for info in pipeline.document_infos() if info.id in within} if within else {}
        return Turn(
            question=question,
            context=context,
            answer=answer,
            filters=filters or Filters(),
            new_topic=new_topic,
            filter_titles=titles,
        )


def words_not_in(question: str, hits: list[Hit]) -> list[str]:
    """The question's own words when none of them is in the cards of ``hits`` (their passages,
    titles and sections, by stem), else none: passages that a follow-up found by the words it
    carried alone."""
    own = own_words(question)
    # A card's title and section are read with it ("and in England?" over the "Statutory
    # Guidance for England and Wales" was said to find none of its words: a first-use audit).
    shown = [" ".join([hit.text, hit.citation.title, hit.location.section or ""]) for hit in hits]
    found = set().union(*(_stems(text) for text in shown)) if hits else set()
    return [] if not own or any(_stem_of(word) in found for word in own) else own


def out_of_date_test(
    slice_of: Callable[[str, int, int], str | None] | None, changed_files: set[str]
) -> Callable[[Hit], bool]:
    """Whether a kept passage may no longer be what its file says: its file changed or went since
    the index was built (``changed_files``), or the index open now (``slice_of``: a document's text
    between two offsets; None when no index can be opened) no longer holds its quotation where it
    was (a rebuild since)."""

    def out_of_date(hit: Hit) -> bool:
        if hit.document.path in changed_files:
            return True
        where = hit.location
        return slice_of is not None and slice_of(hit.document.id, where.char_start, where.char_end) != hit.text

    return out_of_date


def case_note(
    thread: Thread,
    turns: list[int] | None = None,
    generated=None,
    out_of_date: Callable[[Hit], bool] | None = None,
) -> str:
    """The thread (or the turns numbered in ``turns``, from 1) as a case note in Markdown: each
    question as asked (numbered from 1 within the note; the same question asked again next is
    "asked again" under it) and how it was searched (and within which filters), the passages kept
    from it, quoted with their citations, and the reference list. Every passage is the
    document's own words as they were indexed; one that ``out_of_date`` says may no longer be
    (``out_of_date_test``) says so beneath it (a first-use audit's note quoted, unmarked, an
    extension number edited out of its file)."""
    from datetime import datetime

    from .present import KEPT_FROM_CLOSEST, card_cautions, format_citation, markdown_escape, markdown_quote
    from .report import OUT_OF_DATE

    generated = generated or datetime.now().astimezone()
    chosen = [t for n, t in enumerate(thread.turns, start=1) if (turns is None or n in turns) and not t.left_out]
    lines = [
        "# Case note",
        "",
        f"Written {generated:%Y-%m-%d %H:%M} by Guidance Lookup. Every passage below is quoted verbatim from the cited "
        "document.",
        "",
    ]
    references: dict[tuple, int] = {}
    ordered = []
    # Numbered within the note: a note of one person's topic numbered from 7 told its reader that
    # six other questions came before it (a first-use audit).
    number = 0
    for position, turn in enumerate(chosen):
        before = chosen[position - 1] if position else None
        if before is not None and turn.question == before.question and not turn.new_topic:
            # The same question asked again (within filters, with them cleared, or alone) is one
            # question of the note: an audit's note read "## 14", "## 15", "## 16", all alike.
            lines += ["### Asked again", ""]
            if turn.filters.is_empty() and not before.filters.is_empty():
                lines += ["Without filters.", ""]
        else:
            number += 1
            lines += [f"## {number}. {markdown_escape(turn.question)}", ""]
        if turn.new_topic and number > 1:
            lines += ["A new topic: asked on its own, not as a follow-up of the questions above.", ""]
        if turn.context.words:
            lines += [
                f"Searched with: {markdown_escape(', '.join(turn.context.words))} (from the earlier questions)",
                "",
            ]
        elif turn.context.alone:
            lines += ["Asked on its own (no words of the earlier questions).", ""]
        if not turn.filters.is_empty():
            lines += [f"Within filters: {markdown_escape(turn.filters.describe(turn.filter_titles))}", ""]
        if turn.answer.abstained:
            lines += [f"_{markdown_escape(turn.answer.message or '')}_", ""]
            if not turn.kept:
                continue
            lines += [f"{KEPT_FROM_CLOSEST}:", ""]
        kept = turn.kept_hits()
        if not kept:
            lines += ["No passage kept.", ""]
        for hit in kept:
            key = hit.citation.reference_key()
            if key not in references:
                references[key] = len(references) + 1
                ordered.append(hit.citation)
            lines += markdown_quote(hit.text)
            lines += ["", f"Source: {format_citation(hit.citation, 'markdown')} [{references[key]}]", ""]
            for caution in card_cautions(hit):
                lines += [f"Note: {markdown_escape(caution)}", ""]
            if out_of_date is not None and out_of_date(hit):
                lines += [f"**{OUT_OF_DATE}**", ""]
    lines += ["## References", ""]
    lines += [f"{n}. {format_citation(c, 'markdown')}" for n, c in enumerate(ordered, start=1)] or [
        "None: no passage kept."
    ]
    return "\n".join(lines) + "\n"


def case_note_references(thread: Thread, style: str, turns: list[int] | None = None) -> str:
    """The kept passages' references as BibTeX or CSL-JSON (as ``cite`` writes them)."""
    from .present import format_citations

    seen: dict[tuple, object] = {}
    for number, turn in enumerate(thread.turns, start=1):
        if (turns is None or number in turns) and not turn.left_out:
            for hit in turn.kept_hits():
                seen.setdefault(hit.citation.reference_key(), hit.citation)
    return format_citations(list(seen.values()), style) + "\n"
