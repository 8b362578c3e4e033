"""Two writes of one record at the same moment: one wins, the other is told the record changed (409),
nothing is lost, and the events in the outbox tell the same story as the table. On a SQLite file (the
embedded default, where row locks do nothing) and on PostgreSQL alike.

Each race sends the same two requests at once through the app, as a hostile-input probe did.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from pbshared.contract.envelope import Envelope
from pbshared.platform.auth import Role
from pbshared.platform.migrations import upgrade
from pbshared.platform.tables import outbox
from pbshared.testing.harness import RunningService, auth, service_settings
from ras.adapters.people_repository import PeopleRepository
from tests.councils import load_sample_council
from tools.services import definition

pytestmark = pytest.mark.integration
SW, MANAGER = auth(Role.social_worker), auth(Role.team_manager)
ROUNDS = 5  # the probe lost a change in 5 runs of 5


def _person(council_person_id: str) -> dict[str, str]:
    return {
        "council_person_id": council_person_id,
        "given_name": "Mary",
        "family_name": "Seacole",
        "date_of_birth": "1950-11-23",
        "postcode": "SK1 3XE",
        "client_group": "physical_disability",
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("databases")["ras"])
    url = f"sqlite+aiosqlite:///{tmp_path / 'ras.db'}"
    upgrade(definition("ras").migrations_dir, url)
    return url


@pytest.fixture
async def ras(database_url: str) -> AsyncIterator[RunningService]:
    url = database_url
    settings = service_settings(definition("ras"), url, "127.0.0.1:1", relay_enabled=False, consumers_enabled=False)
    async with RunningService(definition("ras"), settings) as service:
        await load_sample_council(service)
        yield service


async def _register(ras: RunningService, council_person_id: str) -> dict[str, Any]:
    response = await ras.client.post("/people", json=_person(council_person_id), headers=SW)
    assert response.status_code == 201, response.text
    return response.json()


async def _events(ras: RunningService, event_type: str) -> list[Envelope]:
    async with ras.sessions() as session:
        rows = await session.execute(
            select(outbox.c.message).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
        )
        return [Envelope.from_bytes(message.encode()) for (message,) in rows]


def _statuses(*responses: Any) -> list[int]:
    return sorted(r.status_code for r in responses)


async def test_two_changes_from_one_read_at_once_one_wins_and_the_other_is_told(ras):
    for round_ in range(ROUNDS):
        person = await _register(ras, f"WY-{round_}")
        url = f"/people/{person['person_id']}"
        read = await ras.client.get(url, headers=SW)
        assert read.headers["etag"] == '"1"'
        first, second = await asyncio.gather(
            ras.client.patch(url, json={"given_name": "Ann", "revision": 1}, headers=SW),
            ras.client.patch(url, json={"family_name": "Other", "revision": 1}, headers=SW),
        )
        assert _statuses(first, second) == [200, 409], (first.text, second.text)
        loser = first if first.status_code == 409 else second
        problem = loser.json()
        assert problem["errors"] == [
            {"loc": ["body", "revision"], "msg": "changed since you read it; read it again", "type": "value_error"}
        ]
        winner = (second if loser is first else first).json()
        final = (await ras.client.get(url, headers=SW)).json()
        assert final == winner and final["revision"] == 2  # the winner's change, and only it
        updates = [e for e in await _events(ras, "person.updated") if e.subject_id == person["person_id"]]
        assert len(updates) == 1
        assert {k: updates[0].payload[k] for k in ("given_name", "family_name", "revision")} == {
            k: final[k] for k in ("given_name", "family_name", "revision")
        }


async def test_a_change_built_on_an_old_read_is_refused_and_nothing_changes(ras):
    person = await _register(ras, "WY-OLD")
    url = f"/people/{person['person_id']}"
    assert (await ras.client.patch(url, json={"given_name": "Ann", "revision": 1}, headers=SW)).status_code == 200
    stale = await ras.client.patch(url, json={"given_name": "Bea", "revision": 1}, headers=SW)
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["loc"] == ["body", "revision"]
    assert (await ras.client.get(url, headers=SW)).json()["given_name"] == "Ann"
    assert len(await _events(ras, "person.updated")) == 1


async def test_a_change_without_the_revision_read_is_refused_naming_it(ras):
    person = await _register(ras, "WY-NOREV")
    response = await ras.client.patch(f"/people/{person['person_id']}", json={"given_name": "Ann"}, headers=SW)
    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [["body", "revision"]]


async def test_crossed_merges_at_once_leave_exactly_one_live_record(ras):
    for round_ in range(ROUNDS):
        a, b = await _register(ras, f"WY-A{round_}"), await _register(ras, f"WY-B{round_}")
        a_into_b, b_into_a = await asyncio.gather(
            ras.client.post(
                f"/people/{a['person_id']}/merge",
                json={"surviving_person_id": b["person_id"], "revision": 1},
                headers=MANAGER,
            ),
            ras.client.post(
                f"/people/{b['person_id']}/merge",
                json={"surviving_person_id": a["person_id"], "revision": 1},
                headers=MANAGER,
            ),
        )
        assert _statuses(a_into_b, b_into_a) == [200, 409], (a_into_b.text, b_into_a.text)
        after = [(await ras.client.get(f"/people/{p['person_id']}", headers=SW)).json() for p in (a, b)]
        live = [p for p in after if p["merged_into"] is None]
        retired = [p for p in after if p["merged_into"] is not None]
        assert len(live) == 1 and retired[0]["merged_into"] == live[0]["person_id"]
        merges = [e for e in await _events(ras, "person.merged") if e.subject_id in (a["person_id"], b["person_id"])]
        assert [(m.payload["merged_person_id"], m.payload["surviving_person_id"]) for m in merges] == [
            (retired[0]["person_id"], live[0]["person_id"])
        ]


async def test_a_merge_into_a_record_that_was_itself_merged_is_refused(ras):
    a, b, c = [await _register(ras, f"WY-M{i}") for i in range(3)]
    merged = await ras.client.post(
        f"/people/{b['person_id']}/merge", json={"surviving_person_id": c["person_id"], "revision": 1}, headers=MANAGER
    )
    assert merged.status_code == 200
    refused = await ras.client.post(
        f"/people/{a['person_id']}/merge", json={"surviving_person_id": b["person_id"], "revision": 1}, headers=MANAGER
    )
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["loc"] == ["body", "surviving_person_id"]
    assert (await ras.client.get(f"/people/{a['person_id']}", headers=SW)).json()["merged_into"] is None


async def test_a_council_person_id_differing_only_in_case_is_the_same_person(ras):
    person = await _register(ras, "WY-CASE")
    again = await ras.client.post("/people", json=_person("wy-case"), headers=SW)
    assert again.status_code == 409
    assert again.json()["errors"][0]["loc"] == ["body", "council_person_id"]
    found = (await ras.client.get("/people", params={"council_person_id": "wy-case"}, headers=SW)).json()
    assert [p["person_id"] for p in found] == [person["person_id"]]


async def test_two_registrations_differing_only_in_case_at_once_store_one(ras):
    first, second = await asyncio.gather(
        ras.client.post("/people", json=_person("WY-RACE"), headers=SW),
        ras.client.post("/people", json=_person("wy-race"), headers=SW),
    )
    assert _statuses(first, second) == [201, 409]
    loser = first if first.status_code == 409 else second
    assert [p["loc"] for p in loser.json()["errors"]] == [["body", "council_person_id"]]
    assert len((await ras.client.get("/people", headers=SW)).json()) == 1
    assert len(await _events(ras, "person.registered")) == 1


async def test_the_update_itself_is_guarded_by_the_revision_read(ras):
    """Even past the checks (a writer that did not lock), an update built on an old read changes nothing."""
    person = await _register(ras, "WY-GUARD")
    url = f"/people/{person['person_id']}"
    assert (await ras.client.patch(url, json={"given_name": "Ann", "revision": 1}, headers=SW)).status_code == 200
    async with ras.sessions() as session, session.begin():
        repo = PeopleRepository(session)
        current = await repo.get("wyvernshire", uuid.UUID(person["person_id"]))
        assert current is not None
        built_on_old_read = replace(current, given_name="Lost", revision=2)
        assert await repo.save(built_on_old_read, read_revision=1) is False
    assert (await ras.client.get(url, headers=SW)).json()["given_name"] == "Ann"
