"""The catalogue: TOML or a spreadsheet's CSV, read as data; and a starter catalogue written
from what each file of a folder states about itself, for a person to check."""

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.errors import CatalogueError
from assistant.ingest.catalogue import catalogue_path, load_catalogue

from .conftest import write
from .fixtures_build import make_pdf


def test_a_csv_catalogue_maps_known_columns_and_ignores_the_rest(tmp_path):
    csv = write(
        tmp_path / "catalogue.csv",
        "\ufeffid,section,Title,Filename,Link,Publisher,Year\n"
        "1,Library,Statutory Guidance,guidance.pdf,https://www.gov.uk/x,Home Office,2020\n"
        "2,Library,No file here,,,,\n"
        "3,Library,Structure,Governance Structure  Members.pdf,,,\n",
    )
    catalogue = load_catalogue(csv)
    entry = catalogue.get("guidance.pdf")
    assert (entry.title, entry.organisation, entry.year, entry.url) == (
        "Statutory Guidance",
        "Home Office",
        2020,
        "https://www.gov.uk/x",
    )
    assert len(catalogue.entries) == 2, "a row without a file name describes nothing"
    assert catalogue.get("Governance Structure  Members.pdf") is not None, "a file name keeps its own spacing"


def test_a_csv_without_a_file_column_or_with_a_bad_year_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogueError, match="path, file or filename column"):
        load_catalogue(write(tmp_path / "a.csv", "title,year\nX,2020\n"))
    # A first-use audit read "row 3" for the spreadsheet's row 4, in the validation library's words.
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(write(tmp_path / "b.csv", "file,year\nx.pdf,2020\n\ny.pdf,someday\n"))
    assert str(raised.value).endswith(
        "line 4 ('y.pdf'): year: 'someday' is not a year from 1000 to 2100: write it as four digits, such as 2021"
    )
    # Later audits met "Input should be less than or equal to 2100", then "'3024' is not a year:
    # write it as four digits" (it is four digits), of an entry named only by its number.
    for typo in ("20021", "21", "3024"):
        with pytest.raises(CatalogueError) as raised:
            load_catalogue(write(tmp_path / f"y{typo}.csv", f"file,year\nx.pdf,{typo}\n"))
        assert str(raised.value).endswith(
            f"line 2 ('x.pdf'): year: {typo!r} is not a year from 1000 to 2100: write it as four digits, such as 2021"
        )
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(
            write(tmp_path / "catalogue.toml", '[[file]]\npath = "a.pdf"\n\n[[file]]\npath = "b.pdf"\nyear = 3024\n')
        )
    assert "[[file]] entry 2 ('b.pdf'): year: '3024' is not a year from 1000 to 2100" in str(raised.value)
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(write(tmp_path / "c.csv", "file,url\nx.pdf,ftp://example.org/x\n"))
    assert "line 2 ('x.pdf'): url: " in str(raised.value) and "Value error" not in str(raised.value)


def test_every_entry_to_fix_is_named_in_one_error(tmp_path):
    # Found in a first-use audit: a catalogue with two bad years named the first; fixed and built
    # again, the build stopped at the second.
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(write(tmp_path / "d.csv", "file,year\na.pdf,2019/20\nb.pdf,2020\nc.pdf,c. 2018\n"))
    message = str(raised.value)
    assert "2 entries to fix: line 2 ('a.pdf'): year: '2019/20' is not a year" in message
    assert "| line 4 ('c.pdf'): year: 'c. 2018' is not a year" in message and "\n" not in message


def test_a_catalogue_that_leaves_out_a_file_of_the_corpus_says_which(tmp_path):
    # Found in a first-use audit: a file missing from the catalogue was named "risk incicators"
    # among catalogued titles, and nothing said why.
    catalogue = load_catalogue(write(tmp_path / "catalogue.csv", "file,title\na.pdf,Referral guide\n"))
    assert catalogue.not_listed({"a.pdf"}) == []
    (warning,) = catalogue.not_listed({"a.pdf", "risk_incicators.doc"})
    assert warning.startswith("1 file is not in the catalogue: 'risk_incicators.doc'; titles")
    many = catalogue.not_listed({"a.pdf", *(f"n{i}.pdf" for i in range(7))})
    assert many[0].startswith("7 files are not in the catalogue: 'n0.pdf', ") and "and 2 more" in many[0]
    assert load_catalogue(tmp_path / "none.toml").not_listed({"a.pdf"}) == [], "no catalogue, nothing left out"


def test_a_toml_catalogue_of_other_tables_than_file_entries_says_they_are_not_read(tmp_path):
    # Found in a first-use audit: `["a.md"]` tables, each with a title and a year "2019/20", were
    # ignored without a word.
    catalogue = load_catalogue(write(tmp_path / "catalogue.toml", '["a.md"]\ntitle = "A"\nyear = "2019/20"\n'))
    assert catalogue.entries == {}
    (warning,) = catalogue.warnings
    assert warning.startswith("catalogue: 'a.md' is not read: only [[file]] entries are")
    assert catalogue.not_listed({"a.md"}) == [], "no entry read: nothing is said to be left out"


