"""`clean FILE`: what cleaning removes and why, with the same rules (site chrome included) as a
build, and the documents the file becomes."""

import shutil

from assistant.config import Settings
from assistant.explain import clean_report

from .conftest import BUNDLED_CORPUS, write

CHROME = "Get involved"
MENU = "Our work\nGet involved\nDonate today"


def corpus_with_shared_chrome(tmp_path):
    corpus = tmp_path / "corpus"
    for number in range(4):
        write(
            corpus / f"page{number}.txt",
            f"Guidance page {number}\n\n{MENU}\n\nLabour inspectors should ask to see identity documents in case "
            f"{number}, because employers who hold passports keep workers from leaving.\n",
        )
    return corpus


def test_lines_repeated_across_the_corpus_are_shown_as_removed_with_their_rule(tmp_path):
    corpus = corpus_with_shared_chrome(tmp_path)
    report = clean_report(corpus / "page1.txt", corpus, Settings())
    assert report.startswith("page1.txt: read as txt")
    removed = [line for line in report.splitlines() if CHROME in line]
    assert removed and "repeated across many files of the corpus" in removed[0]
    assert "Documents (1):" in report


def test_kept_text_is_printed_on_request(tmp_path):
    corpus = corpus_with_shared_chrome(tmp_path)
    report = clean_report(corpus / "page2.txt", corpus, Settings(), show_text=True)
    assert "| Labour inspectors should ask to see identity documents in case 2" in report
    assert f"| {CHROME}" not in report


def test_a_listing_page_of_the_bundled_corpus_becomes_one_document_per_resource(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    report = clean_report(corpus / "004_0e36c2b1859f3387.txt", corpus, Settings())
    assert "Documents (10):" in report and "[004_0e36c2b1859f3387.txt#6] Seeing the Unseen" in report


def test_an_unreadable_file_says_why(tmp_path):
    corpus = tmp_path / "corpus"
    path = write(corpus / "empty.txt", "")
    assert clean_report(path, corpus, Settings()) == "empty.txt: empty: empty file"
