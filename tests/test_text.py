"""Text primitives: normalisation keeps what the author wrote, control sequences never survive,
sentences split where a reader would split them."""

from assistant.text import fold_for_matching, normalize_text, sentence_spans, strip_control, word_tokens


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_normalize_resolves_ligatures_and_soft_hyphens_but_keeps_curly_quotes():
    raw = "the identiﬁcation of “victims”\u00ad and the ofﬁce’s role\r\n"
    assert normalize_text(raw) == "the identification of “victims” and the office’s role\n"


def test_normalize_composes_unicode():
    assert normalize_text("cafe\u0301") == "café"


def test_strip_control_removes_escape_sequences_and_controls():
    hostile = "safe \x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07 text\x07\x00 end"
    cleaned = strip_control(hostile)
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x00" not in cleaned
    assert cleaned.startswith("safe red") and cleaned.endswith("text end")


def test_a_files_path_shows_its_control_characters_as_escapes_never_as_another_files_name():
    # Found in a first-use audit: "\x1b[31mred\x1b[0m.txt" and a real "red.txt" were both cited
    # as "File: red.txt", and "line\nbreak.txt" as "line break.txt".
    from assistant.text import safe_path

    assert safe_path("\x1b[31mred\x1b[0m.txt") == "\\x1b[31mred\\x1b[0m.txt" != safe_path("red.txt")
    assert safe_path("line\nbreak.txt") == "line\\x0abreak.txt"
    assert safe_path("a\u202eb.pdf") == "a\\u202eb.pdf", "a right-to-left override shown, not obeyed"
    assert safe_path("Home Office  Criminal Exploitation.pdf") == "Home Office  Criminal Exploitation.pdf"
    assert safe_path("café guide ✓ (v2).md") == "café guide ✓ (v2).md"
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in safe_path("".join(map(chr, range(0xA0)))))


def test_sentences_split_on_terminal_punctuation():
    assert sentences("Victims must be identified. Then they can be assisted! Why not?") == [
        "Victims must be identified.",
        "Then they can be assisted!",
        "Why not?",
    ]


def test_sentences_respect_abbreviations_and_initials():
    text = "See e.g. the U.N. report by J. Smith et al. on this. It was published in 2018."
    assert sentences(text) == ["See e.g. the U.N. report by J. Smith et al. on this.", "It was published in 2018."]


def test_sentences_do_not_split_decimals_or_lowercase_continuations():
    text = "TIP for sexual exploitation constituted 38.7% of documented instances. another clause follows."
    assert len(sentences(text)) == 1


def test_line_breaks_always_end_a_sentence():
    assert sentences("Heading without stop\nA sentence.") == ["Heading without stop", "A sentence."]


def test_word_tokens_ignore_case_punctuation_and_quote_style():
    assert word_tokens("Victims’ “Rights”") == word_tokens('victims\' "rights"') == ["victims", "rights"]
    assert fold_for_matching("ÉCPAT") == "écpat"


def test_symbol_font_bullets_become_visible_bullets():
    assert normalize_text("\uf0b7 Withheld passports\n\uf0a7 Debt bondage") == "• Withheld passports\n• Debt bondage"


def test_justified_spacing_between_words_becomes_one_space_but_indentation_stays():
    assert normalize_text("exerts control   by   giving") == "exerts control by giving"
    assert normalize_text("    indented line") == "    indented line"
