"""The only way WeasyPrint reaches a resource: fonts held in memory for this document and
files inside the project's own asset folders. No network, no other file."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

SCHEME = "factsheets"


class RefusedResource(FatalURLFetchingError):
    """Raised for any URL outside the allowed assets; it stops the render."""


class AssetFetcher(URLFetcher):
    def __init__(self, memory: dict[str, bytes], roots: list[Path]):
        super().__init__(allowed_protocols=(SCHEME, "file"))
        self._memory = memory
        self._roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parsed = urlparse(url)
        if parsed.scheme == SCHEME and parsed.path in self._memory:
            return URLFetcherResponse(url, self._memory[parsed.path], {"Content-Type": "font/otf"})
        if parsed.scheme == "file" and not parsed.netloc:
            path = Path(unquote(parsed.path)).resolve()  # symlinks resolved before the check
            if any(path.is_relative_to(root) for root in self._roots) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        raise RefusedResource(f"refused to load {url}: only the project's own assets may be read")
