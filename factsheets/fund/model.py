"""The fund file, as Pydantic v2 models (`schema: fund/v2`; `fund/v1` files still validate).

Rules that involve several fields live on the smallest model that holds them, so
that a problem in one section never hides a problem in another: every problem is
reported at once. Such a rule raises `rule_error(...)`, which carries the exact
dotted sub-path of each problem; `validate.py` turns them into messages. What a rule
needs from elsewhere in the file (as_of, the languages the fund publishes in, its
jurisdiction) is read from the raw data first and passed as validation context, so
that those rules run in the same pass as every field check.

fund/v2 adds to fund/v1: `languages` (the languages the fund publishes in: every
reader-visible text is required in each, and in no other), Hong Kong funds
(`jurisdiction: HK`, no R/C rating), more categories, the domicile, share-class terms
(fees, charges, minimum investment, distribution, dividends, NAV history), managers,
custodian, benchmark definition, allocations, the texts key facts documents need, and
PRIIPs inputs. A fund/v1 file publishes in en and zh-CN (and zh-HK when it gives zh-HK
texts); `factsheets migrate` rewrites it as fund/v2.

This module holds the root (`FundFile`, with the rules across sections) and the `fund` section; the
field types are `fields.py`'s, the texts `texts.py`'s, a share class `share_class.py`'s, the other
sections `sections.py`'s and `priips.py`'s. Every name stays importable from here.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .fields import (  # noqa: F401 - every field type stays importable from model
    AS_OF_LEAD,
    CODE_PATTERN,
    JURISDICTIONS,
    LANGS,
    MAX_AMOUNT,
    MIN_DATE,
    V1_LANGS,
    YEAR_KEY,
    Amount,
    AsOfDate,
    Code,
    Country,
    Currency,
    Date,
    FeePercent,
    HistoryPath,
    Lang,
    MonthDay,
    Number,
    Percent,
    PerUnit,
    Phone,
    Ratio,
    SignedAmount,
    Text,
    Website,
    Weight,
    Year,
    YearReturns,
    context_of,
    json_schema,
    matches,
    rule_error,
    shown,
)
from .offering import Complaints, FundFees, OperatingFees, RedemptionTier, SubscriptionTier  # noqa: F401 - importable from model
from .priips import Priips, PriipsCosts, PriipsCostsOverTime  # noqa: F401 - importable from model
from .sections import (  # noqa: F401 - every section stays importable from model
    Allocations,
    AnnualReturns,
    Bucket,
    Buckets,
    Flow,
    History,
    Holding,
    Holdings,
    Index,
    Market,
    Peer,
    Performance,
    Valuation,
)
from .share_class import Distribution, Dividend, Fees, ShareClass  # noqa: F401 - importable from model
from .texts import KidText, LocalizedText, Name, Strict  # noqa: F401 - importable from model


class Category(str, Enum):
    equity = "equity"
    hybrid = "hybrid"
    bond = "bond"
    money_market = "money_market"
    index = "index"
    etf = "etf"
    qdii = "qdii"
    fof = "fof"
    etf_feeder = "etf_feeder"  # fund/v1
    open_ended = "open_ended"  # fund/v1


RiskRating = Literal["R1", "R2", "R3", "R4", "R5"]
InvestorClass = Literal["C1", "C2", "C3", "C4", "C5"]


class Risk(Strict):
    """Mainland funds carry a risk rating (R1-R5) and the lowest investor class they suit (C1-C5);
    Hong Kong funds have neither. Fund-specific risk notes are shown with the risk block."""

    rating: RiskRating | None = None
    min_investor: InvestorClass | None = None
    notes: list[LocalizedText] = []

    @field_validator("min_investor")
    @classmethod
    def _suits_rating(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Rn may only be sold to investors assessed Cn or above.
        rating = info.data.get("rating")
        if value and rating and int(value[1]) < int(rating[1]):
            needed = f"C{rating[1]}"
            raise PydanticCustomError(
                "min_investor_too_low",
                "{value} is below {needed}, the minimum for an {rating} fund",
                {"value": value, "needed": needed, "rating": rating},
            )
        return value

    @model_validator(mode="after")
    def _jurisdiction(self, info: ValidationInfo) -> Risk:
        jurisdiction = context_of(info).get("jurisdiction")
        problems = []
        if jurisdiction == "CN":
            problems += [(key, "is required for a mainland (CN) fund", "missing")
                         for key in ("rating", "min_investor") if getattr(self, key) is None]
        elif jurisdiction == "HK":
            problems += [(key, "Hong Kong (HK) funds carry no mainland R/C rating: remove it", "hk_rating")
                         for key in ("rating", "min_investor") if getattr(self, key) is not None]
        if problems:
            raise rule_error(problems)
        return self


class Trading(Strict):
    intraday_t0: StrictBool = False
    qdii_quota_required: StrictBool = False


class Manager(Strict):
    name: Name
    since: Date = Field(description="The day the manager took the fund on")
    career_start: Date | None = Field(None, description="证券从业日期: the day the manager started in the securities "
                                                        "industry (mainland key facts)")


class CustodianRole(str, Enum):
    custodian = "custodian"
    trustee = "trustee"
    depositary = "depositary"


class Custodian(Strict):
    name: Name
    role: CustodianRole = CustodianRole.custodian


class Dealing(str, Enum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


class KeyRisk(Strict):
    title: LocalizedText
    text: LocalizedText


class Contact(Strict):
    """Where investors find the offering documents and the latest prices (key facts: Additional
    information; 其他资料查询方式)."""

    website: Website
    phone: Phone | None = None


class LegalForm(str, Enum):
    """What the fund is in law, which decides what it issues: shares (an investment company: a SICAV, an OEIC,
    公司型) or units (a unit trust; a mainland 契约型 contractual fund)."""

    investment_company = "investment_company"
    unit_trust = "unit_trust"
    contractual_fund = "contractual_fund"


class Fund(Strict):
    code: Code
    exchange: Annotated[str, StringConstraints(strict=True), matches(r"[A-Z]{2,8}", "an exchange is 2 to 8 capital letters (SSE, SZSE, HKEX)"),
                        json_schema(type="string", pattern="^[A-Z]{2,8}$", description="Exchange (SSE, SZSE, HKEX)")] | None = None
    name: Name
    category: Category
    domicile: Country | None = None
    currency: Currency
    inception_date: Date | None = Field(None, description="The day the fund contract took effect (mainland) or the fund launched")
    risk: Risk | None = None
    aum: Amount | None = Field(None, description="Fund size, in the fund's currency")
    avg_daily_turnover: Amount | None = None
    trading: Trading | None = None
    share_classes: list[ShareClass] = Field(min_length=1)
    management_company: Name | None = None
    custodian: Custodian | None = None
    managers: list[Manager] = []
    benchmark: LocalizedText | None = Field(None, description="The benchmark's definition, as the fund contract words it")
    objective: LocalizedText | None = None
    strategy: LocalizedText | None = None
    key_risks: list[KeyRisk] = []
    dealing: Dealing | None = None
    financial_year_end: MonthDay | None = None
    derivatives: LocalizedText | None = Field(None, description="Use of derivatives, as the offering document words it")
    guarantee: LocalizedText | None = Field(None, description="A guarantee the fund has; none when not given")
    product: LocalizedText | None = Field(None, description="What the product is: its legal form, umbrella and home "
                                                            "regulator (Hong Kong key facts: What is this product?)")
    risk_return: LocalizedText | None = Field(None, description="The risk-return profile, as the fund contract words it "
                                                                "(mainland key facts: 风险收益特征)")
    additional_information: LocalizedText | None = Field(None, description="Dealing cut-off, where prices are published, "
                                                                           "and the like (key facts: Additional information)")
    contact: Contact | None = None
    legal_form: LegalForm | None = Field(None, description="investment_company (issues shares), unit_trust or "
                                                           "contractual_fund (issue units)")
    ucits: StrictBool | None = Field(None, description="Whether the fund is a UCITS (Directive 2009/65/EC)")
    past_performance_url: Website | None = Field(None, description="Where the class's past performance is published "
                                                                   "(KID: Other relevant information)")
    scenarios_url: Website | None = Field(None, description="Where previous performance scenario calculations are "
                                                            "published (KID: Other relevant information)")
    # What the offering documents give for the regulators' templates (prospectus/v2, `offering.py`).
    investment_manager: Name | None = Field(None, description="The investment manager, when the management company "
                                                              "delegates investment management (Hong Kong key facts)")
    fund_fees: FundFees | None = Field(None, description="Fees charged to the fund as a whole (Hong Kong key facts)")
    ongoing_charges_note: LocalizedText | None = Field(None, description="The basis of the ongoing charges figure: its "
                                                                         "period, and that it may vary (Hong Kong key facts)")
    short_name: Name | None = Field(None, description="基金简称: the fund's short name (mainland key facts)")
    operation: LocalizedText | None = Field(None, description="运作方式: how the fund operates, e.g. 普通开放式")
    opening: LocalizedText | None = Field(None, description="开放频率: when it is open for dealing, e.g. 每个开放日")
    scope: LocalizedText | None = Field(None, description="投资范围: what the fund may invest in, as the contract words it")
    prepared_on: Date | None = Field(None, description="编制日期: the day the key facts were prepared (mainland)")
    operating_fees: OperatingFees | None = Field(None, description="审计费用, 信息披露费 and 其他费用 (mainland key facts)")

    @field_validator("share_classes")
    @classmethod
    def _unique_codes(cls, classes: list[ShareClass]) -> list[ShareClass]:
        seen: dict[str, int] = {}
        named: dict[str, int] = {}
        problems = []
        for i, share_class in enumerate(classes):
            if share_class.code in seen:
                problems.append((f"{i}.code", f"{share_class.code} is also the code of share class {seen[share_class.code]}"))
            if share_class.class_ in named:
                problems.append((f"{i}.class", f"class {share_class.class_} is also share class {named[share_class.class_]}"))
            seen.setdefault(share_class.code, i)
            named.setdefault(share_class.class_, i)
        if problems:
            raise rule_error(problems)
        return classes

    @model_validator(mode="after")
    def _dates(self) -> Fund:
        problems = []
        if self.inception_date:
            problems += [(f"managers.{i}.since", f"{m.since.isoformat()} is before the fund's inception on {self.inception_date.isoformat()}")
                         for i, m in enumerate(self.managers) if m.since < self.inception_date]
            problems += [(f"share_classes.{i}.inception_date", f"{c.inception_date.isoformat()} is before the fund's inception on "
                          f"{self.inception_date.isoformat()}")
                         for i, c in enumerate(self.share_classes) if c.inception_date and c.inception_date < self.inception_date]
        if problems:
            raise rule_error(problems)
        return self

    def class_currency(self, share_class: ShareClass) -> str:
        return share_class.currency or self.currency

    @property
    def distributes(self) -> bool:
        return any(c.distribution is not Distribution.accumulating for c in self.share_classes)


class FundFile(Strict):
    """A whole fund file: the root of the schema (`schema: fund/v2`, or `fund/v1`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: Literal["fund/v1", "fund/v2"] = Field(alias="schema")
    as_of: AsOfDate
    jurisdiction: Annotated[str, StringConstraints(strict=True), matches("CN|HK|EU", "the jurisdictions are CN (mainland "
                                                                          "China, CSRC), HK (Hong Kong, SFC) and EU (a "
                                                                          "PRIIPs KID only, from an EPT row)"),
                            json_schema(type="string", enum=list(JURISDICTIONS))]
    languages: Annotated[list[Lang], Field(min_length=1, max_length=3)] | None = Field(
        None, description="fund/v2: the languages the fund publishes in; every text is required in each")
    fund: Fund
    index: Index | None = None
    performance: Performance | None = None
    history: History | None = None
    allocations: Allocations | None = None
    holdings: Holdings | None = None
    market: Market | None = None
    commentary: LocalizedText | None = None
    priips: Priips | None = None

    _files: dict = PrivateAttr(default_factory=dict)  # history file (relative path) -> bytes, read by the load stage
    _cache: dict = PrivateAttr(default_factory=dict)  # what later stages computed from this fund once (its figures)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is None:
            return value
        problems = [(f"{i}", f"{lang} is listed twice") for i, lang in enumerate(value) if lang in value[:i]]
        if info.data.get("jurisdiction") == "HK":
            problems += [(f"{i}", f"{lang} is not a language of Hong Kong documents: use en and zh-HK")
                         for i, lang in enumerate(value) if lang == "zh-CN"]
        if problems:
            raise rule_error(problems)
        return value

    @model_validator(mode="after")
    def _cross_sections(self) -> FundFile:
        # Across sections, so it runs once the sections are valid.
        problems: list[tuple[str, ...]] = []
        if self.schema_ == "fund/v2" and self.languages is None:
            problems.append(("languages", "is required in fund/v2: the languages the fund publishes in", "missing"))
        if self.schema_ == "fund/v1" and self.jurisdiction == "HK":
            problems.append(("jurisdiction", "Hong Kong funds need schema fund/v2 (with `languages`)"))
        if self.jurisdiction == "EU" and (self.priips is None or self.priips.stated is None):
            problems.append(("jurisdiction", "EU is for a KID of another house's product, from its EPT row: give priips.stated "
                                             "(factsheets and key facts follow CN or HK rules)"))
        if self.fund.risk is None and self.jurisdiction == "CN":
            problems.append(("fund.risk", "is required for a mainland (CN) fund: its rating and minimum investor class", "missing"))
        start = self.fund.inception_date
        if start is not None and self.performance is not None and self.performance.annual_returns is not None:
            returns = self.performance.annual_returns
            problems += [
                (f"performance.annual_returns.{series}.{year}", f"a return for {year} is before the fund's inception on {start.isoformat()}")
                for series, values in (("fund", returns.fund), ("benchmark", returns.benchmark))
                for year in sorted(values)
                if year < start.year
            ]
        navs = [i for i, c in enumerate(self.fund.share_classes) if c.nav]
        if navs and self.fund.inception_date is None:
            problems.append(("fund.inception_date", "is required with a NAV history: performance is measured from it", "missing"))
        if self.history and self.history.benchmark and not navs:
            problems.append(("history.benchmark", "a benchmark history needs the classes' NAV history (share_classes[].nav)"))
        if self.priips is not None:
            codes = [c.code for c in self.fund.share_classes]
            if self.priips.class_code not in codes:
                problems.append(("priips.class_code", f"{self.priips.class_code} is not a share class of the fund ({', '.join(codes)})"))
        if problems:
            raise rule_error(problems)
        return self

    @property
    def code(self) -> str:
        return self.fund.code

    @property
    def publishes(self) -> tuple[str, ...]:
        """The languages the fund publishes in: `languages` (fund/v2); en and zh-CN for fund/v1, and
        zh-HK when a fund/v1 file gives any zh-HK text (and must then give them all)."""
        if self.languages is not None:
            return tuple(lang for lang in LANGS if lang in self.languages)
        return V1_LANGS + (("zh-HK",) if self.gives_lang("zh-HK") else ())

    def texts(self) -> list[tuple[str, LocalizedText]]:
        """Every reader-visible text with its dotted path, for language and wording checks."""
        found: list[tuple[str, LocalizedText]] = []

        def walk(value: object, path: str) -> None:
            if isinstance(value, LocalizedText):
                found.append((path, value))
            elif isinstance(value, BaseModel):
                for name, field in type(value).model_fields.items():
                    walk(getattr(value, name), f"{path}.{field.alias or name}" if path else (field.alias or name))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    walk(item, f"{path}.{i}")

        walk(self, "")
        return found

    def free_texts(self, langs: tuple[str, ...]) -> list[str]:
        """Every reader-visible text of the fund in the given languages: prose a statement could be
        quoted in, which must not count as the statement itself."""
        return [value for _, text in self.texts() for lang in langs if (value := text.get(lang))]

    def gives_lang(self, lang: str) -> bool:
        """Whether some text is given in a language (the KID's English texts aside)."""
        return any(text.get(lang) for _, text in self.texts() if not text.REQUIRED)

    def has_lang(self, lang: str) -> bool:
        return all(text.get(lang) for _, text in self.texts() if not text.REQUIRED)

    @property
    def priips_class(self) -> ShareClass | None:
        """The PRIIPs representative share class (`priips.class_code`), or None without PRIIPs data."""
        if self.priips is None:
            return None
        return next((c for c in self.fund.share_classes if c.code == self.priips.class_code), None)

    @property
    def files(self) -> dict[str, bytes]:
        """The history files the fund refers to, as the load stage read them (relative path -> bytes)."""
        return self._files

    def attach_history(self, files: dict[str, bytes]) -> None:
        """Keep the history files the fund refers to (relative path -> bytes), as the load stage read them:
        every later stage reads them from here, never from the disk again."""
        self._files = dict(files)

    def history_paths(self) -> list[tuple[str, str]]:
        """(dotted path of the reference, relative file path) of every history file referred to."""
        found = [(f"fund.share_classes.{i}.nav", c.nav) for i, c in enumerate(self.fund.share_classes) if c.nav]
        if self.history and self.history.benchmark:
            found.append(("history.benchmark", self.history.benchmark))
        if self.priips and self.priips.proxy:
            found.append(("priips.proxy", self.priips.proxy))
        return found
