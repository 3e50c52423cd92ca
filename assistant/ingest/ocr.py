"""OCR for scanned PDFs with Tesseract, when it is installed: each page is rendered by pdfium
at 300 dpi and read by the `tesseract` program, which runs offline with the language data its
system package installed (nothing is downloaded). Paragraphs come back with their position and
print height on the page, so the PDF reader finds headings, running lines and page numbers in
recognised text the same way as in a text layer. Without Tesseract a scanned PDF is skipped with
a reason that names the install command."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from statistics import median

INSTALL_COMMAND = "apt-get install tesseract-ocr"
"""How to get the engine on Debian or Ubuntu (as root); shown when a scan is skipped."""

LANGUAGE = "eng"
DPI = 300
PAGE_SECONDS = 180
"""The most one page may take; a page that takes longer is left out with a warning. OCR is
bounded by its own limits, not by the file's reading budget: a long scan takes minutes by nature."""
MAX_PAGES = 300
MAX_SECONDS = 1200
"""A file's OCR stops after this many pages or seconds (about 1.5 s a page here: a 300-page
scan takes 8 minutes); the pages read so far are indexed and a warning names those left out,
so a hostile file of 10,000 blank pages cannot hold a build for hours."""
MAX_PIXELS = 36_000_000
"""A page is rendered at 300 dpi up to this many pixels (an A3 page at 300 dpi is 17.4 million);
a larger page (a poster, or a PDF that declares a 5-metre page to exhaust memory) at a lower
resolution."""
MIN_CONFIDENCE = 60
"""A paragraph whose words Tesseract recognised with a lower median confidence (0-100) is noise
from a picture or a stamp, not text."""


@dataclass
class RecognisedParagraph:
    text: str
    """The paragraph's lines joined (a word hyphenated at a line end is rejoined)."""
    y: float
    """Height of its first line's top above the bottom of the page, in points (PDF coordinates)."""
    size: float
    """Median height of its lines' tallest words, in points: a stand-in for the font size."""


@lru_cache(maxsize=1)
def tesseract() -> str | None:
    """The `tesseract` program, when it is installed with English language data."""
    program = shutil.which("tesseract")
    if program is None:
        return None
    try:
        languages = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return program if LANGUAGE in languages else None


def unavailable_reason() -> str:
    return f"no text layer (scanned or image-only PDF): install Tesseract for OCR ({INSTALL_COMMAND}) and build again"


def recognise_page(page, page_height: float) -> list[RecognisedParagraph]:
    """The paragraphs Tesseract reads on one pdfium page, in its reading order. The page is
    rendered at 300 dpi, or less when that would exceed MAX_PIXELS."""
    program = tesseract()
    if program is None:
        raise RuntimeError("tesseract is not installed")
    width, height = page.get_size()
    scale = min(DPI / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
    image = page.render(scale=scale, grayscale=True).to_pil()
    with tempfile.TemporaryDirectory(prefix="guidance-ocr-") as folder:
        path = os.path.join(folder, "page.png")
        image.save(path)
        # One thread: a build already keeps both cores busy, and OpenMP threads spin-wait.
        environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        result = subprocess.run(
            [program, path, "stdout", "-l", LANGUAGE, "--psm", "3", "tsv"],
            capture_output=True,
            text=True,
            timeout=PAGE_SECONDS,
            env=environment,
            check=True,
        )
    return parse_tsv(result.stdout, page_height, scale * 72)


_OCR_BULLET = re.compile(r"^(?:[e°¢®«»*•]|\(?[oO0]\)?)\s+(?=[A-Z])")
"""A bullet as Tesseract reads it ("e", "°", "¢" before a capitalised item)."""


def parse_tsv(tsv: str, page_height: float, dpi: float) -> list[RecognisedParagraph]:
    """Tesseract's TSV (one row per word, numbered by block, paragraph and line) of an image
    rendered at ``dpi``, as paragraphs in page coordinates, leaving out those it read with too
    little confidence (pictures, stamps, smudges)."""
    scale = 72 / dpi
    lines: dict[tuple[int, int, int], list[dict]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        lines.setdefault((int(row["block_num"]), int(row["par_num"]), int(row["line_num"])), []).append(row)
    paragraphs: dict[tuple[int, int], list[list[dict]]] = {}
    for key in sorted(lines):
        paragraphs.setdefault(key[:2], []).append(lines[key])
    out: list[RecognisedParagraph] = []
    for paragraph_lines in paragraphs.values():
        words = [w for line in paragraph_lines for w in line]
        confidence = median(float(w["conf"]) for w in words)
        if confidence < MIN_CONFIDENCE:
            continue
        text = ""
        for line in paragraph_lines:
            line_text = _OCR_BULLET.sub("• ", " ".join(w["text"].strip() for w in line))
            if text.endswith("-") and line_text[:1].islower():
                text = text[:-1] + line_text
            else:
                text = f"{text} {line_text}".strip()
        out.append(
            RecognisedParagraph(
                text=text,
                y=page_height - min(int(w["top"]) for w in paragraph_lines[0]) * scale,
                size=round(median(max(int(w["height"]) for w in line) for line in paragraph_lines) * scale),
            )
        )
    return out
