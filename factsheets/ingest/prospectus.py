"""The prospectus texts: what the key facts and the KID need from the offering documents, which a house's
legal team keeps, not the administrator's export. A small YAML file per fund (`examples/prospectus/<code>.yaml`,
`schema: prospectus/v2`, `fund: <code>`, `texts:`) that `merge_texts` lays over the fund data before
validation; `add_texts` does so for a fund being imported.

`prospectus/v1` gives fields of the fund file's `fund:` section (`V1_FIELDS`); v2 (`spec/prospectus-v2.md`) adds
the fields the regulators' templates ask for, each put where it belongs in the fund file (`PLACES`): a class's fees,
fee tiers and dividend policy on that share class (by its code), the managers' 证券从业日期 on each manager (by
name), the KID's texts under `priips:`, the rest under `fund:`. A v1 file still reads; `migrate_prospectus`
rewrites it as v2 and names the fields its documents lack.

A file may also have a `priips:` section, for a KID made from another house's EPT row: what the EPT does not carry
(the manufacturer's website, phone and competent authority, the objective, the intended investor, the scenario
windows), laid over the fund file's `priips:`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FundFileError, Problem
from .fund_import import FundImport, is_code
from .workbook import Ref

V1_FIELDS = ("management_company", "custodian", "dealing", "financial_year_end", "product", "objective", "strategy",
             "derivatives", "key_risks", "guarantee", "risk_return", "additional_information", "contact", "legal_form",
             "ucits", "past_performance_url", "scenarios_url")
# prospectus/v2's own fields, and where each goes: `fund` (the fund: section), `class` (each share class named by
# its code), `managers` (each manager named by name), `priips` (the PRIIPs section).
PLACES = {
    "investment_manager": "fund", "fund_fees": "fund", "ongoing_charges_note": "fund", "short_name": "fund",
    "operation": "fund", "opening": "fund", "scope": "fund", "prepared_on": "fund", "operating_fees": "fund",
    "fees": "class", "dividend_policy": "class", "subscription_tiers": "class", "redemption_tiers": "class",
    "manager_careers": "managers",
    "umbrella": "priips", "depositary": "priips", "other_risks": "priips", "complaints": "priips",
}
V2_FIELDS = V1_FIELDS + tuple(PLACES)
# A class's `fees:` in the prospectus -> the share class's `fees` field (maximum subscription and redemption charges).
FEES = {"subscription": "max_subscription", "switching": "switching", "redemption": "max_redemption",
        "management": "management", "performance": "performance"}
SCHEMAS = ("prospectus/v1", "prospectus/v2")
# What a KID needs beyond an EPT row, which the manufacturer's documents give (`priips:` of a prospectus file).
PRIIPS_FIELDS = ("manufacturer_group", "website", "phone", "competent_authority", "objective", "intended_investor",
                 "scenario_windows")


def merge_texts(data: dict, prospectus: object, source: str = "<prospectus>") -> dict:
    """The fund data (a raw fund file mapping) with a prospectus file's texts laid over it; a FundFileError naming
    `source` and every problem at once (an unknown field, another fund's file, a class or manager the fund does not
    have, a fee the export gives otherwise). The result is validated as any fund file is."""
    return _merge(data, prospectus, source)[0]


def _merge(data: dict, prospectus: object, source: str) -> tuple[dict, dict[str, str]]:
    """`merge_texts`, and where each of the prospectus's texts went: `texts.<path>` -> the fund file's dotted path."""
    found: list[Problem] = []
    if not isinstance(prospectus, dict):
        raise FundFileError(source, [Problem("", "a prospectus file is a mapping with schema, fund and texts")])
    schema = prospectus.get("schema")
    if schema not in SCHEMAS:
        found.append(Problem("schema", "must be prospectus/v2 (or prospectus/v1)"))
    fund = data.get("fund") if isinstance(data.get("fund"), dict) else {}
    code = str(fund.get("code", ""))
    if str(prospectus.get("fund", "")) != code:
        found.append(Problem("fund", f"{prospectus.get('fund')!r} is not the fund {code!r}: the texts of another fund?"))
    texts = prospectus.get("texts")
    if not isinstance(texts, dict):
        found.append(Problem("texts", "is required: a mapping of fund fields to their texts"))
        texts = {}
    allowed = V1_FIELDS if schema == "prospectus/v1" else V2_FIELDS
    for key in texts:
        if key in PLACES and schema == "prospectus/v1":
            found.append(Problem(f"texts.{key}", "is a prospectus/v2 field: set `schema: prospectus/v2`"))
        elif key not in allowed:
            found.append(Problem(f"texts.{key}", f"is not a prospectus field: use {', '.join(V2_FIELDS)}"))
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
    merged = {**data, "fund": dict(fund)}
    if kid:
        merged["priips"] = {**data["priips"], **kid}
        placed_kid = {f"priips.{key}": f"priips.{key}" for key in kid}
    else:
        placed_kid = {}
    placed: dict[str, str] = {}
    for key, value in texts.items():
        place = PLACES.get(key, "fund")
        if place == "fund":
            merged["fund"][key] = value
            placed[f"texts.{key}"] = f"fund.{key}"
        elif place == "priips":
            if not isinstance(data.get("priips"), dict):
                found.append(Problem(f"texts.{key}", "is a text of the PRIIPs KID, and the fund has no priips section"))
                continue
            merged["priips"] = {**merged.get("priips", data["priips"]), key: value}
            placed[f"texts.{key}"] = f"priips.{key}"
        elif place == "class":
            found += _into_classes(merged, key, value, placed)
        else:
            found += _into_managers(merged, value, placed)
    if found:
        raise FundFileError(source, found)
    return merged, {**placed_kid, **placed}


def _into_classes(merged: dict, key: str, value: object, placed: dict[str, str]) -> list[Problem]:
    """A per-class field (`fees`, `dividend_policy`, `subscription_tiers`, `redemption_tiers`: class code -> value)
    laid on each share class; a class's fee the export gives otherwise is a problem, never overwritten."""
    classes = [dict(c) if isinstance(c, dict) else c for c in merged["fund"].get("share_classes") or []]
    merged["fund"]["share_classes"] = classes
    codes = {str(c.get("code")): i for i, c in enumerate(classes) if isinstance(c, dict)}
    if not isinstance(value, dict):
        return [Problem(f"texts.{key}", "is a mapping of share class codes to their values")]
    problems = []
    for code, given in value.items():
        i = codes.get(str(code))
        if i is None:
            problems.append(Problem(f"texts.{key}.{code}", f"is not a share class of the fund ({', '.join(codes)})"))
            continue
        if key != "fees":
            classes[i][key] = given
            placed[f"texts.{key}.{code}"] = f"fund.share_classes.{i}.{key}"
            continue
        if not isinstance(given, dict):
            problems.append(Problem(f"texts.fees.{code}", f"is a mapping of fees ({', '.join(FEES)}) to their rates in %"))
            continue
        fees = dict(classes[i].get("fees") or {})
        for name, rate in given.items():
            field = FEES.get(name)
            if field is None:
                problems.append(Problem(f"texts.fees.{code}.{name}", f"is not a fee of the prospectus: use {', '.join(FEES)}"))
            elif field in fees and fees[field] != rate:
                problems.append(Problem(f"texts.fees.{code}.{name}", f"{rate} is not the export's {field} of {fees[field]}: "
                                                                      "the export and the offering documents must agree"))
            else:
                fees[field] = rate
                placed[f"texts.fees.{code}.{name}"] = f"fund.share_classes.{i}.fees.{field}"
        classes[i]["fees"] = fees
    return problems


