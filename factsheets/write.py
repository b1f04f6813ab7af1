"""Stage 6, write: put a finished PDF in the output folder atomically.

The bytes go to a temporary file beside the target and are renamed into place, so a
reader never sees half a PDF, and an interrupted run leaves none behind."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import FactsheetError

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+.-]{0,120}$")


class WriteError(FactsheetError):
    pass


def output_path(out_dir: Path, code: str, variant_name: str) -> Path:
    name = f"{code}.{variant_name}.pdf"
    if not SAFE_NAME.match(name) or ".." in name:
        raise WriteError(f"{name!r} is not a safe file name")
    out_dir = out_dir.resolve()
    target = (out_dir / name).resolve()  # a symlink pointing out of the folder is caught here
    if target.parent != out_dir:
        raise WriteError(f"{target} lies outside the output folder {out_dir}")
    return target


def write_atomic(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
