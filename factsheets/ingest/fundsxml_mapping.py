"""Where a FundsXML 4.2 file keeps what a fund file needs: element paths (ElementTree's path language, relative to
the `Fund`, the `ShareClass`, the `Position` or the `Asset`), as FundsXML's own elements place them. A house whose
files use other optional elements (its fund code in `Names/ShortName`, its fees under other `Fee/Type` names) says
so in a TOML mapping file, validated with every problem at once, by key:

    [fund]
    code = ["Names/ShortName"]                  # the first path that gives a value wins
    [share_class]
    class = ["Identifiers/ISIN"]
    [fees]                                      # our fee -> the Fee/Type texts that mean it
    management = ["ManagementFee", "Management Fee"]
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import FactsheetError

Paths = list[str]


class MappingError(FactsheetError):
    pass


def _paths(value: Paths | str) -> Paths:
    """One path or several; each must be an ElementTree path (checked by lxml, which finds with it)."""
    from lxml import etree

    found = [value] if isinstance(value, str) else value
    probe = etree.Element("probe")
    for path in found:
        try:
            probe.find(path)
        except (SyntaxError, KeyError, ValueError) as error:
            raise ValueError(f"{path!r} is not an element path ({error})") from None
    return found


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("*", mode="before")
    @classmethod
    def _check(cls, value: object) -> object:
        return _paths(value) if isinstance(value, (str, list)) and cls is not FeeTypes else value


class FundPaths(_Section):
    code: Paths = ["Identifiers/ISIN", "Identifiers/LEI", "Names/ShortName"]
    name: Paths = ["Names/MarketingName", "Names/OfficialName"]
    currency: Paths = ["Currency"]
    domicile: Paths = ["FundStaticData/DomicileCountry"]
    inception_date: Paths = ["FundStaticData/InceptionDate"]
    legal_structure: Paths = ["FundStaticData/ListedLegalStructure", "FundStaticData/UnlistedLegalStructure"]
    custodian: Paths = ["FundStaticData/Custodian/Name"]
    management_company: Paths = ["FundStaticData/InvestmentCompany/Name"]
    year_end_day: Paths = ["FundStaticData/EndOfFiscalYear/Day"]
    year_end_month: Paths = ["FundStaticData/EndOfFiscalYear/Month"]
    total_net_assets: Paths = ["FundDynamicData/TotalAssetValues/TotalAssetValue"]  # NavDate, TotalNetAssetValue/Amount
    ongoing_charges: Paths = ["FundStaticData/OngoingCosts/OngoingCost[CostType='Ongoing Charges']/Percentage",
                              "FundStaticData/OngoingCosts/OngoingCost[CostType='Ongoing Costs']/Percentage"]
    cic: Paths = ["FundStaticData/Classifications/Classification[ListedGroup='CIC']/Value"]
    managers: Paths = ["FundStaticData/PortfolioManagers/PortfolioManager"]  # Name, StartDate
    portfolios: Paths = ["FundDynamicData/Portfolios/Portfolio"]  # NavDate, Positions/Position
    share_classes: Paths = ["SingleFund/ShareClasses/ShareClass", "Subfunds/Subfund/ShareClasses/ShareClass"]


class ShareClassPaths(_Section):
    code: Paths = ["Identifiers/ISIN"]
    class_: Paths = Field(["Names/ShortName"], alias="class")
    name: Paths = ["Names/OfficialName", "Names/MarketingName"]
    currency: Paths = ["Currency"]
    inception_date: Paths = ["InceptionDate"]
    earning_use: Paths = ["ShareClassType/EarningUse"]
    min_investment: Paths = ["MinimumInvestment/Amount"]
    prices: Paths = ["Prices/Price"]  # NavDate, NavPrice
    dividends: Paths = ["Distributions/Distribution"]  # ExDate, GrossDividendAmount/PerShare/Amount
    fees: Paths = ["Fees/Fee"]  # Type, Maximum, DataByPeriods/DataByPeriod/Values/FeeAsPercentageOfTNA


class FeeTypes(_Section):
    """Our fees, each with the `Fee/Type` texts that mean it (compared without case and spaces)."""

    management: list[str] = ["ManagementFee", "Management", "AnnualManagementCharge"]
    custody: list[str] = ["CustodyFee", "CustodianFee", "DepositaryFee"]
    max_subscription: list[str] = ["SubscriptionFee", "EntryFee", "FrontEndLoad", "FrontLoad"]
    max_redemption: list[str] = ["RedemptionFee", "ExitFee", "BackEndLoad", "BackLoad"]


class FundsXmlMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fund: FundPaths = FundPaths()
    share_class: ShareClassPaths = ShareClassPaths()
    fees: FeeTypes = FeeTypes()


def load_mapping(path: str | Path) -> FundsXmlMapping:
    """A FundsXML mapping file (TOML); MappingError naming the file and every bad key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise MappingError(f"{path}: {error}") from None
    try:
        return FundsXmlMapping.model_validate(data)
    except ValidationError as error:
        lines = [f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors(include_url=False)]
        raise MappingError("\n".join(lines)) from None
