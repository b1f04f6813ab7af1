"""fund/v1 -> fund/v2: `schema: fund/v2` and `languages:` (en and zh-CN, and zh-HK when the file gives
any zh-HK text, which is what a fund/v1 file publishes in), the rest unchanged.

The file's text is edited in place of re-writing it, so that its comments and layout stay: the
schema line is changed and a `languages:` line is added after the jurisdiction. The edit is checked
by reading the new text back: it must hold the old data plus exactly those two changes, and validate
as fund/v2. A YAML file the edit cannot be applied to is re-written from its data instead (its
comments are then lost, and the result says so).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FundFileError, Problem
from .dump import dump_fund
from .fields import V1_LANGS
from .load import data_from_bytes, read_bytes
from .validate import validate_data


class Unreadable(FundFileError):
    """A file that cannot be read or parsed (as opposed to one that would not validate)."""


@dataclass(frozen=True)
class Migration:
    source: Path
    text: str  # the fund/v2 file
    languages: tuple[str, ...]
    kept_layout: bool  # False: re-written from the data, comments lost


def _gives(data: Any, lang: str) -> bool:
    if isinstance(data, dict):
        return any((key == lang and value not in (None, "")) or _gives(value, lang) for key, value in data.items())
    if isinstance(data, list):
        return any(_gives(item, lang) for item in data)
    return False


def languages_of(data: dict[str, Any]) -> tuple[str, ...]:
    """What a fund/v1 file publishes in: en and zh-CN, and zh-HK when it gives any zh-HK text."""
    return V1_LANGS + (("zh-HK",) if _gives(data, "zh-HK") else ())


_YAML_SCHEMA = re.compile(r"^schema:[ \t]*(?P<q>[\"']?)fund/v1(?P=q)(?=[ \t]*(#.*)?$)", re.MULTILINE)
_YAML_JURISDICTION = re.compile(r"^jurisdiction:.*$", re.MULTILINE)
_JSON_SCHEMA = re.compile(r"^(?P<indent>[ \t]*)\"schema\"[ \t]*:[ \t]*\"fund/v1\"(?P<comma>[ \t]*,)?", re.MULTILINE)


def _edit_yaml(text: str, langs: tuple[str, ...]) -> str | None:
    if len(_YAML_SCHEMA.findall(text)) != 1:
        return None
    text = _YAML_SCHEMA.sub(lambda m: f"schema: {m['q']}fund/v2{m['q']}", text, count=1)
    line = f"languages: [{', '.join(langs)}]   # the languages the fund publishes in (fund/v2; added by `factsheets migrate`)"
    anchor = _YAML_JURISDICTION.search(text) or _YAML_SCHEMA.search(text) or re.search(r"^schema:.*$", text, re.MULTILINE)
    if anchor is None:
        return None
    return text[:anchor.end()] + "\n" + line + text[anchor.end():]


def _edit_json(text: str, langs: tuple[str, ...]) -> str | None:
    found = _JSON_SCHEMA.findall(text)
    if len(found) != 1:
        return None
    listed = json.dumps(list(langs))

    def replace(m: re.Match) -> str:
        return f'{m["indent"]}"schema": "fund/v2",\n{m["indent"]}"languages": {listed}' + (m["comma"] or "")
    return _JSON_SCHEMA.sub(replace, text, count=1)


def migrate_file(path: str | Path, today: dt.date | None = None) -> Migration | None:
    """The fund/v2 text of a fund/v1 file; None when it is fund/v2 already. FundFileError when the
    file cannot be read or the result would not validate (every problem)."""
    path = Path(path)
    try:
        raw = read_bytes(path)
        data = data_from_bytes(raw, path)
    except FundFileError as error:
        raise Unreadable(error.source, error.problems) from None
    if data.get("schema") == "fund/v2":
        return None
    if data.get("schema") != "fund/v1":
        raise FundFileError(path, [Problem("schema", "must be fund/v1 to migrate (or fund/v2 already)")])
    langs = languages_of(data)
    expected = {"schema": "fund/v2", "languages": list(langs), **{k: v for k, v in data.items() if k != "schema"}}
    text = raw.decode("utf-8-sig")
    is_json = path.suffix == ".json"
    edited = _edit_json(text, langs) if is_json else _edit_yaml(text, langs)
    kept = edited is not None
    if edited is not None:
        try:
            kept = data_from_bytes(edited.encode("utf-8"), path) == expected
        except FundFileError:
            kept = False
    if not kept:
        if is_json:
            raise FundFileError(path, [Problem("schema", "the file's layout could not be edited: change `schema` to fund/v2 "
                                                          f"and add \"languages\": {json.dumps(list(langs))} by hand")])
        edited = dump_fund(expected)
    validate_data(data_from_bytes(edited.encode("utf-8"), path), path, today)
    return Migration(path, edited, langs, kept)


def target_of(path: Path, in_place: bool) -> Path:
    """`513770.yaml` -> `513770.v2.yaml` (the same file with in_place)."""
    return path if in_place else path.with_name(f"{path.stem}.v2{path.suffix}")
