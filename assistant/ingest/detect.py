"""What a file really is (from its bytes, not only its name) and how its text is encoded. The
formats and how they are recognised come from ``formats.py``; this module applies them."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from .base import SkipFile
from .formats import FORMATS, formats_for_suffix

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(rb"<(?:p|div|h[1-6]|br|li|table|span|a\s+href)\b", re.I)


def sniff_format(data: bytes, suffix: str) -> str:
    """The file's format from its content: the name of a format in ``formats.FORMATS``, or one
    of the unsupported kinds in ``UNSUPPORTED`` (ole, xlsx, zip, rtf, binary)."""
    suffix = suffix.lower()
    head = data[:4096]
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(_OLE_MAGIC):
        return next((f.name for f in FORMATS if f.ole and suffix in f.suffixes), "ole")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF")) or head[:4] in {b"II*\x00", b"MM\x00*"}:
        return "image"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if _looks_binary(head):
        return "binary"
    sample = _ascii_view(head)
    expected = formats_for_suffix(suffix)
    if _HTML_START.match(sample) or "html" in expected or len(_HTML_TAGS.findall(sample)) >= 3:
        return "html"
    if "md" in expected:
        return "md"
    return "txt"


def _sniff_zip(data: bytes) -> str:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
        mimetype = package.read("mimetype")[:100].decode("ascii", "replace").strip() if "mimetype" in names else ""
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, RuntimeError):
        return "binary"
    for candidate in FORMATS:
        if (candidate.zip_member and candidate.zip_member in names) or (
            candidate.zip_mimetype and candidate.zip_mimetype == mimetype
        ):
            return candidate.name
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _ascii_view(head: bytes) -> bytes:
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(encoding, "ignore").encode("ascii", "ignore")
    return head


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return False
    if not head:
        return False
    if head.count(b"\x00") > max(2, len(head) // 100):
        return True  # a few stray NULs are a broken text export, not binary data
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(head) > 0.05


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes: BOM first (UTF-8, UTF-16, UTF-32), then strict UTF-8, then cp1252.

    Returns the text and the encoding used. Raises SkipFile for bytes that are not text in any of
    these encodings (rather than indexing mojibake)."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), f"{encoding} (BOM)"
            except UnicodeDecodeError as error:
                raise SkipFile(
                    f"invalid {encoding} text after its byte-order mark ({error.reason} at byte {error.start})"
                ) from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise SkipFile(
            f"not valid UTF-8 or cp1252 text (undecodable byte 0x{data[error.start]:02x} at {error.start})"
        ) from error
    if sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f") > len(text) * 0.02:
        raise SkipFile("not valid UTF-8 text and not plausible cp1252 text (control characters)")
    return text, "cp1252 (not valid UTF-8)"


MAX_PACKAGE_XML_BYTES = 40_000_000
"""Decompressed XML a zip-based document (docx, pptx, odt) may hold: a 1,000-page report holds
a few MB; an 80 KB file that inflates to 30 MB of markup is built to exhaust the reader."""
MAX_PACKAGE_MEMBERS = 10_000


def check_package_size(data: bytes, kind: str) -> None:
    """Refuse a zip-based document whose decompressed markup is out of all proportion, before
    any XML parser sees it (the compressed size alone says nothing)."""
    from .formats import BY_NAME

    declared = BY_NAME.get(kind)
    if declared is None or not (declared.zip_member or declared.zip_mimetype):
        return
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise SkipFile(f"damaged .{kind} package ({error})") from error
    if len(members) > MAX_PACKAGE_MEMBERS:
        raise SkipFile(
            f"{len(members):,} parts in one .{kind} package, over the {MAX_PACKAGE_MEMBERS:,} limit: not a document"
        )
    markup = sum(m.file_size for m in members if m.filename.lower().endswith((".xml", ".rels")))
    if markup > MAX_PACKAGE_XML_BYTES:
        raise SkipFile(
            f"its markup inflates to {markup / 1e6:.0f} MB, over the {MAX_PACKAGE_XML_BYTES / 1e6:.0f} MB limit: not "
            "read"
        )


UNSUPPORTED = {
    "ole": "legacy Excel or PowerPoint file (.xls/.ppt) is not supported: save it in the newer format (.xlsx/.pptx)",
    "xlsx": "spreadsheets are not supported",
    "zip": "zip archive: unpack it into the corpus folder",
    "rtf": "RTF is not supported: save it as .docx",
    "binary": "binary data, not a document (wrong extension?)",
}
