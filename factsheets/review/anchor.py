"""Anchors outside the database: the trail's head (row number and hash), signed with the house's
Ed25519 key (`cryptography`), kept where whoever can write the database cannot reach.

The hash chain shows that no row was edited or removed since a head that is known elsewhere; it
cannot say so of a trail rewritten wholesale (every hash recomputed) unless some earlier head was
kept apart from it. `publish` signs the head after its rows and writes it into publication.json;
`factsheets audit anchor` prints it for a ticket or an e-mail. `audit verify --against` checks the
signature against the project's public key (`[review] public_key` in factsheets.toml) and that the
trail still holds that row with that hash: a trail rewritten, or cut back before the row, fails.

What is signed is the canonical JSON (sorted keys, no spaces, UTF-8) of the head: `kind`, `row`,
`hash`, `at` and, for a publication, `documents_sha256` (the SHA-256 of the canonical JSON of the
published [document, sha256] pairs), so a publication.json whose list was edited fails too.

Keys: `openssl genpkey -algorithm ed25519 -out house.key` makes the private key (PEM; an OpenSSH
key from `ssh-keygen -t ed25519` works too), `openssl pkey -in house.key -pubout` its public key,
whose PEM (or only its base64 line) goes into factsheets.toml. The private key is read from the
file given with --signing-key (or FACTSHEETS_SIGNING_KEY), never from the project.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from . import ReviewError

KIND = "factsheets-audit-head"
SIGNED = ("kind", "row", "hash", "at", "documents_sha256")


def _crypto():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return serialization, ed25519


def public_key(raw: bytes):
    """The Ed25519 public key of 32 raw bytes (config.schema.ed25519_public_key reads them from the configuration)."""
    _, ed25519 = _crypto()
    return ed25519.Ed25519PublicKey.from_public_bytes(raw)


def raw_public(key) -> bytes:
    serialization, _ = _crypto()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key) -> str:
    """A short name of a public key: the first 16 hexadecimal digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def private_key(path: Path):
    """The house's Ed25519 private key from a PEM (PKCS#8) or OpenSSH file, unencrypted."""
    serialization, ed25519 = _crypto()
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ReviewError(f"{path}: cannot read the signing key: {error.strerror or error}") from None
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise ReviewError(f"{path}: not an unencrypted Ed25519 private key in PEM or OpenSSH form ({error})") from None
    except Exception as error:  # cryptography's UnsupportedAlgorithm and the like
        raise ReviewError(f"{path}: cannot load the signing key ({error})") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ReviewError(f"{path}: not an Ed25519 key (make one with `openssl genpkey -algorithm ed25519`)")
    return key


def documents_digest(documents: list[dict]) -> str:
    pairs = sorted([str(d.get("document", "")), str(d.get("sha256", ""))] for d in documents)
    return hashlib.sha256(json.dumps(pairs, separators=(",", ":"), ensure_ascii=False).encode("utf-8")).hexdigest()


def message(head: dict) -> bytes:
    signed = {"kind": KIND, **{k: head[k] for k in SIGNED if k in head and k != "kind"}}
    return json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def make(row: int, hash_: str, at: str, key=None, documents: list[dict] | None = None) -> dict:
    """A head to keep elsewhere; signed when `key` (a private key) is given."""
    head: dict = {"kind": KIND, "row": row, "hash": hash_, "at": at}
    if documents is not None:
        head["documents_sha256"] = documents_digest(documents)
    if key is not None:
        head["signature"] = base64.b64encode(key.sign(message(head))).decode("ascii")
        head["key"] = fingerprint(key.public_key())
    return head


def read(path: Path) -> tuple[dict, list[dict] | None]:
    """The head kept in a publication.json (with the documents it lists) or in a file `audit anchor` printed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReviewError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ReviewError(f"{path}: not a publication manifest or an anchor ({error})") from None
    documents = None
    if isinstance(data, dict) and isinstance(data.get("audit_head"), dict):
        head, documents = data["audit_head"], data.get("documents")
        if not isinstance(documents, list):
            documents = None
    else:
        head = data
    try:
        row, hash_ = int(head["row"]), str(head["hash"])
    except (KeyError, TypeError, ValueError):
        raise ReviewError(f"{path}: not a publication manifest with an audit_head, nor an anchor (row and hash)") from None
    if row < 1 or len(hash_) != 64:
        raise ReviewError(f"{path}: the head it records (row {row}, hash {hash_[:16]}) is not a trail row")
    return {**head, "row": row, "hash": hash_}, documents


def check(head: dict, documents: list[dict] | None, key) -> str:
    """Why the head's signature does not hold against the public `key`; "" when it does."""
    from cryptography.exceptions import InvalidSignature

    if "signature" not in head:
        return "it is not signed, but the project's configuration names a public key ([review] public_key)"
    if documents is not None and head.get("documents_sha256") != documents_digest(documents):
        return "its list of documents is not the list that was signed"
    try:
        key.verify(base64.b64decode(str(head["signature"]), validate=True), message(head))
    except (InvalidSignature, ValueError):
        return (f"its signature does not hold for the project's public key {fingerprint(key)} "
                f"(signed by {head.get('key', 'an unknown key')}, or edited since)")
    return ""
