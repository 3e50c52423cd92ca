"""Images (a scanned page saved as PNG, JPEG or TIFF; a poster): their text by OCR, when
Tesseract is installed. The image becomes a one-page, image-only PDF and is read like a scan, so
paragraphs, OCR marking and limits are those of scanned PDFs. An image has no pages to cite."""

from __future__ import annotations

import io

from .. import ocr
from ..base import Extraction, SkipFile

MAX_PIXELS = 60_000_000
"""Larger images are refused before decoding (a 60-megapixel page is a 600 dpi A3 scan; larger
is a decompression bomb, not a document)."""


def read_image(data: bytes) -> Extraction:
    if ocr.tesseract() is None:
        raise SkipFile(f"image file: its text can be read by OCR once Tesseract is installed ({ocr.INSTALL_COMMAND})")
    from PIL import Image

    from .pdf import read_pdf

    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise SkipFile(
                f"image of {image.width} x {image.height} pixels, over the {MAX_PIXELS // 1_000_000} megapixel limit: "
                "not read"
            )
        dpi = image.info.get("dpi", (150, 150))[0] or 150
        page = io.BytesIO()
        image.convert("L").save(page, "PDF", resolution=float(dpi))
    except SkipFile:
        raise
    except Exception as error:  # Pillow raises many types on damaged images
        raise SkipFile(f"damaged or unreadable image ({type(error).__name__}: {str(error)[:120]})") from error
    extraction = read_pdf(page.getvalue())
    for line in extraction.lines:
        line.page = line.page_end = None
    extraction.metadata.pop("page_count", None)
    extraction.metadata.pop("page_labels", None)
    extraction.metadata.pop("file_date", None)  # the date the conversion ran, not the image's
    extraction.format = "image"
    return extraction
