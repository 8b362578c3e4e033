"""Is a webhook call really from the card provider, and fresh? (docs/ledger-card-files.md, "Webhook")

The provider signs each call with HMAC-SHA256, keyed by the council's own secret, over
`<timestamp>.<nonce>.<body>`: the time stops an old call being replayed after the window, the nonce
(one per call) stops one being replayed inside it, and both are inside the signature so neither can
be swapped. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_NONCE = re.compile(r"[A-Za-z0-9_-]{16,128}")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


class SignatureRefused(Exception):
    """Why a call is refused: `reason` names the header and the rule, never its value."""

    def __init__(self, reason: str, *, replay: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.replay = replay


def signature(secret: bytes, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp}.{nonce}.".encode() + body, hashlib.sha256).hexdigest()


def verify(
    secret: bytes, timestamp: str | None, nonce: str | None, signed: str | None, body: bytes, now: int, window: int
) -> None:
    """Raise SignatureRefused unless the call is signed with `secret` and within `window` seconds of now
    (both whole seconds, as Card-Timestamp is)."""
    if not timestamp or not nonce or not signed:
        raise SignatureRefused("unsigned: Card-Timestamp, Card-Nonce and Card-Signature are required")
    if not timestamp.isdigit():
        raise SignatureRefused("Card-Timestamp must be whole seconds since 1970 (Unix time)")
    if not _NONCE.fullmatch(nonce):
        raise SignatureRefused("Card-Nonce must be 16-128 letters, digits, '_' or '-'")
    if not _HEX_SHA256.fullmatch(signed):
        raise SignatureRefused("Card-Signature must be the lower-case hex HMAC-SHA256 of the call")
    if not hmac.compare_digest(signature(secret, timestamp, nonce, body), signed):
        raise SignatureRefused("Card-Signature does not match the call: wrongly signed")
    if abs(now - int(timestamp)) > window:
        raise SignatureRefused(f"Card-Timestamp is more than {window} seconds from now: too old", replay=True)
