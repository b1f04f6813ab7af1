"""The files the page shows: a document's PDF, only as listed in the manifest and read inside the
output folder; page previews and visual diffs, only as named by versions' SHA-256 (never a path the
client chooses), and diffs only of the pairs the page shows (an approved version and a later one)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from .. import ReviewError
from ..documents import read_document
from ..state import ReviewState
from ..workflow import Index
from .pages import current, to_login


def image(path: Path) -> Response:
    """A preview or diff PNG: named by SHA-256, so the same URL never shows other pixels."""
    return FileResponse(path, media_type="image/png", headers={"cache-control": "private, max-age=86400, immutable"})


def no_such(what: str) -> Response:
    return Response(f"no such {what}", status_code=404, media_type="text/plain")


def preview(review: ReviewState, request: Request) -> Response:
    session, expired = current(review, request)
    if session is None:
        return to_login(request, expired)
    sha, number = request.path_params["sha"], request.path_params["page"]
    try:
        return image(review.previews.page(sha, number))
    except ReviewError:
        return no_such("page")


def compared(review: ReviewState, old: str, new: str) -> bool:
    """Whether the page would show this pair: `old` an approved version of a document, `new` a version
    of the same document (submitted, in the manifest, or its file now). Any other pair is refused, so
    nobody fills the cache with every pair of known versions."""
    index = Index(review.store, review.required)
    for document, versions in index.approved.items():
        if old not in versions:
            continue
        if (document, new) in index.submissions or new in versions:
            return True
        doc = review.catalogue.by_document().get(document)
        if doc is not None and doc.sha256 == new:
            return True
        try:
            if read_document(review.out, document)[1] == new:
                return True
        except ReviewError:
            continue
    return False


def diff_image(review: ReviewState, request: Request) -> Response:
    session, expired = current(review, request)
    if session is None:
        return to_login(request, expired)
    old, new = request.path_params["old"], request.path_params["new"]
    if not compared(review, old, new):
        return no_such("page")
    try:
        path, _ = review.visual.page(old, new, request.path_params["page"])
    except ReviewError:
        return no_such("page")
    return image(path)


def pdf_file(review: ReviewState, request: Request) -> Response:
    """The current bytes of a document in the manifest, as a download (never shown inline)."""
    session, expired = current(review, request)
    if session is None:
        return to_login(request, expired)
    document = request.path_params["document"]
    if document not in review.catalogue.by_document():
        return no_such("document")
    try:
        data, _ = read_document(review.out, document)
    except ReviewError:
        return no_such("document")
    name = quote(Path(document).name)
    return Response(data, media_type="application/pdf",
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{name}", "cache-control": "no-store"})


def favicon(request: Request) -> Response:
    """No icon: an empty answer, so the browser's own request is neither a 404 nor sent to the log-in page."""
    return Response(status_code=204)
