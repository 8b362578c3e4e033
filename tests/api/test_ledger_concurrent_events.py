"""A person's contribution handled while their budget's direct payment is being set up, on PostgreSQL:
the two events come on their own topics (charging's and RAS's) and are handled side by side. The last
event the ledger publishes about the agreement tells the contribution either way (the ledger takes the
person's lock first: `ledger.service_layer.agreements`)."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from sqlalchemy import select

from ledger.service_layer import agreements
from pbshared.platform.tables import outbox
from pbshared.platform.unit_of_work import UnitOfWork
from tests.api.test_ledger_arrears import WEEKLY_CONTRIBUTION, first_contribution
from tests.api.test_ledger_payments import budget

pytestmark = pytest.mark.integration


class SlowToFinish(UnitOfWork):
    """The budget's handler, slow to publish and commit once it has read the person's terms (as under load)."""

    async def publish(self, *args, **kwargs):
        await asyncio.sleep(0.2)
        return await super().publish(*args, **kwargs)


async def test_a_contribution_handled_while_the_agreement_is_set_up_reaches_its_events(api):
    ledger = await api("ledger")
    person_id = uuid.uuid4()
    contribution = first_contribution(person_id)

    async def contribution_meanwhile() -> None:
        await asyncio.sleep(0.05)
        await agreements.follow_contribution(UnitOfWork(ledger.sessions, "ledger"), "wyvernshire", contribution)

    await asyncio.gather(
        agreements.follow_budget(SlowToFinish(ledger.sessions, "ledger"), "wyvernshire", budget(person_id, 14_000)),
        contribution_meanwhile(),
    )
    async with ledger.sessions() as session:
        messages = (await session.execute(select(outbox.c.message).order_by(outbox.c.id))).scalars().all()
    told = [json.loads(m)["payload"] for m in messages]
    about_the_agreement = [p for p in told if p.get("person_id") == str(person_id) and "weekly_contribution_pence" in p]
    assert about_the_agreement and about_the_agreement[-1]["weekly_contribution_pence"] == WEEKLY_CONTRIBUTION
