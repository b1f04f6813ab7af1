"""The prospectus texts: what the key facts and the KID need from the offering documents, which a house's
legal team keeps, not the administrator's export. A small YAML file per fund (`examples/prospectus/<code>.yaml`,
`schema: prospectus/v1`, `fund: <code>`, `texts:` with fields of the fund file's `fund:` section, and for a KID
made from another house's EPT row `priips:` with what the EPT does not carry: the manufacturer's website, phone
and competent authority, the objective, the intended investor, the scenario windows) that
`merge_texts` lays over the fund data before validation; `add_texts` does so for a fund being imported."""

from __future__ import annotations

from pathlib import Path

from ..errors import FundFileError, Problem
from .fund_import import FundImport, is_code
from .workbook import Ref

# What a KID needs beyond an EPT row, which the manufacturer's documents give (`priips:` of a prospectus file).
PRIIPS_FIELDS = ("manufacturer_group", "website", "phone", "competent_authority", "objective", "intended_investor",
                 "scenario_windows")
TEXT_FIELDS = ("management_company", "custodian", "dealing", "financial_year_end", "product", "objective", "strategy",
               "derivatives", "key_risks", "guarantee", "risk_return", "additional_information", "contact", "legal_form",
               "ucits", "past_performance_url", "scenarios_url")


def merge_texts(data: dict, prospectus: object, source: str = "<prospectus>") -> dict:
    """The fund data (a raw fund file mapping) with a prospectus file's texts laid over its `fund:`
    section; a FundFileError naming `source` and every problem at once (an unknown field, another
    fund's file). The result is validated as any fund file is."""
    found: list[Problem] = []
    if not isinstance(prospectus, dict):
        raise FundFileError(source, [Problem("", "a prospectus file is a mapping with schema, fund and texts")])
    if prospectus.get("schema") != "prospectus/v1":
        found.append(Problem("schema", "must be prospectus/v1"))
    code = str(((data.get("fund") or {}) if isinstance(data.get("fund"), dict) else {}).get("code", ""))
    if str(prospectus.get("fund", "")) != code:
        found.append(Problem("fund", f"{prospectus.get('fund')!r} is not the fund {code!r}: the texts of another fund?"))
    texts = prospectus.get("texts")
    if not isinstance(texts, dict):
        found.append(Problem("texts", "is required: a mapping of fund fields to their texts"))
        texts = {}
    found += [Problem(f"texts.{key}", f"is not a prospectus field: use {', '.join(TEXT_FIELDS)}")
              for key in texts if key not in TEXT_FIELDS]
    if unknown := [k for k in prospectus if k not in ("schema", "fund", "texts", "priips")]:
        found += [Problem(str(k), "is not a key of a prospectus file (schema, fund, texts, priips)") for k in unknown]
    kid = prospectus.get("priips") or {}
    if not isinstance(kid, dict):
        found.append(Problem("priips", "is a mapping of the KID's fields to their texts"))
        kid = {}
    found += [Problem(f"priips.{key}", f"is not a KID field a prospectus gives: use {', '.join(PRIIPS_FIELDS)}")
              for key in kid if key not in PRIIPS_FIELDS]
    if kid and not isinstance(data.get("priips"), dict):
        found.append(Problem("priips", "the fund has no priips section to lay these over"))
    if found:
        raise FundFileError(source, found)
    merged = dict(data)
    merged["fund"] = {**data["fund"], **texts}
    if kid:
        merged["priips"] = {**data["priips"], **kid}
    return merged


def add_texts(fund: FundImport, texts: Path) -> None:
    """The fund's prospectus texts (`<texts>/<fund code>.yaml`) laid over what the workbook gives, each text
    recorded at its line of that file; read as a fund file is (`load`: a bounded regular file, safe YAML),
    never through a symbolic link. A fund without such a file keeps the workbook's texts (its key facts
    name what they lack)."""
    from ..fund.load import data_from_bytes, read_bytes

    if fund.errors or not is_code(fund.code):  # a bad code is a problem of its own: no path is made of it
        return
    path = texts / f"{fund.code}.yaml"
    if not path.exists() and not path.is_symlink():
        return
    name = f"{texts.name}/{path.name}"
    if path.is_symlink():
        fund.error(name, "a symbolic link: refusing to read the prospectus texts through it")
        return
    positions: dict[str, tuple[int, int]] = {}
    try:
        prospectus = data_from_bytes(read_bytes(path), name, positions)
        fund.data = merge_texts(fund.data, prospectus, name)
    except FundFileError as error:
        for problem in error.problems:
            line = problem.line or positions.get(problem.path, (None, None))[0]
            fund.error(Ref(name, line=line), f"{problem.path}: {problem.message}" if problem.path else problem.message)
        return
    for key in prospectus["texts"]:
        fund.cells[f"fund.{key}"] = Ref(name, line=positions.get(f"texts.{key}", (None, None))[0])
        for path_, (line, _) in positions.items():  # a problem inside a text (key_risks.2.title) at its own line
            if path_.startswith(f"texts.{key}."):
                fund.cells[f"fund.{key}.{path_[len(f'texts.{key}.'):]}"] = Ref(name, line=line)
    fund.sources.append(name)
