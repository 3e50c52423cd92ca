"""Chunking: every chunk is an exact slice of its document, fits the model with its context,
sits under one heading path, and is made of whole sentences where sentences fit."""

import re

import pytest

from assistant.chunk import SENTENCE_MIN_WORDS, chunk_document, sentence_units
from assistant.config import ChunkSettings
from assistant.embed import MAX_SEQ_LENGTH
from assistant.ingest import discover_files, ingest_file, load_catalogue
from assistant.models import Block, Document

from .conftest import BUNDLED_CORPUS


@pytest.fixture(scope="module")
def bundled_documents():
    files, _ = discover_files(BUNDLED_CORPUS, "catalogue.toml", 64 << 20)
    catalogue = load_catalogue(BUNDLED_CORPUS / "catalogue.toml")
    return [d for f in files for d in ingest_file(f, catalogue).documents]


def test_every_bundled_chunk_is_an_exact_slice_and_fits_the_model(bundled_documents, pieces):
    settings = ChunkSettings()
    total = 0
    for document in bundled_documents:
        for chunk in chunk_document(document, pieces, settings):
            total += 1
            assert document.text[chunk.char_start : chunk.char_end] == chunk.text
            assert chunk.token_count == pieces.count(chunk.text) <= settings.max_tokens
            assert chunk.embed_token_count == pieces.count(chunk.embed_text) + 2 <= MAX_SEQ_LENGTH
            assert chunk.embed_text.endswith(chunk.text), "the context may be shortened, the chunk never"
    assert total > 50


def test_chunks_carry_the_heading_path_they_sit_under(bundled_documents, pieces):
    article = next(d for d in bundled_documents if d.id == "002_ad2f284f6e8afbdf.txt")
    chunks = chunk_document(article, pieces, ChunkSettings())
    definition = next(c for c in chunks if "“Trafficking in persons” (TIP)" in c.text)
    assert definition.section == ("I. What is Trafficking in Persons?", "a. Definition")
    youth = next(c for c in chunks if c.text.startswith("As traffickers seek persons"))
    assert youth.section[-1] == "YOUTH" and youth.section[0] == "I. What is Trafficking in Persons?"


def _document(paragraphs: list[str], headings: dict[int, str] | None = None) -> Document:
    text, blocks, section = "", [], ()
    for index, paragraph in enumerate(paragraphs):
        if text:
            text += "\n\n"
        start = len(text)
        text += paragraph
        if headings and index in headings:
            section = (headings[index],)
            blocks.append(Block(start=start, end=len(text), kind="heading", section=section))
        else:
            blocks.append(Block(start=start, end=len(text), kind="paragraph", section=section))
    return Document(id="doc", path="doc.txt", title="A test document", text=text, blocks=blocks)


def test_no_chunk_crosses_a_heading(pieces):
    document = _document(
        ["Intro", "First section sentence one. First section sentence two.", "Second", "Second section text here."],
        headings={0: "Intro", 2: "Second"},
    )
    chunks = chunk_document(document, pieces, ChunkSettings(max_tokens=100))
    assert [c.section for c in chunks] == [("Intro",), ("Second",)]
    assert chunks[0].text == "First section sentence one. First section sentence two."


def test_a_heading_that_heads_nothing_is_text_of_the_section_it_sits_in(pieces):
    # Found in a first-use audit: "The Police – 101, or in an emergency 999" and "Crimestoppers –
    # Anonymously report (+44) 0800 555 111", bold lines between two contact headings, were in no
    # passage: a search for "Crimestoppers" within the guide was refused.
    text, blocks = "", []
    for kind, section, line in (
        ("heading", ("Contacts",), "Contacts"),
        ("heading", ("Contacts", "Salvation Army"), "Salvation Army"),
        ("paragraph", ("Contacts", "Salvation Army"), "Telephone 0300 303 8151, a 24 hour referral line."),
        (
            "heading",
            ("Contacts", "The Police – 101, or in an emergency 999"),
            "The Police – 101, or in an emergency 999",
        ),
        ("heading", ("Contacts", "Crimestoppers – 0800 555 111"), "Crimestoppers – 0800 555 111"),
        ("heading", ("Further advice",), "Further advice"),
        ("paragraph", ("Further advice",), "Ask the Modern Slavery Helpline."),
        ("heading", ("Last words",), "Last words"),
    ):
        text += ("\n\n" if text else "") + line
        blocks.append(Block(start=len(text) - len(line), end=len(text), kind=kind, section=section))
    document = Document(id="doc", path="doc.txt", title="Contacts", text=text, blocks=blocks)
    chunks = chunk_document(document, pieces, ChunkSettings(max_tokens=100))
    assert [(c.section, c.text) for c in chunks] == [
        (("Contacts", "Salvation Army"), "Telephone 0300 303 8151, a 24 hour referral line."),
        (("Contacts",), "The Police – 101, or in an emergency 999\n\nCrimestoppers – 0800 555 111"),
        (("Further advice",), "Ask the Modern Slavery Helpline."),
        ((), "Last words"),
    ], "a heading with a sub-heading or text under it stays a heading"
    assert all(text[c.char_start : c.char_end] == c.text for c in chunks)