def _into_managers(merged: dict, careers: object, placed: dict[str, str]) -> list[Problem]:
    """`manager_careers` (a manager's name, in any of its languages -> 证券从业日期) laid on each manager."""
    managers = [dict(m) if isinstance(m, dict) else m for m in merged["fund"].get("managers") or []]
    merged["fund"]["managers"] = managers
    if not isinstance(careers, dict):
        return [Problem("texts.manager_careers", "is a mapping of the managers' names to the day each started in the "
                                                 "securities industry")]
    names = {str(text): i for i, m in enumerate(managers) if isinstance(m, dict) and isinstance(m.get("name"), dict)
             for text in m["name"].values()}
    problems = []
    for name, day in careers.items():
        i = names.get(str(name))
        if i is None:
            problems.append(Problem(f"texts.manager_careers.{name}", f"is not a manager of the fund ({', '.join(names)})"))
            continue
        managers[i]["career_start"] = day
        placed[f"texts.manager_careers.{name}"] = f"fund.managers.{i}.career_start"
    return problems


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
        fund.data, placed = _merge(fund.data, prospectus, name)
    except FundFileError as error:
        for problem in error.problems:
            line = problem.line or positions.get(problem.path, (None, None))[0]
            fund.error(Ref(name, line=line), f"{problem.path}: {problem.message}" if problem.path else problem.message)
        return
    for where, path_ in placed.items():  # each text at its line, and a problem inside it (key_risks.2.title) at its own
        fund.cells[path_] = Ref(name, line=positions.get(where, (None, None))[0])
        for inner, (line, _) in positions.items():
            if inner.startswith(f"{where}."):
                fund.cells[f"{path_}.{inner[len(where) + 1:]}"] = Ref(name, line=line)
    fund.sources.append(name)


