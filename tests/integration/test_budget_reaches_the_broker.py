"""An agreed personal budget leaves RAS through the outbox and reaches the broker, after the person
and the assessment it follows, all keyed by the person so they stay in order."""

from __future__ import annotations

import pytest

from pbshared.contract.envelope import Envelope
from pbshared.contract.topics import events_topic
from pbshared.platform.auth import Role
from pbshared.platform.kafka import read_topic
from pbshared.testing.harness import auth, wait_for
from tests.api.test_assessments_api import _assessment, _full_answers, _person
from tests.api.test_support_plans_api import _plan

pytestmark = pytest.mark.integration

SW = auth(Role.social_worker)


async def test_an_agreed_budget_reaches_the_broker_through_the_outbox(start_service, broker):
    ras = await start_service("ras")
    person_id = await _person(ras)
    assessed = await ras.client.post(
        "/assessments", json=_assessment(person_id, await _full_answers(ras, "2026-05-01")), headers=SW
    )
    assert assessed.status_code == 201, assessed.text
    agreed = await ras.client.post("/support-plans", json=_plan(assessed.json()["assessment_id"], "10"), headers=SW)
    assert agreed.status_code == 201, agreed.text
    records: list = []

    async def published() -> bool:
        records[:] = await read_topic(broker.bootstrap_servers, events_topic("ras"), idle_seconds=0.3)
        return len(records) == 3

    await wait_for(published, 30, "the three events on the topic")
    envelopes = [Envelope.from_bytes(r.value) for r in records]
    assert [e.event_type for e in envelopes] == ["person.registered", "assessment.completed", "personal_budget.agreed"]
    assert {r.key.decode() for r in records} == {person_id}
    budget = envelopes[-1].payload
    assert (budget["budget_id"], budget["weekly_pence"]) == (agreed.json()["budget_id"], 24500)
