"""The ranking chain, stage by stage, on hand-made candidates: no index, no model."""

import numpy as np

from assistant.config import RetrieveSettings
from assistant.evaluate import ABLATIONS, CONVERSATION_ABLATIONS
from assistant.retrieve.abstain import RULES
from assistant.retrieve.ranker import FAIR, FEATURES, STRONG, CandidateSignals, LogisticModel
from assistant.retrieve.stages import (
    NOTES_SHARE,
    STAGES,
    Candidate,
    Question,
    above_relative_floor,
    another_document_by,
    demote_shown,
    fill_missing_dense,
    fuse,
    heading_names_provision,
    merge_searches,
    named_provisions,
    notes_share,
    own_group_first,
    own_words_first,
    prefer_language,
    prefer_named_provisions,
    provision_labels,
    reference_lists_last,
    rerank_learned,
    reward_sentence_match,
    run_stages,
    strong_before_lifted,
    years_first,
)


def ids(candidates):
    return [c.chunk_id for c in candidates]


def test_searches_merge_into_one_candidate_per_chunk_with_both_ranks():
    merged = {c.chunk_id: c for c in merge_searches([(1, 0.8), (2, 0.6)], [(2, 9.0), (3, 4.0)])}
    assert merged[1] == Candidate(1, dense=0.8, dense_rank=1)
    assert merged[2] == Candidate(2, dense=0.6, dense_rank=2, lexical=9.0, lexical_rank=1)
    assert merged[3] == Candidate(3, lexical=4.0, lexical_rank=2)


def test_hybrid_fusion_is_a_weighted_sum_scaled_to_one():
    candidates = merge_searches([(1, 0.9), (2, 0.5)], [(2, 10.0), (3, 5.0)])
    fused = fuse(candidates, "hybrid", dense_weight=2.0, lexical_weight=1.0)
    scores = {c.chunk_id: round(c.score, 6) for c in fused}
    assert scores == {1: round(2 * 0.9 / 3, 6), 2: round((2 * 0.5 + 1.0) / 3, 6), 3: round(0.5 / 3, 6)}
    assert ids(fused) == [2, 1, 3]


def test_single_mode_fusion_uses_that_search_alone():
    candidates = merge_searches([(1, 0.9), (2, 0.5)], [(2, 10.0), (3, 5.0)])
    assert ids(fuse(candidates, "dense", 2.0, 1.0)) == [1, 2, 3]
    assert ids(fuse(candidates, "lexical", 2.0, 1.0)) == [2, 3, 1]


def test_ties_are_broken_by_chunk_id():
    assert ids(fuse([Candidate(7, dense=0.5), Candidate(3, dense=0.5)], "dense", 2.0, 1.0)) == [3, 7]


def test_an_answer_in_one_sentence_beats_the_same_words_scattered():
    terms = ["recovery", "period"]
    sentences = {
        1: [frozenset({"recovery"}), frozenset({"period"})],  # the words apart
        2: [frozenset({"recovery", "period", "day"})],  # together in one sentence
    }
    ranked = [Candidate(1, score=0.60), Candidate(2, score=0.55), Candidate(3, score=0.50)]
    rescored = reward_sentence_match(
        ranked, terms, idf=lambda t: 1.0, sentences_of=lambda chunk_ids: sentences, weight=0.2, depth=2
    )
    assert ids(rescored) == [2, 1, 3]
    assert rescored[0].score == 0.55 + 0.2 and rescored[2].score == 0.50, "only the first `depth` are rescored"


def test_passages_in_another_language_rank_lower_but_stay():
    ranked = [Candidate(1, score=0.9), Candidate(2, score=0.6)]
    language = {1: "nl", 2: "en"}.get
    assert ids(prefer_language(ranked, "en", language, penalty=0.5)) == [2, 1]
    assert ids(prefer_language(ranked, None, language, penalty=0.5)) == [1, 2], "unknown question language: no change"


def test_lexical_only_candidates_get_their_cosine_without_reordering():
    ranked = [
        Candidate(1, lexical=3.0, score=0.9),
        Candidate(2, dense=0.4, score=0.5),
        Candidate(3, lexical=1.0, score=0.1),
    ]
    filled = fill_missing_dense(ranked, depth=2, cosine_of={1: 0.33, 3: 0.2}.get)
    assert ids(filled) == [1, 2, 3]
    assert [c.dense for c in filled] == [0.33, 0.4, None]


