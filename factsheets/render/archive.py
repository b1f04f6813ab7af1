"""Archival PDF output, called by the render stage: PDF/A (PDF/A-3u by default), tagged for
assistive technology, self-describing and reproducible.

- Metadata: title, language, subject, keywords and creator, and in XMP the fund code, as-of
  date, variant, template version, every statement carried (id and version) and the hash of
  the inputs, under the `fs:` namespace with its PDF/A extension schema.
- The validated fund data, as JSON, is attached as a PDF/A-3 associated file
  (AFRelationship /Source); `read_fund_json` (and `factsheets extract`) gives it back.
- Tagged for assistive technology beyond what WeasyPrint writes: each structure element made from
  an HTML element in another language than its parent's carries that /Lang (the Chinese half of a
  bilingual document is read in a Chinese voice), every table header cell its /Scope (Row or Column)
  with the data cells' /Headers to match, and the structure tree the /IDTree its /IDs need.
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
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Mapping
from xml.sax.saxutils import escape as xml_escape

from .._version import __version__
from ..errors import FactsheetError
from .inputs import inputs_hash

if TYPE_CHECKING:
    from ..documents.variants import Variant
    from ..fund.model import FundFile

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
    ("documentType", "Text", "Document type: factsheet, kfs (key facts) or kid (PRIIPs KID)"),
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


_SVG = re.compile(r"<svg\b[^>]*>\s*<title>(.*?)</title>\s*<desc>(.*?)</desc>", re.S)


def chart_alternatives(html: str) -> dict[str, str]:
    """Chart title -> full text alternative (title and every figure), from the inline SVGs."""
    found = {}
    for title, desc in _SVG.findall(html):
        title, desc = html_lib.unescape(title).strip(), html_lib.unescape(desc).strip()
        found[title] = f"{title}. {desc}" if desc else title
    return found


def write_pdf(laid_out, fund: FundFile, variant: Variant, statements, html: str, pdf_variant: str | None,
              setup: str, assets: Mapping[str, str], document: str = "factsheet") -> tuple[bytes, Record]:
    """Write a laid-out WeasyPrint document as an archival PDF; return its bytes and record. `setup`
    and `assets` are what the document was made from besides its fund data (`inputs`)."""
    import weasyprint

    data = fund_json(fund, variant.langs)
    digest = inputs_hash(data, variant.name if document == "factsheet" else f"{document}.{variant.name}", setup, assets)
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


# -- structure: languages, table headers, IDs -------------------------------------
# WeasyPrint 70 tags the document (weasyprint/pdf/tags.py) but writes /Lang only on the catalogue,
# never on a structure element, whatever the HTML's `lang` attributes say; marks every table header
# cell as a column header unless it says `scope="row"`, without /Scope; and gives header cells /IDs
# with no /IDTree in the structure tree root. Which HTML element a structure element comes from is
# known only while WeasyPrint builds the tree, so its builder is wrapped (once, process-wide) to
# report each (element, box) pair to the document being written, if any, through a context
# variable: other documents, other threads and WeasyPrint used directly are untouched.
_STRUCTURE: ContextVar[list | None] = ContextVar("factsheets_structure", default=None)
_WRAP_LOCK = threading.Lock()


def _record_structure() -> bool:
    """Wrap WeasyPrint's structure builder so that it reports what it builds; False when this
    WeasyPrint has no such builder (then only the /IDTree is added)."""
    from weasyprint.pdf import tags

    with _WRAP_LOCK:
        build = getattr(tags, "_build_box_tree", None)
        if build is None:
            return False
        if getattr(build, "_factsheets", False):
            return True

        def build_box_tree(box, parent, pdf, *args, **kwargs):
            record = _STRUCTURE.get()
            for element in build(box, parent, pdf, *args, **kwargs):
                if record is not None:
                    record.append((element, box))
                yield element

        build_box_tree._factsheets = True  # type: ignore[attr-defined]
        tags._build_box_tree = build_box_tree
        return True


def finish_structure(pdf, structure: list) -> None:
    """/Lang, /Scope and /Headers from the boxes each structure element was made from, then the /IDTree."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    boxes: dict[int, tuple[object, object]] = {}
    for element, box in structure:  # innermost first: <html> and <body> pass their children's elements on
        boxes.setdefault(id(element), (element, getattr(box, "_box", box)))
    _languages(pdf, list(boxes.values()))
    for element, box in boxes.values():
        if element.get("S") == "/Table":
            _table_headers(element, box)
    _id_tree(pdf)


def _object(pdf, reference):
    return pdf.objects[int(bytes(reference).split()[0])]


