"""Where a built document goes: `<out>/<fund code>.<target>.pdf`, every part of the name matching a strict
pattern, never through a symbolic link, never outside the output folder. The bytes are written by
`files.write_atomic`."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..documents.types import single_language_prefixes
from ..errors import FactsheetError
from ..fund.model import CODE_PATTERN

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+.-]{0,120}$")



# The parts of a file name: a fund code (as `model.Code`) and a variant name (`en`, `zh-CN`,
# `bilingual`, `en+zh-HK`).
CODE = re.compile(CODE_PATTERN)



VARIANT = re.compile(rf"^(({'|'.join(single_language_prefixes())})\.)?[A-Za-z]{{2,12}}(-[A-Za-z]{{2,4}})?(\+[A-Za-z]{{2,12}}(-[A-Za-z]{{2,4}})?)?$")



class WriteError(FactsheetError):
    pass



def output_path(out_dir: Path, code: str, variant_name: str) -> Path:
    """`<out_dir>/<code>.<variant>.pdf` (`<code>.kfs.<variant>.pdf` for key facts, `<code>.kid.en.pdf` for a
    KID: `types.Target.name`), refusing any name or link that could lead elsewhere."""
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise WriteError(f"fund code {code!r} is not safe in a file name")
    if not isinstance(variant_name, str) or not VARIANT.fullmatch(variant_name):
        raise WriteError(f"variant {variant_name!r} is not safe in a file name")
    name = f"{code}.{variant_name}.pdf"
    if not SAFE_NAME.match(name) or ".." in name:
        raise WriteError(f"{name!r} is not a safe file name")
    out_dir = Path(out_dir).resolve()  # the folder the user named, wherever its links lead
    target = out_dir / name
    if target.is_symlink():
        # os.replace would replace the link, not follow it; but a link planted where a PDF
        # belongs is refused outright rather than silently removed.
        raise WriteError(f"{target} is a symbolic link (to {os.readlink(target)}): refusing to write through it")
    if target.resolve().parent != out_dir:
        raise WriteError(f"{target} lies outside the output folder {out_dir}")
    return target
