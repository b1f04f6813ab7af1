"""Stage 1, load: read a YAML or JSON fund file into plain data, safely.

Numbers with a fraction become `Decimal` straight from their text (never via float),
duplicate keys are errors, and the file size is bounded before anything is parsed.
"""

from __future__ import annotations

import json
import re
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from ..errors import FundFileError, Problem

MAX_BYTES = 5 * 1024 * 1024
# A fund file holds a few hundred values (50 holdings in three languages and 30 years of
# returns are under 2,000) and nests six deep. The limits stop a large or hostile file early,
# in bounded time and memory, instead of building millions of objects first.
MAX_NODES = 20_000
MAX_DEPTH = 32
FUND_SUFFIXES = (".yaml", ".yml", ".json")
Position = tuple[int, int]  # line and column, both counted from 1 (columns in characters)


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int | None, column: int | None = None):
        self.key, self.line, self.column = key, line, column


class FundLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with exact decimals, no duplicate keys and no aliases."""

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Decimal:
        text = str(self.construct_scalar(node)).replace("_", "").lower()
        if text.endswith(".nan"):
            return Decimal("NaN")  # rejected by the model, with the field's path
        if text.endswith(".inf"):
            return Decimal("-Infinity" if text.startswith("-") else "Infinity")
        return Decimal(text)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A value PyYAML recognises but Python refuses (year 0, 30 February, an int of 5,000
        # digits) is an error at its own line, not a bare ValueError.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, ArithmeticError, TypeError, OverflowError) as err:
            shown = repr(node.value) if isinstance(node, yaml.ScalarNode) and len(node.value) <= 40 else "value"
            what = "a valid date" if node.tag == "tag:yaml.org,2002:timestamp" else "readable"
            raise yaml.constructor.ConstructorError(None, None, f"{shown} is not {what}: {err}", node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain value, not a list or mapping", key_node.start_mark
                ) from None
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def compose_node(self, parent: Any, index: Any) -> Any:
        # Aliases make alias bombs possible and a fund file never needs them.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "aliases (*name) are not allowed in fund files", event.start_mark)
        self._nodes = getattr(self, "_nodes", 0) + 1
        self._depth = getattr(self, "_depth", 0) + 1
        if self._nodes > MAX_NODES or self._depth > MAX_DEPTH:
            event = self.peek_event()
            limit = f"more than {MAX_NODES:,} values" if self._nodes > MAX_NODES else f"nested more than {MAX_DEPTH} deep"
            raise yaml.MarkedYAMLError(None, None, f"{limit}: not a fund file", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


FundLoader.add_constructor("tag:yaml.org,2002:float", FundLoader.construct_yaml_float)
# YAML 1.2 reads 1e9 and -1e40 as numbers; PyYAML (YAML 1.1) as text, which would then be "not a number".
FundLoader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"), list("-+0123456789"))
FundLoader.add_constructor("tag:yaml.org,2002:map", FundLoader.construct_yaml_map)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key, None)
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def parse(text: str, source: str | Path, positions: dict[str, Position] | None = None) -> Any:
    """Parse fund-file text (JSON if the file ends in .json, else YAML). Given a `positions` dict, also
    fill it with where each field stands (`node_positions`), from the same parse of a YAML file."""
    try:
        if str(source).endswith(".json"):
            data = json.loads(text, parse_float=Decimal, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
            if positions is not None:
                positions.update(text_positions(text, source))
            return data
        loader = FundLoader(text)  # as yaml.load does, keeping the node tree for the positions
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if positions is not None:
                positions.update(node_positions(node))
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except _DuplicateKey as dup:
        raise FundFileError(source, [Problem("", f"duplicate key {dup.key!r}", dup.line, dup.column)]) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise FundFileError(source, [Problem("", f"not valid YAML: {err.problem or err.context}", line, column)]) from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow (NUL, other controls)
        line = text.count("\n", 0, err.position) + 1
        raise FundFileError(source, [Problem("", f"not valid YAML: character U+{err.character:04X} is not allowed", line)]) from None
    except json.JSONDecodeError as err:
        raise FundFileError(source, [Problem("", f"not valid JSON: {err.msg}", err.lineno, err.colno)]) from None
    except RecursionError:
        raise FundFileError(source, [Problem("", "nested too deeply")]) from None
    except (yaml.YAMLError, ValueError, ArithmeticError, TypeError) as err:
        raise FundFileError(source, [Problem("", f"not valid {'JSON' if str(source).endswith('.json') else 'YAML'}: {err}")]) from None


def read_bytes(path: str | Path) -> bytes:
    """A fund file's bytes: a regular file within the size limit, or FundFileError naming it."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or /dev/zero would block or never end
            raise FundFileError(path, [Problem("", "not a regular file")])
        if info.st_size > MAX_BYTES:
            raise FundFileError(path, [Problem("", f"file is {info.st_size:,} bytes, above the limit of {MAX_BYTES:,}")])
        with path.open("rb") as fh:
            return fh.read(MAX_BYTES + 1)  # the file may have grown since stat
    except OSError as err:
        raise FundFileError(path, [Problem("", f"cannot read file: {err.strerror or err}")]) from None


