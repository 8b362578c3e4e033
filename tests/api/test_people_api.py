"""RAS people API: bad input is refused with every problem named, and nothing is stored."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox
from pbshared.testing.harness import auth
from tests.councils import load_second_council

pytestmark = pytest.mark.integration

GOOD = {
    "council_person_id": "WY-2001",
    "nhs_number": "9434765919",
    "given_name": "Mary",
    "family_name": "Seacole",
    "date_of_birth": "1950-11-23",
    "postcode": "SK1 3XE",
    "client_group": "physical_disability",
}
SW = auth(Role.social_worker)


async def _stored(service) -> tuple[int, int]:
    from ras.adapters.tables import people

    async with service.sessions() as session:
        people_rows = (await session.execute(select(func.count()).select_from(people))).scalar_one()
        events = (await session.execute(select(func.count()).select_from(outbox))).scalar_one()
    return people_rows, events


def _problem_fields(body: dict) -> set[str]:
    problems = body.get("detail") if isinstance(body.get("detail"), list) else body.get("errors", [])
    return {str(p["loc"][-1]) for p in problems}


async def test_registering_writes_the_person_and_its_event_in_one_transaction(api):
    ras = await api("ras")
    response = await ras.client.post("/people", json=GOOD, headers=SW)
    assert response.status_code == 201, response.text
    assert response.json()["nhs_number_display"] == "943 476 5919"
    assert await _stored(ras) == (1, 1)


async def test_every_problem_in_a_bad_registration_is_named_and_nothing_is_stored(api):
    ras = await api("ras")
    bad = {
        **GOOD,
        "nhs_number": "9991234560",  # fails Modulus 11
        "postcode": "not a postcode",
        "date_of_birth": "2999-01-01",
        "client_group": "aliens",
        "unexpected": "field",
    }
    del bad["family_name"]
    response = await ras.client.post("/people", json=bad, headers=SW)
    assert response.status_code == 422
    assert _problem_fields(response.json()) == {
        "nhs_number",
        "postcode",
        "date_of_birth",
        "client_group",
        "family_name",
        "unexpected",
    }
    assert await _stored(ras) == (0, 0)


async def test_a_wrong_nhs_number_is_refused_with_the_reason(api):
    ras = await api("ras")
    response = await ras.client.post("/people", json={**GOOD, "nhs_number": "9434765918"}, headers=SW)
    assert response.status_code == 422
    assert "check digit" in response.text
    assert await _stored(ras) == (0, 0)


async def test_the_same_council_person_id_or_nhs_number_twice_is_a_conflict(api):
    ras = await api("ras")
    first = await ras.client.post("/people", json=GOOD, headers=SW)
    assert first.status_code == 201
    again = await ras.client.post("/people", json={**GOOD, "given_name": "Other"}, headers=SW)
    assert again.status_code == 409
    assert _problem_fields(again.json()) == {"council_person_id", "nhs_number"}
    assert await _stored(ras) == (1, 1)


async def test_an_unknown_council_is_refused_and_nothing_is_stored(api):
    ras = await api("ras")
    response = await ras.client.post("/people", json=GOOD, headers=auth(Role.social_worker, "nowhere"))
    assert response.status_code == 403
    assert "nowhere" in response.json()["detail"]
    assert await _stored(ras) == (0, 0)


async def test_a_token_for_one_council_never_sees_another_councils_people(api):
    ras = await api("ras")
    await load_second_council(ras)
    created = (await ras.client.post("/people", json=GOOD, headers=SW)).json()
    other = auth(Role.social_worker, "eastmere")
    assert (await ras.client.get(f"/people/{created['person_id']}", headers=other)).status_code == 404
    assert (await ras.client.get("/people", headers=other)).json() == []
    assert (await ras.client.get("/people?nhs_number=9434765919", headers=other)).json() == []
    patch = await ras.client.patch(
        f"/people/{created['person_id']}", json={"given_name": "X", "revision": 1}, headers=other
    )
    assert patch.status_code == 404
    # The same NHS number may be registered by another council: they are separate records.
    assert (await ras.client.post("/people", json=GOOD, headers=other)).status_code == 201


async def test_a_change_publishes_only_the_fields_that_changed(api):
    ras = await api("ras")
    created = (await ras.client.post("/people", json=GOOD, headers=SW)).json()
    url = f"/people/{created['person_id']}"
    same = await ras.client.patch(url, json={"given_name": "Mary", "revision": 1}, headers=SW)
    assert same.json()["revision"] == 1  # nothing changed, no event
    changed = await ras.client.patch(url, json={"postcode": "sk2 6qq", "nhs_number": None, "revision": 1}, headers=SW)
    assert changed.status_code == 200, changed.text
    assert changed.json()["revision"] == 2 and changed.json()["nhs_number"] is None
    assert await _stored(ras) == (1, 2)
    refused = await ras.client.patch(url, json={"family_name": None, "postcode": "bad", "revision": 2}, headers=SW)
    assert refused.status_code == 422
    assert await _stored(ras) == (1, 2)


async def test_merging_retires_the_duplicate_and_points_at_the_survivor(api):
    ras = await api("ras")
    survivor = (await ras.client.post("/people", json=GOOD, headers=SW)).json()
    duplicate = (
        await ras.client.post("/people", json={**GOOD, "council_person_id": "WY-2002", "nhs_number": None}, headers=SW)
    ).json()
    manager = auth(Role.team_manager)
    merged = await ras.client.post(
        f"/people/{duplicate['person_id']}/merge",
        json={"surviving_person_id": survivor["person_id"], "revision": 1},
        headers=manager,
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["merged_into"] == survivor["person_id"]
    again = await ras.client.post(
        f"/people/{duplicate['person_id']}/merge",
        json={"surviving_person_id": survivor["person_id"], "revision": 2},
        headers=manager,
    )
    assert again.status_code == 409
    into_itself = await ras.client.post(
        f"/people/{survivor['person_id']}/merge",
        json={"surviving_person_id": survivor["person_id"], "revision": 1},
        headers=manager,
    )
    assert into_itself.status_code == 409
    assert await _stored(ras) == (2, 3)


async def test_text_with_a_nul_character_is_refused_before_it_reaches_the_database(api):
    ras = await api("ras")
    body = await ras.client.post("/people", json={**GOOD, "given_name": "Ma\x00ry"}, headers=SW)
    assert body.status_code == 422 and body.json()["detail"][0]["loc"] == ["body"]
    query = await ras.client.get("/people", params={"council_person_id": "WY\x00"}, headers=SW)
    assert query.status_code == 422 and query.json()["detail"][0]["loc"] == ["query"]
    assert await _stored(ras) == (0, 0)


async def test_two_registrations_of_one_person_at_the_same_moment_store_one(api):
    ras = await api("ras")
    first, second = await asyncio.gather(
        ras.client.post("/people", json=GOOD, headers=SW),
        ras.client.post("/people", json={**GOOD, "council_person_id": "WY-2009"}, headers=SW),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    assert await _stored(ras) == (1, 1)