def test_stages_do_not_change_the_candidates_they_are_given():
    ranked = [Candidate(1, dense=0.5, score=0.1)]
    fuse(ranked, "dense", 2.0, 1.0)
    prefer_language(ranked, "en", lambda _: "fr", 0.5)
    assert ranked == [Candidate(1, dense=0.5, score=0.1)]


def test_the_learned_stage_orders_its_head_by_the_model_and_keeps_the_rest_below_in_order():
    candidates = [
        Candidate(1, dense=0.6, score=0.9),
        Candidate(2, dense=0.5, score=0.8),
        Candidate(3, dense=0.4, score=0.7),
        Candidate(4, score=0.6),
    ]
    sentence_best = {1: 0.30, 2: 0.70, 3: 0.50}
    # A model that looks only at the best sentence's cosine.
    model = LogisticModel(
        features=FEATURES,
        mean=[0.0] * len(FEATURES),
        scale=[1.0] * len(FEATURES),
        weights=[10.0 if f == "sentence" else 0.0 for f in FEATURES],
        bias=0.0,
    )

    def signals_of(head, best_lexical):
        return [
            CandidateSignals(
                score=c.score,
                dense=c.dense or 0.0,
                lexical=0.0,
                sentence_similarities=(sentence_best[c.chunk_id],),
                text="x " * 30,
            )
            for c in head
        ]

    ranked = rerank_learned(candidates, model, signals_of, depth=3)
    assert ids(ranked) == [2, 3, 1, 4], "the passage whose one sentence matches best comes first"
    assert all(0.0 < c.score < 1.0 for c in ranked) and ranked[-1].score < ranked[-2].score
    assert rerank_learned([], model, signals_of, depth=3) == []


def test_a_question_names_provisions_by_their_usual_labels_and_abbreviations():
    assert named_provisions("Palermo Protocol Article 3") == [("article", "3")]
    assert named_provisions("MSA s.52 duty to notify, and art. 4a") == [("section", "52"), ("article", "4a")]
    assert named_provisions("Which offences are in Schedule 4 and Annex II?") == [("schedule", "4"), ("annex", "ii")]
    assert named_provisions("Article 3.1 of the directive") == [], "a sub-paragraph is not the article"
    assert named_provisions("part i of the toolkit; in 3 sections; 45 days") == []


def test_a_heading_names_a_provision_only_when_it_begins_with_its_label():
    article_3 = [("article", "3")]
    assert heading_names_provision("Article  3", article_3)
    assert heading_names_provision("ARTICLE 3 – Use of terms", article_3)
    assert heading_names_provision("Section 52: duty to notify", [("section", "52")])
    assert heading_names_provision("Art. 3 Use of terms", article_3), "an abbreviated label names it too"
    assert not heading_names_provision("Article 30", article_3)
    assert not heading_names_provision("Article 3.1", article_3)
    assert not heading_names_provision("Use of terms (Article 3)", article_3)


def test_the_store_is_asked_for_every_label_a_heading_may_use():
    assert provision_labels([("article", "3")]) == ["art", "article"]
    assert provision_labels([("section", "52"), ("annex", "ii")]) == ["annex", "sec", "section"]


def test_the_named_provisions_text_moves_first_and_takes_the_scores_of_the_places_it_moves_into():
    ranked = [Candidate(7, score=0.9), Candidate(8, score=0.5), Candidate(3, score=0.2), Candidate(4, score=0.1)]
    asked = []

    def chunks_naming(chunk_ids, provisions):
        asked.append((chunk_ids, provisions))
        return [3, 11]  # 3 was found by the searches; 11 was not

    moved = prefer_named_provisions(ranked, [("article", "3")], chunks_naming, depth=2)
    assert asked == [([7, 8], [("article", "3")])], "only the first candidates' documents are looked in"
    assert ids(moved) == [3, 11, 7, 8, 4]
    assert [c.score for c in moved] == [0.9, 0.5, 0.2, 0.1, 0.1], "the scores read down the list as before"


def test_without_a_named_provision_or_its_heading_the_order_is_kept():
    ranked = [Candidate(7, score=0.9), Candidate(8, score=0.5)]
    assert prefer_named_provisions(ranked, [], lambda ids, p: [8], depth=5) == ranked
    assert prefer_named_provisions(ranked, [("article", "3")], lambda ids, p: [], depth=5) == ranked


