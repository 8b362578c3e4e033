"""Two ends of one funding decision at the same moment, on a SQLite file (where row locks do nothing)
and on PostgreSQL: one wins, the other is told the record changed (409), and one event is published."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from pbshared.platform.auth import Role
from pbshared.platform.migrations import upgrade
from pbshared.testing.harness import RunningService, auth, service_settings
from tests.api.health_support import published, registered
from tests.councils import load_sample_council
from tools.services import definition

pytestmark = pytest.mark.integration
WORKER = auth(Role.social_worker)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("databases")["health"])
    url = f"sqlite+aiosqlite:///{tmp_path / 'health.db'}"
    upgrade(definition("health").migrations_dir, url)
    return url


@pytest.fixture
async def health(database_url: str) -> AsyncIterator[RunningService]:
    settings = service_settings(
        definition("health"), database_url, "127.0.0.1:1", relay_enabled=False, consumers_enabled=False
    )
    async with RunningService(definition("health"), settings) as service:
        await load_sample_council(service)
        yield service


async def test_two_ends_at_once_one_wins_and_one_event_is_published(health):
    person_id = await registered(health)
    body = {"person_id": str(person_id), "basis": "section_117_aftercare", "start_date": "2026-04-06"}
    decision = (await health.client.post("/funding-decisions", json=body, headers=WORKER)).json()
    path = f"/funding-decisions/{decision['decision_id']}/end"
    answers = await asyncio.gather(
        *(
            health.client.post(path, json={"revision": 1, "end_date": day}, headers=WORKER)
            for day in ("2026-09-01", "2026-10-01")
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    [winner] = [a.json() for a in answers if a.status_code == 200]
    events = await published(health, "funding_responsibility.changed")
    assert [(e["change"], e["effective_date"]) for e in events] == [
        ("started", "2026-04-06"),
        ("ended", winner["end_date"]),
    ]