# -- prospectus/v1 -> v2 ------------------------------------------------------------------------------

# What each document needs of prospectus/v2, by the jurisdiction its texts are in (zh-HK: Hong Kong, zh-CN: the
# mainland) and, for the KID, a fund that says whether it is a UCITS or gives its KID's pages.
# A field needed only in some cases says when.
NEEDS = {
    "the Hong Kong key facts (kfs)": ("fees", "fund_fees", "ongoing_charges_note", "dividend_policy",
                                      "investment_manager (when the management company delegates)"),
    "the 基金产品资料概要 (kfs)": ("short_name", "operation", "opening", "scope", "prepared_on", "manager_careers",
                                  "subscription_tiers", "redemption_tiers", "operating_fees"),
    "the PRIIPs KID (kid)": ("other_risks", "complaints", "umbrella (when the fund is a sub-fund)",
                             "depositary (when the fund's custodian is not its depositary)"),
}
_SCHEMA_LINE = re.compile(r"^schema:[ \t]*(?P<q>[\"']?)prospectus/v1(?P=q)(?=[ \t]*(#.*)?$)", re.MULTILINE)


@dataclass(frozen=True)
class ProspectusMigration:
    source: Path
    text: str  # the prospectus/v2 file: the v1 file with its schema line changed, comments and layout kept
    lacks: dict[str, tuple[str, ...]]  # document -> the v2 fields its documents need that the file does not give


def documents_of(data: dict[str, Any]) -> tuple[str, ...]:
    """The documents (`NEEDS`' keys) a prospectus file's fund has, told from its texts: zh-HK texts are a Hong Kong
    fund's, zh-CN texts a mainland one's; `ucits` or a past-performance or scenarios page a fund with a KID."""
    texts = data.get("texts") if isinstance(data.get("texts"), dict) else {}

    def gives(value: object, lang: str) -> bool:
        if isinstance(value, dict):
            return any((k == lang and v) or gives(v, lang) for k, v in value.items())
        return isinstance(value, list) and any(gives(item, lang) for item in value)

    hong_kong, mainland = gives(texts, "zh-HK"), gives(texts, "zh-CN")
    kid = any(key in texts for key in ("ucits", "past_performance_url", "scenarios_url"))
    names = list(NEEDS)
    return tuple(name for name, has in zip(names, (hong_kong, mainland, kid)) if has)


def migrate_prospectus(path: Path, raw: bytes, data: dict[str, Any]) -> ProspectusMigration | None:
    """The prospectus/v2 text of a prospectus/v1 file (None when it is v2 already), naming for each of its fund's
    documents the v2 fields it lacks. FundFileError when the file is neither, or its schema line cannot be edited."""
    schema = data.get("schema")
    if schema == "prospectus/v2":
        return None
    if schema != "prospectus/v1":
        raise FundFileError(path, [Problem("schema", "must be prospectus/v1 to migrate (or prospectus/v2 already)")])
    text = raw.decode("utf-8-sig")
    if len(_SCHEMA_LINE.findall(text)) != 1:
        raise FundFileError(path, [Problem("schema", "the schema line could not be edited: change it to "
                                                     "`schema: prospectus/v2` by hand")])
    edited = _SCHEMA_LINE.sub(lambda m: f"schema: {m['q']}prospectus/v2{m['q']}", text, count=1)
    texts = data.get("texts") if isinstance(data.get("texts"), dict) else {}
    lacks = {document: tuple(f"texts.{field}" for field in NEEDS[document] if field.split()[0] not in texts)
             for document in documents_of(data)}
    return ProspectusMigration(path, edited, {d: fields for d, fields in lacks.items() if fields})