class _Passage:
    def __init__(self, score):
        self.candidate = Candidate(0, score=score)


def test_cards_far_below_the_first_are_not_shown():
    passages = [_Passage(0.8), _Passage(0.1), _Passage(0.03)]
    assert [p.candidate.score for p in above_relative_floor(passages, 0.05)] == [0.8, 0.1]
    assert len(above_relative_floor(passages, 0.0)) == 3, "a share of 0 shows every card"


class _Lookups:
    """Index lookups for hand-made candidates: every word as rare as any other."""

    def idf(self, term):
        return 1.0

    def sentences_of(self, chunk_ids):
        return {c: [frozenset({"recovery", "period"})] if c == 2 else [frozenset({"recovery"})] for c in chunk_ids}

    def language_of(self, chunk_id):
        return "fr" if chunk_id == 3 else "en"

    def cosine(self, vector, chunk_id):
        return 0.1

    def chunks_naming(self, chunk_ids, provisions, limit):
        return []


def test_the_declared_chain_runs_each_phase_in_order_and_only_where_a_stage_applies():
    settings = RetrieveSettings(learned_ranker=False)
    candidates = merge_searches([(1, 0.9), (3, 0.88)], [(2, 10.0), (1, 2.0)])
    lexical = Question("recovery period", ["recoveri", "period"], "lexical", k=5, language="en")
    assert run_stages("terms", ["recoveri", "period"], lexical, settings, _Lookups()) == [
        "recoveri",
        "period",
        "recoveri period",
    ]
    assert ids(run_stages("rank", candidates, lexical, settings, _Lookups())) == [2, 1, 3], (
        "lexical: BM25 alone, then the language"
    )
    hybrid = Question("recovery period", ["recovery", "period"], "hybrid", vector=None, k=5, language="en")
    assert ids(run_stages("rank", candidates, hybrid, settings, _Lookups())) == [1, 2, 3], (
        "the French passage (3) ranks below"
    )
    assert ids(
        run_stages("rank", candidates, hybrid, settings.model_copy(update={"other_language_penalty": 1.0}), _Lookups())
    ) == [1, 3, 2]
    rewarded = settings.model_copy(update={"sentence_weight": 1.0})
    assert ids(run_stages("rank", candidates, hybrid, rewarded, _Lookups())) == [2, 1, 3], (
        "the one sentence holding both words first"
    )


def test_every_stage_declares_its_settings_and_each_that_can_be_turned_off_has_an_ablation_row():
    fields = set(RetrieveSettings.model_fields)
    for stage in STAGES:
        assert set(stage.settings) <= fields, stage.name
        assert set(stage.off) <= fields, stage.name
    ablated = [f"{s.name} off" for s in (*STAGES, *RULES) if s.off]
    assert [*list(ABLATIONS)[1:], *CONVERSATION_ABLATIONS] == [
        name for name in ablated if name not in CONVERSATION_ABLATIONS
    ] + [name for name in ablated if name in CONVERSATION_ABLATIONS], "each on the sets it runs for, once"
    assert not set(ABLATIONS) & set(CONVERSATION_ABLATIONS)
    assert ABLATIONS["learned ranker off"] == {"learned_ranker": False}


def test_the_passages_around_the_first_candidates_of_the_best_documents_join_the_candidates():
    from assistant.retrieve.stages import add_passages_around, mark_near

    ranked = [Candidate(10, score=0.9), Candidate(20, score=0.8), Candidate(30, score=0.7), Candidate(11, score=0.6)]
    owner = {10: "a", 11: "a", 12: "a", 20: "b", 21: "b", 30: "c"}
    asked = []

    def around(chunk_ids, radius):
        asked.append((sorted(chunk_ids), radius))
        return sorted({n for c in chunk_ids for n in (c - 1, c, c + 1) if n in owner})

    widened, neighbourhood = add_passages_around(
        ranked,
        depth=3,
        documents=2,
        radius=1,
        document_of=lambda ids: {i: owner[i] for i in ids},
        chunks_around=around,
        scores_of=lambda ids: {i: (0.5, 2.0) for i in ids},
    )
    assert asked == [([10, 20], 1)], "only the first `depth` candidates, in the first two documents"
    assert [c.chunk_id for c in widened] == [10, 20, 30, 11, 21], "found or not by the searches; new ones last"
    assert widened[-1] == Candidate(21, dense=0.5, lexical=2.0)
    assert neighbourhood == {10, 11, 20, 21}
    marked = mark_near(widened, neighbourhood)
    assert [c.chunk_id for c in marked if c.near] == [10, 20, 11, 21]


