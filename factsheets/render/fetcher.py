"""The only way WeasyPrint reaches a resource: fonts held in memory for this document and
files inside the project's own asset folders (templates, styles, and a user's template or
style folder when given). No network, no other file, no other scheme (http, https, ftp,
data, ...): anything else raises `RefusedResource`, which stops the render."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

SCHEME = "factsheets"
MAX_ASSET_BYTES = 20 * 1024 * 1024


class RefusedResource(FatalURLFetchingError):
    """Raised for any URL outside the allowed assets; it stops the render.

    It derives from WeasyPrint's `FatalURLFetchingError` (a BaseException), because WeasyPrint
    turns every `Exception` raised by a fetcher into a warning and renders on without the
    resource. Callers turn it into a `BuildError` (see `render.Renderer.render`)."""

    def __init__(self, url: str, reason: str = "only the project's own templates, styles and fonts may be read"):
        self.url = url
        shown = url if len(url) <= 200 else url[:200] + "…"
        super().__init__(f"refused to load {shown}: {reason}")


class AssetFetcher(URLFetcher):
    def __init__(self, memory: dict[str, bytes], roots: list[Path]):
        super().__init__(allowed_protocols=(SCHEME, "file"), allow_redirects=False)
        self._memory = memory
        self._roots = [root.resolve() for root in roots]
        self.served: dict[str, str] = {}  # every file read: path -> SHA-256 of the bytes served (`inputs`)

    def allows(self, url: str) -> Path | bytes | None:
        """What `url` may read (a file inside an allowed folder, or a font in memory), or None."""
        parsed = urlparse(url)
        if parsed.scheme == SCHEME and not parsed.netloc and parsed.path in self._memory:
            return self._memory[parsed.path]
        if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
            path = Path(unquote(parsed.path)).resolve()  # symlinks and ../ resolved before the check
            if any(path.is_relative_to(root) for root in self._roots) and path.is_file():
                return path
        return None

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        found = self.allows(url)
        if isinstance(found, bytes):
            return URLFetcherResponse(url, found, {"Content-Type": "font/otf"})
        if isinstance(found, Path):
            if found.stat().st_size > MAX_ASSET_BYTES:
                raise RefusedResource(url, f"the file is larger than {MAX_ASSET_BYTES:,} bytes")
            mime = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            data = found.read_bytes()
            self.served[str(found)] = hashlib.sha256(data).hexdigest()
            return URLFetcherResponse(url, data, {"Content-Type": mime})
        raise RefusedResource(url)
