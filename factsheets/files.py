"""Stage 6, write: put a finished PDF in the output folder atomically.

The bytes go to a temporary file beside the target and are renamed into place, so a
reader never sees half a PDF, and an interrupted run leaves none behind. Every value that
becomes part of a file name matches a strict pattern, and nothing is written through a
symbolic link: the output lands in the output folder or nowhere."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import FactsheetError
from .fund.model import CODE_PATTERN

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: os.umask can only be read by setting it

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+.-]{0,120}$")
# The parts of a file name: a fund code (as `model.Code`) and a variant name (`en`, `zh-CN`,
# `bilingual`, `en+zh-HK`).
CODE = re.compile(CODE_PATTERN)
VARIANT = re.compile(r"^((kfs|kid)\.)?[A-Za-z]{2,12}(-[A-Za-z]{2,4})?(\+[A-Za-z]{2,12}(-[A-Za-z]{2,4})?)?$")


class WriteError(FactsheetError):
    pass


def output_path(out_dir: Path, code: str, variant_name: str) -> Path:
    """`<out_dir>/<code>.<variant>.pdf` (`<code>.kfs.<variant>.pdf` for key facts, `<code>.kid.en.pdf` for a
    KID: `variants.Target.name`), refusing any name or link that could lead elsewhere."""
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


def write_atomic(target: Path, data: bytes) -> Path:
    """Write `data` to `target` through a temporary file in the same folder; on any failure
    (a full disk, a folder that cannot be written, an interrupt) the temporary file is removed
    and an earlier version of `target` is left as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; a PDF is for others to read
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)  # replaces a link itself, never the file it points to
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)
    return target


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: not every file system can sync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