def test_the_learned_stage_scores_the_first_candidates_and_every_neighbour_wherever_it_is():
    from assistant.retrieve.stages import add_late_interaction, learned_head

    candidates = [
        Candidate(1, score=0.9),
        Candidate(2, score=0.8, near=True),
        Candidate(3, score=0.7),
        Candidate(4, score=0.1, near=True),
    ]
    head, tail = learned_head(candidates, depth=1)
    assert [c.chunk_id for c in head] == [1, 2, 4] and [c.chunk_id for c in tail] == [3]
    late = add_late_interaction(candidates, depth=1, late_of=lambda ids: np.array([0.1 * i for i in ids]))
    assert [c.late for c in late] == [0.1, 0.2, None, 0.4], "late interaction for exactly the candidates it will weigh"
    assert [c.chunk_id for c in late] == [1, 2, 3, 4], "the order does not change"
    assert late[1].rescored(0.5).late == 0.2 and late[1].rescored(0.5).near, "rescoring keeps what the stages found"


def test_a_window_that_would_reach_into_another_card_stays_the_passage_it_was():
    from dataclasses import dataclass

    from assistant.retrieve.stages import distinct_windows

    @dataclass(frozen=True)
    class Span:
        char_start: int
        char_end: int

    @dataclass(frozen=True)
    class Document:
        id: str

    @dataclass(frozen=True)
    class Card:
        document: Document
        chunk: Span
        best: tuple | None = None

    passages = [
        Card(Document("a"), Span(0, 100)),
        Card(Document("a"), Span(150, 250)),
        Card(Document("b"), Span(0, 100)),
    ]
    windows = [
        Card(Document("a"), Span(0, 160), best=(60, 100)),
        Card(Document("a"), Span(150, 300)),
        Card(Document("b"), Span(0, 180)),
    ]
    shown = distinct_windows(passages, windows)
    assert [c.chunk for c in shown] == [Span(0, 100), Span(150, 300), Span(0, 180)]
    assert shown[0].best == (60, 100), "the passage kept keeps its best sentence marked"


def _scored(chunk_id, probability, bonus=0.0):
    """A candidate the learned ranker gave ``probability``, plus a thread document's ``bonus``."""
    return Candidate(chunk_id, score=probability + bonus, preferred=bonus)


def test_passages_the_last_answer_showed_rank_lower_and_keep_the_rankers_own_probability():
    candidates = [_scored(1, 0.9), _scored(2, 0.7), _scored(3, 0.3)]
    demoted = demote_shown(candidates, {1}, 0.4)
    assert ids(demoted) == [2, 1, 3], "the passage read already goes below a new one close to it"
    assert [round(c.score - c.preferred, 6) for c in demoted] == [0.7, 0.9, 0.3], (
        "how sure a card is stays the ranker's"
    )
    assert ids(demote_shown([_scored(1, 0.9), _scored(2, 0.3)], {1}, 0.4)) == [1, 2], (
        "it stays first when nothing new comes close"
    )
    assert demote_shown(candidates, set(), 0.4) is candidates and demote_shown(candidates, {1}, 0.0) is candidates


def test_a_follow_ups_first_screen_holds_the_first_passage_of_another_document_by_the_card_asked():
    owner = {1: "last", 2: "last", 3: "last", 4: "last", 5: "other", 6: "other", 7: "other"}.__getitem__

    def document_of(chunk_ids):
        return {c: owner(c) for c in chunk_ids}

    thread = [_scored(1, 0.2, 0.8), _scored(2, 0.1, 0.8), _scored(3, 0.05, 0.8), _scored(4, 0.02, 0.8)]
    others = [_scored(6, 0.6), _scored(5, 0.3)]
    moved = another_document_by(thread + others, {"last"}, document_of, 3, FAIR)
    assert ids(moved) == [1, 2, 6, 3, 4, 5], "the other document's first passage is the third card"
    assert ids(another_document_by(thread + others, {"last"}, document_of, 1, FAIR))[0] == 6
    weak = [_scored(5, 0.1), _scored(6, 0.05)]
    assert ids(another_document_by(thread + weak, {"last"}, document_of, 3, FAIR)) == [1, 2, 3, 4, 5, 6], (
        "a passage the ranker gives less than a fair chance stays where it is"
    )
    read = demote_shown([*thread, _scored(7, 0.5), _scored(5, 0.1)], {7}, 0.4)
    assert ids(another_document_by(read, {"last"}, document_of, 3, FAIR)) == ids(read), (
        "a passage the last answer showed is not brought back as another document's"
    )
    early = [thread[0], others[0], *thread[1:], others[1]]
    assert another_document_by(early, {"last"}, document_of, 3, FAIR) is early, "another document is on screen already"
    assert another_document_by(thread + others, set(), document_of, 3, FAIR) == thread + others


