"""Builders for test documents in every format, written by the tests themselves: a minimal PDF
writer (text in Helvetica, any size and position, several pages), and helpers over python-docx
and python-pptx. Nothing here reads ../shared."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(
    pages: list[list[tuple[str, float, float, float, bool]]],
    title: str | None = None,
    author: str | None = None,
    scaled: bool = False,
) -> bytes:
    """A PDF with a text layer. Each page is a list of (text, x, y, size, bold) runs on an A4
    page (595 x 842 points, y from the bottom). An empty page list makes a page with a drawing
    and no text (as a scan would have). ``scaled``: each run's size is set by its text matrix,
    at a font size of 1, as many design tools write it."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in later
    pages_id = add(b"")
    regular = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    page_ids = []
    for runs in pages:
        if runs:
            stream = b"".join(
                (
                    b"BT /%s 1 Tf %.1f 0 0 %.1f %.2f %.2f Tm %s Tj ET\n"
                    % (b"F2" if is_bold else b"F1", size, size, x, y, _pdf_string(text))
                    if scaled
                    else b"BT /%s %.1f Tf %.1f %.1f Td %s Tj ET\n"
                    % (b"F2" if is_bold else b"F1", size, x, y, _pdf_string(text))
                )
                for text, x, y, size, is_bold in runs
            )
        else:
            stream = b"0.5 g 50 50 495 742 re f\n"  # a grey rectangle: an image-only page
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>" % (pages_id, content, regular, bold)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    info = None
    if title or author:
        fields = b""
        if title:
            fields += b"/Title " + _pdf_string(title) + b" "
        if author:
            fields += b"/Author " + _pdf_string(author)
        info = add(b"<< " + fields + b" >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info:
        trailer += b" /Info %d 0 R" % info
    out.write(b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def paragraph_runs(
    text: str, top: float, size: float = 11, width_chars: int = 90, x: float = 56
) -> tuple[list[tuple[str, float, float, float, bool]], float]:
    """Wrap a paragraph into lines of body text starting at ``top``; returns runs and next y."""
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width_chars:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    runs = []
    y = top
    for line in lines:
        runs.append((line, x, y, size, False))
        y -= size * 1.25
    return runs, y - size * 0.9


def encrypt_pdf(data: bytes, password: str = "secret") -> bytes:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(path: Path, blocks: list[tuple[str, str]], title: str | None = None, author: str | None = None) -> Path:
    """blocks: (kind, text) with kind 'h1'..'h3', 'p', 'bullet', or 'table' (rows separated by
    '\\n', cells by '|')."""
    import docx

    document = docx.Document()
    for kind, text in blocks:
        if kind.startswith("h"):
            document.add_heading(text, level=int(kind[1]))
        elif kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        elif kind == "table":
            rows = [row.split("|") for row in text.split("\n")]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell.strip()
        else:
            document.add_paragraph(text)
    if title:
        document.core_properties.title = title
    if author:
        document.core_properties.author = author
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def make_pptx(path: Path, slides: list[tuple[str, list[str], str]]) -> Path:
    """slides: (title, bullet lines, speaker notes)."""
    from pptx import Presentation

    presentation = Presentation()
    layout = presentation.slide_layouts[1]  # title and content
    for title, bullets, notes in slides:
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        for index, bullet in enumerate(bullets):
            paragraph = body.paragraphs[0] if index == 0 else body.add_paragraph()
            paragraph.text = bullet
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    path.parent.mkdir(parents=True, exist_ok=True)
    presentation.save(str(path))
    return path


def make_odt(path: Path, blocks: list[tuple[str, str]], title: str | None = None, creator: str | None = None) -> Path:
    """An OpenDocument text file, as LibreOffice saves it. blocks: (kind, text) with kind
    'h1'..'h3', 'p', 'bullet', or 'table' (rows separated by '\\n', cells by '|')."""
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    if title:
        document.meta.addElement(dc.Title(text=title))
    if creator:
        document.meta.addElement(meta.InitialCreator(text=creator))
    for kind, text in blocks:
        if kind.startswith("h"):
            document.text.addElement(H(outlinelevel=int(kind[1]), text=text))
        elif kind == "bullet":
            items = List()
            item = ListItem()
            item.addElement(P(text=text))
            items.addElement(item)
            document.text.addElement(items)
        elif kind == "table":
            rows = [row.split("|") for row in text.split("\n")]
            table = Table(name="Table1")
            table.addElement(TableColumn(numbercolumnsrepeated=len(rows[0])))
            for row in rows:
                table_row = TableRow()
                for cell in row:
                    table_cell = TableCell()
                    table_cell.addElement(P(text=cell.strip()))
                    table_row.addElement(table_cell)
                table.addElement(table_row)
            document.text.addElement(table)
        else:
            document.text.addElement(P(text=text))
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


class FakeEmbedder:
    """Deterministic unit vectors from the text's hash; counts what it embeds."""

    dimension = 384

    def __init__(self):
        self.embedded: list[str] = []

    def embed_documents(self, texts, progress=None):
        self.embedded.extend(texts)
        if progress:
            progress(len(texts))
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def embed_queries(self, texts):
        return np.stack([self._vector(t) for t in texts])

    def embed_passages(self, texts, progress=None):
        """The passage vectors, and one word-piece row per word (the word's own fake vector)."""
        from assistant.embed import TokenRows

        vectors = self.embed_documents(texts, progress)
        return vectors, [TokenRows.quantise(self._words(t)) for t in texts]

    def embed_question(self, text):
        return self._vector(text), self._words(text)

    def _words(self, text):
        words = text.split()
        return np.stack([self._vector(w.casefold()) for w in words]) if words else np.zeros((0, 384), np.float32)

    @staticmethod
    def _vector(text: str) -> np.ndarray:
        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little"))
        vector = rng.standard_normal(384).astype(np.float32)
        return vector / np.linalg.norm(vector)


PARAGRAPHS = {
    "identification.md": "# Identification\n\nFrontline staff identify victims by looking for indicators such as "
    "withheld documents and debts.\n",
    "referral.md": "# Referral\n\nA referral to the national mechanism needs the informed consent of an adult.\n",
    "children.md": "# Children\n\nChildren cannot consent to their own exploitation; refer every child who may be a "
    "victim.\n",
}


def make_scanned_pdf(pages: list[list[tuple[str, int]]]) -> bytes:
    """An image-only PDF, as a scanner makes: each page a 200 dpi picture of its lines, given as
    (text, pixel size); no text layer at all."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    images = []
    for lines in pages:
        image = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
        draw = ImageDraw.Draw(image)
        y = 150
        for text, size in lines:
            draw.text((150, y), text, font=ImageFont.load_default(size=size), fill=0)
            y += int(size * 1.4)
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=200, save_all=True, append_images=images[1:])
    return out.getvalue()


def make_inflating_pdf(inflated_bytes: int, text: str = "Forced labour indicators") -> bytes:
    """A one-page PDF whose page content stream is a few MB on disk and ``inflated_bytes`` once
    decompressed (spaces after one line of text): a file built to exhaust memory."""
    import zlib

    compressor = zlib.compressobj(9)
    head = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET\n".encode()
    parts = [compressor.compress(head)]
    block = b" " * (16 << 20)
    for _ in range(max(0, inflated_bytes - len(head)) // len(block)):
        parts.append(compressor.compress(block))
    parts.append(compressor.flush())
    stream = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> "
        b">>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
