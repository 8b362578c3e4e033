"""The budget envelope over stored budgets: an agreed budget at its cost, an assessed person without
one at the indicative figure, the contingency drawn by approvals above it; JSON and CSV."""

from __future__ import annotations

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.api.test_support_plans_api import SW, _assessed, _plan

pytestmark = pytest.mark.integration

MANAGER = auth(Role.team_manager, approval_limit_pence=2_000_000)


async def test_agreed_and_indicative_budgets_against_the_envelope_and_the_contingency(api):
    ras = await api("ras")
    # One person agreed above the indicative (12 h: GBP 294 a week, approved), one only assessed.
    plan = (await ras.client.post("/support-plans", json=_plan(await _assessed(ras), "12"), headers=SW)).json()
    decision = {"revision": plan["revision"], "reasons": ["Evening call needs two carers."]}
    approved = await ras.client.post(f"/support-plans/{plan['budget_id']}/approve", json=decision, headers=MANAGER)
    assert approved.status_code == 200, approved.text
    await _assessed(ras, "WY-3002")

    report = (await ras.client.get("/envelope?on=2026-05-04", headers=auth(Role.auditor))).json()
    [older] = [g for g in report["groups"] if g["client_group"] == "older_people"]
    indicative_annual = 57 * 23000
    assert (older["agreed_pence"], older["indicative_pence"]) == (29400 * 52, indicative_annual)
    assert older["drawn_from_contingency_pence"] == 29400 * 52 - indicative_annual
    assert older["remaining_pence"] == 1_500_000_000 - 29400 * 52 - indicative_annual
    assert report["contingency_reserve_pence"] == report["envelope_pence"] // 5  # the council's 20%

    csv_text = (await ras.client.get("/envelope.csv?on=2026-05-04", headers=MANAGER)).text
    header, *rows = csv_text.splitlines()
    assert header.startswith("client_group,envelope_gbp,agreed_gbp,indicative_gbp")
    assert "older_people,15000000.00,15288.00,13110.00," in csv_text
    assert len(rows) == len(report["groups"])