def _languages(pdf, pairs: list) -> None:
    """/Lang on each structure element whose HTML element's language (its computed `lang`, from the
    nearest `lang` attribute) differs from the one it would inherit in the structure tree."""
    import pydyf

    document_lang = _pdf_string(pdf.catalog.get("Lang", "")).lower()

    def parent(element):
        reference = element.get("P")
        found = _object(pdf, reference) if reference else None
        return found if isinstance(found, dict) and found.get("Type") == "/StructElem" else None

    def depth(element) -> int:
        count = 0
        while (element := parent(element)) is not None:
            count += 1
        return count

    def inherited(element) -> str:
        while (element := parent(element)) is not None:
            if "Lang" in element:
                return _pdf_string(element["Lang"]).lower()
        return document_lang

    for element, box in sorted(pairs, key=lambda pair: depth(pair[0])):  # parents first
        lang = _lang_of(box)
        if lang and lang.lower() != inherited(element):
            element["Lang"] = pydyf.String(lang)


def _lang_of(box) -> str | None:
    """A box's computed `lang` (WeasyPrint's style computes it lazily: indexing, not .get)."""
    try:
        return box.style["lang"] or None
    except (AttributeError, KeyError, TypeError):
        return None


def _table_rows(box) -> list:
    table = box.get_wrapped_table() if getattr(box, "is_table_wrapper", False) else box
    rows: list = []

    def walk(parent) -> None:
        for child in getattr(parent, "children", []):
            if child.element_tag == "tr":
                rows.append(child)
            elif child.element_tag in ("thead", "tbody", "tfoot") or getattr(child, "is_table_wrapper", False):
                walk(child)

    if table is not None:
        walk(table)
    return rows


def _table_headers(element, box) -> None:
    """/Scope on each header cell and /Headers on each data cell of one table (one page's part of it).

    A header cell's scope is its `scope` attribute (row, rowgroup / col, colgroup); without one, as
    HTML's table model decides: a column header when the rows it spans hold no data cell (a header
    row), else a row header (it labels the row it stands in, like a total in the footer). Each data
    cell then lists the row headers of its rows and the column headers of its columns. WeasyPrint
    took every header cell without `scope="row"` for a column header, so a footer's row header was
    listed as a header of every data cell in its column."""
    import pydyf

    rows = _table_rows(box)
    grid = [[cell for cell in row.children if getattr(cell, "mark", None) is not None] for row in rows]
    row_headers: dict[int, list] = {}
    column_headers: dict[int, list] = {}
    for y, cells in enumerate(grid):
        for cell in cells:
            if cell.element_tag != "th":
                continue
            span_rows = range(y, min(y + cell.rowspan, len(grid)))
            x = getattr(cell, "grid_x", 0)
            span_cols = range(x, x + cell.colspan)
            scope = (cell.element.get("scope") or "").strip().lower() if cell.element is not None else ""
            if scope in ("row", "rowgroup"):
                is_row = True
            elif scope in ("col", "colgroup"):
                is_row = False
            else:
                is_row = any(c.element_tag == "td" for r in span_rows for c in grid[r])
            mark = cell.mark
            identifier = pydyf.String(f"th{element.number}-{y}-{x}")
            mark["ID"] = identifier
            attributes = mark.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes["Scope"] = "/Row" if is_row else "/Column"
            if is_row:
                for r in span_rows:
                    row_headers.setdefault(r, []).append(identifier)
            else:
                for c in span_cols:
                    column_headers.setdefault(c, []).append(identifier)
    for y, cells in enumerate(grid):
        for cell in cells:
            if cell.element_tag != "td":
                continue
            x = getattr(cell, "grid_x", 0)
            headers = [h for r in range(y, y + cell.rowspan) for h in row_headers.get(r, [])]
            headers += [h for c in range(x, x + cell.colspan) for h in column_headers.get(c, [])]
            attributes = cell.mark.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes["Headers"] = pydyf.Array(headers)


def _id_tree(pdf) -> None:
    """The /IDTree (a name tree, its keys in byte order) of every structure element with an /ID, in the
    structure tree root, as ISO 32000 14.7.2 requires of a document whose elements have IDs."""
    import pydyf

    named: dict[bytes, object] = {}
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and "ID" in obj:
            key = _pdf_string(obj["ID"]).encode("utf-8")
            if key in named:  # an ID names one element: a second is dropped, never left dangling
                del obj["ID"]
                continue
            named[key] = obj
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    if not named:
        root.pop("IDTree", None)
        return
    names = pydyf.Array()
    for key in sorted(named):
        names.extend([pydyf.String(key.decode("utf-8")), named[key].reference])
    tree = pydyf.Dictionary({"Names": names})
    pdf.add_object(tree)
    root["IDTree"] = tree.reference


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
    """The validated fund a factsheet was made from, validated again (for `verify`), exactly as a fund
    file is (`validate.validate_data`: the same context of as_of, languages and jurisdiction)."""
    from ..fund.load import data_from_bytes
    from ..fund.validate import validate_data

    raw = read_fund_json(pdf)
    source = f"<{ATTACHMENT_NAME} attached to the PDF>"
    return validate_data(data_from_bytes(raw, f"{source}.json"), source)
