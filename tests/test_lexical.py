"""Lexical search: BM25 over folded, stemmed words and word pairs, updatable without re-reading
every chunk."""

import json

import numpy as np

from assistant.index.lexical import LexicalIndex, bigrams, terms_of, weighted_counts

PASSAGES = {
    1: ("Following a positive Reasonable Grounds decision, a victim receives a recovery period.", "Support"),
    2: ("The grounds of the decision are reasonable, a victim may appeal.", "Appeals"),
    3: ("Labour inspectors check wage slips and passports on farms.", "Inspections"),
    4: ("Victims’ accounts may be fragmented because of trauma.", "Trauma"),
}


BM25 = {"k1": 1.2, "b": 0.4}


def rows(ids=None):
    for chunk_id in ids or sorted(PASSAGES):
        counts, length = weighted_counts(*PASSAGES[chunk_id], context_weight=0.4)
        yield chunk_id, json.dumps(counts), length


def test_words_are_folded_and_stemmed_and_stop_words_dropped():
    assert terms_of("The VICTIMS’ “Rights” were identified") == ["victim", "right", "identify"]
    assert terms_of("victims' rights") == terms_of("Victims’ RIGHTS")
    assert bigrams(["reasonable", "ground"]) == ["reasonable ground"]


def test_bm25_prefers_the_passage_that_has_the_words():
    index = LexicalIndex.build(rows(), **BM25)
    assert index.search(terms_of("labour inspectors passports"), 3)[0][0] == 3
    assert index.search(terms_of("victims' accounts trauma"), 3)[0][0] == 4


def test_word_pairs_reward_words_said_together():
    index = LexicalIndex.build(rows(), **BM25)
    question = terms_of("reasonable grounds decision")
    without = index.search(question, 2)
    with_pairs = index.search(question + bigrams(question), 2)
    assert with_pairs[0][0] == 1
    assert with_pairs[0][1] > without[0][1] if without[0][0] == 1 else True


def test_filters_restrict_to_allowed_chunks():
    index = LexicalIndex.build(rows(), **BM25)
    assert [c for c, _ in index.search(terms_of("victim"), 5, allowed_ids=np.array([2]))] == [2]


def test_an_update_equals_a_full_build():
    previous = LexicalIndex.build(rows([1, 2, 3]), **BM25)
    PASSAGES[5] = ("A new note on passports withheld by employers.", "Inspections")
    try:
        updated = LexicalIndex.build(rows([4, 5]), previous=previous, keep={1, 3}, **BM25)
        full = LexicalIndex.build(rows([1, 3, 4, 5]), **BM25)
        assert sorted(updated.chunk_ids.tolist()) == [1, 3, 4, 5]
        for question in ("passports employers", "victim recovery period", "trauma accounts", "labour"):
            terms = terms_of(question)
            assert [(c, round(s, 5)) for c, s in updated.search(terms, 5)] == [
                (c, round(s, 5)) for c, s in full.search(terms, 5)
            ]
    finally:
        del PASSAGES[5]


def test_save_and_load_round_trip_keeps_the_bm25_parameters(tmp_path):
    index = LexicalIndex.build(rows(), k1=0.9, b=0.3)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert (loaded.k1, loaded.b) == (0.9, 0.3)
    assert loaded.search(terms_of("recovery period"), 3) == index.search(terms_of("recovery period"), 3)
    assert loaded.document_frequency("victim") == index.document_frequency("victim") == 3
