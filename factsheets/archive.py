"""Archival PDF output, called by the render stage: PDF/A (PDF/A-3u by default), tagged for
assistive technology, self-describing and reproducible.

- Metadata: title, language, subject, keywords and creator, and in XMP the fund code, as-of
  date, variant, template version, every statement carried (id and version) and the hash of
  the inputs, under the `fs:` namespace with its PDF/A extension schema.
- The validated fund data, as JSON, is attached as a PDF/A-3 associated file
  (AFRelationship /Source); `read_fund_json` (and `factsheets extract`) gives it back.
- No wall-clock time: every date is the fund's `as_of` (midnight UTC), or SOURCE_DATE_EPOCH
  when set; the file identifier is derived from the inputs hash. The same inputs give the
  same bytes, in any process, on any day.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Mapping
from xml.sax.saxutils import escape as xml_escape

from . import __version__
from .errors import FactsheetError
from .inputs import inputs_hash

if TYPE_CHECKING:
    from .model import FundFile
    from .variants import Variant

DEFAULT_VARIANT = "pdf/a-3u"
ATTACHMENT_NAME = "fund.json"
ATTACHMENT_RELATIONSHIP = "Source"  # the data the document was made from (ISO 32000-2, 7.11.3)
NS = "https://factsheets.invalid/ns/xmp/1.0/"  # `fs:`; a name, not a location
PREFIX = "fs"
GENERATOR = f"factsheets {__version__}"

# Property, XMP value type, description: what the PDF/A extension schema declares.
PROPERTIES = (
    ("fundCode", "Text", "Fund code"),
    ("asOf", "Date", "Date the fund data is as of"),
    ("variant", "Text", "Document variant (languages)"),
    ("pdfVariant", "Text", "PDF variant the file was written as"),
    ("templateVersion", "Text", "Package version and hash of the package, templates and styles used"),
    ("statements", "bag Text", "Every mandatory statement carried, as id@version"),
    ("inputsHash", "Text", "SHA-256 of the fund data, variant, package, templates, styles and every file used"),
    ("generator", "Text", "Software and version that made the file"),
)


class ArchiveError(FactsheetError, ValueError):
    pass


def variants() -> list[str]:
    from weasyprint.pdf import VARIANTS

    return sorted(VARIANTS)


def check_variant(name: str | None) -> str | None:
    """A WeasyPrint PDF variant name (`pdf/a-3u`, `pdf/ua-1`, ...), or None for a plain PDF."""
    if name is None:
        return None
    name = name.strip().lower()
    if name not in variants():
        raise ArchiveError(f"unknown PDF variant {name!r}: use one of {', '.join(variants())}")
    return name


# -- inputs ---------------------------------------------------------------------
def fund_json(fund: FundFile) -> bytes:
    """The validated fund data as JSON (the attachment), in one canonical form."""
    data = fund.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8") + b"\n"


def build_time(as_of: dt.date) -> dt.datetime:
    """The one date the file carries: SOURCE_DATE_EPOCH when set, else `as_of` at midnight UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ArchiveError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970") from None
    return dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.timezone.utc)


# -- writing --------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """What the PDF says about itself."""

    fund_code: str
    as_of: str
    variant: str
    pdf_variant: str | None
    template_version: str
    statements: tuple[str, ...]
    inputs_hash: str
    generator: str = GENERATOR


_SVG = re.compile(r"<svg\b[^>]*>\s*<title>(.*?)</title>\s*<desc>(.*?)</desc>", re.S)


def chart_alternatives(html: str) -> dict[str, str]:
    """Chart title -> full text alternative (title and every figure), from the inline SVGs."""
    found = {}
    for title, desc in _SVG.findall(html):
        title, desc = html_lib.unescape(title).strip(), html_lib.unescape(desc).strip()
        found[title] = f"{title}. {desc}" if desc else title
    return found


def write_pdf(laid_out, fund: FundFile, variant: Variant, statements, html: str, pdf_variant: str | None,
              setup: str, assets: Mapping[str, str]) -> tuple[bytes, Record]:
    """Write a laid-out WeasyPrint document as an archival PDF; return its bytes and record. `setup`
    and `assets` are what the document was made from besides its fund data (`inputs`)."""
    import weasyprint

    data = fund_json(fund)
    digest = inputs_hash(data, variant.name, setup, assets)
    record = Record(
        fund_code=fund.code,
        as_of=fund.as_of.isoformat(),
        variant=variant.name,
        pdf_variant=pdf_variant,
        template_version=f"{__version__}+{setup[:12]}",
        statements=tuple(f"{s.id}@{s.version}" for s in statements),
        inputs_hash=digest,
    )
    when = build_time(fund.as_of)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata = laid_out.metadata
    metadata.created = metadata.modified = stamp
    metadata.generator = GENERATOR
    metadata.lang = metadata.lang or variant.primary
    names = [fund.fund.name[lang] for lang in variant.langs if fund.fund.name.get(lang)]
    metadata.keywords = list(dict.fromkeys([fund.code, *names, "factsheet", variant.name, fund.as_of.isoformat()]))
    metadata.attachments = []  # only ours: a template cannot add files to the archive
    attachment = weasyprint.Attachment(
        string=data, name=ATTACHMENT_NAME, description=f"Validated fund data of {fund.code} as of {fund.as_of}",
        created=when, modified=when, relationship=ATTACHMENT_RELATIONSHIP,
    )
    alternatives = chart_alternatives(html)
    options = {}
    if pdf_variant and _output_intent(pdf_variant) == "srgb":
        # WeasyPrint opens its sRGB profile for every PDF and never closes it (a ResourceWarning
        # each time): hand it the same profile from memory; `False` keeps it from opening its own.
        laid_out.color_profiles.setdefault("srgb", _srgb_profile())
        options["output_intent"] = False

    def finisher(document, pdf) -> None:
        _figure_alternatives(pdf, alternatives)
        _unique_associated_files(pdf)
        _add_xmp(document, pdf, record, variant)

    pdf = laid_out.write_pdf(
        pdf_variant=pdf_variant,
        pdf_tags=True,
        pdf_identifier=digest[:32].encode(),
        attachments=[attachment],
        finisher=finisher,
        **options,
    )
    return pdf, record


