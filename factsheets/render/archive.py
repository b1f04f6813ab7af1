"""Archival PDF output, called by the render stage: PDF/A (PDF/A-3u by default), tagged for
assistive technology, self-describing and reproducible.

- Metadata: title, language, subject, keywords and creator, and in XMP the fund code, as-of
  date, variant, template version, every statement carried (id and version) and the hash of
  the inputs, under the `fs:` namespace with its PDF/A extension schema.
- The validated fund data, as JSON, is attached as a PDF/A-3 associated file
  (AFRelationship /Source); `pdf.record.read_fund_json` (and `factsheets extract`) gives it back.
- Tagged for assistive technology beyond what WeasyPrint writes (`tags`): each structure element made from
  an HTML element in another language than its parent's carries that /Lang (the Chinese half of a
  bilingual document is read in a Chinese voice), every table header cell its /Scope (Row or Column)
  with the data cells' /Headers to match, and the structure tree the /IDTree its /IDs need.
- No wall-clock time: every date is the fund's `as_of` (midnight UTC), or SOURCE_DATE_EPOCH
  when set; the file identifier is derived from the inputs hash. The same inputs give the
  same bytes, in any process, on any day.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Mapping
from xml.sax.saxutils import escape as xml_escape

from .._version import __version__
from ..documents.types import document_type
from ..pdf.record import ATTACHMENT_NAME, ATTACHMENT_RELATIONSHIP, NS, PREFIX, PROPERTIES, ArchiveError
from .inputs import inputs_hash
from .tags import _STRUCTURE, _figure_alternatives, _record_structure, chart_alternatives, finish_structure

if TYPE_CHECKING:
    from ..documents.variants import Variant
    from ..fund.model import FundFile

DEFAULT_PDF_VARIANT = "pdf/a-3u"
GENERATOR = f"factsheets {__version__}"


def pdf_variants() -> list[str]:
    from weasyprint.pdf import VARIANTS

    return sorted(VARIANTS)


def check_pdf_variant(name: str | None) -> str | None:
    """A WeasyPrint PDF variant name (`pdf/a-3u`, `pdf/ua-1`, ...), or None for a plain PDF."""
    if name is None:
        return None
    name = name.strip().lower()
    if name not in pdf_variants():
        raise ArchiveError(f"unknown PDF variant {name!r}: use one of {', '.join(pdf_variants())}")
    return name


# -- inputs ---------------------------------------------------------------------
_NUMBER = re.compile(r'"\\u0000N:([-+0-9.Ee]+)\\u0000"')


def fund_json(fund: FundFile, langs: tuple[str, ...] | None = None) -> bytes:
    """The validated fund data as JSON (the attachment), in one canonical form: what a document in
    `langs` shows of it (texts in those languages only, no history file references), as a fund/v2
    file publishing in those languages, numbers as exact JSON numbers (never strings)."""
    data = fund.model_dump(mode="python", by_alias=True, exclude_none=True)
    if langs is not None:
        data = _only(data, set(langs))
        data["schema"], data["languages"] = "fund/v2", list(langs)
    for share_class in data.get("fund", {}).get("share_classes", []):
        share_class.pop("nav", None)
    data.pop("history", None)
    if "priips" in data:
        data["priips"].pop("proxy", None)
    text = json.dumps(_jsonable(data), ensure_ascii=False, sort_keys=True, indent=1)
    return _NUMBER.sub(r"\1", text).encode("utf-8") + b"\n"


def _only(value, langs: set[str]):
    """The data with every per-language text cut down to `langs`."""
    if isinstance(value, dict):
        keys = set(value)
        if keys and keys <= {"en", "zh-CN", "zh-HK"} and all(isinstance(v, str) for v in value.values()):
            return {k: v for k, v in value.items() if k in langs}
        return {k: _only(v, langs) for k, v in value.items()}
    if isinstance(value, list):
        return [_only(v, langs) for v in value]
    return value


def _jsonable(value):
    """Decimals as exact number tokens (marked, then unquoted), dates as ISO strings, enums as values."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"\u0000N:{value}\u0000"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


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
    document: str = "factsheet"


def write_pdf(laid_out, fund: FundFile, variant: Variant, statements, html: str, pdf_variant: str | None,
              setup: str, assets: Mapping[str, str], document: str = "factsheet") -> tuple[bytes, Record]:
    """Write a laid-out WeasyPrint document as an archival PDF; return its bytes and record. `setup`
    and `assets` are what the document was made from besides its fund data (`inputs`)."""
    import weasyprint

    data = fund_json(fund, variant.langs)
    digest = inputs_hash(data, document_type(document).target_name(variant), setup, assets)
    record = Record(
        fund_code=fund.code,
        as_of=fund.as_of.isoformat(),
        variant=variant.name,
        pdf_variant=pdf_variant,
        template_version=f"{__version__}+{setup[:12]}",
        statements=tuple(f"{s.id}@{s.version}" for s in statements),
        inputs_hash=digest,
        document=document,
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

    structure: list = []  # (structure element, box) pairs, as WeasyPrint makes them

    def finisher(document, pdf) -> None:
        _art_boxes(document, pdf)
        _figure_alternatives(pdf, alternatives)
        _unique_associated_files(pdf)
        finish_structure(pdf, structure)
        _add_xmp(document, pdf, record, variant)

    _record_structure()
    token = _STRUCTURE.set(structure)
    try:
        pdf = laid_out.write_pdf(
            pdf_variant=pdf_variant,
            pdf_tags=True,
            pdf_identifier=digest[:32].encode(),
            attachments=[attachment],
            finisher=finisher,
            **options,
        )
    finally:
        _STRUCTURE.reset(token)
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


def _art_boxes(document, pdf) -> None:
    """Each page's /ArtBox: the box inside its CSS margins, where its content is meant to stand (ISO 32000-1,
    14.11.2). The layout rules (`pdf.pages`, `rules.layout`) measure the page against it: a table past the
    margin, a last page barely used; what stands wholly in the bands above and below it is the running
    header and footer."""
    import pydyf

    scale = 0.75  # CSS pixels to PDF points, as WeasyPrint writes them
    for page, number in zip(document.pages, pdf.pages["Kids"][::3]):  # pydyf keeps them as: number, 0, R
        box = page._page_box
        left, top = box.content_box_x(), box.content_box_y()
        right, bottom = left + box.width, top + box.height
        pdf.objects[number]["ArtBox"] = pydyf.Array([round(left * scale, 3), round((page.height - bottom) * scale, 3),
                                                     round(right * scale, 3), round((page.height - top) * scale, 3)])


def _unique_associated_files(pdf) -> None:
    """WeasyPrint 70 lists each PDF/A-3 associated file twice in the catalogue's /AF: once is enough."""
    import pydyf

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


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
        "fundCode": record.fund_code, "asOf": record.as_of, "variant": record.variant, "documentType": record.document,
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


