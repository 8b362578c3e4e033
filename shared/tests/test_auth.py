"""Bearer tokens: who the caller is, refused with 401 unless every claim is right; routes fail closed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import HTTPException

from pbshared.platform.auth import AccessPolicy, Principal, Role, TokenVerifier
from pbshared.platform.settings import DEFAULT_AUDIENCE, DEFAULT_ISSUER, ServiceSettings
from pbshared.platform.tokens import mint

SECRET = "unit-test-secret-0123456789abcdef0123456789"


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "sub": "user-1",
        "role": "social_worker",
        "council_id": "wyvernshire",
        "iss": DEFAULT_ISSUER,
        "aud": DEFAULT_AUDIENCE,
        "iat": now,
        "exp": now + 300,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs256(payload: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def verifier(**settings: Any) -> TokenVerifier:
    return TokenVerifier(ServiceSettings(service_name="t", **({"jwt_secret": SECRET} | settings)))


def assert_unauthorised(token: str, v: TokenVerifier | None = None) -> HTTPException:
    with pytest.raises(HTTPException) as raised:
        (v or verifier()).verify(token)
    assert raised.value.status_code == 401
    assert raised.value.headers == {"WWW-Authenticate": "Bearer"}
    return raised.value


def test_valid_token_gives_the_principal_it_names() -> None:
    token = mint(role=Role.team_manager, council_id="wyvernshire", subject="u-7", secret=SECRET)
    assert verifier().verify(token) == Principal("u-7", Role.team_manager, "wyvernshire")


def test_provider_token_with_provider_id_gives_a_principal_with_it() -> None:
    token = mint(role="provider", council_id="wyvernshire", provider_id="prov-1", secret=SECRET)
    assert verifier().verify(token).provider_id == "prov-1"


def test_expired_token_is_refused_with_401() -> None:
    token = mint(role="admin", council_id="w", secret=SECRET, now=time.time() - 3600, ttl_seconds=60)
    assert assert_unauthorised(token).detail == "token expired"


class _Clock:
    """Stands in for `datetime` in PyJWT: now() is a chosen moment."""

    def __init__(self, timestamp: float):
        self._timestamp = timestamp

    def now(self, tz: Any = None) -> datetime:
        return datetime.fromtimestamp(self._timestamp, tz)


def test_a_verified_token_is_kept_until_it_expires_then_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    v = verifier()
    now = int(time.time())
    token = hs256(claims(iat=now, exp=now + 60))
    checked: list[str] = []
    decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: checked.append("signature") or decode(*a, **k))
    first = v.verify(token)
    assert v.verify(token) == first and checked == ["signature"]  # the second from what was kept
    later = now + 60.0  # the moment it expires, for this module and for PyJWT alike
    monkeypatch.setattr("pbshared.platform.auth.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", _Clock(later))
    refused = assert_unauthorised(token, v)  # kept no longer: checked again, and expired
    assert refused.detail == "token expired" and checked == ["signature", "signature"]


def test_only_the_whole_token_finds_a_kept_one() -> None:
    v = verifier()
    token = hs256(claims())
    v.verify(token)
    head, body, signature = token.split(".")
    assert_unauthorised(f"{head}.{body}.{signature[:-2]}AA", v)  # same claims, another signature
    assert_unauthorised(token + "x", v)


def test_token_signed_with_another_secret_is_refused_with_401() -> None:
    assert_unauthorised(hs256(claims(), secret="another-secret-0123456789abcdef0123456789"))


def test_token_from_another_issuer_is_refused_with_401() -> None:
    assert_unauthorised(hs256(claims(iss="someone-else")))


def test_token_for_another_audience_is_refused_with_401() -> None:
    assert_unauthorised(hs256(claims(aud="another-api")))


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "iss", "aud"])
def test_token_without_a_required_registered_claim_is_refused_with_401(missing: str) -> None:
    assert_unauthorised(hs256(claims(**{missing: None})))


@pytest.mark.parametrize("role", [None, "wizard", ["admin"]])
def test_token_without_a_known_role_is_refused_with_401(role: Any) -> None:
    assert assert_unauthorised(hs256(claims(role=role))).detail == "token has no known role"


@pytest.mark.parametrize("council_id", [None, "", 42])
def test_token_without_a_council_id_is_refused_with_401(council_id: Any) -> None:
    assert assert_unauthorised(hs256(claims(council_id=council_id))).detail == "token has no council_id"


def test_provider_token_without_provider_id_is_refused_with_401() -> None:
    token = hs256(claims(role="provider"))
    assert assert_unauthorised(token).detail == "a provider token needs provider_id"


@pytest.mark.parametrize("provider_id", [42, ["prov-1", "prov-2"]])
def test_provider_token_whose_provider_id_is_not_text_is_refused_with_401(provider_id: Any) -> None:
    assert_unauthorised(hs256(claims(role="provider", provider_id=provider_id)))


def test_a_team_managers_approval_limit_is_carried_from_their_token() -> None:
    token = mint(role=Role.team_manager, council_id="wyvernshire", approval_limit_pence=1_560_000, secret=SECRET)
    assert verifier().verify(token).approval_limit_pence == 1_560_000


@pytest.mark.parametrize("limit", [-1, "1560000", 15600.5, True])
def test_an_approval_limit_that_is_not_whole_non_negative_pence_is_refused_with_401(limit: Any) -> None:
    assert_unauthorised(hs256(claims(role="team_manager", approval_limit_pence=limit)))


def test_verifier_needs_a_secret_or_a_public_key() -> None:
    with pytest.raises(ValueError, match="PB_JWT_PUBLIC_KEY"):
        TokenVerifier(ServiceSettings(service_name="t"))


_PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_key_pem() -> str:
    """The public half, as a council's identity provider publishes it."""
    return (
        _PRIVATE_KEY.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rs256(payload: dict[str, Any]) -> str:
    return jwt.encode(payload, _PRIVATE_KEY, algorithm="RS256")


def test_rs256_is_available_for_production_tokens() -> None:
    assert jwt.algorithms.has_crypto


def test_rs256_token_is_accepted_when_a_public_key_is_set() -> None:
    token = rs256(claims(role="broker"))
    assert verifier(jwt_public_key=public_key_pem()).verify(token).role is Role.broker


def test_hs256_token_is_refused_when_a_public_key_is_set() -> None:
    assert_unauthorised(hs256(claims()), verifier(jwt_public_key=public_key_pem()))


def test_hs256_token_signed_with_the_public_key_as_secret_is_refused() -> None:
    """Algorithm confusion: an attacker who knows the public key signs HS256 with it."""
    public = public_key_pem()
    header = {"alg": "HS256", "typ": "JWT"}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims()).encode())}"
    signature = hmac.new(public.encode(), signing_input.encode(), hashlib.sha256).digest()
    assert_unauthorised(f"{signing_input}.{_b64(signature)}", verifier(jwt_public_key=public))