def test_a_weak_passage_the_thread_ranked_up_never_comes_before_a_strong_one():
    # Found in a first-use audit: after "What are the indicators ... at the airport?", "who do I
    # refer them to?" showed two weak passages of the aviation guide, ranked up, above the strong
    # passage on first responders of another document.
    lifted = [_scored(1, 0.1, 0.8), _scored(2, 0.05, 0.8)]
    strong, fair = _scored(3, 0.7), _scored(4, 0.4)
    assert ids(strong_before_lifted([*lifted, fair, strong], STRONG, FAIR)) == [3, 1, 2, 4], (
        "the strong passage moves up to the first weak one ranked up; the fair one stays"
    )
    fair_lifted = [_scored(1, 0.3, 0.8), _scored(2, 0.05, 0.8)]
    assert ids(strong_before_lifted([*fair_lifted, strong], STRONG, FAIR)) == [1, 3, 2], (
        "a passage ranked up that the ranker finds fair stays before it"
    )
    read = demote_shown([_scored(5, 0.9), *lifted], {5}, 0.4)
    assert ids(strong_before_lifted(read, STRONG, FAIR)) == [1, 2, 5], (
        "a passage read already is not moved back up: its score is less its penalty"
    )
    assert ids(strong_before_lifted([strong, *lifted], STRONG, FAIR)) == [3, 1, 2]


def test_the_stage_puts_a_strong_passage_before_a_fair_one_the_thread_ranked_up():
    # Found in a first-use audit: "and for a child?" after a question about support in Northern
    # Ireland showed first a fair glossary entry of the last answer's document, ranked up, above
    # three strong passages of others.
    from assistant.models import ThreadFocus
    from assistant.retrieve.stages import STAGES, Question

    stage = next(stage for stage in STAGES if stage.name == "strong before a weaker one ranked up")
    fair_lifted, strong = _scored(1, 0.3, 0.8), _scored(3, 0.7)
    question = Question("and for a child?", ["child"], "hybrid", thread=ThreadFocus(documents=["last"]))
    assert ids(stage.apply([fair_lifted, strong], question, RetrieveSettings(), None)) == [3, 1]
    assert ids(stage.apply([_scored(1, 0.6, 0.8), strong], question, RetrieveSettings(), None)) == [1, 3], (
        "one the ranker finds strong itself keeps its place"
    )


def test_a_passage_ranked_up_for_the_thread_that_never_says_the_follow_ups_words_comes_after_one_that_does():
    # Found in a first-use audit: "and for boys?" after "Why do some victims decline
    # assistance?" showed first the passage just read, ranked up for its document, above a brief
    # on boy survivors; "and in Vietnam?" after a question about Indonesia, two Indonesian ones.
    sentences = {1: [frozenset({"victim", "declin"})], 2: [frozenset({"assist"})], 3: [frozenset({"boy", "surviv"})]}
    look = lambda chunk_ids: {i: sentences.get(i, []) for i in chunk_ids}  # noqa: E731
    lifted, new = [_scored(1, 0.6, 0.4), _scored(2, 0.5, 0.8)], _scored(3, 0.05)
    assert ids(own_words_first([*lifted, new], {"boy"}, look, 5)) == [3, 1, 2]
    unlifted = [_scored(1, 0.6), _scored(2, 0.5)]
    assert ids(own_words_first([*unlifted, new], {"boy"}, look, 5)) == [1, 2, 3], (
        "a passage the ranker put first on its own keeps its place"
    )
    assert ids(own_words_first([*lifted, _scored(4, 0.1), new], {"boy"}, look, 3)) == [1, 2, 4, 3], (
        "only within the first few"
    )
    assert ids(own_words_first([*lifted, new], {"girl"}, look, 5)) == [1, 2, 3], "when none says them, no change"


