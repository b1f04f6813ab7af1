"""The project's configuration for `check` and `verify`: `factsheets.toml`, or `[tool.factsheets]`
in pyproject.toml, found in the current folder or the nearest parent.

    max_age = 45                      # days; --max-age overrides it

    [[waivers]]                       # one fund exempted from one rule, never without all four
    fund = "513770"
    rule = "FD007"                    # a code or a name (stale-data)
    reason = "archived factsheet of record"
    approver = "J. Chen, Compliance"
    expires = 2026-03-31

    [layout]                          # the layout rules' bar for a last page (LY004), lowered with a reason
    last_page_min_fill = 0.15
    reason = "the SFC's key facts sections run in the regulator's order"

A waived finding is still reported, marked waived; it does not fail the check. After its expiry
date a waiver no longer applies, and is itself a finding (FD008 expired-waiver).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..brand import Brand
from ..errors import FactsheetError
from ..pdf.layout import LAST_PAGE_MIN_FILL
from ..rules import Finding
from ..rules.fund_data import ExpiredWaiver
from .schema import BuildModel, ConfigModel, config_problems

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


@dataclass(frozen=True)
class ReviewSettings:
    sign_off: tuple[str, ...] = ("document",)  # or ("data", "commentary"): each signed off separately
    public_key: str | None = None  # the house's Ed25519 public key (schema.ed25519_public_key reads it)
    allowed_hosts: tuple[str, ...] = ()  # host names the review page answers besides loopback


@dataclass(frozen=True)
class LayoutSettings:
    last_page_min_fill: float = LAST_PAGE_MIN_FILL  # LY004's bar
    reason: str | None = None  # why a project lowered it


@dataclass
class Config:
    path: Path | None = None
    max_age: int | None = None
    waivers: list[Waiver] = field(default_factory=list)
    brand: Brand = field(default_factory=Brand)
    build: BuildModel = field(default_factory=BuildModel)  # [build]: funds, out, variants, templates, styles
    review: ReviewSettings = field(default_factory=ReviewSettings)
    layout: LayoutSettings = field(default_factory=LayoutSettings)


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
    """Validate the configuration (`config_model`, its one schema), listing every problem at once as
    `FILE: dotted.key: what is wrong`."""
    prefix = "tool.factsheets." if path and path.name == "pyproject.toml" else ""
    base = path.parent if path else Path.cwd()
    model, problems = config_problems(data, base)
    if problems:
        raise ConfigError("\n".join(f"{path or 'configuration'}: {prefix}{where}: {message}" for where, message in problems))
    assert isinstance(model, ConfigModel)
    name = path.name if path else "configuration"
    waivers = [
        Waiver(w.fund, w.rule, w.reason, w.approver, w.expires, f"{name}: {prefix}waivers.{i}")
        for i, w in enumerate(model.waivers)
    ]
    brand = Brand()
    if model.brand:
        fields = {k: getattr(model.brand, k) for k in ("name", "legal_entity", "primary", "accent", "logo")}
        brand = Brand(**{k: v.pairs() if hasattr(v, "pairs") else v for k, v in fields.items()})
    review = ReviewSettings(**model.review.model_dump()) if model.review else ReviewSettings()
    layout = LayoutSettings(model.layout.last_page_min_fill, model.layout.reason) if model.layout else LayoutSettings()
    return Config(path, model.max_age, waivers, brand, model.build or BuildModel(), review, layout)


def renderer_options(config: Config) -> dict:
    """The project's templates, styles and brand, as `render.Renderer` takes them (`build`, `check --render`)."""
    settings, options = config.build, {}
    if settings.templates and settings.templates.is_dir():
        options["template_dirs"] = (settings.templates,)
    if settings.styles and settings.styles.is_dir():
        options["style_files"] = tuple(sorted(settings.styles.glob("*.css")))
    if config.brand != Brand():
        options["brand"] = config.brand
    if config.path is not None and (config.path.parent / "locale").is_dir():  # the project's own catalogues
        options["catalogue"] = config.path.parent / "locale"
    if config.layout.last_page_min_fill != LAST_PAGE_MIN_FILL:
        options["last_page_min_fill"] = config.layout.last_page_min_fill
    return options


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
