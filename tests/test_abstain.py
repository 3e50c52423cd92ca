"""Abstention decided from named signals against the index's background."""

import numpy as np

from assistant.config import RetrieveSettings
from assistant.models import Background
from assistant.retrieve.abstain import (
    ABSTENTION_FEATURES,
    Signals,
    decide,
    specific_coverage,
    specific_terms,
    standing,
    years_missing,
)
from assistant.retrieve.learn import QuestionSignals, fit_abstention
from assistant.retrieve.ranker import LogisticModel, load_model

SETTINGS = RetrieveSettings()
BACKGROUND = Background(mean=0.20, std=0.05, probes=32)


def signals(best_dense, coverage, background=BACKGROUND):
    return Signals(best_dense=best_dense, top_coverage=coverage, background=background)


def test_standing_is_spreads_above_the_background_mean():
    assert abs(standing(0.35, BACKGROUND) - 3.0) < 1e-9
    assert standing(None, BACKGROUND) is None and standing(0.5, None) is None


def test_a_passage_that_stands_out_clearly_is_an_answer():
    assert not decide(signals(0.20 + 2.7 * 0.05, 0.0), "hybrid", SETTINGS).abstain


def test_a_passage_that_stands_out_somewhat_needs_the_questions_rare_words():
    somewhat = 0.20 + 2.0 * 0.05
    assert decide(signals(somewhat, 0.2), "hybrid", SETTINGS).abstain
    assert not decide(signals(somewhat, 0.6), "hybrid", SETTINGS).abstain


def test_a_passage_like_the_background_is_never_an_answer():
    decision = decide(signals(0.22, 1.0), "hybrid", SETTINGS)
    assert decision.abstain and "standing" in decision.reason


def test_no_candidates_abstains():
    assert decide(None, "hybrid", SETTINGS).abstain


def test_lexical_mode_goes_by_the_words_alone():
    assert decide(signals(None, 0.4), "lexical", SETTINGS).abstain
    assert not decide(signals(None, 0.8), "lexical", SETTINGS).abstain


def test_an_index_without_a_background_falls_back_to_a_cosine_threshold():
    assert decide(signals(0.25, 0.0, background=None), "hybrid", SETTINGS).abstain
    assert not decide(signals(0.35, 0.0, background=None), "hybrid", SETTINGS).abstain


def test_the_specific_words_of_a_question_are_its_names_acronyms_and_numbers():
    assert specific_terms("How many NRM referrals came from Wales in 2023?") == ["nrm", "wales", "2023"]
    assert specific_terms("What does ILO Convention C189 say about weekly rest?") == ["ilo", "convention", "c189"]
    assert specific_terms("how long is the recovery period") == []
    # Found on library-dev2: "He was told he'd be beaten..." and "She only reported the rape
    # months later..." were refused, their capitalised pronoun taken for a name no passage held.
    assert specific_terms("She only reported the rape months later; does the delay suggest she's making it up?") == []
    assert specific_terms("Several of the hotel's cleaners give the same home address; should I worry?") == []
    assert specific_terms("What should I do if I'm unsure? What's the NRM's role?") == ["nrm's"]
    assert specific_terms("How many victims in the US? Under the Modern Slavery Act?") == [
        "us",
        "modern",
        "slavery",
        "act",
    ]


def test_a_near_miss_names_what_the_passages_do_not_hold():
    passages = ["NRM referrals from Wales rose in 2021.", "The Moldovan hotline helps Cambodian survivors."]
    assert specific_coverage(["nrm", "wales", "2023"], passages) == 2 / 3, "2023 is not 2021"
    assert specific_coverage(["moldova", "cambodian"], passages) == 1.0, "a word may differ in its ending"
    assert specific_coverage(["canada"], passages) == 0.0
    assert specific_coverage([], passages) == 1.0


