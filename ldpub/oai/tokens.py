"""Resumption tokens (OAI-PMH 2.0 §3.5, flow control): opaque, signed, bound to one release.

A token is ``base64url(JSON state) "." base64url(HMAC-SHA256(secret, JSON state))``. The state holds the
list request's arguments, the release it was issued for, the position of the next page (how many items came
before it), the (datestamp, slug) of the last item returned (the next page starts after it: one index
range, see :mod:`.repository`), the list's size and an expiry time, so the same token always names the
same page of the same list (stable under paging), and a token
that was forged, altered, issued for another release or is past its ``expirationDate`` is refused as
``badResumptionToken``. The secret is per store: 32 random bytes in ``<store>/oai/secret``, created once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..errors import StoreError
from .protocol import OAIError

LIFETIME = timedelta(hours=24)
"""How long a token stays valid (its ``expirationDate``)."""


@dataclass(frozen=True)
class ListState:
    """Where a harvest is: the list arguments, the release, the next position and the expiry."""

    verb: str
    prefix: str
    set: str | None
    start: str | None
    stop: str | None
    release: str
    position: int
    expires: int
    """Expiry as Unix seconds, UTC."""
    after: tuple[str, str] | None = None
    """(datestamp, slug) of the last item before the page (None for the first page)."""
    total: int | None = None
    """The list's size (``completeListSize``), counted on its first page."""

    @property
    def expiration(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def load_secret(folder: Path) -> bytes:
    """The store's token secret in ``folder/secret``, created (mode 0600, exclusively) on first use."""
    path = folder / "secret"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, secrets.token_hex(32).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise StoreError(f"cannot keep the OAI-PMH token secret in {path}: {exc}") from exc
    if len(secret) < 32:
        raise StoreError(f"the OAI-PMH token secret {path} is too short: remove it to make a new one")
    return secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(secret: bytes, state: ListState) -> str:
    """The token for ``state``.

    >>> after = ("2026-01-01T00:00:00Z", "a")
    >>> state = ListState("ListRecords", "oai_dc", None, None, None, "r1", 1, 4102444800, after, 3)
    >>> token = issue(b"k" * 32, state)
    >>> read(b"k" * 32, token, "r1", now=datetime(2026, 1, 1, tzinfo=UTC)) == state
    True
    """
    body = json.dumps(
        [
            state.verb,
            state.prefix,
            state.set,
            state.start,
            state.stop,
            state.release,
            state.position,
            state.expires,
            list(state.after) if state.after is not None else None,
            state.total,
        ],
        separators=(",", ":"),
    ).encode()
    signature = hmac.new(secret, body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(signature)}"


def new_state(
    verb: str,
    args: dict[str, str],
    release: str,
    position: int,
    now: datetime | None = None,
    *,
    after: tuple[str, str] | None = None,
    total: int | None = None,
) -> ListState:
    """The state of the page starting at ``position`` (after the item ``after``) of the list ``args``
    asks for."""
    expires = (now or datetime.now(UTC)) + LIFETIME
    return ListState(
        verb,
        args["metadataPrefix"],
        args.get("set"),
        args.get("from"),
        args.get("until"),
        release,
        position,
        int(expires.timestamp()),
        after,
        total,
    )


def read(secret: bytes, token: str, release: str, now: datetime | None = None) -> ListState:
    """Check ``token`` and return its state; raise ``badResumptionToken`` for any fault.

    >>> read(b"k" * 32, "forged.token", "r1")
    Traceback (most recent call last):
    ...
    ldpub.oai.protocol.OAIError: badResumptionToken: the resumption token is not one this repository issued
    """
    bad = OAIError("badResumptionToken", "the resumption token is not one this repository issued")
    body_text, _, signature_text = token.partition(".")
    try:
        body, signature = _unb64(body_text), _unb64(signature_text)
    except (binascii.Error, ValueError):
        raise bad from None
    if not hmac.compare_digest(signature, hmac.new(secret, body, hashlib.sha256).digest()):
        raise bad
    try:
        fields = json.loads(body)
        verb, prefix, set_spec, start, stop, issued_for, position, expires = fields[:8]
        after, total = [*fields[8:], None, None][:2]
        state = ListState(
            verb, prefix, set_spec, start, stop, issued_for, int(position), int(expires),
            (str(after[0]), str(after[1])) if after is not None else None,
            int(total) if total is not None else None,
        )  # fmt: skip
    except (ValueError, TypeError, IndexError, KeyError):
        raise bad from None
    if state.expiration <= (now or datetime.now(UTC)):
        raise OAIError("badResumptionToken", "the resumption token has expired: start the harvest again")
    if state.release != release:
        raise OAIError(
            "badResumptionToken",
            "the repository was republished since this harvest started: start the harvest again",
        )
    return state
