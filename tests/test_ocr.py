"""OCR of scanned PDFs and images (ingest/ocr.py, readers/image.py): with Tesseract installed, a
PDF without a text layer is read from its page images, keeps its pages and is cited as OCR text,
and an image is read the same way; without it, the file is skipped with a reason that names the
install command."""

import os

import pytest

from assistant.ingest import ocr
from assistant.present import OCR_NOTE, citation_line

from .conftest import write
from .fixtures_build import make_scanned_pdf
from .test_build import build, make_pipeline
from .test_ingest import ingest

# Skipped for a user without Tesseract; CI installs it and sets GUIDANCE_REQUIRE_OCR, so there a
# missing engine fails these tests instead of skipping them.
needs_tesseract = pytest.mark.skipif(
    ocr.tesseract() is None and not os.environ.get("GUIDANCE_REQUIRE_OCR"),
    reason=f"Tesseract is not installed ({ocr.INSTALL_COMMAND})",
)

SCAN = [
    [
        ("Referral Guidance", 64),
        ("A first responder must refer a potential victim", 36),
        ("of modern slavery within five working days of", 36),
        ("the first meeting, with the person's consent.", 36),
    ],
    [
        ("Support after referral", 64),
        ("Safe accommodation is offered for at least", 36),
        ("forty five days while the decision is made.", 36),
    ],
]


@needs_tesseract
def test_a_scanned_pdf_is_read_by_ocr_with_its_pages_and_sections(tmp_path):
    result = ingest(write(tmp_path / "scan.pdf", make_scanned_pdf(SCAN)))
    assert result.report.status == "indexed"
    assert any("OCR" in warning for warning in result.report.warnings), "recognised text is never silent"
    document = result.documents[0]
    assert document.ocr
    assert document.title == "scan", (
        "a scan is named by its properties or file name: a misread title would be in every citation"
    )
    assert "refer a potential victim of modern slavery within five working days of the first meeting" in document.text
    by_page = {block.page: document.text[block.start : block.end] for block in document.blocks}
    assert "forty five days" in by_page[2] and "forty five days" not in by_page[1]
    assert any(block.section == ("Support after referral",) for block in document.blocks if block.page == 2)


@needs_tesseract
def test_a_citation_of_recognised_text_says_it_came_from_ocr(settings, tmp_path, fake):
    corpus = tmp_path / "corpus"
    write(corpus / "scan.pdf", make_scanned_pdf(SCAN))
    build(settings, corpus, fake)
    pipeline = make_pipeline(settings, corpus)
    chunk = pipeline.open().store.chunks_of_document("scan.pdf")[0]
    assert pipeline.citation(chunk.id).ocr
    assert citation_line(pipeline.citation(chunk.id)).endswith("text by OCR"), "the result card says so too"
    for style in ("text", "markdown", "bibtex", "csl-json"):
        cited = pipeline.cite(chunk.id, style)
        assert OCR_NOTE.rstrip(".") in cited and ".;" not in cited, style
    pipeline.close()


@needs_tesseract
def test_a_scan_of_blank_pages_is_empty_with_the_reason(tmp_path):
    result = ingest(write(tmp_path / "blank.pdf", make_scanned_pdf([[], []])))
    assert result.report.status == "empty"
    assert result.report.reason == "no text layer, and OCR found no text on the page images"


def test_without_tesseract_a_scan_is_skipped_naming_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    ocr.tesseract.cache_clear()
    try:
        result = ingest(write(tmp_path / "scan.pdf", make_scanned_pdf(SCAN)))
    finally:
        monkeypatch.undo()
        ocr.tesseract.cache_clear()
    assert result.report.status == "empty" and result.documents == []
    assert ocr.INSTALL_COMMAND in result.report.reason and result.report.reason.startswith("no text layer")


def test_recognised_paragraphs_join_their_lines_and_leave_out_noise():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        (1, 1, 1, 1, "Victims", 40, 95),
        (1, 1, 1, 2, "are", 40, 96),
        (1, 1, 1, 3, "identi-", 40, 91),
        (1, 1, 2, 1, "fied", 40, 93),
        (1, 1, 2, 2, "early.", 40, 90),
        (1, 2, 1, 1, "e", 40, 80),
        (1, 2, 1, 2, "Record", 40, 92),
        (1, 2, 1, 3, "consent.", 40, 92),
        (2, 1, 1, 1, "~~", 30, 12),
        (2, 1, 1, 2, "|i", 30, 20),  # a smudge on a picture
    ]
    lines = [header] + [
        f"5\t1\t{b}\t{p}\t{ln}\t{w}\t100\t{300 + 50 * ln}\t80\t{h}\t{c}\t{t}" for b, p, ln, w, t, h, c in rows
    ]
    paragraphs = ocr.parse_tsv("\n".join(lines), 842, 300)
    assert [p.text for p in paragraphs] == ["Victims are identified early.", "• Record consent."]
    assert paragraphs[0].size == round(40 * 72 / 300)


def _poster_png() -> bytes:
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 700), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(
        ["Report modern slavery", "Call the Modern Slavery Helpline", "on 08000 121 700 at any time."]
    ):
        draw.text((80, 80 + 120 * number), line, font=ImageFont.load_default(size=64), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(150, 150))
    return out.getvalue()


@needs_tesseract
def test_an_image_of_text_is_read_by_ocr_without_pages(tmp_path):
    result = ingest(write(tmp_path / "helpline poster.png", _poster_png()))
    assert result.report.status == "indexed" and result.report.format == "image"
    document = result.documents[0]
    assert document.ocr and document.title == "helpline poster"
    assert "Call the Modern Slavery Helpline on 08000 121 700 at any time." in " ".join(document.text.split())
    assert all(block.page is None for block in document.blocks), "an image has no pages to cite"


def test_without_tesseract_an_image_is_skipped_naming_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    ocr.tesseract.cache_clear()
    try:
        result = ingest(write(tmp_path / "poster.png", _poster_png()))
    finally:
        monkeypatch.undo()
        ocr.tesseract.cache_clear()
    assert result.report.status == "skipped" and ocr.INSTALL_COMMAND in result.report.reason


@needs_tesseract
def test_a_page_declared_metres_wide_is_rendered_within_a_pixel_limit(tmp_path):
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=14400, height=14400)  # 5 m square: 3.6 billion pixels at 300 dpi
    out = io.BytesIO()
    writer.write(out)
    result = ingest(write(tmp_path / "huge.pdf", out.getvalue()))
    assert result.report.status == "empty" and "OCR found no text" in result.report.reason


@needs_tesseract
def test_ocr_stops_at_its_page_limit_and_names_the_pages_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "MAX_PAGES", 1)
    result = ingest(write(tmp_path / "scan.pdf", make_scanned_pdf(SCAN)))
    assert result.report.status == "indexed"
    assert "OCR stopped at its limit of 1 pages a file: pages 2-2 of 2 are not indexed" in result.report.warnings
    assert "forty five days" not in result.documents[0].text and "five working days" in result.documents[0].text
