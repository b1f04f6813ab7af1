"""What the PRIIPs KID says beyond its figures (`kid`), from the offering documents (prospectus/v2): the legal
form and umbrella in "Type", the depositary of a UCITS, the risks the summary risk indicator does not capture, how
to complain (Art. 7: the steps, a website, a postal and an e-mail address), and which of these fields a fund with
a `priips` section lacks (KD004, the build).

The KID is in English whatever languages the fund's other documents are in: its texts are English (`KidText`)."""

from __future__ import annotations

import re

from ..errors import BuildError, Problem
from ..fund.model import FundFile, LegalForm, ShareClass

ENGLISH = "en"
WHY = "required for the PRIIPs KID (kid)"
# (dotted path, what it is) of what every KID needs from the offering documents.
REQUIRED = (
    ("fund.legal_form", "the legal form, for \"Type\" (investment_company, unit_trust or contractual_fund)"),
    ("fund.ucits", "whether the fund is a UCITS, for \"Type\" and the depositary (true or false)"),
    ("priips.other_risks", "the materially relevant risks the summary risk indicator does not capture"),
    ("priips.complaints", "how to complain: the steps, a website, a postal and an e-mail address (Art. 7)"),
    ("fund.past_performance_url", "where the past performance is published (Art. 8(3))"),
    ("fund.scenarios_url", "where previous performance scenarios are published (Art. 8(3))"),
)
LEGAL_FORMS = {LegalForm.investment_company: "an open-ended investment company", LegalForm.unit_trust: "a unit trust",
               LegalForm.contractual_fund: "a contractual fund"}
_ISIN_SHAPE = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]")


def _get(fund: FundFile, path: str) -> object:
    value: object = fund
    for part in path.split("."):
        value = getattr(value, part) if value is not None else None
    return value


def depositary(fund: FundFile) -> str | None:
    """The depositary's name: `priips.depositary`, else the fund's custodian."""
    if fund.priips is not None and fund.priips.depositary is not None:
        return fund.priips.depositary[ENGLISH]
    custodian = fund.fund.custodian
    return custodian.name.get(ENGLISH) if custodian is not None else None


def problems(fund: FundFile) -> list[Problem]:
    """Every field the fund's KID needs from the offering documents that the fund file lacks (none without PRIIPs data)."""
    if fund.priips is None:
        return []
    found = [Problem(path, f"{WHY}: {what}", kind="missing") for path, what in REQUIRED if _get(fund, path) is None]
    if fund.fund.ucits and depositary(fund) is None:
        found.append(Problem("priips.depositary", f"{WHY}: the depositary of a UCITS (or fund.custodian, in English)",
                             kind="missing"))
    return found


def check(fund: FundFile, langs: tuple[str, ...]) -> None:
    """Raise a BuildError naming every field the KID lacks."""
    if missing := problems(fund):
        raise BuildError(fund.code, [f"kid.en: {p.path}: {p.message}; no PDF written" for p in missing])


def identifier_label(code: str) -> str:
    """What the code is called: "ISIN", the template's only label, for a code shaped as one (two letters, nine
    letters or digits, a digit), else "Product code" (which the template does not accept: such a KID is refused).
    The check digit is not required: the house export's fictional LU0000990301 has a wrong one (it would be 8)."""
    return "ISIN" if _ISIN_SHAPE.fullmatch(code) else "Product code"


def product_type(fund: FundFile, category: str, domicile: str, share_class: ShareClass, class_label: str,
                 currency: str, currency_name: str) -> str:
    """"Type": what the product is in law: the umbrella it is a sub-fund of, its legal form, and whether it is a
    UCITS; then the class the document describes."""
    info = fund.fund
    umbrella = fund.priips.umbrella[ENGLISH] if fund.priips.umbrella is not None else None
    form = LEGAL_FORMS.get(info.legal_form, "an open-ended investment fund")
    what = f"a sub-fund of {umbrella}, {form}" if umbrella else form
    if info.ucits:
        what += ", and a UCITS (an undertaking for collective investment in transferable securities)"
    return (f"{category}{domicile}: {what}. This document describes its share class {class_label} ({share_class.code}), "
            f"in {currency_name} ({currency}).")


def complaints(fund: FundFile) -> tuple[str, ...]:
    """"How can I complain?": the steps, and where: a website, a postal address and an e-mail address (Art. 7)."""
    p = fund.priips
    given = p.complaints
    if given is None:  # a KID without it is not built (`check`): the manufacturer's website and phone
        return (f"You can complain about the product, or about the conduct of its manufacturer, {p.manufacturer}, "
                f"through {p.website} or by calling {p.phone}.",)
    return (
        f"To complain about the product, or about the conduct of its manufacturer, {p.manufacturer}: {given.steps[ENGLISH]}",
        f"Website: {given.website}",
        f"Post: {given.address[ENGLISH]}",
        f"E-mail: {given.email}",
        "If you want to complain about the person who advised you on or sold you the product, contact that person.",
    )
