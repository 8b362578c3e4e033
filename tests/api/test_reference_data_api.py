"""Council reference data: validated completely, never edited, looked up by the date that matters."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pbshared.platform.auth import Role
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.platform.tables import reference_datasets
from pbshared.testing.harness import auth
from tests.councils import SAMPLE_COUNCIL

pytestmark = pytest.mark.integration

ADMIN = auth(Role.admin)


def council_dataset(version: int, effective_from: str, name: str = "Wyvernshire County Council") -> dict:
    return {
        "council_id": "wyvernshire",
        "kind": "council",
        "version": version,
        "effective_from": effective_from,
        "source": "test",
        "payload": {"name": name, "la_code": "E10000099"},
    }


async def _count(service) -> int:
    async with service.sessions() as session:
        return (await session.execute(select(func.count()).select_from(reference_datasets))).scalar_one()


async def test_an_invalid_dataset_lists_every_problem_and_stores_nothing(api):
    service = await api("charging")
    before = await _count(service)
    bad = {
        "council_id": "wyvernshire",
        "kind": "council",
        "version": 5,  # version 2 is next
        "effective_from": "2026-04-06",
        "source": "test",
        "payload": {"la_code": "W06000001", "colour": "blue"},  # no name, a Welsh code, an unknown field
    }
    response = await service.client.post("/reference-datasets", json=bad, headers=ADMIN)
    assert response.status_code == 422
    problems = {tuple(p["loc"]) for p in response.json()["errors"]}
    assert problems == {
        ("body", "payload", "name"),
        ("body", "payload", "la_code"),
        ("body", "payload", "colour"),
        ("body", "version"),
    }
    assert await _count(service) == before


async def test_an_unknown_kind_and_an_unknown_council_are_both_named(api):
    service = await api("ledger")
    dataset = {**council_dataset(1, "2026-04-01"), "council_id": "nowhere", "kind": "ras_model"}
    response = await service.client.post("/reference-datasets", json=dataset, headers=auth(Role.admin, "nowhere"))
    assert response.status_code == 422
    assert {p["loc"][-1] for p in response.json()["errors"]} == {"kind", "council_id"}


async def test_a_malformed_request_is_refused_before_any_check(api):
    service = await api("ras")
    response = await service.client.post(
        "/reference-datasets", json={"kind": "council", "effective_from": "someday"}, headers=ADMIN
    )
    assert response.status_code == 422
    assert {p["loc"][-1] for p in response.json()["detail"]} >= {"council_id", "version", "effective_from", "payload"}


async def test_a_dataset_in_force_is_never_edited_only_superseded(api):
    service = await api("brokerage")  # has loaded councils/wyvernshire/council.yaml as version 1
    sample = read_council_directory(SAMPLE_COUNCIL)[0]
    same_again = await service.client.post("/reference-datasets", json=sample, headers=ADMIN)
    assert same_again.status_code == 200  # loading the same file twice is harmless
    edited = await service.client.post(
        "/reference-datasets", json=council_dataset(1, "2025-04-01", name="Renamed"), headers=ADMIN
    )
    assert edited.status_code == 409
    assert "version 2" in edited.json()["detail"]
    superseding = await service.client.post(
        "/reference-datasets", json=council_dataset(2, "2026-04-06", name="Wyvernshire Council"), headers=ADMIN
    )
    assert superseding.status_code == 201


async def test_the_dataset_in_force_is_found_by_the_date_that_matters(api):
    service = await api("charging")
    for version, start, name in ((2, "2026-04-06", "From April 2026"), (3, "2025-04-01", "Correction of v1")):
        response = await service.client.post(
            "/reference-datasets", json=council_dataset(version, start, name), headers=ADMIN
        )
        assert response.status_code == 201, response.text

    async def in_force(on: str) -> tuple[int, str]:
        response = await service.client.get(f"/reference-datasets/council/effective?on={on}", headers=ADMIN)
        assert response.status_code == 200, response.text
        return response.json()["version"], response.json()["payload"]["name"]

    assert await in_force("2025-06-01") == (3, "Correction of v1")  # the correction supersedes v1
    assert await in_force("2026-04-05") == (3, "Correction of v1")
    assert await in_force("2026-04-06") == (2, "From April 2026")
    before = await service.client.get("/reference-datasets/council/effective?on=2024-01-01", headers=ADMIN)
    assert before.status_code == 404


async def test_an_admin_loads_datasets_for_their_own_council_only(api):
    service = await api("ras")
    response = await service.client.post(
        "/reference-datasets", json=council_dataset(2, "2026-04-06"), headers=auth(Role.admin, "eastmere")
    )
    assert response.status_code == 403
