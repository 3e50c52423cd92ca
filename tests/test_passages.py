"""Passages from ranked chunks: overlapping chunks merge, caps apply, highlights are extractive."""

from assistant.models import Chunk, DocumentInfo
from assistant.retrieve.passages import assemble_passages, coverage, highlights, near_identical
from assistant.retrieve.stages import Candidate

TEXT = "First sentence about passports. Second sentence about debts. Third sentence about fear. Fourth one."
DOCS = {name: DocumentInfo(id=name, path=name, title=name.upper()) for name in ("a", "b")}


def chunk(chunk_id, document, start, end):
    return Chunk(
        id=chunk_id,
        document_id=document,
        ordinal=chunk_id,
        text=TEXT[start:end],
        char_start=start,
        char_end=end,
        token_count=(end - start) // 5,
    )


def rows(*chunks):
    return {c.id: (c, DOCS[c.document_id], "2026-11-01T00:00:00+00:00") for c in chunks}


def slice_text(document_id, start, end):
    return TEXT[start:end]


def test_overlapping_chunks_of_one_document_merge_into_one_passage():
    table = rows(chunk(1, "a", 0, 60), chunk(2, "a", 32, 88), chunk(3, "b", 0, 30))
    passages = assemble_passages(
        [Candidate(1), Candidate(2), Candidate(3)], table, k=5, per_document_cap=None, slice_text=slice_text
    )
    assert [p.chunk_ids for p in passages] == [[1, 2], [3]]
    assert passages[0].chunk.text == TEXT[0:88] and passages[0].chunk.char_end == 88


def test_at_most_k_passages_and_at_most_the_cap_per_document():
    table = rows(chunk(1, "a", 0, 30), chunk(2, "a", 61, 88), chunk(3, "b", 0, 30))
    capped = assemble_passages(
        [Candidate(1), Candidate(2), Candidate(3)], table, k=5, per_document_cap=1, slice_text=slice_text
    )
    assert [p.document.id for p in capped] == ["a", "b"]
    assert (
        len(
            assemble_passages(
                [Candidate(1), Candidate(2), Candidate(3)], table, k=2, per_document_cap=None, slice_text=slice_text
            )
        )
        == 2
    )


def test_highlights_are_the_sentences_holding_the_questions_words():
    spans = highlights(TEXT, ["debt"], idf=lambda t: 1.0)
    assert [TEXT[s:e] for s, e in spans] == ["Second sentence about debts."]
    assert highlights(TEXT, [], idf=lambda t: 1.0) == [(0, len("First sentence about passports."))]


def test_coverage_is_the_idf_weighted_share_of_question_words_present():
    idf = {"passport": 3.0, "visa": 1.0}.get
    assert coverage(TEXT, ["passport", "visa"], idf) == 0.75
    assert coverage(TEXT, [], idf) == 0.0


RECOMMENDATION = "Local authorities should appoint a single point of contact for modern slavery and train frontline housing staff every year."


def test_a_passage_repeated_elsewhere_is_one_card_that_lists_the_other_location():
    doubled = {
        1: (
            Chunk(
                id=1,
                document_id="a",
                ordinal=0,
                text="Recommendations\n" + RECOMMENDATION,
                char_start=0,
                char_end=140,
                page=3,
                token_count=30,
            ),
            DOCS["a"],
            "t",
        ),
        2: (
            Chunk(
                id=2,
                document_id="a",
                ordinal=9,
                text=RECOMMENDATION + " 15",
                char_start=900,
                char_end=1030,
                page=15,
                token_count=30,
            ),
            DOCS["a"],
            "t",
        ),
        3: (
            Chunk(
                id=3,
                document_id="b",
                ordinal=0,
                text="Survivors need safe housing before they can engage with the police.",
                char_start=0,
                char_end=70,
                token_count=15,
            ),
            DOCS["b"],
            "t",
        ),
    }
    passages = assemble_passages(
        [Candidate(1), Candidate(2), Candidate(3)], doubled, k=2, per_document_cap=None, slice_text=slice_text
    )
    assert [p.chunk.id for p in passages] == [1, 3], "the repeat takes no place of its own among the k cards"
    assert [(other.id, other.page) for other, _, _ in passages[0].also] == [(2, 15)]