def read_data(path: str | Path) -> dict[str, Any]:
    """Read a fund file into a mapping, or raise FundFileError naming the file."""
    return data_from_bytes(read_bytes(path), path)


def data_from_bytes(raw: bytes, path: str | Path, positions: dict[str, Position] | None = None) -> dict[str, Any]:
    """The mapping in a fund file's bytes (as read on a remote worker); `path` names it in errors.
    Given a `positions` dict, fills it with where each field stands (see `node_positions`)."""
    if len(raw) > MAX_BYTES:
        raise FundFileError(path, [Problem("", f"file is {len(raw):,} bytes, above the limit of {MAX_BYTES:,}")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise FundFileError(path, [Problem("", f"not UTF-8 text (byte {err.start})", line)]) from None
    data = parse(text, path, positions)
    if data is None:
        raise FundFileError(path, [Problem("", "file is empty")])
    if not isinstance(data, dict):
        raise FundFileError(path, [Problem("", f"expected a mapping at the top level, found a {type(data).__name__}")])
    return data


def node_positions(root: yaml.Node) -> dict[str, Position]:
    """Where each field of a composed fund file stands: dotted path (as in findings and `Problem.path`:
    `fund.risk.min_investor`, `share_classes.0.code`, `index.annual_returns.2024`) -> (line, column).

    A plain value is placed where the value starts (the reader's cursor on `C2`); a mapping or list
    where its key is (the line `performance:`, not the first line inside it); a list item where the item
    starts. A side map for the reports: what `read_data` and `load_fund` return is unchanged."""
    found: dict[str, Position] = {}

    def walk(node: yaml.Node, path: str, key_mark: yaml.Mark | None) -> None:
        if path:
            mark = key_mark if key_mark is not None and not isinstance(node, yaml.ScalarNode) else node.start_mark
            found.setdefault(path, (mark.line + 1, mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    walk(value, f"{path}.{key.value}" if path else str(key.value), key.start_mark)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}.{i}" if path else str(i), None)

    walk(root, "", None)  # depth is bounded by the loader (MAX_DEPTH)
    return found


def text_positions(text: str, source: str | Path = "") -> dict[str, Position]:
    """`node_positions` of fund-file text, YAML or JSON (read by the YAML composer, which takes JSON's
    syntax). Text that does not parse gives none (`parse` reports its problem with its line)."""
    if str(source).endswith(".json"):
        text = text.replace("\t", " ")  # JSON allows tabs where YAML does not; one character each, columns stay
    try:
        root = yaml.compose(text, Loader=FundLoader)  # noqa: S506 - FundLoader is a SafeLoader
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return {}
    return node_positions(root) if root is not None else {}


def read_positions(path: str | Path) -> dict[str, Position]:
    """Where each field of a fund file on disk stands (`node_positions`); {} when it cannot be read."""
    try:
        raw = read_bytes(path)
        return text_positions(raw.decode("utf-8-sig"), path)
    except (FundFileError, UnicodeDecodeError):
        return {}


# Files beside the fund files that are not fund files: their `schema:` says what they are (a fund's
# prospectus texts, `ingest.prospectus.merge_texts`). A folder's expansion leaves them out.
_OTHER_SCHEMA = re.compile(rb"""^\s*["']?schema["']?\s*:\s*["']?prospectus/""", re.M)


def _other_kind(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return bool(_OTHER_SCHEMA.search(fh.read(4096)))
    except OSError:
        return False  # reported when the file is read as a fund file


def fund_files(paths: list[str | Path]) -> list[Path]:
    """Expand directories into the fund files they hold (sorted, not recursive into hidden folders,
    without the prospectus texts kept beside them)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*")
                if p.suffix in FUND_SUFFIXES and p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and not _other_kind(p)
            )
        else:
            found.append(path)
    return found


HISTORY_MAX_BYTES = 16 * 1024 * 1024  # a daily history of some 400,000 rows: far more than any fund's


def read_history(references: list[tuple[str, str]], base: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """The history files a fund file refers to ((dotted path, relative file) pairs), read once: each
    must lie inside the fund file's folder (no symlink leading out of it), be a regular file and stay
    within the size limit. Their contents are checked by the performance stage (`nav.py`)."""
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    root = base.resolve()
    for where, name in references:
        if name in files:
            continue
        target = base / name
        try:
            real = target.resolve(strict=True)
        except (OSError, RuntimeError):
            problems.append(Problem(where, f"{name}: no such file next to the fund file ({base / name})"))
            continue
        if not real.is_relative_to(root) or real != (root / name).resolve(strict=False) or target.is_symlink():
            problems.append(Problem(where, f"{name}: refused: a history file must be a file inside the fund file's folder"))
            continue
        try:
            info = real.stat()
            if not stat.S_ISREG(info.st_mode):
                problems.append(Problem(where, f"{name}: not a regular file"))
                continue
            if info.st_size > HISTORY_MAX_BYTES:
                problems.append(Problem(where, f"{name}: {info.st_size:,} bytes, above the limit of {HISTORY_MAX_BYTES:,}"))
                continue
            with real.open("rb") as fh:
                files[name] = fh.read(HISTORY_MAX_BYTES + 1)
        except OSError as err:
            problems.append(Problem(where, f"{name}: cannot read: {err.strerror or err}"))
    return files, problems