def test_a_csv_catalogue_saved_with_semicolons_or_tabs_is_read(tmp_path):
    for name, separator in (("semicolons.csv", ";"), ("tabs.csv", "\t")):
        text = (
            separator.join(["file", "title", "year"]) + "\n" + separator.join(["x.pdf", "Guide, 2nd edition", "2021"])
        )
        entry = load_catalogue(write(tmp_path / name, text + "\n")).get("x.pdf")
        assert entry is not None and (entry.title, entry.year) == ("Guide, 2nd edition", 2021), name


def test_catalogue_csv_is_used_when_there_is_no_catalogue_toml(tmp_path):
    write(tmp_path / "catalogue.csv", "file,title\nx.pdf,X\n")
    assert catalogue_path(tmp_path, "catalogue.toml").name == "catalogue.csv"
    write(tmp_path / "catalogue.toml", "")
    assert catalogue_path(tmp_path, "catalogue.toml").name == "catalogue.toml"


def test_a_second_catalogue_beside_the_one_read_is_skipped_with_a_reason_not_indexed(tmp_path):
    # Found in a first-use audit: a catalogue.csv beside catalogue.toml was indexed as a
    # document ("looks like tabular data") and its rows answered questions; nothing said it
    # was not read as the catalogue.
    from assistant.ingest import discover_files

    write(tmp_path / "guide.md", "# Guide\n\nText.\n")
    write(tmp_path / "catalogue.toml", '[[file]]\npath = "guide.md"\ntitle = "Guide"\n')
    write(tmp_path / "catalogue.csv", "file,title\nghost.pdf,Ghost\n")
    files, skipped = discover_files(tmp_path, "catalogue.toml", 1 << 20)
    assert [f.relative for f in files] == ["guide.md"]
    assert [(r.path, r.reason) for r in skipped] == [
        (
            "catalogue.csv",
            "a second catalogue: catalogue.toml is the one read; merge this one into it, or remove one of them",
        )
    ]
    (tmp_path / "catalogue.toml").unlink()
    files, skipped = discover_files(tmp_path, catalogue_path(tmp_path, "catalogue.toml").name, 1 << 20)
    assert [f.relative for f in files] == ["guide.md"] and skipped == [], "alone, the CSV is the catalogue"


def test_catalogue_init_writes_what_each_file_states_and_never_overwrites(tmp_path):
    folder = tmp_path / "docs"
    write(
        folder / "guide.md",
        "# Referral Guide\n\nFirst responders must explain the NRM before asking for consent.\n\n© Anti-Slavery "
        "Network 2021\n",
    )
    write(folder / "scan.pdf", make_pdf([[]]))
    runner = CliRunner()
    result = runner.invoke(main, ["catalogue", "init", str(folder)])
    assert result.exit_code == 0, result.output
    catalogue = load_catalogue(folder / "catalogue.toml")
    guide = catalogue.get("guide.md")
    assert guide.title == "Referral Guide" and guide.organisation == "Anti-Slavery Network"
    text = (folder / "catalogue.toml").read_text()
    assert "[[file]]" in text and 'path = "scan.pdf"' in text and "check" in text
    again = runner.invoke(main, ["catalogue", "init", str(folder)])
    assert again.exit_code == 1 and "exists" in again.output and "--force" in again.output


def test_catalogue_init_keeps_a_spreadsheet_catalogue_unless_forced(tmp_path):
    # Found in a first-use audit: a catalogue.toml written beside a catalogue.csv silently
    # replaced the spreadsheet's titles.
    folder = tmp_path / "docs"
    write(folder / "guide.md", "# Referral Guide\n\nFirst responders must explain the NRM.\n")
    write(folder / "catalogue.csv", "file,title\nguide.md,Wales Survivor Care Pathway\n")
    runner = CliRunner()
    kept = runner.invoke(main, ["catalogue", "init", str(folder)])
    assert kept.exit_code == 1 and "catalogue.csv exists" in kept.output and not (folder / "catalogue.toml").exists()
    forced = runner.invoke(main, ["catalogue", "init", "--force", str(folder)])
    assert forced.exit_code == 0 and (folder / "catalogue.toml").is_file()


def test_a_title_as_long_as_a_description_is_kept_with_a_warning_naming_its_entry(tmp_path):
    description = "An evaluation of the awareness project delivered with a college " * 20
    path = write(
        tmp_path / "catalogue.toml",
        f'[[file]]\npath = "a.pdf"\ntitle = "Short"\n\n[[file]]\npath = "b.pdf"\ntitle = "{description}"\n',
    )
    catalogue = load_catalogue(path)
    assert catalogue.get("b.pdf").title == description.strip(), "kept: it is what the catalogue says"
    assert len(catalogue.warnings) == 1 and "[[file]] entry 2 ('b.pdf')" in catalogue.warnings[0]
    assert f"{len(description.strip()):,} characters" in catalogue.warnings[0]
