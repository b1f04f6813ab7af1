"""Publish: copy to a folder only the documents whose current bytes carry an approval, with a
publication manifest (document, SHA-256, approver, time), and say what was left out and why.

Nothing is published while the trail does not verify, chain and state (ledger.verify): an approval
the trail does not record publishes nothing. Approvals are read from the trail, not the tables.

All or nothing, and nothing without a record: every target is checked before anything is copied
(inside the folder, not a symbolic link, no symbolic link on the way to it); each file is read
once, hashed, and those same bytes are staged beside their target; then the publish rows go into
the trail (one per document) in one transaction, and only after it is committed are the staged
files and publication.json renamed into place. A failure before the commit leaves the folder as
it was and the trail without the rows; nothing is ever copied that the trail does not record.

The manifest records the trail's head after the publish rows, signed with the house's key when
one is given (anchor.py), so the trail can later be checked against it from outside.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import ReviewError, anchor, audit
from .documents import read_document, read_documents, resolve
from .ledger import verify
from .store import Store
from .workflow import Index

PUBLICATION = "publication.json"


@dataclass
class Publication:
    published: list[dict] = field(default_factory=list)
    left_out: list[dict] = field(default_factory=list)
    manifest: Path | None = None
    head: tuple[int, str] = (0, "")
    signed: bool = False


def default_actor() -> str:
    try:
        return f"os:{getpass.getuser()}"
    except Exception:  # no login name (a container without a passwd entry)
        return "os:unknown"


def target(to: Path, document: str) -> Path:
    """Where a document goes in the publication folder: inside it, with no symbolic link on the way
    (a link there could send the copy anywhere), and not itself a link."""
    parts = PurePosixPath(document).parts
    if not document or PurePosixPath(document).is_absolute() or ".." in parts or "\\" in document or "\0" in document:
        raise ReviewError(f"{document!r}: not a document path")
    path = to
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise ReviewError(f"{path}: a symbolic link among the publication's targets: remove it (nothing was published)")
    return path


def publish(store: Store, out: Path, to: Path, *, required: tuple[str, ...], actor: str, key=None) -> Publication:
    """`key`: the house's Ed25519 private key, to sign the head in publication.json (or None)."""
    out, to = Path(out).resolve(), Path(to).resolve()
    if to == out or to.is_relative_to(out) or out.is_relative_to(to):
        raise ReviewError(f"{to}: publish to a folder apart from the output folder {out}")
    check = verify(store.connection())
    if not check.ok:
        said = str(check.broken) if check.broken else "; ".join(check.problems[:3]) + ("; …" if len(check.problems) > 3 else "")
        raise ReviewError(f"the audit trail does not verify ({said}): nothing published")
    index = Index(store, required, check.ledger)
    result = Publication()
    chosen = _choose(out, index, result)
    for row in result.left_out:
        held = earlier(to, row["document"], index)
        if held:
            row["reason"] += f"; {held}"
            row["in_folder"] = held
    targets = {document: target(to, document) for document, _, _ in chosen}
    targets[PUBLICATION] = target(to, PUBLICATION)
    staged: dict[Path, Path] = {}
    try:
        for document, data, _ in chosen:
            staged[targets[document]] = _stage(targets[document], data)
        with store.transaction() as conn:
            for document, data, sha in chosen:
                result.published.append(_entry(index, document, data, sha))
                row = audit.append(conn, actor, "publish", document=document, sha256=sha, detail={"to": str(to)})
                result.head = (row["seq"], row["hash"])
            if not chosen:
                last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                result.head = (last[0], last[1]) if last else (0, audit.GENESIS)
            at = audit.now()
            head = anchor.make(result.head[0], result.head[1], at, key, documents=result.published)
            result.signed = key is not None
            manifest = {"published": at, "by": actor, "source": str(out), "sign_off": list(required),
                        "audit_head": head,
                        "documents": result.published, "left_out": result.left_out}
            staged[targets[PUBLICATION]] = _stage(targets[PUBLICATION],
                                                  (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    for final, tmp in staged.items():  # the trail has the rows: now the files
        os.replace(tmp, final)
    result.manifest = targets[PUBLICATION]
    return result


def _choose(out: Path, index: Index, result: Publication) -> list[tuple[str, bytes, str]]:
    """The documents whose current bytes are approved (document, bytes, SHA-256); the others go to
    `result.left_out` with the reason, and what the publication folder already holds of them."""
    chosen = []
    for doc in read_documents(out):
        if doc.build in ("failed", "invalid") or not doc.document:
            first = doc.error.splitlines()[0] if doc.error else "no document"
            reason = first if doc.build == "invalid" else f"the build failed: {first}"
            result.left_out.append({"document": doc.document or doc.source, "variant": doc.variant, "reason": reason})
            continue
        try:
            data, sha = read_document(out, doc.document)
        except ReviewError as error:
            result.left_out.append({"document": doc.document, "reason": str(error)})
            continue
        reason = index.why_not(doc, sha)
        if reason:
            result.left_out.append({"document": doc.document, "sha256": sha, "reason": reason})
            continue
        chosen.append((doc.document, data, sha))
    return chosen


def _entry(index: Index, document: str, data: bytes, sha: str) -> dict:
    decisions = index.decisions.get((document, sha), [])
    submission = index.submissions[(document, sha)]
    approvals = [{"part": d.part, "approver": d.checker, "approved": d.at, "comment": d.comment}
                 for d in decisions if d.decision == "approved"]
    return {"document": document, "sha256": sha, "bytes": len(data),
            "approver": ", ".join(sorted({a["approver"] for a in approvals})),
            "approved": max(a["approved"] for a in approvals),
            "approvals": approvals, "submitted_by": submission.maker, "submitted": submission.at}


def _stage(final: Path, data: bytes) -> Path:
    """`data` in a temporary file beside `final`, synced, to be renamed into place."""
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o644)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as error:
        raise ReviewError(f"{final}: cannot write: {error.strerror or error} (nothing was published)") from None
    return Path(tmp)


def earlier(to: Path, document: str, index: Index) -> str:
    """What the publication folder already holds of a document left out this time."""
    try:
        data = resolve(to, document).read_bytes()
    except (ReviewError, OSError):
        return ""
    sha = hashlib.sha256(data).hexdigest()
    if index.is_approved(document, sha):
        return f"the version published earlier ({sha[:12]}, approved) stays in {to}"
    return f"{to} holds a file of it that is not approved ({sha[:12]}): remove it"
