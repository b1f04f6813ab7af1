"""The schema of `factsheets.toml` (or `[tool.factsheets]`), as Pydantic models, so that a bad
configuration gets every problem at once with its dotted key, like a fund file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..documents.variants import VariantError, parse_variant
from ..fund.model import CODE_PATTERN
from ..pdf.layout import LAST_PAGE_MIN_FILL
from ..pdf.legibility import MIN_CONTRAST, contrast_on_white, hex_rgb
from ..rules import get_rule

NonEmpty = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=500)]
def _code(value: str) -> str:
    if not re.fullmatch(CODE_PATTERN.strip("^$"), value):
        raise PydanticCustomError("code", "{value} is not a fund code: 1 to 32 ASCII letters, digits, '-' or '_'", {"value": repr(value)})
    return value


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise PydanticCustomError("colour", "{value} is not a colour: write it as # and six hexadecimal digits, e.g. #1f4e79",
                                  {"value": repr(value)})
    return value


Colour = Annotated[str, StringConstraints(strict=True), AfterValidator(_colour)]
_MESSAGES = {
    "missing": "is required (a waiver needs a fund, a rule, a reason, an approver and an expiry date)",
    "string_too_short": "is required (a waiver needs a fund, a rule, a reason, an approver and an expiry date)",
    "extra_forbidden": "unknown key",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WaiverModel(_Strict):
    fund: Annotated[str, StringConstraints(strict=True), AfterValidator(_code)]
    rule: NonEmpty
    reason: NonEmpty
    approver: NonEmpty
    expires: dt.date

    @field_validator("fund", mode="before")
    @classmethod
    def _quoted(cls, value: Any) -> Any:
        if isinstance(value, int):
            raise PydanticCustomError("fund_code", 'must be a string (quote fund codes: "017125")')
        return value

    @field_validator("rule")
    @classmethod
    def _known(cls, value: str) -> str:
        rule = get_rule(value)
        if rule is None:
            raise PydanticCustomError("unknown_rule", "unknown rule {rule} (see `factsheets rules`)", {"rule": repr(value)})
        return rule.code

    @field_validator("expires", mode="before")
    @classmethod
    def _toml_date(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if not isinstance(value, dt.date):
            raise PydanticCustomError("toml_date", "must be a TOML date (2026-03-31), not {value}", {"value": repr(value)})
        return value


class PerLanguage(_Strict):
    """A name given per language (`name = { en = "…", zh-CN = "…" }`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    en: NonEmpty | None = None
    zh_CN: NonEmpty | None = Field(None, alias="zh-CN")
    zh_HK: NonEmpty | None = Field(None, alias="zh-HK")

    @model_validator(mode="after")
    def _some(self) -> PerLanguage:
        if not (self.en or self.zh_CN or self.zh_HK):
            raise PydanticCustomError("empty", "give the text in at least one of en, zh-CN, zh-HK")
        return self

    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((lang, text) for lang, text in (("en", self.en), ("zh-CN", self.zh_CN), ("zh-HK", self.zh_HK)) if text)


class BrandModel(_Strict):
    name: NonEmpty | PerLanguage | None = None
    legal_entity: NonEmpty | PerLanguage | None = None
    primary: Colour | None = None
    accent: Colour | None = None
    logo: Path | None = None

    @field_validator("primary")
    @classmethod
    def _readable(cls, value: str | None) -> str | None:
        # Headings are set in the primary colour on white: it must stay legible (WCAG 4.5:1). The accent
        # only draws the risk block's bar: decoration, held to no text contrast (a style that sets text in
        # it is judged on the page, as every statement is).
        if value is not None and contrast_on_white(hex_rgb(value)) < MIN_CONTRAST:
            raise PydanticCustomError("low_contrast", "{value} is too light on white (contrast below 4.5:1)", {"value": value})
        return value

    @field_validator("logo")
    @classmethod
    def _inside_project(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        base: Path = info.context["base"]
        path = (base / value).resolve()
        if not path.is_relative_to(base.resolve()):
            raise PydanticCustomError("outside", "{value} lies outside the project folder", {"value": str(value)})
        if path.suffix.lower() not in (".svg", ".png", ".jpg", ".jpeg"):
            raise PydanticCustomError("logo_type", "must be an SVG, PNG or JPEG file")
        if not path.is_file():
            raise PydanticCustomError("no_file", "{value}: no such file", {"value": str(value)})
        return path


class BuildModel(_Strict):
    funds: Path | None = None
    out: Path | None = None
    variants: tuple[str, ...] = ()
    templates: Path | None = None
    styles: Path | None = None

    @field_validator("variants")
    @classmethod
    def _known_variants(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            try:
                parse_variant(name)
            except VariantError as error:
                raise PydanticCustomError("variant", str(error)) from None
        return value

    @field_validator("funds", "out", "templates", "styles")
    @classmethod
    def _relative(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else (info.context["base"] / value).resolve()


def ed25519_public_key(text: str) -> bytes:
    """The 32 raw bytes of an Ed25519 public key written as `openssl pkey -pubout` prints it (PEM),
    as only the base64 line of that PEM, or as the base64 of the 32 bytes; ValueError if it is none of these."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    body = "".join(line for line in text.strip().splitlines() if not line.startswith("-----"))
    try:
        data = base64.b64decode(body, validate=True)
    except ValueError:
        raise ValueError("not base64") from None
    if len(data) == 32:
        return data
    try:
        key = serialization.load_der_public_key(data)
    except ValueError:
        raise ValueError("not a public key") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ValueError("not an Ed25519 key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _public_key(value: str | None) -> str | None:
    if value is not None:
        try:
            ed25519_public_key(value)
        except ValueError as error:
            raise PydanticCustomError("public_key", "not an Ed25519 public key ({why}): give the output of "
                                      "`openssl pkey -in house.key -pubout`", {"why": str(error)}) from None
    return value


HOST_RULE = "a name such as review.example.com, an IPv4 address, or an IPv6 address in brackets; no port, no wildcard"


def host_name(value: str) -> str:
    """A host name the review page may answer to, in lower case; ValueError if it is not one (HOST_RULE)."""
    name = value.strip().lower()
    if not re.fullmatch(r"(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)", name):
        raise ValueError(f"{value!r} is not a host name ({HOST_RULE})")
    return name


def _host_name(value: str) -> str:
    try:
        return host_name(value)
    except ValueError as error:
        raise PydanticCustomError("host", "{why}", {"why": str(error)}) from None


HostName = Annotated[str, StringConstraints(strict=True, max_length=253), AfterValidator(_host_name)]


class ReviewModel(_Strict):
    # What a checker signs off: the whole document, or the data and the commentary separately.
    sign_off: tuple[Literal["document", "data", "commentary"], ...] = ("document",)
    # The house's Ed25519 public key: publication.json and `audit anchor` heads are checked against it.
    public_key: Annotated[str, StringConstraints(strict=True, max_length=1000), AfterValidator(_public_key)] | None = None
    # Host names the review page answers besides loopback (added to `factsheets review --allowed-host`).
    allowed_hosts: tuple[HostName, ...] = ()

    @field_validator("sign_off")
    @classmethod
    def _parts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or len(set(value)) != len(value) or ("document" in value and len(value) > 1):
            raise PydanticCustomError("sign_off", 'must be ["document"], or one or both of "data" and "commentary"')
        return value


class LayoutModel(_Strict):
    # The share of the last page's body a document of several pages must use (LY004). A project may lower it,
    # saying why (a document type whose regulator fixes its sections and their order); a higher bar needs no reason.
    last_page_min_fill: Annotated[float, Field(ge=0, lt=1, strict=False)] = LAST_PAGE_MIN_FILL
    reason: NonEmpty | None = None

    @model_validator(mode="after")
    def _reasoned(self) -> LayoutModel:
        if self.last_page_min_fill < LAST_PAGE_MIN_FILL and not self.reason:
            raise PydanticCustomError(
                "reason", "last_page_min_fill {value} is under the {bar} the layout rules require: give the reason "
                          "(reason = \"...\")", {"value": self.last_page_min_fill, "bar": LAST_PAGE_MIN_FILL})
        return self


class ConfigModel(_Strict):
    max_age: Annotated[StrictInt, Field(ge=0, le=36500)] | None = None
    waivers: list[WaiverModel] = []
    brand: BrandModel | None = None
    build: BuildModel | None = None
    review: ReviewModel | None = None
    layout: LayoutModel | None = None


def config_problems(data: dict, base: Path) -> tuple[ConfigModel | None, list[tuple[str, str]]]:
    try:
        return ConfigModel.model_validate(data, context={"base": base}), []
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            where = ".".join(str(part) for part in item["loc"])
            message = _MESSAGES.get(item["type"], item["msg"])
            if where == "max_age":
                message = f"must be a whole number of days, not {item.get('input')!r}"
            if item["type"] == "extra_forbidden":
                message = f"unknown key (allowed here: {_allowed(item['loc'])})"
            problems.append((where, re.sub(r"^Value error, ", "", message)))
        return None, problems


def _allowed(loc: tuple) -> str:
    model: type[BaseModel] = ConfigModel
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        for candidate in (WaiverModel, BrandModel, BuildModel, ReviewModel, LayoutModel):
            if candidate.__name__ in str(annotation):
                model = candidate
    return ", ".join(model.model_fields)
