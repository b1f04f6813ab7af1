"""The project's configuration for `check` and `verify`: `factsheets.toml`, or `[tool.factsheets]`
in pyproject.toml, found in the current folder or the nearest parent.

    max_age = 45                      # days; --max-age overrides it

    [[waivers]]                       # one fund exempted from one rule, never without all four
    fund = "513770"
    rule = "FD007"                    # a code or a name (stale-data)
    reason = "archived factsheet of record"
    approver = "J. Chen, Compliance"
    expires = 2026-03-31

A waived finding is still reported, marked waived; it does not fail the check. After its expiry
date a waiver no longer applies, and is itself a finding (FD008 expired-waiver).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import FactsheetError
from .rules import Finding, get_rule
from .rules.fund_data import ExpiredWaiver

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAME = "factsheets.toml"


class ConfigError(FactsheetError):
    pass


@dataclass(frozen=True)
class Waiver:
    fund: str
    rule: str  # a rule code
    reason: str
    approver: str
    expires: dt.date
    where: str  # "factsheets.toml: waivers.0"

    def describe(self) -> str:
        return f"waived until {self.expires.isoformat()} by {self.approver}: {self.reason}"


@dataclass
class Config:
    path: Path | None = None
    max_age: int | None = None
    waivers: list[Waiver] = field(default_factory=list)


def find_config(start: Path) -> tuple[Path, dict] | None:
    for folder in [start, *start.parents]:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate, _read(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            section = _read(pyproject).get("tool", {}).get("factsheets")
            if section is not None:
                return pyproject, section
    return None


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """The configuration at `path`, or the nearest one above `start` (the current folder); empty if none."""
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"{path}: no such configuration file")
        data = _read(path)
        if path.name == "pyproject.toml":
            data = data.get("tool", {}).get("factsheets", {})
        return parse_config(data, path)
    found = find_config((start or Path.cwd()).resolve())
    return parse_config(found[1], found[0]) if found else Config()


def parse_config(data: dict, path: Path | None = None) -> Config:
    name = path.name if path else "configuration"
    prefix = "tool.factsheets." if path and path.name == "pyproject.toml" else ""
    unknown = set(data) - {"max_age", "waivers"}
    if unknown:
        raise ConfigError(f"{path}: {prefix}{sorted(unknown)[0]}: unknown key (expected max_age, waivers)")
    max_age = data.get("max_age")
    if max_age is not None and (not isinstance(max_age, int) or isinstance(max_age, bool) or max_age < 0):
        raise ConfigError(f"{path}: {prefix}max_age: must be a whole number of days, not {max_age!r}")
    raw_waivers = data.get("waivers", [])
    if not isinstance(raw_waivers, list):
        raise ConfigError(f"{path}: {prefix}waivers: must be an array of tables ([[waivers]])")
    waivers = []
    for i, raw in enumerate(raw_waivers):
        where = f"{prefix}waivers.{i}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: {where}: must be a table")
        for key in ("fund", "rule", "reason", "approver", "expires"):
            value = raw.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise ConfigError(f"{path}: {where}.{key}: is required (a waiver needs a fund, a rule, a reason, "
                                  f"an approver and an expiry date)")
        if extra := set(raw) - {"fund", "rule", "reason", "approver", "expires"}:
            raise ConfigError(f"{path}: {where}.{sorted(extra)[0]}: unknown key")
        rule = get_rule(str(raw["rule"]))
        if rule is None:
            raise ConfigError(f"{path}: {where}.rule: unknown rule {raw['rule']!r} (see `factsheets rules`)")
        expires = raw["expires"]
        if isinstance(expires, dt.datetime):
            expires = expires.date()
        if not isinstance(expires, dt.date):
            raise ConfigError(f"{path}: {where}.expires: must be a TOML date (2026-03-31), not {expires!r}")
        for key in ("fund", "reason", "approver"):
            if not isinstance(raw[key], str):
                raise ConfigError(f"{path}: {where}.{key}: must be a string (quote fund codes: \"017125\")")
        waivers.append(Waiver(raw["fund"], rule.code, raw["reason"].strip(), raw["approver"].strip(), expires,
                              f"{name}: {where}"))
    return Config(path, max_age, waivers)


def apply_waivers(findings: list[Finding], config: Config, today: dt.date, funds: set[str] | None = None) -> list[Finding]:
    """Mark the findings a live waiver covers; add a finding for each expired waiver of a fund checked."""
    checked = {f.fund for f in findings if f.fund} | (funds or set())
    result = []
    for finding in findings:
        live = next((w for w in config.waivers
                     if w.fund == finding.fund and w.rule == finding.code and w.expires >= today), None)
        result.append(replace(finding, waived=True, waiver=live.describe()) if live else finding)
    rule = ExpiredWaiver()
    for waiver in config.waivers:
        if waiver.expires < today and waiver.fund in checked:
            result.append(Finding(rule.code, rule.name, rule.severity,
                                  f"the waiver of {waiver.rule} for fund {waiver.fund} expired on {waiver.expires.isoformat()} "
                                  f"(approved by {waiver.approver}: {waiver.reason})",
                                  str(config.path or "configuration"), waiver.fund, None, waiver.where.split(": ", 1)[-1]))
    return result
