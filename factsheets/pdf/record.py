"""What a PDF made by factsheets says about itself, read back: its XMP record (`fs:` properties: fund code,
as-of date, variant, template version, the statements carried, the inputs hash) and the validated fund data
attached to it (`fund.json`, a PDF/A-3 associated file). `render.archive` writes both with this vocabulary."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from ..errors import FactsheetError
from .document import PdfFile, opened

if TYPE_CHECKING:
    from ..fund.model import FundFile

ATTACHMENT_NAME = "fund.json"


ATTACHMENT_RELATIONSHIP = "Source"  # the data the document was made from (ISO 32000-2, 7.11.3)


NS = "https://factsheets.invalid/ns/xmp/1.0/"  # `fs:`; a name, not a location


PREFIX = "fs"


# Property, XMP value type, description: what the PDF/A extension schema declares.
PROPERTIES = (
    ("fundCode", "Text", "Fund code"),
    ("asOf", "Date", "Date the fund data is as of"),
    ("variant", "Text", "Document variant (languages)"),
    ("documentType", "Text", "Document type: factsheet, kfs (key facts) or kid (PRIIPs KID)"),
    ("pdfVariant", "Text", "PDF variant the file was written as"),
    ("templateVersion", "Text", "Package version and hash of the package, templates and styles used"),
    ("statements", "bag Text", "Every mandatory statement carried, as id@version"),
    ("inputsHash", "Text", "SHA-256 of the fund data, variant, package, templates, styles and every file used"),
    ("generator", "Text", "Software and version that made the file"),
)


class ArchiveError(FactsheetError, ValueError):
    pass


# -- reading back ---------------------------------------------------------------
class NoAttachment(ArchiveError):
    pass


@contextmanager
def _open(pdf: bytes | PdfFile) -> Iterator:
    """pikepdf's document of the PDF (the file's own, for a `PdfFile`), or an ArchiveError."""
    import pikepdf

    with opened(pdf) as file:
        try:
            document = file.pikepdf
        except pikepdf.PdfError as error:
            reason = str(error).rsplit(": ", 1)[-1]  # without pikepdf's name for the in-memory stream
            raise ArchiveError(f"not a readable PDF ({reason})") from None
        yield document


def read_fund_json(pdf: bytes | PdfFile) -> bytes:
    """The fund data attached to a factsheet PDF, as written (JSON bytes)."""
    with _open(pdf) as document:
        files = document.attachments
        if ATTACHMENT_NAME not in files:
            raise NoAttachment(f"no {ATTACHMENT_NAME} is attached (not a factsheet, or a PDF variant without attachments)")
        return files[ATTACHMENT_NAME].get_file().read_bytes()


def read_record(pdf: bytes | PdfFile) -> dict[str, object]:
    """The `fs:` XMP properties of a factsheet PDF (statements as a list)."""
    with _open(pdf) as document:
        meta = document.open_metadata()
        found: dict[str, object] = {}
        for name, _, _ in PROPERTIES:
            key = f"{{{NS}}}{name}"
            if key in meta:
                value = meta[key]
                found[name] = sorted(value) if isinstance(value, (set, list)) else value
        return found


def fund_from_pdf(pdf: bytes) -> FundFile:
    """The validated fund a factsheet was made from, validated again (for `verify`), exactly as a fund
    file is (`validate.validate_data`: the same context of as_of, languages and jurisdiction)."""
    from ..fund.load import data_from_bytes
    from ..fund.validate import validate_data

    raw = read_fund_json(pdf)
    source = f"<{ATTACHMENT_NAME} attached to the PDF>"
    return validate_data(data_from_bytes(raw, f"{source}.json"), source)


def attached_fund(pdf: bytes) -> FundFile | None:
    """The fund a factsheet PDF was made from, from its attached fund data (PDF/A-3 associated
    file), validated again; None when the PDF carries none. `verify --attached-fund` uses it
    in place of `--fund`."""
    try:
        return fund_from_pdf(pdf)
    except NoAttachment:
        return None
