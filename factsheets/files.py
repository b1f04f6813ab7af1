"""Writing a file atomically: a finished PDF, a fund file, a manifest, the review's database copies.

The bytes go to a temporary file beside the target and are renamed into place, so a
reader never sees half a file, and an interrupted run leaves none behind. Where a built
document may go is `build.output`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: os.umask can only be read by setting it


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
