"""What a finished document prints: the figures read back from a PDF's text (fees, ongoing charges,
the risk rating, calendar-year returns, launch and as-of dates), so that the documents of one fund can
be compared with the fund file and with each other (`rules.consistency`).

Nothing is taken from the fund file or the PDF's attachment: a figure is what the page says, found
after the label factsheets' templates print it under (the catalogue's wording of each label in the
document's languages, and the approved wording of the suitability statement), in the text PDFium
reads. A document that labels its figures otherwise yields none, and so no finding: these rules
compare documents, they do not require figures (the statements and the templates do).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from .document import PdfFile, opened
from .text import normalise, pdf_pages_text

# The fee rows of factsheets and key facts alike (`view.FEE_ROWS`), by the Fees field they print.
FEE_LABELS = {
    "management": ("Management fee (a year)",),
    "custody": ("Custody fee (a year)",),
    "sales_service": ("Sales service fee (a year)",),
    "max_subscription": ("Subscription fee (maximum)",),
    "max_redemption": ("Redemption fee (maximum)",),
    "ongoing_charges": ("Ongoing charges over a year",),
}
# The same figures in the key facts and the KID, under the rows of the regulators' templates (`documents.regulatory`):
# the Fees field or date each row prints, by the row's id. Labels are the templates' own, in the document's languages.
TEMPLATE_FEE_ROWS = {
    "management": ("management-fee",), "custody": ("custody-fee",), "sales_service": ("sales-service-fee",),
    "max_subscription": ("subscription-fee",), "max_redemption": ("redemption-fee",), "ongoing_charges": ("ongoing-charges",),
}
TEMPLATE_DATE_ROWS = {"inception": ("fund-launch-date", "effective-date"), "launches": ("class-launch-date",)}
# Catalogue entries that word a value, not a label: the words before the figure ("Up to 3.00%") are no stop.
VALUE_WORDS = ("Up to {rate}",)
RATING_LABELS = ("Risk rating",)
INCEPTION_LABELS = ("Inception date", "Fund launch date", "Fund contract effective date")
LAUNCH_LABELS = ("Launch date", "Class launch date", "Class launch date ({name})")
AS_OF_LABELS = ("Data as of {date}",)

GAP = 40  # characters of other text (a label in the other language, a class name) allowed between a label and its values
_PERCENT = re.compile(r"([\u2212-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?)%|(–)")
_RATING = re.compile(r"R([1-5])(?![0-9])")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
# A date as the documents print it, white space removed: "October31,2025" (the mainland's English), "31October2025"
# (Hong Kong's and the EU's), 2025年10月31日.
_DATE = re.compile(r"(?:(" + "|".join(_MONTHS) + r")(\d{1,2}),(\d{4}))|(?:(\d{4})年(\d{1,2})月(\d{1,2})日)"
                   r"|(?:(?<!\d)(\d{1,2})(" + "|".join(_MONTHS) + r")(\d{4}))")
_DIGIT = re.compile(r"\d")


@dataclass
class Printed:
    """The figures one document prints."""

    name: str  # how findings name the document: its file, or its target (`kfs.en`) when rendered in memory
    file: str  # the file findings are reported on
    document: str  # factsheet, kfs, kid
    langs: tuple[str, ...]
    fees: dict[str, set[Decimal]] = field(default_factory=dict)  # Fees field -> percentages printed
    ratings: set[str] = field(default_factory=set)  # R1-R5
    years: dict[int, Decimal] = field(default_factory=dict)  # the representative class's calendar-year returns
    benchmark_years: dict[int, Decimal] = field(default_factory=dict)
    inception: set[dt.date] = field(default_factory=set)  # the fund's launch (inception, contract effective) date
    launches: set[dt.date] = field(default_factory=set)  # share classes' launch dates
    as_of: set[dt.date] = field(default_factory=set)


@cache
def _labels(msgid: str, langs: tuple[str, ...]) -> tuple[str, ...]:
    """A label's wording in each language, normalised; a label with a placeholder gives the text before it."""

    from ..documents.localise import wordings

    found = []
    for lang in langs:
        for text in wordings(lang, msgid):  # every market's: a Hong Kong document's and a mainland one's
            # The longest stretch without a placeholder: "Class launch date (" of "Class launch date ({name})",
            # 类別發行日 of "{name}類別發行日".
            text = max((normalise(part.split("}", 1)[-1]) for part in text.split("{")), key=len)
            if text and text not in found:
                found.append(text)
    return tuple(found)


@cache
def _template_labels(row_ids: tuple[str, ...], langs: tuple[str, ...]) -> tuple[str, ...]:
    """The accepted labels of the key facts templates' rows `row_ids` (hk-kfs, cn-kfs), in the languages, normalised."""
    from ..documents.regulatory import template

    found: list[str] = []
    for name in ("hk-kfs", "cn-kfs"):
        for part in template(name).parts():
            for row in part.rows:
                if row.id in row_ids:
                    found += [normalise(label) for lang in langs for label in row.labels.get(lang, ())]
    return tuple(dict.fromkeys(found))