def test_the_follow_ups_own_words_leave_out_how_it_asks():
    # "how long does that take?" asks about the thread's subject: a passage saying "take" is not
    # its own (a filtered follow-up's first card left the thread's document for one).
    from assistant.models import ThreadFocus
    from assistant.retrieve.stages import STAGES, Question

    stage = next(stage for stage in STAGES if stage.name == "the follow-up's own words first")
    sentences = {1: [frozenset({"forc", "marriag"})], 3: [frozenset({"take", "long"})]}
    look = type("Look", (), {"sentences_of": staticmethod(lambda ids: {i: sentences.get(i, []) for i in ids})})()
    question = Question(
        "how long does that take? forced marriage",
        ["long", "take", "forc", "marriag"],
        "hybrid",
        thread=ThreadFocus(documents=["last"]),
        context_terms=["forc", "marriag"],
    )
    candidates = [_scored(1, 0.3, 0.8), _scored(3, 0.2)]
    assert ids(stage.apply(candidates, question, RetrieveSettings(), look)) == [1, 3]


def test_a_question_naming_a_year_sees_first_the_passages_that_mention_it():
    # Found in a first-use audit: "How many potential victims were referred to the NRM in 2021?"
    # showed first, as strong, a passage of 2020's figures; 2021's came fourth.
    mentioning_2021 = {3, 4}

    def mentioning(chunk_ids, years):
        assert years == ("2021",)
        return {c for c in chunk_ids if c in mentioning_2021}

    ranked = [_scored(1, 0.7), _scored(2, 0.3), _scored(3, 0.2), _scored(4, 0.16), _scored(5, 0.1)]
    moved = years_first(ranked, ("2021",), mentioning, 5, FAIR)
    assert ids(moved) == [3, 4, 1, 2, 5], "each group in its order"
    assert [c.score for c in moved[:2]] == [0.2, 0.16], "a card keeps its own score: a fair match still says fair"
    assert ids(years_first(ranked, ("2021",), mentioning, 3, FAIR)) == [3, 1, 2, 4, 5], "only the first screen"
    weak = [_scored(1, 0.7), _scored(3, 0.1)]
    assert years_first(weak, ("2021",), mentioning, 5, FAIR) is weak, "not a passage the ranker gives no fair chance"
    bonus = [_scored(1, 0.7), _scored(3, 0.05, 0.8)]
    assert years_first(bonus, ("2021",), mentioning, 5, FAIR) is bonus, "a thread's bonus is no chance of answering"
    assert years_first(ranked, (), mentioning, 5, FAIR) is ranked
    first = [_scored(3, 0.7), _scored(1, 0.3)]
    assert years_first(first, ("2021",), mentioning, 5, FAIR) is first


def test_a_question_naming_a_group_sees_first_the_passages_whose_headings_name_no_other():
    # Found trying the TUI: "how long is the recovery period for child victims?" showed first, as
    # strong, "8. Support for Adult Victims > Recovery Period" (45 days, for adults).
    headings = {
        1: "Statutory Guidance\n8. Support for Adult Victims\nRecovery Period",
        2: "Statutory Guidance\n7. The decision-making process",
        3: "Statutory Guidance\nAnnex G – Detail of support available to children",
        4: "Support for adults and children",
        5: "Guidance for 18 years and over",
    }

    def headings_of(chunk_ids):
        return {c: headings[c] for c in chunk_ids}

    children = {"long", "recovery", "period", "child", "victim"}
    ranked = [_scored(1, 0.7), _scored(5, 0.6), _scored(2, 0.3), _scored(3, 0.2), _scored(4, 0.1)]
    moved = own_group_first(ranked, children, headings_of, 10, FAIR)
    assert ids(moved) == [2, 3, 1, 5, 4], "after the last fair passage that names no other group, each in its order"
    assert [c.score for c in moved[:2]] == [0.3, 0.2], "a card keeps its own score"
    assert ids(own_group_first(ranked, children, headings_of, 2, FAIR)) == [1, 5, 2, 3, 4], "only the first ones"
    adults = {"support", "adult"}
    assert ids(own_group_first([_scored(3, 0.7), _scored(5, 0.6)], adults, headings_of, 10, FAIR)) == [5, 3]
    assert ids(own_group_first([_scored(5, 0.7), _scored(2, 0.6)], {"child"}, headings_of, 10, FAIR)) == [2, 5], (
        "an age named by number is a group too"
    )
    assert own_group_first(ranked, {"recovery", "period"}, headings_of, 10, FAIR) is ranked, "no group named"
    weak = [_scored(1, 0.7), _scored(2, 0.1)]
    assert own_group_first(weak, children, headings_of, 10, FAIR) is weak, "not before a passage with no fair chance"
    bonus = [_scored(1, 0.7), _scored(2, 0.05, 0.8)]
    assert own_group_first(bonus, children, headings_of, 10, FAIR) is bonus, "a thread's bonus is no chance"
    both = [_scored(4, 0.7), _scored(2, 0.3)]
    assert own_group_first(both, children, headings_of, 10, FAIR) is both, "a heading naming both groups stays"


