"""The card provider's webhook signature: HMAC-SHA256 over timestamp, nonce and body."""

import pytest

from ledger.domain.webhook_signature import SignatureRefused, signature, verify

SECRET = b"council-secret-0123456789"
NONCE = "n0nce-0123456789abcdef"
BODY = b'{"transaction_id": "T1"}'


def test_a_call_signed_with_the_councils_secret_inside_the_window_is_accepted():
    signed = signature(SECRET, "1000", NONCE, BODY)
    verify(SECRET, "1000", NONCE, signed, BODY, now=1100, window=300)


@pytest.mark.parametrize(
    ("timestamp", "nonce", "signed", "body", "why"),
    [
        (None, None, None, BODY, "unsigned"),
        ("1000", NONCE, signature(b"another-council", "1000", NONCE, BODY), BODY, "wrongly signed"),
        ("1000", NONCE, signature(SECRET, "1000", NONCE, BODY), b'{"transaction_id": "T2"}', "wrongly signed"),
        ("1001", NONCE, signature(SECRET, "1000", NONCE, BODY), BODY, "wrongly signed"),
        ("1000", "other-nonce-0123456789", signature(SECRET, "1000", NONCE, BODY), BODY, "wrongly signed"),
        ("1000", NONCE, "zz", BODY, "hex"),
        ("soon", NONCE, signature(SECRET, "soon", NONCE, BODY), BODY, "Unix time"),
    ],
)
def test_unsigned_wrongly_signed_or_tampered_calls_are_refused(timestamp, nonce, signed, body, why):
    with pytest.raises(SignatureRefused, match=why):
        verify(SECRET, timestamp, nonce, signed, body, now=1000, window=300)


def test_a_call_older_than_the_window_is_refused_as_a_replay():
    signed = signature(SECRET, "1000", NONCE, BODY)
    with pytest.raises(SignatureRefused, match="too old") as refused:
        verify(SECRET, "1000", NONCE, signed, BODY, now=1000 + 301, window=300)
    assert refused.value.replay
