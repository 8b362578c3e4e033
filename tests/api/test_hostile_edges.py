"""The probe's smaller findings, each sent again: who may set a council up, what a client can do to
the metrics, where a trailing slash leads, and where the API docs load their assets from."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from pbshared.platform.auth import Role
from pbshared.platform.tables import reference_datasets
from pbshared.testing.harness import auth
from tests.councils import SECOND_COUNCIL

pytestmark = pytest.mark.integration

EASTMERE = SECOND_COUNCIL


async def _datasets_of(service, council_id: str) -> int:
    async with service.sessions() as session:
        query = select(func.count()).where(reference_datasets.c.council_id == council_id)
        return (await session.execute(query)).scalar_one()


async def test_setting_a_council_up_is_an_operators_act_not_an_admins(api):
    service = await api("brokerage")
    by_admin = await service.client.post("/reference-datasets", json=EASTMERE, headers=auth(Role.admin, "eastmere"))
    assert by_admin.status_code == 403
    assert by_admin.json()["title"] == "Unknown council"
    assert await _datasets_of(service, "eastmere") == 0

    by_operator = await service.client.post("/reference-datasets", json=EASTMERE, headers=auth(Role.operator))
    assert by_operator.status_code == 201, by_operator.text
    assert by_operator.json()["loaded_by"] == "dev-user"
    assert await _datasets_of(service, "eastmere") == 1

    renamed = {**EASTMERE, "version": 2, "payload": {**EASTMERE["payload"], "name": "Eastmere Council"}}
    by_its_admin = await service.client.post("/reference-datasets", json=renamed, headers=auth(Role.admin, "eastmere"))
    assert by_its_admin.status_code == 201, "a council's admin keeps loading its datasets once it is set up"


async def test_an_operator_sets_a_council_up_once_and_its_admin_loads_the_later_versions(api):
    service = await api("health")
    assert (
        await service.client.post("/reference-datasets", json=EASTMERE, headers=auth(Role.operator))
    ).status_code == 201
    again = await service.client.post("/reference-datasets", json=EASTMERE, headers=auth(Role.operator))
    assert again.status_code == 200, "the same first dataset again changes nothing"
    renamed = {**EASTMERE, "version": 2, "payload": {**EASTMERE["payload"], "name": "Renamed"}}
    for council in ("eastmere", "wyvernshire"):  # an operator's token is no council's
        refused = await service.client.post("/reference-datasets", json=renamed, headers=auth(Role.operator, council))
        assert refused.status_code == 403, refused.text
    assert await _datasets_of(service, "eastmere") == 1
    by_its_admin = await service.client.post("/reference-datasets", json=renamed, headers=auth(Role.admin, "eastmere"))
    assert by_its_admin.status_code == 201, by_its_admin.text


async def test_an_operator_loads_no_council_data_and_reads_none(api):
    service = await api("charging")
    before = await _datasets_of(service, "wyvernshire")
    other_kind = {**EASTMERE, "council_id": "wyvernshire", "kind": "ras_model", "version": 1}
    response = await service.client.post("/reference-datasets", json=other_kind, headers=auth(Role.operator))
    assert response.status_code == 403
    assert await _datasets_of(service, "wyvernshire") == before
    listing = await service.client.get("/reference-datasets", headers=auth(Role.operator))
    assert listing.status_code == 403


async def test_invented_methods_and_paths_never_become_metric_labels(api):
    ras = await api("ras")
    invented = f"probe{uuid.uuid4().hex}"
    assert (await ras.client.request("FOOBAR", "/people")).status_code == 401
    assert (await ras.client.request("FOOBAR", "/people", headers=auth(Role.social_worker))).status_code == 405
    assert (await ras.client.get(f"/{invented}", headers=auth(Role.social_worker))).status_code == 404
    metrics = (await ras.client.get("/metrics")).text
    assert "FOOBAR" not in metrics and invented not in metrics
    ras_lines = [line for line in metrics.splitlines() if 'service="ras"' in line and "_count{" in line]
    assert any('method="other"' in line and 'route="/people"' in line and 'status="405"' in line for line in ras_lines)
    assert any('route="unmatched"' in line and 'status="404"' in line for line in ras_lines)


@pytest.mark.parametrize("path", ["/people/", "/reference-datasets/"])
async def test_a_trailing_slash_never_redirects_to_the_host_header(api, path):
    ras = await api("ras")
    response = await ras.client.get(path, headers={**auth(Role.social_worker), "host": "evil.example"})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert "evil.example" not in response.text


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_api_docs_load_only_assets_this_service_serves(api, page):
    service = await api("ledger")
    html = await service.client.get(page)  # no token: the docs are public, as the role docs say
    assert html.status_code == 200
    assert not re.search(r"""(?:src|href|url|spec-url)\s*[=:]\s*["'](?:https?:)?//""", html.text), html.text
    references = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html.text)
    references += re.findall(r"""url: ?["']([^"']+)["']""", html.text)  # Swagger UI's openapi.json
    references += re.findall(r"""spec-url=["']([^"']+)["']""", html.text)  # ReDoc's
    assert references, "the page references no assets"
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        asset = await service.client.get(reference)
        assert asset.status_code == 200 and asset.content, reference
