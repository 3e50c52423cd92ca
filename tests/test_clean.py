"""Boilerplate removal by general rules: site chrome goes, real sentences stay (short ones too),
and every removal names its rule."""

from assistant.ingest import repeated_line_set
from assistant.ingest.base import lines_from_text
from assistant.ingest.clean import candidate_line_hashes, clean_lines


def cleaned(text: str, repeated=frozenset(), web_like=True):
    lines = lines_from_text(text)
    removals = clean_lines(lines, set(repeated), web_like=web_like)
    kept = [line.text for line in lines if line.kept]
    return kept, removals


REAL_SENTENCES = [
    "Victims must first be identified.",
    "Ask open questions.",
    "Do not judge.",
    "Who is vulnerable?",
    "Read the guidance before the interview, then learn more about local services.",
    "Download speeds matter less than trust.",
    "Cookies were shared with the children as a reward, a grooming tactic.",
    "Home visits should be unannounced.",
    "Share information only with consent.",
]


def test_real_sentences_survive_including_short_ones():
    kept, removals = cleaned("\n".join(REAL_SENTENCES))
    assert kept == REAL_SENTENCES, removals


def test_cms_identifier_dumps_are_removed_with_their_rule():
    kept, removals = cleaned(
        "A real first paragraph about forced "
        "labour.\n\npost\npage\nrevision\nwp_block\nacf-field-group\nnav_menu_item\n\nA real last paragraph."
    )
    assert kept == ["A real first paragraph about forced labour.", "A real last paragraph."]
    assert {r.reason for r in removals} == {"CMS/code identifier list"} and len(removals) == 6


def test_two_identifier_like_words_alone_are_not_a_dump():
    kept, _ = cleaned("Introduction\n\nglossary\n\noverview\n\nText that follows here.")
    assert "glossary" in kept and "overview" in kept


def test_calls_to_action_are_removed_whole_or_as_suffixes():
    kept, removals = cleaned(
        "Access this resource\nREAD MORE\nDownload\nClick here\n"
        "A summary of the toolkit for small firms that was cut off mid-wo...Read More\n"
        "Handbook on referral - Example Agency, 2019 DOWNLOAD\n"
    )
    assert kept == [
        "A summary of the toolkit for small firms that was cut off mid-wo...",
        "Handbook on referral - Example Agency, 2019",
    ]
    assert all(r.reason.startswith("call to action") for r in removals)


def test_separator_lines_and_trailing_table_pipes():
    kept, removals = cleaned("|\n---\n• • •\nWOMEN AND GIRLS |\nText after the table.")
    assert kept == ["WOMEN AND GIRLS", "Text after the table."]
    assert {r.reason for r in removals} == {"separator-only line", "table-cell separators at line end"}


def test_cookie_banners_navigation_and_share_links():
    kept, removals = cleaned(
        "We use cookies to give you the best browsing experience. By continuing you accept our cookie policy.\n"
        "Accept all cookies\nSkip to main content\nShare on LinkedIn\nBack to top\n"
        "Survivors need safe accommodation."
    )
    assert kept == ["Survivors need safe accommodation."]
    assert {r.reason for r in removals} == {"cookie or consent banner", "navigation or share link"}


def test_navigation_words_are_kept_in_a_pdf():
    kept, _ = cleaned("Contact us\nThe helpline is open every day.", web_like=False)
    assert kept == ["Contact us", "The helpline is open every day."]


def test_screenshot_and_image_names():
    kept, removals = cleaned(
        "Screen Shot 2015-03-05 at 6.19.47 PM\nIMG_2041.JPG\nScreenshot 2021-02-01 at 10.00.00This report summarises "
        "the findings."
    )
    assert kept == ["This report summarises the findings."]
    assert {r.reason for r in removals} == {
        "screenshot file name",
        "image file name",
        "screenshot file name glued to text",
    }


def test_empty_labels_and_stray_fragments():
    kept, removals = cleaned("TAGS:\npp\nA paragraph that stays.")
    assert kept == ["A paragraph that stays."]
    assert {r.reason for r in removals} == {"empty metadata label", "stray fragment"}


def test_lines_repeated_across_many_files_are_chrome_only_in_runs():
    pages = [
        f"Main menu\nOur work\nPublications\nDonate now\n\nSector report {n}\nGuidance\n\nArticle {n} says something "
        f"specific about labour exploitation in sector {n}.\n\nJoin our newsletter\nFollow us\n"
        for n in range(5)
    ]
    repeated = repeated_line_set([candidate_line_hashes(lines_from_text(p)) for p in pages], min_files=3, min_share=0.3)
    kept, removals = cleaned(pages[0], repeated)
    assert kept == [
        "Sector report 0",
        "Guidance",
        "Article 0 says something specific about labour exploitation in sector 0.",
    ]
    assert all(
        r.reason == "repeated across many files of the corpus (site chrome)" or r.reason == "navigation or share link"
        for r in removals
    )


def test_repetition_needs_enough_files():
    hashes = [
        candidate_line_hashes(lines_from_text("Menu\nAbout\nText one here.")),
        candidate_line_hashes(lines_from_text("Menu\nAbout\nText two.")),
    ]
    assert repeated_line_set(hashes, min_files=3, min_share=0.3) == set()
