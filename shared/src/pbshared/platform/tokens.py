"""Mint development tokens: `pb-token --role social_worker --council wyvernshire`.

Uses PB_JWT_SECRET (HS256), the same secret the local services verify with. Production tokens come
from the council's identity provider (RS256, PB_JWT_PUBLIC_KEY), never from this command.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import jwt

from pbshared.platform.auth import Role
from pbshared.platform.settings import DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, DEV_SECRET

__all__ = ["DEV_SECRET", "main", "mint"]


def mint(
    *,
    role: Role | str,
    council_id: str,
    subject: str = "dev-user",
    provider_id: str | None = None,
    approval_limit_pence: int | None = None,
    secret: str | None = None,
    ttl_seconds: int = 8 * 3600,
    issuer: str = DEFAULT_ISSUER,
    audience: str = DEFAULT_AUDIENCE,
    now: float | None = None,
) -> str:
    if ttl_seconds > DEFAULT_MAX_TOKEN_LIFETIME_SECONDS:
        raise ValueError(f"a token lives at most {DEFAULT_MAX_TOKEN_LIFETIME_SECONDS} seconds")
    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {
        "sub": subject,
        "role": str(Role(role)),
        "council_id": council_id,
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    if provider_id:
        claims["provider_id"] = provider_id
    if approval_limit_pence is not None:
        claims["approval_limit_pence"] = approval_limit_pence
    return jwt.encode(claims, secret or os.environ.get("PB_JWT_SECRET", DEV_SECRET), algorithm="HS256")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pb-token", description=__doc__)
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--council", required=True, help="council id, e.g. wyvernshire")
    parser.add_argument("--subject", default="dev-user")
    parser.add_argument("--provider-id", help="required with --role provider")
    parser.add_argument(
        "--approval-limit-pence", type=int, help="a team manager's limit on a package's estimated yearly cost"
    )
    parser.add_argument(
        "--ttl",
        type=int,
        default=8 * 3600,
        help=f"seconds until it expires; services refuse more than {DEFAULT_MAX_TOKEN_LIFETIME_SECONDS}",
    )
    args = parser.parse_args(argv)
    if not 0 < args.ttl <= DEFAULT_MAX_TOKEN_LIFETIME_SECONDS:
        parser.error(f"--ttl must be between 1 and {DEFAULT_MAX_TOKEN_LIFETIME_SECONDS} seconds")
    if args.role == Role.provider and not args.provider_id:
        parser.error("--role provider needs --provider-id")
    print(
        mint(
            role=args.role,
            council_id=args.council,
            subject=args.subject,
            provider_id=args.provider_id,
            approval_limit_pence=args.approval_limit_pence,
            ttl_seconds=args.ttl,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