def test_the_years_a_question_names_are_missing_unless_a_passage_or_its_document_mentions_them():
    assert years_missing(
        "How many NRM referrals came from Wales in 2023?", ["Referrals rose in 2021.", "Wales 2018"]
    ) == ("2023",)
    assert years_missing("Sepsis mortality from 2009 to 2014", ["data for 2009-2014"]) == ()
    assert years_missing("What did the Modern Slavery Act 2015 introduce?", ["Modern Slavery Act 2015 (2020)"]) == ()
    assert years_missing("figures for 2023/24", ["the 2023/24 statistics"]) == ()
    assert years_missing("a fee of £2,023 for 1,950 people, case 12023", ["nothing"]) == (), (
        "amounts and codes are not years"
    )
    assert years_missing("how long is the recovery period", ["nothing"]) == ()


def test_a_question_about_a_year_the_first_passages_never_mention_is_not_answered():
    clear_answer = Signals(best_dense=0.9, top_coverage=1.0, background=BACKGROUND, years_missing=("2023",))
    for mode in ("hybrid", "dense", "lexical"):
        decision = decide(clear_answer, mode, SETTINGS)
        assert decision.abstain and "2023" in decision.reason
        assert "do not mention 2023: ask without the year" in decision.notice, "the reader is told what to do"
    assert not decide(signals(0.9, 1.0), "hybrid", SETTINGS).abstain
    assert not decide(clear_answer, "hybrid", RetrieveSettings(abstain_missing_year=False)).abstain, (
        "the rule can be turned off (ablation)"
    )


def test_with_a_learned_model_abstention_is_its_probability_against_its_threshold():
    model = LogisticModel(
        features=ABSTENTION_FEATURES,
        mean=[0.0] * 6,
        scale=[1.0] * 6,
        bias=-2.0,
        threshold=0.5,
        weights=[0.0, 0.0, 0.0, 0.0, 4.0, 0.0],
    )  # only the specific words count here
    answered = Signals(best_dense=0.5, top_coverage=0.5, background=BACKGROUND, specific_coverage=1.0)
    near_miss = Signals(best_dense=0.5, top_coverage=0.5, background=BACKGROUND, specific_coverage=0.0)
    assert not decide(answered, "hybrid", SETTINGS, model).abstain
    decision = decide(near_miss, "hybrid", SETTINGS, model)
    assert decision.abstain and "specific_coverage 0.00" in decision.reason
    assert decide(near_miss, "lexical", SETTINGS, model).reason.startswith("rare-word coverage"), (
        "lexical mode keeps its word rule"
    )
    assert decide(signals(0.20 + 2.7 * 0.05, 0.0), "dense", SETTINGS, model).abstain is False, (
        "dense mode keeps the background rule"
    )


def test_the_abstention_threshold_refuses_at_most_the_allowed_share_of_answerable_questions_held_out():
    rng = np.random.default_rng(3)
    rows = [
        QuestionSignals(question=str(i), kind="answerable", features=np.r_[rng.normal(3, 1), rng.normal(size=5)])
        for i in range(120)
    ]
    rows += [
        QuestionSignals(question=f"u{i}", kind="near miss", features=np.r_[rng.normal(0, 1), rng.normal(size=5)])
        for i in range(40)
    ]
    model = fit_abstention(rows, max_refused=0.05)
    assert model.cross_validation["answerable_refused"] <= 0.05 and model.cross_validation["near_miss_abstained"] > 0.5
    # Claims of another domain that look less answerable pull the threshold down to refuse few of them too.
    other = [
        QuestionSignals(
            question=f"c{i}",
            kind="answerable",
            features=np.r_[rng.normal(1, 1), rng.normal(size=5)],
            source="other domain",
        )
        for i in range(100)
    ]
    wider = fit_abstention(rows + other, max_refused=0.05, max_refused_other=0.05)
    assert wider.cross_validation["other_domain_refused"] <= 0.05 and wider.threshold < model.threshold
    assert 0.0 < model.threshold < 1.0 and tuple(model.features) == ABSTENTION_FEATURES


def test_the_shipped_abstention_model_has_a_threshold_and_its_cross_validation():
    model = load_model("abstention")
    assert model is not None and model.threshold is not None and tuple(model.features) == ABSTENTION_FEATURES
    assert model.cross_validation["answerable_refused"] <= 0.03