@cache
def _stops(langs: tuple[str, ...]) -> tuple[str, ...]:
    """Every label of the catalogues in the document's languages (four characters or more, normalised), and every row
    label of the regulators' templates (托管费 is three): where one row's values end and the next row starts."""
    from importlib import resources

    from babel.messages.pofile import read_po

    from ..documents.localise import CATALOG_DIRS, DOMAIN, translations
    from ..documents.regulatory import template

    po = resources.files("factsheets").joinpath("locale", CATALOG_DIRS["zh-CN"], "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as fh:
        msgids = [m.id for m in read_po(fh) if isinstance(m.id, str) and m.id and m.id not in VALUE_WORDS]
    found: set[str] = set()
    for lang in langs:
        catalogue = translations(lang)
        found.update(normalise(catalogue.gettext(msgid).split("{", 1)[0]) for msgid in msgids)
    found = {s for s in found if len(s) >= 4}
    for name in ("hk-kfs", "cn-kfs", "eu-kid"):
        found.update(normalise(label) for part in template(name).parts() for row in part.rows for lang in langs
                     for label in row.labels.get(lang, ()))
    return tuple(sorted(found, key=len, reverse=True))


def _after(text: str, start: int, pattern: re.Pattern[str], stops: tuple[str, ...]) -> list[re.Match[str]]:
    """The values (`pattern` matches) that follow a label ending at `start`: each within GAP characters of
    the one before, with no digit and no other label between them."""
    found = []
    position = start
    while True:
        match = pattern.search(text, position, position + GAP + 24)
        if match is None:
            break
        between = text[position:match.start()]
        if len(between) > GAP or _DIGIT.search(between) or any(stop in between for stop in stops):
            break
        found.append(match)
        position = match.end()
    return found


def _occurrences(text: str, needle: str) -> list[int]:
    """Where each occurrence of `needle` ends."""
    ends, start = [], text.find(needle)
    while start >= 0:
        ends.append(start + len(needle))
        start = text.find(needle, start + 1)
    return ends


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace("\u2212", "-").replace(",", ""))
    except InvalidOperation:
        return None


def _date(match: re.Match[str]) -> dt.date | None:
    try:
        if match.group(1):
            return dt.date(int(match.group(3)), _MONTHS.index(match.group(1)) + 1, int(match.group(2)))
        if match.group(7):
            return dt.date(int(match.group(9)), _MONTHS.index(match.group(8)) + 1, int(match.group(7)))
        return dt.date(int(match.group(4)), int(match.group(5)), int(match.group(6)))
    except ValueError:
        return None


_YEAR_CELL = re.compile(r"^((?:19|20)\d\d)\*?$")
_VALUE_CELL = re.compile(r"^([\u2212-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?)%$|^(–)$")


