"""The documents of an output folder, from its manifest (`OUT/manifest.json`, see batch.Entry).

A document is named by its path relative to the output folder (POSIX separators) and a version
by the SHA-256 of its bytes. The manifest is read tolerantly: keys this version does not know are
ignored, `document` (factsheet, kfs, kid) defaults to factsheet, and a manifest whose folder was
moved still resolves (its absolute paths are taken by their place below the folder, else by name).
No path is read unless it resolves inside the output folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import ReviewError

MANIFEST = "manifest.json"
KINDS = ("factsheet", "kfs", "kid")


@dataclass(frozen=True)
class Document:
    document: str  # path relative to OUT; for a failed build, "" (nothing to review)
    fund: str
    variant: str
    kind: str
    build: str  # written, unchanged, failed; "invalid" for a manifest row that does not hold (`error` says why)
    sha256: str
    pages: int
    source: str
    error: str
    statements: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.document or f"{self.source}#{self.variant}"


def _relative(prefix: str, path: str) -> str:
    """A manifest path relative to the output folder (`prefix`: the folder, resolved, with a final
    separator). Names only, no file system access: 2,000 rows take milliseconds; `resolve` checks
    a path for real before anything is read."""
    if not path:
        return ""
    if os.path.isabs(path):
        normal = os.path.normpath(path)
        if normal.startswith(prefix):
            return normal[len(prefix):].replace(os.sep, "/")
        return os.path.basename(normal)  # the folder was moved or renamed since the build
    return os.path.normpath(path).replace(os.sep, "/")


def read_documents(out: Path) -> list[Document]:
    """Every document in the manifest of `out` (skipped variants left out), in manifest order. A
    manifest that cannot be read is an error; a row that does not hold (not an object, a path
    outside the folder, a page count that is no number) is kept as a document of build "invalid"
    whose error names the row, so one bad row is shown as such and takes nothing else down."""
    out = Path(out).resolve()
    manifest = out / MANIFEST
    try:
        rows = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReviewError(f"{manifest}: no manifest (build into this folder first: factsheets build --out {out})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ReviewError(f"{manifest}: cannot read: {getattr(error, 'strerror', None) or error}") from None
    except ValueError as error:
        raise ReviewError(f"{manifest}: not valid JSON: {error}") from None
    if not isinstance(rows, list):
        raise ReviewError(f"{manifest}: not a list of documents")
    prefix = os.path.join(str(out), "")
    found = []
    for i, row in enumerate(rows):
        try:
            document = _document(prefix, row)
        except ValueError as error:
            found.append(Document(document="", fund=str(row.get("fund") or "") if isinstance(row, dict) else "", variant="",
                                  kind="factsheet", build="invalid", sha256="", pages=0, source=f"{MANIFEST} [{i}]",
                                  error=f"{manifest}: [{i}]{error}", statements=()))
            continue
        if document is not None:
            found.append(document)
    return found


def _document(prefix: str, row: object) -> Document | None:
    """One row of the manifest; None for a skipped variant; ValueError(".field: what is wrong")."""
    if not isinstance(row, dict):
        raise ValueError(": not an object")
    status = str(row.get("status", ""))
    if status == "skipped":
        return None
    document = _relative(prefix, str(row.get("path") or "")) if status != "failed" else ""
    if document and (document.startswith("../") or document.startswith("/") or "/../" in f"/{document}/"):
        raise ValueError(f".path: {str(row.get('path'))[:200]} lies outside the output folder")
    try:
        pages = int(row.get("pages") or 0)
    except (TypeError, ValueError):
        raise ValueError(f".pages: {str(row.get('pages'))[:40]} is not a number of pages") from None
    statements = row.get("statements") or []
    return Document(
        document=document, fund=str(row.get("fund") or ""), variant=str(row.get("variant") or ""),
        kind=str(row.get("document") or "factsheet"), build=status, sha256=str(row.get("sha256") or ""), pages=pages,
        source=str(row.get("source") or ""), error=str(row.get("error") or ""),
        statements=tuple(str(s) for s in statements) if isinstance(statements, list) else (),
    )


def resolve(out: Path, document: str) -> Path:
    """The file of a document, refusing any name that leads outside the output folder."""
    out = Path(out).resolve()
    if not document or "\\" in document or "\0" in document:
        raise ReviewError(f"{document!r} is not a document path")
    parts = PurePosixPath(document).parts
    if PurePosixPath(document).is_absolute() or ".." in parts:
        raise ReviewError(f"{document}: lies outside the output folder")
    path = (out / Path(*parts)).resolve()
    if not path.is_relative_to(out) or path == out:
        raise ReviewError(f"{document}: lies outside the output folder {out}")
    return path


def read_document(out: Path, document: str) -> tuple[bytes, str]:
    """The current bytes of a document and their SHA-256."""
    path = resolve(out, document)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReviewError(f"{path}: no such file (rebuild, or remove it from the manifest)") from None
    except OSError as error:
        raise ReviewError(f"{path}: cannot read: {error.strerror or error}") from None
    return data, hashlib.sha256(data).hexdigest()


def locate(pdf: Path) -> tuple[Path, str]:
    """For a PDF named on the command line: its output folder (the nearest folder above it holding
    a manifest.json, else its own folder) and its document path relative to that folder."""
    path = Path(pdf).resolve()
    for folder in path.parents:
        if (folder / MANIFEST).is_file():
            return folder, path.relative_to(folder).as_posix()
    return path.parent, path.name
