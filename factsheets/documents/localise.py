"""Stage 3, localise: labels from gettext catalogues, numbers and dates from Babel,
and the mandatory statements filled in, for each language of a document.

A document speaks its market's words as well as its language (`Market`): the regulator whose statements it
carries (CN, HK, EU) and what the fund issues (shares for an investment company, units for a unit trust or a
mainland contractual fund). A catalogue entry may be given for a market in its gettext context (msgctxt `HK`,
`HK|investment_company`, `unit_trust`): the most specific one the catalogue has wins, then the plain entry, and a
project's catalogue comes before the package's. So a Hong Kong document's Traditional Chinese says 股份類別 and
資料來源 where a mainland fund's says 份額類別 and 數據來源; an English one outside the mainland writes dates day
first ("31 October 2025", Babel's en_HK and en_IE) and US$ rather than "$"; a mainland document's Chinese writes
amounts as 48.62亿元 and dividends per 10 units (每10份基金份额派发红利0.06元).
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_name,
)
from babel.support import Translations

from ..errors import BuildError, FactsheetError
from ..fund.model import FundFile, LocalizedText
from .disclosures import Facts, Statement, library
from .variants import Variant

BABEL_LOCALES = {"en": "en", "zh-CN": "zh_Hans_CN", "zh-HK": "zh_Hant_HK"}
# English outside the mainland: dates day first (31 October 2025) and a dollar that says whose (US$, HK$).
MARKET_LOCALES = {("en", "HK"): "en_HK", ("en", "EU"): "en_IE"}
# CLDR's zh_Hant_HK writes compact amounts the English way (11.8B); Traditional Chinese
# readers in Hong Kong expect 118億, which is CLDR's zh_Hant form.
COMPACT_LOCALES = {"en": "en", "zh-CN": "zh_Hans_CN", "zh-HK": "zh_Hant"}
# The catalogues: Chinese labels in full; English only the words of some markets (shares, units).
CATALOG_DIRS = {"en": "en", "zh-CN": "zh_CN", "zh-HK": "zh_HK"}
DIVIDEND_UNITS = 10  # a mainland fund announces its dividends per 10 units (每10份基金份额派发红利0.06元)
DOMAIN = "factsheets"


# A space with a Chinese character or full-width punctuation on both sides (CJK ideographs, CJK
# punctuation, full-width forms): only YAML's line folding puts one there.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_FOLD_SPACE = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")

_ORDINAL_SUFFIX = {"one": "st", "two": "nd", "few": "rd", "other": "th"}


def half_up(value: Decimal, digits: int) -> Decimal:
    """Rounded as a reader expects (halves up, 2.25 -> 2.3), with no negative zero."""
    rounded = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def percent_text(value: Decimal, digits: int = 2, signed: bool = False, locale: Locale | str = "en") -> str:
    """A percentage as every table and chart of a document prints it (see `Localiser.percent`)."""
    pattern = f"#,##0.{'0' * digits}%" if digits else "#,##0%"
    if signed:
        pattern = f"+{pattern};-{pattern}"
    shown = half_up(Decimal(value), digits)
    return format_percent(shown / 100, pattern, locale=locale, decimal_quantization=True).replace("-", "\u2212")


def N_(msgid: str) -> str:
    """Marks a label chosen in code, so that catalogue checks find it."""
    return msgid


class MissingLabel(FactsheetError):
    pass


@dataclass(frozen=True)
class Market:
    """Whose words a document speaks: the regulator whose statements it carries (`types.DocumentType.library`: CN, HK,
    or EU for a PRIIPs KID) and what the fund issues (`fund.legal_form`: investment_company, unit_trust,
    contractual_fund), when the fund file says."""

    jurisdiction: str = "CN"
    legal_form: str | None = None

    def contexts(self) -> tuple[str, ...]:
        """The catalogue contexts that speak for this market, the most specific first."""
        if self.legal_form is None:
            return (self.jurisdiction,)
        return (f"{self.jurisdiction}|{self.legal_form}", self.jurisdiction, self.legal_form)


def market_of(fund: FundFile, jurisdiction: str | None = None) -> Market:
    """The market of a fund's document that carries `jurisdiction`'s statements (the fund's own by default)."""
    form = fund.fund.legal_form.value if fund.fund.legal_form is not None else None
    return Market(jurisdiction or fund.jurisdiction, form)


def _compiled(po, lang: str) -> Translations:
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=BABEL_LOCALES[lang], domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@cache
def _package_translations(lang: str) -> Translations:
    return _compiled(resources.files("factsheets").joinpath("locale", CATALOG_DIRS[lang], "LC_MESSAGES", f"{DOMAIN}.po"), lang)


def translations(lang: str, project: Path | None = None) -> gettext.NullTranslations:
    """The compiled catalogue of a language, built in memory from its .po file once per process. A
    project's own catalogue (`<project>/locale/zh_CN/LC_MESSAGES/factsheets.po`), when it has one, comes
    first: its labels are added to the package's (and replace those it also gives)."""
    if lang not in CATALOG_DIRS:
        return gettext.NullTranslations()  # msgids are English
    package = _package_translations(lang)  # compiled once per process; a project's, once per renderer
    own = project / CATALOG_DIRS[lang] / "LC_MESSAGES" / f"{DOMAIN}.po" if project is not None else None
    if own is None or not own.is_file():
        return package
    try:
        mine = _compiled(own, lang)
    except Exception as error:  # Babel raises several kinds for a broken .po file
        raise FactsheetError(f"{own}: not a readable gettext catalogue: {error}") from None
    mine.add_fallback(package)
    return mine


def _whose(text: str, currency: str) -> str:
    """US$ where CLDR's English writes a bare "$" (en, the mainland's English): a dollar that says whose."""
    return text.replace("$", "US$", 1) if currency == "USD" and "US$" not in text else text


def wordings(lang: str, msgid: str) -> list[str]:
    """Every wording the package's catalogue gives a label in a language, whatever the market (plain, and in each
    context): what a reader of a finished document may find it under (`pdf.printed`). English: the msgid too."""
    found = [msgid] if lang == "en" else []
    entries = getattr(translations(lang), "_catalog", {})
    for key, text in entries.items():
        if isinstance(key, str) and text and (key == msgid or key.endswith(f"\x04{msgid}")) and text not in found:
            found.append(text)
    return found


class Localiser:
    """Formats one language for one market: `_()` for labels, and Babel for every number and date."""

    def __init__(self, lang: str, catalogue: Path | None = None, market: Market | None = None):
        self.lang = lang
        self.market = market or Market()
        self.locale = Locale.parse(MARKET_LOCALES.get((lang, self.market.jurisdiction), BABEL_LOCALES[lang]))
        self._compact = Locale.parse(COMPACT_LOCALES[lang])
        self._translations = translations(lang, catalogue)

    def _(self, msgid: str, **values: object) -> str:
        text = self._lookup(msgid)
        if text is None:
            if self.lang != "en":
                # An English label in a Chinese document is a defect, not a fallback.
                raise MissingLabel(f"label {msgid!r} has no {self.lang} translation in the catalogue")
            text = msgid
        return text.format(**values) if values else text

    def _lookup(self, msgid: str) -> str | None:
        """The label in the first catalogue that has it (a project's, then the package's): for the most specific
        of the market's contexts it is given for, else plain; None when no catalogue has it."""
        catalogue = self._translations
        while catalogue is not None:
            entries = getattr(catalogue, "_catalog", {})
            for context in self.market.contexts():
                if found := entries.get(f"{context}\x04{msgid}"):
                    return found
            if found := entries.get(msgid):
                return found
            catalogue = getattr(catalogue, "_fallback", None)
        return None

    def text(self, value: LocalizedText) -> str:
        """A fund text in this language, without the spaces YAML's line folding leaves between two
        Chinese characters (a folded `>-` block joins its lines with a space)."""
        text = value[self.lang]
        return _FOLD_SPACE.sub("", text) if self.lang != "en" else text

    def date(self, value: dt.date) -> str:
        return format_date(value, "long", locale=self.locale)

    def number(self, value: Decimal, digits: int = 2) -> str:
        return format_decimal(value, f"#,##0.{'0' * digits}" if digits else "#,##0", locale=self.locale)

    def percent(self, value: Decimal, digits: int = 2, signed: bool = False) -> str:
        """`value` is in percent (19.22 means 19.22 %): halves rounded up, never −0.00, and a true
        minus sign (U+2212), as the charts' labels print it too."""
        return percent_text(value, digits, signed, self.locale)

    def unit(self, currency: str) -> str:
        """What a Chinese amount is counted in, after the number: 元 in a mainland document's yuan, else the
        currency's name (美元, 港元, 人民幣)."""
        if currency == "CNY" and self.market.jurisdiction == "CN":
            return "元"
        return get_currency_name(currency, locale=self.locale)

    def money(self, value: Decimal, currency: str) -> str:
        """Large amounts in compact form: CN¥4.86B and US$612.5M in English, 48.62亿元 and 6.12億美元 in Chinese."""
        value = half_up(Decimal(value), 2)
        if self.lang == "en":
            return _whose(format_compact_currency(value, currency, locale=self.locale, fraction_digits=2), currency)
        return format_compact_decimal(value, locale=self._compact, fraction_digits=2) + self.unit(currency)

    def amount(self, value: Decimal, currency: str) -> str:
        """An amount in full (a minimum investment): CN¥10 and US$1,000 in English, 10元 and 1,000美元 in Chinese, with
        cents only when there are any."""
        value = Decimal(value)
        digits = 0 if value == value.to_integral_value() else 2
        return self._in_full(value, currency, digits)

    def per_unit(self, value: Decimal, currency: str) -> str:
        """A per-unit amount (a dividend): as many decimals as given, two at least, four at most. A mainland document's
        Chinese counts it per 10 units (0.006 a unit is 0.06元), as its labels say (每10份)."""
        value = Decimal(value)
        if self.lang != "en" and self.market.jurisdiction == "CN":
            value *= DIVIDEND_UNITS
        digits = min(max(2, -value.normalize().as_tuple().exponent), 4)
        return self._in_full(value, currency, digits)

    def _in_full(self, value: Decimal, currency: str, digits: int) -> str:
        decimals = "." + "0" * digits if digits else ""
        if self.lang != "en":
            return format_decimal(value, "#,##0" + decimals, locale=self.locale, decimal_quantization=True) + self.unit(currency)
        pattern = self.locale.currency_formats["standard"].pattern.replace("#,##0.00", "#,##0" + decimals)
        return _whose(format_currency(value, currency, pattern, locale=self.locale, currency_digits=False), currency)

    def country(self, code: str) -> str:
        return self.locale.territories.get(code, code)

    def multiple(self, value: Decimal) -> str:
        return self._("{value}x", value=self.number(value, 2))

    def ordinal_percentile(self, value: Decimal) -> str:
        """24th percentile, 1st, 2nd, 3rd, 21st (CLDR's English ordinal rules); 24%分位 in Chinese."""
        number = self.number(half_up(Decimal(value), 0), 0)
        ordinal = number + _ORDINAL_SUFFIX[Locale("en").ordinal_form(int(half_up(Decimal(value), 0)))]
        return self._("{ordinal} percentile", ordinal=ordinal, value=number)

    def field(self, label: str, value: object) -> str:
        """"Source: SSE" in English, 来源：上海证券交易所 with the full-width colon in Chinese."""
        return self._("{label}: {value}", label=self._(label), value=value)

    def yes_no(self, value: bool) -> str:
        return self._("Yes") if value else self._("No")

    def statement(self, statement: Statement, fund: FundFile, values: dict[str, object] | None = None) -> str:
        """The approved text of a statement in this language, placeholders filled: from the fund, and
        from `values` (what the document computed: the currency of its figures, the SRI, ...)."""
        filled: dict[str, str] = {}
        risk = fund.fund.risk
        if risk is not None and risk.rating:
            filled |= {"risk_rating": risk.rating, "min_investor": risk.min_investor or ""}
        for name, by_key in (statement.labels or {}).items():
            key = {"risk_label": risk.rating if risk else None}.get(name)
            if key is not None:
                filled[name] = by_key[key][self.lang]
        if fund.index is not None:
            filled |= {
                "index_name": fund.index.name[self.lang],
                "index_base_date": self.date(fund.index.base_date),
                "index_launch_date": self.date(fund.index.launch_date),
            }
        filled |= {"as_of": self.date(fund.as_of), "currency": fund.fund.currency}
        source = fund.performance.source if fund.performance else None
        if source is not None and source.get(self.lang):
            filled["source"] = self.text(source)
        if fund.fund.legal_form is not None:
            filled["units"] = self._(UNITS[fund.fund.legal_form.value])
        if fund.fund.contact is not None:
            filled["website"] = fund.fund.contact.website
            if fund.fund.contact.phone:
                filled["phone"] = fund.fund.contact.phone
        for name, value in (values or {}).items():
            if isinstance(value, list):  # the instances of a repeated statement
                continue
            filled[name] = value[self.lang] if isinstance(value, dict) else str(value)
        filled.setdefault("currency_name", get_currency_name(filled["currency"], locale=self.locale))
        missing = sorted(statement.placeholders(self.lang) - set(filled))
        if missing:
            fields = ", ".join(PLACEHOLDER_FIELDS.get(name, name) for name in missing)
            raise BuildError(fund.code, [f"statement {statement.id} needs {fields}, which the fund file does not give"])
        return statement.texts[self.lang].format(**filled)


# Where a placeholder comes from when the fund file does not give it: named in the error.
PLACEHOLDER_FIELDS = {"units": "fund.legal_form", "website": "fund.contact.website", "phone": "fund.contact.phone",
                      "past_performance_url": "fund.past_performance_url", "scenarios_url": "fund.scenarios_url",
                      "depositary": "fund.custodian (the depositary)", "source": "performance.source",
                      "index_name": "index", "risk_rating": "fund.risk.rating"}
# What a fund issues, by its legal form (the HK library's {units}).
UNITS = {"investment_company": N_("shares"), "unit_trust": N_("units"), "contractual_fund": N_("units")}


@dataclass(frozen=True)
class FilledStatement:
    id: str
    version: int
    block: str  # "risk", "performance" or "disclaimer"
    texts: dict[str, str]  # language -> exact text the document must carry
    parts: tuple[dict[str, str], ...] = ()  # a repeated statement: each instance (language -> text), printed one after another

    def paragraphs(self, lang: str) -> list[str]:
        """The statement as the document prints it in a language: one paragraph, or one per instance."""
        return [part[lang] for part in self.parts] if self.parts else [self.texts[lang]]


def fill_statements(fund: FundFile, variant: Variant, facts: Facts | bool | None = None,
                    values: dict[str, object] | None = None, jurisdiction: str | None = None) -> list[FilledStatement]:
    """Every statement a document of the fund must carry, filled in each language of the variant. A statement
    with `repeat` is filled once for each instance the document gives under its id in `values` (a list of
    placeholder values); the document prints the instances one after another, and its text is all of them."""
    if not isinstance(facts, Facts):
        facts = Facts(shows_holdings=bool(facts) if facts is not None else fund.holdings is not None)
    market = market_of(fund, jurisdiction)
    filled = []
    for statement in library(jurisdiction or fund.jurisdiction).applicable(fund, facts):
        missing = [lang for lang in variant.langs if lang not in statement.texts]
        if missing:
            raise BuildError(fund.code, [f"statement {statement.id} has no approved {', '.join(missing)} text"])
        if statement.repeat:
            instances = (values or {}).get(statement.id)
            if not isinstance(instances, list) or not instances:
                raise BuildError(fund.code, [f"statement {statement.id} is printed {statement.repeat}, and the document "
                                             f"gives none of them"])
            parts = tuple({lang: _LOCALISERS(lang, market).statement(statement, fund, {**(values or {}), **instance})
                           for lang in variant.langs} for instance in instances)
            texts = {lang: "\n".join(part[lang] for part in parts) for lang in variant.langs}
            filled.append(FilledStatement(statement.id, statement.version, statement.block, texts, parts))
            continue
        texts = {lang: _LOCALISERS(lang, market).statement(statement, fund, values) for lang in variant.langs}
        filled.append(FilledStatement(statement.id, statement.version, statement.block, texts))
    return filled


@cache
def _LOCALISERS(lang: str, market: Market = Market()) -> Localiser:
    return Localiser(lang, market=market)


def risk_labels(fund: FundFile) -> dict[str, str]:
    """The risk rating's label in each language, as the approved suitability statement words it."""
    rating = fund.fund.risk.rating if fund.fund.risk else None
    if rating is None:
        return {}
    for statement in library(fund.jurisdiction).statements:
        if statement.labels and "risk_label" in statement.labels:
            return dict(statement.labels["risk_label"][rating])
    return {}
