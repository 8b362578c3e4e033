"""Two decisions on one support plan at the same moment (approve and reject): one wins, the other is
told the plan changed (409), and the outbox holds an agreement only if the approval won. On a SQLite
file and on PostgreSQL alike."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox
from pbshared.testing.harness import auth
from tests.api.test_concurrent_writes import database_url, ras  # noqa: F401 (fixtures)
from tests.api.test_support_plans_api import SW, _assessed, _plan

pytestmark = pytest.mark.integration
MANAGER = auth(Role.team_manager, approval_limit_pence=2_000_000)
ROUNDS = 3


async def test_an_approval_and_a_rejection_at_once_one_wins_and_the_outbox_agrees(ras):  # noqa: F811
    for round_number in range(ROUNDS):
        assessment_id = await _assessed(ras, f"WY-50{round_number}")
        plan = (await ras.client.post("/support-plans", json=_plan(assessment_id, "12"), headers=SW)).json()
        assert plan["status"] == "awaiting_team_manager"
        decision = {"revision": plan["revision"], "reasons": ["Decided at the same moment."]}
        approve, reject = await asyncio.gather(
            ras.client.post(f"/support-plans/{plan['budget_id']}/approve", json=decision, headers=MANAGER),
            ras.client.post(f"/support-plans/{plan['budget_id']}/reject", json=decision, headers=MANAGER),
        )
        assert sorted([approve.status_code, reject.status_code]) == [200, 409], (approve.text, reject.text)
        async with ras.sessions() as session:
            messages = (await session.execute(select(outbox.c.message))).scalars().all()
        agreed = [m for m in messages if json.loads(m)["payload"].get("budget_id") == plan["budget_id"]]
        assert len(agreed) == (1 if approve.status_code == 200 else 0)
