"""Bearer tokens (JWT) and the role-by-endpoint table every API enforces.

A token carries who the user is (`sub`), their role, their council, for providers their provider
id and, for team managers, the approval limit their council gives them. Each service declares an
AccessPolicy: for every route, the roles allowed. A route with no row refuses everyone, so a
forgotten row fails closed; docs/roles.md is generated from the same rows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status

from pbshared.platform.settings import DEV_SECRET, ConfigurationError, ServiceSettings

log = logging.getLogger(__name__)


class Role(StrEnum):
    social_worker = "social_worker"
    team_manager = "team_manager"
    broker = "broker"
    provider = "provider"
    finance_officer = "finance_officer"
    health_partner = "health_partner"
    auditor = "auditor"
    admin = "admin"
    # Studies the RAS against past costs (calibration, winners and losers, model comparison).
    commissioner = "commissioner"
    # Agrees the support plans no team manager's approval limit covers (and every one above the
    # council's panel threshold).
    panel = "panel"
    # Runs the platform: sets a new council up in a service, and sees no council's data.
    operator = "operator"
    # The card scheme's system delivering card transactions to the ledger's webhook; each call is
    # also signed with its council's webhook secret. Sees nothing.
    card_provider = "card_provider"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    council_id: str
    provider_id: str | None = None
    # A team manager's approval limit on a package's estimated yearly cost, set by their council.
    approval_limit_pence: int | None = None


# Tokens kept verified, each to its principal until it expires. A front-end sends one token with
# every request of a user's session, and checking its signature and claims again each time was a
# tenth of a scoring preview's CPU (bench/README.md, RAS). Nothing but the whole token, signature
# included, finds a kept one; what a token says cannot change while it lives, and once it expires it
# is checked again and refused. Past the limit the longest kept is dropped.
_VERIFIED_KEPT = 4096


class TokenVerifier:
    def __init__(self, settings: ServiceSettings):
        if settings.jwt_public_key:
            self._key: str = settings.jwt_public_key
            self._algorithms = ["RS256"]
        elif settings.jwt_secret is not None or settings.is_development:
            # A development run with no secret takes the public one, as `pb-token` and `scripts/run` do.
            self._key = settings.jwt_secret.get_secret_value() if settings.jwt_secret is not None else DEV_SECRET
            self._algorithms = ["HS256"]
            if self._key == DEV_SECRET:
                if not settings.is_development:
                    raise ConfigurationError(
                        "PB_JWT_SECRET is the public development secret: anyone can mint tokens with it"
                    )
                log.warning("PB_JWT_SECRET is the public development secret; never use it with real data")
        else:
            raise ConfigurationError("set PB_JWT_PUBLIC_KEY (production) or PB_JWT_SECRET (development)")
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._max_lifetime = settings.jwt_max_lifetime_seconds
        self._verified: dict[str, tuple[Principal, float]] = {}  # token -> its principal, its expiry

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal of an `Authorization: Bearer ...` header; 401 for anything else."""
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise _unauthorised("a bearer token is required")
        return self.verify(credentials.strip())

    def verify(self, token: str) -> Principal:
        """The token's principal: from the tokens already verified while it lives, else checked whole."""
        kept = self._verified.get(token)
        if kept is not None:
            principal, expires = kept
            if time.time() < expires:
                return principal
            del self._verified[token]  # expired: checked again, to be refused as such
        principal, expires = self._verify_afresh(token)
        if len(self._verified) >= _VERIFIED_KEPT:
            del self._verified[next(iter(self._verified))]  # the longest kept goes first
        self._verified[token] = (principal, expires)
        return principal

    def _verify_afresh(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise _unauthorised("token expired") from None
        except jwt.InvalidTokenError as error:
            raise _unauthorised(f"invalid token: {error}") from None
        # A stolen long-lived token stays useful for its whole life: refuse lifetimes past the cap.
        if int(claims["exp"]) - int(claims["iat"]) > self._max_lifetime:
            raise _unauthorised(f"token lives longer than {self._max_lifetime} seconds")
        try:
            role = Role(claims.get("role"))
        except ValueError:
            raise _unauthorised("token has no known role") from None
        council_id = claims.get("council_id")
        if not isinstance(council_id, str) or not council_id:
            raise _unauthorised("token has no council_id")
        provider_id = claims.get("provider_id")
        if provider_id is not None and not isinstance(provider_id, str):
            raise _unauthorised("provider_id must be text")
        if role is Role.provider and not provider_id:
            raise _unauthorised("a provider token needs provider_id")
        limit = claims.get("approval_limit_pence")
        if limit is not None and (type(limit) is not int or limit < 0):
            raise _unauthorised("approval_limit_pence must be a whole number of pence, not negative")
        return Principal(claims["sub"], role, council_id, provider_id, limit), float(claims["exp"])


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


RouteKey = tuple[str, str]  # (HTTP method, path template), e.g. ("GET", "/people/{person_id}")


@dataclass(frozen=True)
class AccessPolicy:
    """The role table of one service: which roles may call each route."""

    service: str
    rows: dict[RouteKey, frozenset[Role]]

    def allowed(self, method: str, path: str) -> frozenset[Role]:
        return self.rows.get((method, path), frozenset())


# How the OpenAPI document names the scheme (FastAPI's name for an HTTPBearer dependency).
BEARER_SCHEME = {"HTTPBearer": {"type": "http", "scheme": "bearer"}}


async def current_principal(request: Request) -> Principal:
    """Authenticate (401) and then authorise against the service's role table (403).

    The request guards authenticated the token before the body was read. The bearer scheme is
    written into the OpenAPI document by build_app rather than declared here as an `HTTPBearer`
    dependency, which FastAPI would solve again on every request for a header already checked."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        principal = request.app.state.token_verifier.authenticate(request.headers.get("authorization"))
    route = request.scope.get("route")
    path = route.path if route is not None else request.scope["path"]  # the template, as the table has it
    policy: AccessPolicy = request.app.state.access_policy
    if principal.role not in policy.allowed(request.method, path):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"role {principal.role.value} may not {request.method} {path}",
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
