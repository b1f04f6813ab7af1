"""What a document depends on, hashed in one place.

A document is made from its fund data and variant, from what every document of a renderer
shares (`setup_digest`: the package's own code and data, the judge's check version, the
templates, the styles, the brand, the fonts, the PDF variant, SOURCE_DATE_EPOCH) and from the
files it fetched while it was laid out (`assets`: images and stylesheets that styles and
templates refer to, the logo), each by the hash of its bytes. `inputs_hash` of these is the
document's inputs hash: the one in its XMP (`fs:inputsHash`, over the attached fund data) and
the one in the manifest of incremental builds (over the fund file as given, which the driver
hashes without parsing it). Change any input and the hash changes; so a build renders again
exactly the documents whose inputs changed, and, as the check version is an input, judges
again with a stricter judge every document it has not seen.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Iterable, Mapping

from .._version import __version__
from ..assets import PACKAGE_DIR

_NOT_INPUTS = {"__pycache__", "examples"}  # byte code, and the package's sample funds


def _update(digest, *parts: bytes) -> None:
    for part in parts:  # length-prefixed: no two sequences of parts hash alike
        digest.update(len(part).to_bytes(8, "big") + part)


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes; "missing" for a file that is no longer there."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return "missing"


def tree_digest(folder: Path) -> str:
    """SHA-256 of a package folder's files (names and bytes), byte code and sample funds left out."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not _NOT_INPUTS & set(p.relative_to(folder).parts)):
        if path.suffix != ".pyc":
            _update(digest, str(path.relative_to(folder)).encode(), path.read_bytes())
    return digest.hexdigest()


@cache
def package_digest() -> str:
    """The package's own files: its code (chart colours, layout rules, the judge), the disclosure
    libraries and the catalogues; hashed once per process."""
    return tree_digest(PACKAGE_DIR)


def setup_digest(templates: Iterable[tuple[str, str]], styles: Iterable[str], options: Mapping[str, object],
                 imports: Mapping[str, str]) -> str:
    """SHA-256 of what every document of a renderer shares: the package (version, code and data, the
    judge's check version, the fonts), the template sources (name, source), the style sources, the
    renderer's options (brand, PDF variant), the files the styles import and SOURCE_DATE_EPOCH."""
    from .. import fonts
    from ..errors import FactsheetError
    from ..pdf.legibility import CHECK_VERSION

    digest = hashlib.sha256()
    try:
        font_files = fonts.fingerprint()
    except FactsheetError:
        font_files = "no-fonts"
    _update(digest, __version__.encode(), package_digest().encode(), f"check {CHECK_VERSION}".encode(), font_files.encode(),
            os.environ.get("SOURCE_DATE_EPOCH", "").encode(), repr(sorted(options.items())).encode())
    for name, source in sorted(templates):
        _update(digest, b"template", name.encode(), source.encode())
    for source in styles:
        _update(digest, b"style", source.encode())
    for path, sha in sorted(imports.items()):
        _update(digest, b"import", path.encode(), sha.encode())
    return digest.hexdigest()


def inputs_hash(fund: bytes, variant: str, setup: str, assets: Mapping[str, str]) -> str:
    """The inputs hash of one document: its fund data, variant, renderer setup (`setup_digest`) and
    the files it fetched (path -> SHA-256 of their bytes)."""
    digest = hashlib.sha256()
    _update(digest, fund, variant.encode(), setup.encode())
    for path, sha in sorted(assets.items()):
        _update(digest, path.encode(), sha.encode())
    return digest.hexdigest()


def current(assets: Mapping[str, str], digests: dict[str, str] | None = None) -> dict[str, str]:
    """The same files' digests now (`digests` caches them across documents)."""
    digests = {} if digests is None else digests
    for path in assets:
        if path not in digests:
            digests[path] = file_digest(path)
    return {path: digests[path] for path in assets}