@lru_cache(maxsize=None)
def _output_intent(pdf_variant: str) -> str | None:
    from weasyprint.pdf import VARIANTS

    return VARIANTS[pdf_variant][1].get("output_intent")


@lru_cache(maxsize=1)
def _srgb_bytes() -> bytes:
    from importlib.resources import files

    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def _srgb_profile():
    from weasyprint.css import ColorProfile

    return ColorProfile(io.BytesIO(_srgb_bytes()), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def _unique_associated_files(pdf) -> None:
    """WeasyPrint 70 lists each PDF/A-3 associated file twice in the catalogue's /AF: once is enough."""
    import pydyf

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def _figure_alternatives(pdf, alternatives: dict[str, str]) -> None:
    """WeasyPrint gives an SVG figure its <title> as /Alt; give it the figures too (<desc>)."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("S") == "/Figure" and "Alt" in obj:
            title = _pdf_string(obj["Alt"])
            if title in alternatives:
                obj["Alt"] = pydyf.String(alternatives[title])


def _pdf_string(value) -> str:
    if isinstance(value, str):
        return value
    return getattr(value, "string", str(value))


def _add_xmp(document, pdf, record: Record, variant: Variant) -> None:
    """Our properties, in WeasyPrint's own rdf:RDF (one XMP packet, as readers expect)."""
    if "Metadata" not in pdf.catalog:  # a plain PDF (no variant): WeasyPrint wrote no XMP
        document.metadata.include_in_pdf(pdf, "a", None, None, True)
    reference = pdf.catalog["Metadata"]
    number = int((reference.decode() if isinstance(reference, bytes) else str(reference)).split()[0])
    stream = pdf.objects[number]
    packet = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
    if b"</rdf:RDF>" not in packet:
        raise ArchiveError("WeasyPrint's XMP packet has no rdf:RDF element")
    stream.stream = [packet.replace(b"</rdf:RDF>", xmp_descriptions(record, variant).encode() + b"</rdf:RDF>", 1)]


def xmp_descriptions(record: Record, variant: Variant) -> str:
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    e = xml_escape
    values = {
        "fundCode": record.fund_code, "asOf": record.as_of, "variant": record.variant,
        "pdfVariant": record.pdf_variant or "pdf", "templateVersion": record.template_version,
        "inputsHash": f"sha256:{record.inputs_hash}", "generator": record.generator,
    }
    simple = "".join(f"<{PREFIX}:{name}>{e(value)}</{PREFIX}:{name}>" for name, value in values.items())
    bag = "".join(f"<rdf:li>{e(s)}</rdf:li>" for s in record.statements)
    languages = "".join(f"<rdf:li>{e(lang)}</rdf:li>" for lang in variant.langs)
    properties = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>{kind}</pdfaProperty:valueType>"
        f"<pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>{e(text)}</pdfaProperty:description>"
        "</rdf:li>"
        for name, kind, text in PROPERTIES
    )
    return (
        f'<rdf:Description xmlns:rdf="{rdf}" rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:language><rdf:Bag>{languages}</rdf:Bag></dc:language></rdf:Description>"
        f'<rdf:Description xmlns:rdf="{rdf}" rdf:about="" xmlns:{PREFIX}="{NS}">'
        f"{simple}<{PREFIX}:statements><rdf:Bag>{bag}</rdf:Bag></{PREFIX}:statements></rdf:Description>"
        f'<rdf:Description xmlns:rdf="{rdf}" rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
        'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>factsheets document record</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{NS}</pdfaSchema:namespaceURI><pdfaSchema:prefix>{PREFIX}</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
    )


# -- reading back ---------------------------------------------------------------
class NoAttachment(ArchiveError):
    pass


def _open(pdf: bytes):
    import pikepdf

    try:
        return pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as error:
        reason = str(error).rsplit(": ", 1)[-1]  # without pikepdf's name for the in-memory stream
        raise ArchiveError(f"not a readable PDF ({reason})") from None


def read_fund_json(pdf: bytes) -> bytes:
    """The fund data attached to a factsheet PDF, as written (JSON bytes)."""
    with _open(pdf) as document:
        files = document.attachments
        if ATTACHMENT_NAME not in files:
            raise NoAttachment(f"no {ATTACHMENT_NAME} is attached (not a factsheet, or a PDF variant without attachments)")
        return files[ATTACHMENT_NAME].get_file().read_bytes()


def read_record(pdf: bytes) -> dict[str, object]:
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
    """The validated fund a factsheet was made from, validated again (for `verify`)."""
    from pydantic import ValidationError

    from .errors import FundFileError
    from .model import FundFile
    from .validate import problems_of

    raw = read_fund_json(pdf)
    source = f"<{ATTACHMENT_NAME} attached to the PDF>"
    try:
        as_of = dt.date.fromisoformat(json.loads(raw)["as_of"])
    except (ValueError, KeyError, TypeError):
        raise ArchiveError(f"{source}: no valid as_of") from None
    try:
        return FundFile.model_validate_json(raw, context={"as_of": as_of})
    except ValidationError as error:
        raise FundFileError(source, problems_of(error)) from None