def test_near_identical_means_nearly_all_word_triples_shared():
    assert near_identical(RECOMMENDATION, RECOMMENDATION.replace("every year", "every year."))
    assert not near_identical(
        RECOMMENDATION,
        "Local authorities should appoint a single point of contact for forced marriage cases in schools.",
    )
    assert not near_identical("Contact us.", "Contact us."), "too short to call two passages the same"


def test_a_card_takes_the_next_or_previous_sentences_when_its_best_sentence_is_at_its_edge():
    from assistant.retrieve.passages import answer_window

    sentences = [(0, 40), (41, 100), (101, 150), (151, 230), (231, 260), (261, 300)]
    passage = (41, 230)
    assert answer_window(sentences, passage, best=(101, 150), extra=100) == passage, (
        "a best sentence inside: the passage as it is"
    )
    assert answer_window(sentences, passage, best=(151, 230), extra=80) == (41, 300), (
        "the last: the next sentences, within the budget"
    )
    assert answer_window(sentences, passage, best=(151, 230), extra=40) == (41, 260)
    assert answer_window(sentences, passage, best=(41, 100), extra=60) == (0, 230), "the first: the sentences before it"
    assert answer_window(sentences, passage, best=(151, 230), extra=0) == passage
    # Found in a first-use audit: a chunk of a long paragraph began "documents. He claimed...".
    assert answer_window(sentences, (60, 200), best=(101, 150), extra=40) == (41, 230), (
        "a passage cut inside sentences takes them whole"
    )
    assert answer_window(sentences, (60, 200), best=(101, 150), extra=10) == (60, 200), "within the budget only"
    # Found in a first-use audit: a chunk began at "You will have 9 days to be supported to move
    # out", the second sentence of a paragraph opening "If you receive a negative conclusive grounds
    # decision"; read without it, 9 days looked like the general rule.
    paragraphs = [(0, 40), (41, 150), (151, 300)]
    assert answer_window(sentences, (101, 260), (151, 230), 80, paragraphs) == (41, 260), (
        "a passage that begins inside a paragraph takes the paragraph's opening sentences"
    )
    assert answer_window(sentences, (101, 260), (151, 230), 40, paragraphs) == (101, 260), "within the budget only"
    assert answer_window(sentences, (151, 300), (231, 260), 100, paragraphs) == (151, 300), "one at a paragraph start"


def test_a_card_never_leaves_its_best_sentences_section():
    from assistant.models import Block
    from assistant.retrieve.passages import section_around

    blocks = [
        Block(start=0, end=20, section=("A",)),
        Block(start=21, end=80, section=("A",)),
        Block(start=81, end=120, section=("B",)),
        Block(start=121, end=160, section=("B",)),
    ]
    assert section_around(blocks, (30, 40)) == (("A",), (0, 80))
    assert section_around(blocks, (125, 130)) == (("B",), (81, 160))
    assert section_around([], (5, 9)) == (None, (0, 1 << 62)), "flowing text has no section to keep to"


def test_the_best_sentence_weighs_its_cosine_and_the_rare_words_it_holds():
    from assistant.retrieve.passages import best_unit

    units = [(0, 10), (11, 20), (21, 30)]
    assert best_unit(units, [0.6, 0.5, 0.2], [0.0, 0.5, 1.0], weight=0.0) == 0
    assert best_unit(units, [0.6, 0.5, 0.2], [0.0, 0.5, 1.0], weight=0.5) == 1
    assert best_unit([], [], [], weight=0.5) is None


