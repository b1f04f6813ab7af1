"""The rules of `factsheets check` and `factsheets verify`, in one registry.

Codes are stable and grouped by prefix: FD fund data, DS disclosures, PF performance, PDF finished PDF, KD the
PRIIPs KID, XD consistency across a fund's documents, RT a document against its regulator's template, EP an EPT
file (FinDatEx's European PRIIPs Template), LY the layout of a finished PDF.
Each rule is one class with a code, a kebab-case name, a severity, a one-line message and an
explanation; `factsheets rules` lists them. The checking itself is in `check.py`.
"""

from . import consistency, disclosures, ept, fund_data, layout, pdf, performance, priips, regulatory  # noqa: F401 - registers the rules
from .base import REGISTRY, Finding, FundContext, LayoutContext, PdfContext, Rule, get_rule

__all__ = ["REGISTRY", "Finding", "FundContext", "LayoutContext", "PdfContext", "Rule", "get_rule", "rules"]


def rules(scope: str | None = None) -> list[Rule]:
    return sorted((r for r in REGISTRY.values() if scope is None or r.scope == scope), key=lambda r: r.code)

