"""Publish: copy to a folder only the documents whose current bytes carry an approval, with a
publication manifest (document, SHA-256, approver, time), and say what was left out and why.

Each file is read once, hashed, and those same bytes are written (atomically) if that hash is
approved: a file changed between the check and the copy cannot slip through. Nothing is
published while the audit trail does not verify. Each published document is an audit row, and
the manifest records the trail's head after them, so the trail can later be checked against it.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import ReviewError, audit
from .documents import read_document, read_documents, resolve
from .store import Store
from .workflow import Index

PUBLICATION = "publication.json"


@dataclass
class Publication:
    published: list[dict] = field(default_factory=list)
    left_out: list[dict] = field(default_factory=list)
    manifest: Path | None = None
    head: tuple[int, str] = (0, "")


def default_actor() -> str:
    try:
        return f"os:{getpass.getuser()}"
    except Exception:  # no login name (a container without a passwd entry)
        return "os:unknown"


def publish(store: Store, out: Path, to: Path, *, required: tuple[str, ...], actor: str) -> Publication:
    out, to = Path(out).resolve(), Path(to).resolve()
    if to == out or to.is_relative_to(out) or out.is_relative_to(to):
        raise ReviewError(f"{to}: publish to a folder apart from the output folder {out}")
    check = store.verify()
    if not check.ok:
        raise ReviewError(f"the audit trail does not verify ({check.broken}): nothing published")
    documents = read_documents(out)
    index = Index(store, required)
    result = Publication()
    chosen: list[tuple[str, bytes, str]] = []
    for doc in documents:
        if doc.build == "failed" or not doc.document:
            result.left_out.append({"document": doc.document or doc.source, "variant": doc.variant,
                                    "reason": f"the build failed: {doc.error.splitlines()[0] if doc.error else 'no document'}"})
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
    for row in result.left_out:  # what the folder already holds of a document left out this time
        earlier = _earlier(to, row["document"], index)
        if earlier:
            row["reason"] += f"; {earlier}"
            row["in_folder"] = earlier
    from ..files import write_atomic

    for document, data, _ in chosen:
        try:
            write_atomic(resolve(to, document), data)
        except OSError as error:
            raise ReviewError(f"{to / document}: cannot write: {error.strerror or error}") from None
    with store.transaction() as conn:
        for document, data, sha in chosen:
            state = index.decisions.get((document, sha), [])
            submission = index.submissions[(document, sha)]
            approvals = [{"part": d.part, "approver": d.checker, "approved": d.at, "comment": d.comment}
                         for d in state if d.decision == "approved"]
            result.published.append({"document": document, "sha256": sha, "bytes": len(data),
                                     "approver": ", ".join(sorted({a["approver"] for a in approvals})),
                                     "approved": max(a["approved"] for a in approvals),
                                     "approvals": approvals, "submitted_by": submission.maker, "submitted": submission.at})
            row = audit.append(conn, actor, "publish", document=document, sha256=sha, detail={"to": str(to)})
            result.head = (row["seq"], row["hash"])
    if not chosen:
        head = store.verify()
        result.head = (head.rows, head.head)
    manifest = {
        "published": audit.now(), "by": actor, "source": str(out), "sign_off": list(required),
        "audit_head": {"row": result.head[0], "hash": result.head[1]},
        "documents": result.published, "left_out": result.left_out,
    }
    result.manifest = to / PUBLICATION
    write_atomic(result.manifest, (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return result


def _earlier(to: Path, document: str, index: Index) -> str:
    try:
        data = resolve(to, document).read_bytes()
    except (ReviewError, OSError):
        return ""
    sha = hashlib.sha256(data).hexdigest()
    if index.is_approved(document, sha):
        return f"the version published earlier ({sha[:12]}, approved) stays in {to}"
    return f"{to} holds a file of it that is not approved ({sha[:12]}): remove it"


def read_anchor(path: Path) -> tuple[int, str]:
    """The audit head a publication manifest recorded."""
    try:
        head = json.loads(Path(path).read_text(encoding="utf-8"))["audit_head"]
        return int(head["row"]), str(head["hash"])
    except FileNotFoundError:
        raise ReviewError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ReviewError(f"{path}: not a publication manifest with an audit_head ({error})") from None