def test_the_best_sentence_is_never_about_another_group_than_the_question_names_while_another_is_not():
    from assistant.index.lexical import terms_of
    from assistant.retrieve.contrasts import contrary
    from assistant.retrieve.passages import best_unit

    child = set(terms_of("Does a child need to consent to be referred into the NRM?"))
    adults = "All adults (18 years and above) must give informed consent before they can be referred."
    children = "Consent is not required for a child referral."
    assert contrary(child, set(terms_of(adults))) and not contrary(child, set(terms_of(children)))
    assert not contrary(child, set(terms_of("Adults and children alike may be referred.")))
    assert not contrary(child, set(terms_of("Referrals are made online."))), "a sentence naming no group is not"
    scotland = set(terms_of("What support is there in Scotland?"))
    assert contrary(scotland, set(terms_of("Support is available across England and Wales.")))
    assert not contrary(scotland, set(terms_of("Support is available across the UK."))), "the UK holds Scotland"
    assert not contrary(set(terms_of("What support is there in the UK?")), set(terms_of("In Scotland, 90 days.")))

    from assistant.retrieve.contrasts import age_stems

    seventeen = "Does a 17 year old victim need to consent?"
    asked = set(terms_of(seventeen)) | age_stems(seventeen)
    assert contrary(asked, set(terms_of(adults)) | age_stems(adults)), "a 17 year old is a child"
    under = "If the PV is under 18 consent is not required."
    assert not contrary(asked, set(terms_of(under)) | age_stems(under))
    assert age_stems("a 19-year-old woman") == age_stems("18 years or older") == {"adult"}
    assert age_stems("In 2018, 17 people were referred.") == set(), "a number is not an age"

    units = [(0, 10), (11, 20)]
    assert best_unit(units, [0.7, 0.5], [0.5, 0.5], weight=0.5, contrary=[True, False]) == 1
    assert best_unit(units, [0.7, 0.5], [0.5, 0.5], weight=0.5, contrary=[True, True]) == 0, "when all are, the best"


def test_the_best_sentence_names_the_uk_nation_the_question_names_when_one_does():
    # Found in a first-use audit: for compensation in Northern Ireland the card highlighted
    # "Victims ... are able to apply", not "Northern Ireland has its own scheme".
    from assistant.retrieve.passages import best_unit

    units = [(0, 10), (11, 20), (21, 30)]
    assert best_unit(units, [0.7, 0.5, 0.6], [0.5, 0.5, 0.5], weight=0.5, own_nation=[False, True, False]) == 1
    assert best_unit(units, [0.7, 0.5, 0.6], [0.5, 0.5, 0.5], weight=0.5, own_nation=[False] * 3) == 0
    assert (
        best_unit(
            units,
            [0.7, 0.5, 0.6],
            [0.5] * 3,
            weight=0.5,
            contrary=[False, True, False],
            own_nation=[False, True, False],
        )
        == 0
    ), "a sentence about another group of people is never the best while another is not"


def test_a_card_never_takes_a_sentence_cut_by_its_budget():
    from assistant.retrieve.passages import window_sentences

    document = (
        "The recovery period is at least 45 days. "
        "A support provider is a body engaged under the Victim Care Contract to give support. "
        "Support ends after a Conclusive Grounds decision."
    )
    section = (0, len(document))
    cut = document.index("Victim") + 1  # the budget ends after "the V"
    spans = window_sentences(document[:cut], 0, section, [])
    assert [document[s:e] for s, e in spans] == ["The recovery period is at least 45 days."], (
        "the sentence the budget cuts is left out, not shown as '... under the V'"
    )
    start = document.index("body")  # and a region that begins inside a sentence
    spans = window_sentences(document[start:], start, section, [])
    assert [document[s:e] for s, e in spans] == ["Support ends after a Conclusive Grounds decision."]
    whole = window_sentences(document, 0, section, [])
    assert len(whole) == 3, "at the section's bounds every sentence is whole"
    heading = (0, document.index(".") + 1)
    assert len(window_sentences(document, 0, section, [heading])) == 2, "a heading is never taken into a card"


def test_a_card_that_ends_on_a_list_item_the_document_goes_on_with_says_so():
    from assistant.retrieve.passages import list_goes_on

    card = "Signs to look out for:\n• Persistently going missing from school\n• Significant decline in school results"
    assert list_goes_on(card, "\n• Gang association or isolation from peers\n• Self-harm")
    assert list_goes_on("1. Ask what happened.\n2. Write it down.", "\n3. Refer the person.")
    assert not list_goes_on(card, "\n\nThese signs may also point to other harm."), "the list ended with the card"
    assert not list_goes_on("A paragraph that ends here.", "\n• a list that begins after it")
    assert not list_goes_on(card, "")
