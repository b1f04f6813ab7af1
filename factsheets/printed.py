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

from .verify import normalise, pdf_pages_text

# The fee rows of factsheets and key facts alike (`view.FEE_ROWS`), by the Fees field they print.
FEE_LABELS = {
    "management": ("Management fee (a year)",),
    "custody": ("Custody fee (a year)",),
    "sales_service": ("Sales service fee (a year)",),
    "max_subscription": ("Subscription fee (maximum)",),
    "max_redemption": ("Redemption fee (maximum)",),
    "ongoing_charges": ("Ongoing charges over a year",),
}
RATING_LABELS = ("Risk rating",)
INCEPTION_LABELS = ("Inception date", "Fund launch date", "Fund contract effective date")
LAUNCH_LABELS = ("Launch date", "Class launch date ({name})")
AS_OF_LABELS = ("Data as of {date}",)

GAP = 40  # characters of other text (a label in the other language, a class name) allowed between a label and its values
_PERCENT = re.compile(r"([\u2212-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?)%|(–)")
_RATING = re.compile(r"R([1-5])(?![0-9])")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DATE = re.compile(r"(?:(" + "|".join(_MONTHS) + r")(\d{1,2}),(\d{4}))|(?:(\d{4})年(\d{1,2})月(\d{1,2})日)")
_YEAR_LINE = re.compile(r"^((?:19|20)\d\d)\*?$")
_PERCENT_LINE = re.compile(r"^[\u2212-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?%(?:\s+[\u2212-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?%)*$")
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
    from .localise import Localiser, MissingLabel

    found = []
    for lang in langs:
        try:
            text = Localiser(lang)._(msgid)
        except MissingLabel:
            continue
        # The longest stretch without a placeholder: "Class launch date (" of "Class launch date ({name})",
        # 类別發行日 of "{name}類別發行日".
        text = max((normalise(part.split("}", 1)[-1]) for part in text.split("{")), key=len)
        if text and text not in found:
            found.append(text)
    return tuple(found)


@cache
def _stops(langs: tuple[str, ...]) -> tuple[str, ...]:
    """Every label of the catalogues in the document's languages (four characters or more, normalised):
    where one row's values end and the next row starts."""
    from .localise import translations

    found: set[str] = set()
    msgids = [m for m in getattr(translations("zh-CN"), "_catalog", {}) if isinstance(m, str) and m]
    for lang in langs:
        catalogue = translations(lang)
        found.update(normalise(str(catalogue.gettext(msgid)).split("{", 1)[0]) for msgid in msgids)
    return tuple(sorted((s for s in found if len(s) >= 4), key=len, reverse=True))


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
        return dt.date(int(match.group(4)), int(match.group(5)), int(match.group(6)))
    except ValueError:
        return None


def _bars(lines: list[str]) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """The calendar-year bar chart (`chart.returns_chart`): each year's label follows the labels of its
    bars, the representative class's first and its benchmark's second."""
    own: dict[int, Decimal] = {}
    bench: dict[int, Decimal] = {}
    values: list[Decimal] = []
    for line in lines:
        line = line.strip()
        if _PERCENT_LINE.match(line):  # labels of bars side by side may share a line
            values += [v for part in line.split() if (v := _decimal(part.rstrip("%"))) is not None]
            continue
        if (year := _YEAR_LINE.match(line)) and values:
            own.setdefault(int(year.group(1)), values[0])
            if len(values) > 1:
                bench.setdefault(int(year.group(1)), values[1])
        values = []
    return own, bench


def read(pdf: bytes, name: str, document: str, langs: tuple[str, ...], file: str | None = None) -> Printed:
    """The figures a PDF prints, read from its text in its languages."""
    pages = pdf_pages_text(pdf)
    text = normalise("".join(pages))
    langs = tuple(langs) or ("en",)
    stops = _stops(langs)
    printed = Printed(name, file or name, document, langs)
    for key, msgids in FEE_LABELS.items():
        values: set[Decimal] = set()
        for msgid in msgids:
            for label in _labels(msgid, langs):
                for end in _occurrences(text, label):
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
    for target, msgids in ((printed.inception, INCEPTION_LABELS), (printed.launches, LAUNCH_LABELS), (printed.as_of, AS_OF_LABELS)):
        for msgid in msgids:
            for label in _labels(msgid, langs):
                for end in _occurrences(text, label):
                    target.update(d for m in _after(text, end, _DATE, stops) if (d := _date(m)) is not None)
    printed.years, printed.benchmark_years = _bars([line for page in pages for line in page.splitlines()])
    return printed


@cache
def _suitability_prefixes(langs: tuple[str, ...]) -> tuple[str, ...]:
    """The approved suitability statement's words before the rating ("This fund is rated", 本基金风险等级为)."""
    from .disclosures import library

    statement = library("CN").statement("suitability")
    if statement is None:
        return ()
    return tuple(normalise(statement.texts[lang].split("{risk_rating}", 1)[0]) for lang in langs
                 if "{risk_rating}" in statement.texts.get(lang, ""))