def test_unsigned_token_is_refused_with_401() -> None:
    assert_unauthorised(jwt.encode(claims(), None, algorithm="none"))


def test_access_policy_allows_no_role_on_a_route_without_a_row() -> None:
    policy = AccessPolicy("ras", {("GET", "/people/{person_id}"): frozenset({Role.social_worker})})
    assert policy.allowed("GET", "/people/{person_id}") == {Role.social_worker}
    assert policy.allowed("DELETE", "/people/{person_id}") == frozenset()
    assert policy.allowed("GET", "/nowhere") == frozenset()


def test_a_token_living_longer_than_the_cap_is_refused_with_401() -> None:
    now = int(time.time())
    ten_years = hs256(claims(iat=now, exp=now + 10 * 365 * 86400))
    assert "longer than 43200 seconds" in assert_unauthorised(ten_years).detail
    assert verifier().verify(hs256(claims(iat=now, exp=now + 12 * 3600))).subject == "user-1"
    assert_unauthorised(hs256(claims(iat=now, exp=now + 3600)), verifier(jwt_max_lifetime_seconds=1800))


def test_pb_token_mints_within_the_cap_and_refuses_beyond_it(capsys: pytest.CaptureFixture[str]) -> None:
    from pbshared.platform.tokens import main

    assert main(["--role", "admin", "--council", "wyvernshire"]) == 0
    minted = jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})
    assert 0 < minted["exp"] - minted["iat"] <= 12 * 3600
    with pytest.raises(SystemExit):
        main(["--role", "admin", "--council", "wyvernshire", "--ttl", str(12 * 3600 + 1)])
    with pytest.raises(ValueError):
        mint(role=Role.admin, council_id="wyvernshire", secret=SECRET, ttl_seconds=30 * 86400)


def test_the_public_development_secret_is_refused_outside_a_development_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from pbshared.platform.settings import DEV_SECRET, ConfigurationError

    with pytest.raises(ConfigurationError, match="public development secret"):
        verifier(jwt_secret=DEV_SECRET)
    with caplog.at_level("WARNING"):
        development = verifier(jwt_secret=DEV_SECRET, environment="development")
    assert "public development secret" in caplog.text
    assert development.verify(hs256(claims(), secret=DEV_SECRET)).subject == "user-1"
