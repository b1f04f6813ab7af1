"""The models' base (`Strict`) and the reader-visible texts: a text per language (`LocalizedText`),
required in each language the fund publishes in; the KID's English texts (`KidText`); names (`Name`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from .fields import LANGS, V1_LANGS, Text, context_of, rule_error


def _with(error: ValidationError, extra: PydanticCustomError) -> ValidationError:
    """A model's field errors and one more error of the same model, as one ValidationError: a rule
    is reported in the same run as the field errors it would otherwise wait for."""
    details = []
    for item in error.errors(include_url=False):
        kind, ctx = item["type"], item.get("ctx")
        try:  # Pydantic's own error types are rebuilt from their type and context
            ValidationError.from_exception_data("x", [{"type": kind, "loc": (), "input": item["input"], **({"ctx": ctx} if ctx else {})}])
            detail = {"type": kind, "loc": item["loc"], "input": item["input"], **({"ctx": ctx} if ctx else {})}
        except (KeyError, TypeError, ValueError):  # ours: kept with their message (and sub-problems)
            template = "{summary}" if ctx and "summary" in ctx else item["msg"].replace("{", "{{").replace("}", "}}")
            detail = {"type": PydanticCustomError(kind, template, ctx), "loc": item["loc"], "input": item["input"]}
        details.append(detail)
    details.append({"type": extra, "loc": (), "input": None})
    return ValidationError.from_exception_data(error.title, details)


class Strict(BaseModel):
    """Every model of the fund file: an unknown key is an error (a typo is never silently ignored), and
    a validated fund cannot be changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(Strict):
    """A reader-visible text, per language. Each language the fund publishes in is required
    (fund/v1: en and zh-CN); others are optional."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              json_schema_extra={"minProperties": 1, "description": "A text per language (en, zh-CN, zh-HK)"})

    REQUIRED: ClassVar[tuple[str, ...]] = ()  # the languages required whatever the fund publishes in (none: the fund's)

    en: Text | None = None
    zh_CN: Text | None = Field(default=None, alias="zh-CN")
    zh_HK: Text | None = Field(default=None, alias="zh-HK")

    @model_validator(mode="wrap")
    @classmethod
    def _languages(cls, data: object, handler, info: ValidationInfo) -> LocalizedText:
        """Each language the fund publishes in is required. Checked on the raw mapping too, so that a
        text with another problem (an unknown language key) is reported missing in the same run."""
        required = cls.REQUIRED or context_of(info).get("languages") or V1_LANGS
        given = data if isinstance(data, dict) else {}
        missing = [(lang, f"is required: the fund publishes in {lang}", "missing_translation")
                   for lang in required if given.get(lang) is None and given.get(lang.replace("-", "_")) is None]
        if isinstance(data, dict) and not any(given.get(k) for k in (*LANGS, "zh_CN", "zh_HK")) and not missing:
            missing = [("", "give the text in at least one language", "missing_translation")]
        try:
            value = handler(data)
        except ValidationError as error:
            if not missing or not isinstance(data, dict):
                raise
            raise _with(error, rule_error(missing)) from None
        if missing:
            raise rule_error(missing)
        return value

    def get(self, lang: str) -> str | None:
        return {"en": self.en, "zh-CN": self.zh_CN, "zh-HK": self.zh_HK}[lang]

    def __getitem__(self, lang: str) -> str:
        text = self.get(lang)
        if text is None:
            raise KeyError(lang)
        return text


class KidText(LocalizedText):
    """A text of the PRIIPs KID, which is in English whatever languages the fund's other documents are in."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("en",)


class Name(LocalizedText):
    """A name. Like every text it admits no invisible or direction-changing character (which would
    let one fund pose as another): `Text` rejects them all."""
