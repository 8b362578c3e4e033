"""Every route of every service, called by every role, against the role table itself.

A route outside the table fails the first test (a route nobody thought about refuses everyone,
but it should be in the docs); a role outside its row must get 403; inside, never 401 or 403.
Missing, expired and wrongly signed tokens get 401 everywhere.
"""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from pbshared.platform.app import OPS_PATHS
from pbshared.platform.auth import Role
from pbshared.platform.tokens import mint
from pbshared.testing.harness import TEST_SECRET, auth
from tools.services import SERVICE_NAMES

pytestmark = pytest.mark.integration

_FILLERS = {
    "person_id": str(uuid.uuid4()),
    "cohort_id": str(uuid.uuid4()),
    "kind": "council",
    "provider_id": "PROV-1",
    "package_id": str(uuid.uuid4()),
    "bid_id": str(uuid.uuid4()),
    "placement_id": str(uuid.uuid4()),
    "episode_id": str(uuid.uuid4()),
    "decision_id": str(uuid.uuid4()),
}


def _routes(app) -> list[tuple[str, str]]:
    """Every (method, path template) the app serves, from its OpenAPI document."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path not in OPS_PATHS
        for method in operations
    ]


def _url(path: str) -> str:
    for name, value in _FILLERS.items():
        path = path.replace("{" + name + "}", value)
    return path


def _claims(role: Role) -> dict[str, str]:
    return {"provider_id": "PROV-1"} if role is Role.provider else {}


@pytest.mark.parametrize("service_name", SERVICE_NAMES)
async def test_every_route_enforces_exactly_its_row_of_the_role_table(api, service_name):
    service = await api(service_name)
    policy = service.app.state.access_policy
    routes = _routes(service.app)
    assert routes, "no routes found"
    assert set(routes) == set(policy.rows), "routes and role table differ"

    wrong = []
    for method, path in routes:
        allowed = policy.allowed(method, path)
        for role in Role:
            response = await service.client.request(method, _url(path), json={}, headers=auth(role, **_claims(role)))
            if role in allowed and response.status_code in (401, 403):
                wrong.append(f"{role} refused {method} {path}: {response.status_code}")
            if role not in allowed and response.status_code != 403:
                wrong.append(f"{role} not refused {method} {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def _expired() -> str:
    return mint(role=Role.admin, council_id="wyvernshire", secret=TEST_SECRET, now=time.time() - 7200, ttl_seconds=60)


def _wrong_signature() -> str:
    return mint(role=Role.admin, council_id="wyvernshire", secret="another-secret-entirely-0123456789abcdef")


def _unsigned() -> str:
    return jwt.encode({"sub": "x", "role": "admin", "council_id": "wyvernshire"}, key=None, algorithm="none")


def _wrong_audience() -> str:
    return mint(role=Role.admin, council_id="wyvernshire", secret=TEST_SECRET, audience="someone-else")


def _provider_without_id() -> str:
    return mint(role=Role.provider, council_id="wyvernshire", secret=TEST_SECRET)


BAD_TOKENS = {
    "missing": None,
    "expired": _expired,
    "wrongly signed": _wrong_signature,
    "unsigned (alg none)": _unsigned,
    "another audience": _wrong_audience,
    "provider without provider_id": _provider_without_id,
}


@pytest.mark.parametrize("service_name", SERVICE_NAMES)
async def test_every_route_refuses_missing_expired_and_forged_tokens(api, service_name):
    service = await api(service_name)
    wrong = []
    for method, path in _routes(service.app):
        for label, make in BAD_TOKENS.items():
            headers = {"Authorization": f"Bearer {make()}"} if make else {}
            response = await service.client.request(method, _url(path), json={}, headers=headers)
            if response.status_code != 401:
                wrong.append(f"{label} token on {method} {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_ops_endpoints_need_no_token(api):
    service = await api("ras")
    for path in OPS_PATHS:
        assert (await service.client.get(path)).status_code == 200, path


def test_the_published_role_table_is_the_one_enforced():
    from tools.generate import ROLES_DOC, roles_markdown

    assert ROLES_DOC.read_text() == roles_markdown(), "docs/roles.md is stale: run `make generate`"
