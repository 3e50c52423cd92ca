"""Legacy Word 97-2003 .doc, converted to .docx in memory by msdoc2docx, then read as .docx."""

from __future__ import annotations

from ..base import Extraction, SkipFile
from .docx import read_docx


def read_doc(data: bytes) -> Extraction:
    """Legacy Word 97-2003 .doc, converted to .docx in memory by msdoc2docx (pure Python, MIT,
    follows the published binary-format specification), then read like any .docx."""
    import tempfile
    from pathlib import Path

    try:
        from doc2docx import convert
    except ImportError:  # pragma: no cover - install problem
        raise SkipFile(
            "legacy Word .doc needs the msdoc2docx package (run `make setup`), or save it as .docx"
        ) from None
    with tempfile.TemporaryDirectory(prefix="guidance-doc-") as folder:
        source, target = Path(folder) / "source.doc", Path(folder) / "converted.docx"
        source.write_bytes(data)
        try:
            convert(source, target)
            converted = target.read_bytes()
        except Exception as error:  # the converter reports unsupported or encrypted files by raising
            message = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            if "password" in message.lower() or "encrypt" in message.lower():
                raise SkipFile("encrypted Word .doc: needs a password; save an unprotected copy as .docx") from error
            raise SkipFile(
                f"legacy Word .doc could not be read ({message}): open it in Word or LibreOffice and save it as .docx"
            ) from error
    extraction = read_docx(converted)
    extraction.format = "doc"
    return extraction
