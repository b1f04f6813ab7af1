"""Stage 3, localise: labels from gettext catalogues, numbers and dates from Babel,
and the mandatory statements filled in, for each language of a document."""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from io import BytesIO

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_currency, format_decimal, format_percent
from babel.support import Translations

from .disclosures import Statement, library
from .errors import BuildError, FactsheetError
from .model import FundFile, LocalizedText
from .variants import Variant

BABEL_LOCALES = {"en": "en", "zh-CN": "zh_Hans_CN", "zh-HK": "zh_Hant_HK"}
# CLDR's zh_Hant_HK writes compact amounts the English way (11.8B); Traditional Chinese
# readers in Hong Kong expect 118億, which is CLDR's zh_Hant form.
COMPACT_LOCALES = {"en": "en", "zh-CN": "zh_Hans_CN", "zh-HK": "zh_Hant"}
CATALOG_DIRS = {"zh-CN": "zh_CN", "zh-HK": "zh_HK"}
DOMAIN = "factsheets"


_ORDINAL_SUFFIX = {"one": "st", "two": "nd", "few": "rd", "other": "th"}


def half_up(value: Decimal, digits: int) -> Decimal:
    """Rounded as a reader expects (halves up, 2.25 -> 2.3), with no negative zero."""
    rounded = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


class MissingLabel(FactsheetError):
    pass


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language, built in memory from its .po file once per process."""
    if lang not in CATALOG_DIRS:
        return gettext.NullTranslations()  # msgids are English
    po = resources.files("factsheets").joinpath("locale", CATALOG_DIRS[lang], "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=BABEL_LOCALES[lang], domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class Localiser:
    """Formats one language: `_()` for labels, and Babel for every number and date."""

    def __init__(self, lang: str):
        self.lang = lang
        self.locale = Locale.parse(BABEL_LOCALES[lang])
        self._compact = Locale.parse(COMPACT_LOCALES[lang])
        self._translations = translations(lang)

    def _(self, msgid: str, **values: object) -> str:
        text = self._translations.gettext(msgid)
        if text is msgid and self.lang in CATALOG_DIRS:
            # An English label in a Chinese document is a defect, not a fallback.
            raise MissingLabel(f"label {msgid!r} has no {self.lang} translation in the catalogue")
        return text.format(**values) if values else text

    def text(self, value: LocalizedText) -> str:
        return value[self.lang]

    def date(self, value: dt.date) -> str:
        return format_date(value, "long", locale=self.locale)

    def number(self, value: Decimal, digits: int = 2) -> str:
        return format_decimal(value, f"#,##0.{'0' * digits}" if digits else "#,##0", locale=self.locale)

    def percent(self, value: Decimal, digits: int = 2, signed: bool = False) -> str:
        """`value` is in percent (19.22 means 19.22 %)."""
        pattern = f"#,##0.{'0' * digits}%" if digits else "#,##0%"
        if signed:
            pattern = f"+{pattern};-{pattern}"
        shown = half_up(Decimal(value), digits)  # as the chart's labels: 73.25 -> 73.3, never -0.00
        return format_percent(shown / 100, pattern, locale=self.locale, decimal_quantization=True)

    def money(self, value: Decimal, currency: str) -> str:
        """Large amounts in compact form: CN¥11.8B, ¥118亿."""
        return format_compact_currency(half_up(Decimal(value), 2), currency, locale=self._compact, fraction_digits=2)

    def multiple(self, value: Decimal) -> str:
        return self._("{value}x", value=self.number(value, 2))

    def ordinal_percentile(self, value: Decimal) -> str:
        """24th percentile, 1st, 2nd, 3rd, 21st (CLDR's English ordinal rules); 24%分位 in Chinese."""
        number = self.number(half_up(Decimal(value), 0), 0)
        ordinal = number + _ORDINAL_SUFFIX[Locale("en").ordinal_form(int(half_up(Decimal(value), 0)))]
        return self._("{ordinal} percentile", ordinal=ordinal, value=number)

    def yes_no(self, value: bool) -> str:
        return self._("Yes") if value else self._("No")

    def statement(self, statement: Statement, fund: FundFile) -> str:
        """The approved text of a statement in this language, placeholders filled."""
        values: dict[str, str] = {
            "risk_rating": fund.fund.risk.rating,
            "min_investor": fund.fund.risk.min_investor,
        }
        for name, by_key in (statement.labels or {}).items():
            key = {"risk_label": fund.fund.risk.rating}.get(name)
            if key is not None:
                values[name] = by_key[key][self.lang]
        if fund.index is not None:
            values |= {
                "index_name": fund.index.name[self.lang],
                "index_base_date": self.date(fund.index.base_date),
                "index_launch_date": self.date(fund.index.launch_date),
            }
        return statement.texts[self.lang].format(**values)


@dataclass(frozen=True)
class FilledStatement:
    id: str
    version: int
    block: str  # "risk" or "disclaimer"
    texts: dict[str, str]  # language -> exact text the document must carry


def fill_statements(fund: FundFile, variant: Variant, shows_holdings: bool) -> list[FilledStatement]:
    filled = []
    for statement in library(fund.jurisdiction).applicable(fund, shows_holdings):
        missing = [lang for lang in variant.langs if lang not in statement.texts]
        if missing:
            raise BuildError(fund.code, [f"statement {statement.id} has no approved {', '.join(missing)} text"])
        filled.append(FilledStatement(statement.id, statement.version, statement.block, {lang: Localiser(lang).statement(statement, fund) for lang in variant.langs}))
    return filled


def risk_labels(fund: FundFile) -> dict[str, str]:
    """The risk rating's label in each language, as the approved suitability statement words it."""
    for statement in library(fund.jurisdiction).statements:
        if statement.labels and "risk_label" in statement.labels:
            return dict(statement.labels["risk_label"][fund.fund.risk.rating])
    return {}