def test_a_sentence_longer_than_a_chunk_is_cut_at_word_boundaries_and_nothing_is_lost(pieces):
    words = [f"word{n % 50}" for n in range(900)]
    document = _document([" ".join(words) + "."])
    settings = ChunkSettings(max_tokens=120, overlap_tokens=20)
    chunks = chunk_document(document, pieces, settings)
    assert len(chunks) > 3
    covered = set()
    for chunk in chunks:
        assert chunk.token_count <= settings.max_tokens
        assert not chunk.text[0].isspace() and not chunk.text[-1].isspace()
        assert re.fullmatch(r"[\w .]+", chunk.text)
        assert document.text[chunk.char_start - 1 : chunk.char_start].strip() == "" if chunk.char_start else True
        covered.update(range(chunk.char_start, chunk.char_end))
    assert all(i in covered for i, ch in enumerate(document.text) if not ch.isspace())


def test_windows_overlap_by_whole_sentences(pieces):
    sentences = [f"Sentence number {n} talks about victim identification in detail." for n in range(40)]
    document = _document([" ".join(sentences)])
    chunks = chunk_document(document, pieces, ChunkSettings(max_tokens=80, overlap_tokens=30))
    assert len(chunks) > 3
    for previous, current in zip(chunks, chunks[1:]):
        assert current.char_start < previous.char_end, "consecutive windows share their boundary sentences"
        assert current.text.startswith("Sentence number"), "windows start at a sentence"


def test_short_documents_make_one_chunk(pieces):
    chunks = chunk_document(_document(["Just one short paragraph."]), pieces, ChunkSettings())
    assert len(chunks) == 1 and chunks[0].text == "Just one short paragraph."


def test_chunk_size_above_the_model_limit_is_refused(pieces):
    from pydantic import ValidationError

    from assistant.errors import ChunkError

    with pytest.raises(ValidationError, match="less than or equal to 254"):
        ChunkSettings(max_tokens=400)  # refused when the settings are read
    with pytest.raises(ChunkError):  # and by the chunker, whatever built its settings
        chunk_document(
            _document(["text"]), pieces, ChunkSettings.model_construct(max_tokens=400, overlap_tokens=40, min_tokens=24)
        )


def test_the_model_sees_the_title_and_section_before_the_chunk_unless_context_is_none(pieces):
    document = _document(["Labour inspectors should ask to see identity documents."])
    with_context = chunk_document(document, pieces, ChunkSettings(), context="title_section")[0]
    assert with_context.embed_text.startswith(document.title) and with_context.embed_text.endswith(with_context.text)
    without = chunk_document(document, pieces, ChunkSettings(), context="none")[0]
    assert without.embed_text == without.text and without.embed_token_count < with_context.embed_token_count


def test_sentence_units_are_the_sentences_with_short_pieces_joined_to_the_next():
    text = "Yes. The recovery period lasts at least 45 calendar days after a decision.\n2.\nVictims get support. It lasts while needed here."
    units = [text[start:end] for start, end in sentence_units(text)]
    assert units == [
        "Yes. The recovery period lasts at least 45 calendar days after a decision.",
        "2.\nVictims get support. It lasts while needed here.",
    ]
    assert all(len(u.split()) >= SENTENCE_MIN_WORDS for u in units)


def test_a_short_last_piece_joins_the_sentence_before_and_a_short_text_is_one_unit():
    text = "Adults must consent before a referral is made. See annex."
    assert [text[s:e] for s, e in sentence_units(text)] == [text]
    assert sentence_units("Contact us.") == [(0, 11)]
    assert sentence_units("") == []