def test_a_passage_of_footnotes_under_a_pages_heading_comes_after_the_passages_that_are_not_notes():
    # Found in a first-use audit: "who do I call out of hours?" was first shown an annual
    # report's footnotes 124 to 126, set under the heading of the page they annotate.
    notes = (
        "124 IASC (2021), 'Dame Sara Thornton says that the recent sentencing': "
        "https://www.antislaverycommissioner.co.uk/news-insights/dame-sara-thornton-sentencing/\n"
        "125 BBC News (2021), 'Car wash workers paid £20 a day': https://www.bbc.co.uk/news/uk-england-57340812"
    )
    guidance = (
        "The Modern Slavery Helpline is open 24 hours a day on 08000 121 700. Call 999 if someone is "
        "in immediate danger.\n6 https://www.modernslaveryhelpline.org"
    )
    texts = {1: notes, 2: guidance}
    headings = {1: "Annual Report\nLabour market conditions", 2: "Helpline leaflet\nWho to call"}
    assert notes_share(notes) == 1.0 and notes_share(guidance) < NOTES_SHARE, "a footnote in guidance is not a list"
    ranked = [_scored(1, 0.7), _scored(2, 0.5)]
    moved = reference_lists_last(ranked, lambda i: {n: (headings[n], texts[n]) for n in i}, 10)
    assert ids(moved) == [2, 1]
    by_headings = reference_lists_last(ranked, lambda i: {n: (headings[n], "") for n in i}, 10)
    assert ids(by_headings) == [1, 2], "by headings alone, no list here"


def test_a_reference_list_comes_after_the_passages_that_are_not_one():
    # Found in three first-use audits: an annual report's endnotes ("7 Skrivankova, K. (2010) ...
    # 8 See, e.g., De Vries ...") were the first card, called a fair or strong match.
    headings = {
        1: "Annual Report 2021-2022\nReferences",
        2: "Annual Report 2021-2022\nSupport for survivors",
        3: "Practitioner responses\nPre-conference briefing\nEndnotes",
        4: "Statutory guidance\n7. References to the NRM",
        5: "Review\n12. Bibliography",
    }

    def headings_of(chunk_ids):
        return {i: (headings[i], "") for i in chunk_ids}

    ranked = [_scored(1, 0.7), _scored(3, 0.6), _scored(2, 0.3), _scored(4, 0.2), _scored(5, 0.1)]
    moved = reference_lists_last(ranked, headings_of, 10)
    assert ids(moved) == [2, 4, 1, 3, 5], "'References to the NRM' heads guidance, not a reference list"
    assert [c.score for c in moved[:2]] == [0.3, 0.2], "a card keeps its own score"
    assert ids(reference_lists_last(ranked, headings_of, 2)) == ids(ranked), "only among the first ones"
    only_lists = [_scored(1, 0.7), _scored(3, 0.6)]
    assert reference_lists_last(only_lists, headings_of, 10) is only_lists, "nothing else to show first"
    assert ids(reference_lists_last(ranked, headings_of, 0)) == ids(ranked)
    titled = {6: ("References and resources for practitioners\nHelplines", ""), 2: (headings[2], "")}
    assert reference_lists_last([_scored(6, 0.7), _scored(2, 0.3)], lambda i: titled, 10)[0].chunk_id == 6, (
        "a document's title is not its section"
    )
