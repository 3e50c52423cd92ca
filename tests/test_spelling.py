"""Spelling tolerance: a misspelt word becomes the nearest word of the corpus; a real word the
corpus lacks, a name and a short word stay as typed."""

from assistant.retrieve.spelling import Correction, Speller

COUNTS = {
    "trafficking": 900,
    "indicators": 120,
    "indicates": 3,
    "passports": 80,
    "withheld": 40,
    "survivors": 200,
    "wales": 50,
    "debts": 2,
    "debt": 300,
}
KNOWN = frozenset({"canada", "sick", "pay", "what", "are", "the", "of", "in", "signs"})


def test_misspelt_words_become_the_corpus_words_they_are_nearest_to():
    speller = Speller(COUNTS, KNOWN)
    text, corrections = speller.correct("trafiking indicaters")
    assert text == "trafficking indicators"
    assert corrections == [Correction("trafiking", "trafficking"), Correction("indicaters", "indicators")]
    assert speller.correct("What are the signs of trafficing?") == (
        "What are the signs of trafficking?",
        [Correction("trafficing", "trafficking")],
    )


def test_real_words_names_acronyms_and_short_words_are_left_as_typed():
    speller = Speller(COUNTS, KNOWN)
    assert speller.correct("sick pay in canada") == ("sick pay in canada", []), (
        "real words the corpus lacks are not corrected"
    )
    assert speller.correct("referrals in Walse")[0] == "referrals in Walse", "a capitalised word is a name"
    assert speller.correct("NRM SPOC dbt")[0] == "NRM SPOC dbt", "acronyms, and words under four letters"
    assert speller.correct("survivors")[1] == [], "a corpus word is never changed"


def test_a_word_is_corrected_only_within_one_edit_up_to_six_letters_and_two_beyond():
    speller = Speller(COUNTS, KNOWN)
    assert speller.correct("pasports")[0] == "passports"
    assert speller.correct("wthhld")[0] == "wthhld", "three edits from any word"
    assert speller.correct("debst")[0] == "debt", "the fewest edits win (one deletion, not a swap of two letters)"


def test_two_swapped_letters_are_one_edit_and_a_possessive_keeps_its_ending():
    speller = Speller({"police": 50, "college": 9, "months": 8}, KNOWN)
    assert speller.correct("poliec records")[0] == "police records"
    assert speller.correct("the college's course and the colelge's")[0] == "the college's course and the college's"
    assert speller.correct("six monhts")[0] == "six months"


def test_a_word_lexical_search_finds_as_typed_is_never_corrected():
    """A correct word the corpus holds once (not counted) or in another form is the corpus's word."""
    speller = Speller(COUNTS, KNOWN, searchable=lambda word: word == "indicated")
    assert speller.correct("what indicated debt")[1] == [], "one edit from 'indicates', but the corpus has it"
    no_dictionary = Speller(COUNTS, KNOWN, english=lambda word: 0)
    assert no_dictionary.correct("what indicated debt")[1] == [Correction("indicated", "indicates")]
    assert speller.correct("trafiking indicaters")[0] == "trafficking indicators", "misspellings are still corrected"


def test_a_real_word_the_corpus_lacks_is_never_swapped_for_a_corpus_term():
    # Found in a first-use audit: "coerced" was searched as "forced", "retrafficking" as
    # "trafficking", and both were called misspellings.
    speller = Speller({"forced": 40, "trafficking": 900}, KNOWN)
    assert speller.correct("Does a child need to be coerced?") == ("Does a child need to be coerced?", [])
    assert speller.correct("risk of retrafficking")[1] == [], "a prefix joined to a corpus word"
    assert speller.correct("risk of trafiking")[0] == "risk of trafficking", "a misspelling is still corrected"


def test_a_word_the_dictionary_barely_knows_is_a_typo_one_edit_from_a_corpus_word():
    speller = Speller({"course": 30, "groomed": 12}, KNOWN)
    assert speller.correct("the first pilot corse")[0] == "the first pilot course"
    assert speller.correct("online groomers")[0] == "online groomers", "two edits from the corpus word: a real word"