def _runs(file: PdfFile) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's runs of text as PDFium finds them (a table cell is one), with their boxes in points
    (left, bottom, right, top; y upwards)."""
    pages = []
    for page in file.pdfium:
        textpage = page.get_textpage()
        runs = []
        for i in range(textpage.count_rects()):
            box = textpage.get_rect(i)
            runs.append((*box, textpage.get_text_bounded(*box).strip()))
        textpage.close()
        page.close()
        pages.append(runs)
    return pages


def _years_tables(pdf: bytes | PdfFile, langs: tuple[str, ...]) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """The table of calendar-year returns (factsheets' and key facts' alike): a row of year headings, and
    under it a row per class and one for the benchmark, each figure right-aligned under its year. The
    first row is the representative class's; the row labelled as the benchmark, the benchmark's."""
    every = tuple(dict.fromkeys((*langs, "en", "zh-CN", "zh-HK")))
    benchmark_labels, index_labels = _labels("Benchmark", every), _labels("Index", every)
    own: dict[int, Decimal] = {}
    bench: dict[int, Decimal] = {}
    headed: set[tuple[int, ...]] = set()  # a table run over onto the next page repeats its headings there
    with opened(pdf) as file:
        pages = _runs(file)
    for runs in pages:
        years = [(r, int(m.group(1))) for r in runs if (m := _YEAR_CELL.match(r[4]))]
        rows_at = sorted({round(r[3]) for r, _ in years}, reverse=True)
        headings = [top for top in rows_at if sum(1 for r, _ in years if abs(r[3] - top) <= 1) >= 2]
        for top in rows_at:
            header = sorted(((r, year) for r, year in years if abs(r[3] - top) <= 1), key=lambda item: item[0][0])
            if len(header) < 2:
                continue
            left = header[0][0][0]
            found: list[list] = []  # [top, bottom, figures by year, cells counted with "–"] per row
            last = header[0][0][1]
            # The next row of year headings below starts another table (the next five years): its figures are its own.
            floor = max((other for other in headings if other < top - 1), default=float("-inf"))
            for r in sorted((r for r in runs if floor + 1 < r[3] < header[0][0][1] and _VALUE_CELL.match(r[4])), key=lambda r: -r[3]):
                column = next((year for h, year in header if abs(h[2] - r[2]) <= 4), None)
                if column is None:
                    continue
                if last - r[3] > 40:  # the table has ended
                    break
                if not found or r[3] < found[-1][1]:  # a row is the cells that overlap it: a "–" sits lower than figures
                    found.append([r[3], r[1], {}, 0])
                found[-1][1] = min(found[-1][1], r[1])
                found[-1][3] += 1
                m = _VALUE_CELL.match(r[4])
                if m.group(1) and (value := _decimal(m.group(1))) is not None:
                    found[-1][2][column] = value
                last = r[1]
            # A table's first row lies right under its headings, a cell (a figure or "–") under most years;
            # anything else was the axis of a chart, whose labels are not aligned with figures under them.
            if not found or header[0][0][1] - found[0][0] > 24 or 2 * found[0][3] < len(header):
                continue
            continued = tuple(year for _, year in header) in headed
            headed.add(tuple(year for _, year in header))
            for index, (row_top, row_bottom, values, _) in enumerate(found, 1 if continued else 0):
                label = normalise("".join(r[4] for r in runs if r[2] <= left + 1 and r[1] < row_top + 2 and r[3] > row_bottom - 2))
                if label and any(label.startswith(b) for b in benchmark_labels):
                    bench.update(values)
                elif label and any(label.startswith(i) for i in index_labels):
                    continue  # an index's returns, labelled as index data: not the fund's
                elif index == 0:
                    own.update(values)
    return own, bench


def read(pdf: bytes | PdfFile, name: str, document: str, langs: tuple[str, ...], file: str | None = None) -> Printed:
    """The figures a PDF prints, read from its text in its languages."""
    with opened(pdf) as opened_pdf:
        return _read(opened_pdf, name, document, langs, file)


def _read(pdf: PdfFile, name: str, document: str, langs: tuple[str, ...], file: str | None) -> Printed:
    pages = pdf_pages_text(pdf)
    text = normalise("".join(pages))
    langs = tuple(langs) or ("en",)
    stops = _stops(langs)
    printed = Printed(name, file or name, document, langs)
    for key, msgids in FEE_LABELS.items():
        values: set[Decimal] = set()
        labels = [label for msgid in msgids for label in _labels(msgid, langs)] + list(_template_labels(TEMPLATE_FEE_ROWS[key], langs))
        for label in dict.fromkeys(labels):
            for end in _occurrences(text, label):
                if _inside_longer(text, end, label, stops):
                    continue  # "Management fee" as the start of the KID's "Management fees and other ... costs"
                for match in _after(text, end, _PERCENT, stops):
                    if match.group(1) and (value := _decimal(match.group(1))) is not None:
                        values.add(value)
        if values:
            printed.fees[key] = values
    for msgid in RATING_LABELS:
        for label in _labels(msgid, langs):
            for end in _occurrences(text, label):
                if match := _RATING.search(text, end, end + 3):
                    printed.ratings.add(match.group(0))
    for prefix in _suitability_prefixes(langs):
        for end in _occurrences(text, prefix):
            if match := _RATING.match(text, end):
                printed.ratings.add(match.group(0))
    for target, msgids, rows in ((printed.inception, INCEPTION_LABELS, TEMPLATE_DATE_ROWS["inception"]),
                                 (printed.launches, LAUNCH_LABELS, TEMPLATE_DATE_ROWS["launches"]), (printed.as_of, AS_OF_LABELS, ())):
        labels = [label for msgid in msgids for label in _labels(msgid, langs)] + list(_template_labels(rows, langs))
        for label in dict.fromkeys(labels):
            for end in _occurrences(text, label):
                if _inside_longer(text, end, label, stops):
                    continue  # 成立日期 as the end of 類別成立日期: another label's words
                target.update(d for m in _after(text, end, _DATE, stops) if (d := _date(m)) is not None)
    printed.years, printed.benchmark_years = _years_tables(pdf, langs)
    return printed


def _inside_longer(text: str, end: int, label: str, stops: tuple[str, ...]) -> bool:
    """Whether the label ending at `end` is the end of a longer label (成立日期 of 類別成立日期) or its start
    ("Management fee" of the KID's "Management fees and other administrative or operating costs")."""
    start = end - len(label)
    return any(len(stop) > len(label) and ((stop.endswith(label) and text.endswith(stop, 0, end))
                                           or (stop.startswith(label) and text.startswith(stop, start)))
               for stop in stops)


@cache
def _suitability_prefixes(langs: tuple[str, ...]) -> tuple[str, ...]:
    """The approved suitability statement's words before the rating ("This fund is rated", 本基金风险等级为)."""
    from ..documents.disclosures import library

    statement = library("CN").statement("suitability")
    if statement is None:
        return ()
    return tuple(normalise(statement.texts[lang].split("{risk_rating}", 1)[0]) for lang in langs
                 if "{risk_rating}" in statement.texts.get(lang, ""))
