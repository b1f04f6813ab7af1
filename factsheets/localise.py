"""Stage 3, localise: labels from gettext catalogues, numbers and dates from Babel,
and the mandatory statements filled in, for each language of a document."""

from __future__ import annotations

import datetime as dt
import gettext
from decimal import Decimal
from functools import cache
from importlib import resources
from io import BytesIO

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_currency, format_decimal, format_percent
from babel.support import Translations

from .disclosures import Statement
from .errors import FactsheetError
from .model import FundFile, LocalizedText

BABEL_LOCALES = {"en": "en", "zh-CN": "zh_Hans_CN", "zh-HK": "zh_Hant_HK"}
# CLDR's zh_Hant_HK writes compact amounts the English way (11.8B); Traditional Chinese
# readers in Hong Kong expect 118億, which is CLDR's zh_Hant form.
COMPACT_LOCALES = {"en": "en", "zh-CN": "zh_Hans_CN", "zh-HK": "zh_Hant"}
CATALOG_DIRS = {"zh-CN": "zh_CN", "zh-HK": "zh_HK"}
DOMAIN = "factsheets"


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
        return format_percent(Decimal(value) / 100, pattern, locale=self.locale, decimal_quantization=True)

    def money(self, value: Decimal, currency: str) -> str:
        """Large amounts in compact form: CN¥11.8B, ¥118亿."""
        return format_compact_currency(value, currency, locale=self._compact, fraction_digits=2)

    def multiple(self, value: Decimal) -> str:
        return self._("{value}x", value=self.number(value, 2))

    def ordinal_percentile(self, value: Decimal) -> str:
        return self._("{value}th percentile", value=self.number(value, 0))

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
