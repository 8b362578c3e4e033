"""The first slice: a person registered in RAS reaches every other service's copy through events."""

from __future__ import annotations

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth, wait_for
from tests.councils import load_second_council

pytestmark = pytest.mark.integration

PERSON = {
    "council_person_id": "WY-1001",
    "nhs_number": "943 476 5919",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "1941-12-10",
    "postcode": "sk1 3xe",
    "client_group": "older_people",
}


async def test_registered_person_is_copied_to_charging_brokerage_and_ledger(start_service):
    ras = await start_service("ras")
    copies = {name: await start_service(name) for name in ("charging", "brokerage", "ledger")}
    for service in copies.values():
        await service.consumer_ready()

    response = await ras.client.post("/people", json=PERSON, headers=auth(Role.social_worker))
    assert response.status_code == 201, response.text
    person = response.json()
    assert person["nhs_number"] == "9434765919"
    assert person["postcode"] == "SK1 3XE"

    readers = {"charging": Role.finance_officer, "brokerage": Role.broker, "ledger": Role.finance_officer}
    for name, service in copies.items():
        path = f"/people/{person['person_id']}"

        async def arrived(service=service, name=name, path=path) -> bool:
            return (await service.client.get(path, headers=auth(readers[name]))).status_code == 200

        await wait_for(arrived, 30, f"{name}'s copy")
        copy = (await service.client.get(path, headers=auth(readers[name]))).json()
        assert copy["family_name"] == "Lovelace" and copy["revision"] == 1

    # Each copy keeps the council's walls: another council's token finds nothing.
    await load_second_council(copies["charging"])
    other = auth(Role.finance_officer, "eastmere")
    assert (await copies["charging"].client.get(f"/people/{person['person_id']}", headers=other)).status_code == 404
    assert (await copies["charging"].client.get("/people", headers=other)).json() == []

    changed = await ras.client.patch(
        f"/people/{person['person_id']}", json={"postcode": "SK2 6QQ", "revision": 1}, headers=auth(Role.social_worker)
    )
    assert changed.status_code == 200, changed.text
    for name, service in copies.items():

        async def updated(service=service, name=name) -> bool:
            copy = await service.client.get(f"/people/{person['person_id']}", headers=auth(readers[name]))
            return copy.json()["postcode"] == "SK2 6QQ"

        await wait_for(updated, 30, f"{name}'s updated copy")


async def test_a_merge_reaches_the_copies(start_service):
    ras = await start_service("ras")
    charging = await start_service("charging")
    await charging.consumer_ready()
    survivor = (await ras.client.post("/people", json=PERSON, headers=auth(Role.social_worker))).json()
    duplicate_body = {**PERSON, "council_person_id": "WY-1002", "nhs_number": None}
    duplicate = (await ras.client.post("/people", json=duplicate_body, headers=auth(Role.social_worker))).json()
    merged = await ras.client.post(
        f"/people/{duplicate['person_id']}/merge",
        json={"surviving_person_id": survivor["person_id"], "revision": 1},
        headers=auth(Role.team_manager),
    )
    assert merged.status_code == 200, merged.text

    async def pointed_at_survivor() -> bool:
        copy = await charging.client.get(f"/people/{duplicate['person_id']}", headers=auth(Role.finance_officer))
        return copy.status_code == 200 and copy.json()["merged_into"] == survivor["person_id"]

    await wait_for(pointed_at_survivor, 30, "the merge in charging's copy")
