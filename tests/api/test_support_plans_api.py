"""Support plans: costed from the rate card; agreed at once within tolerance, else a team manager
within the limit in their token, else the panel; every decision kept; agreement publishes the budget."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox
from pbshared.testing.harness import auth
from tests.api.test_assessments_api import _assessment, _full_answers, _person

pytestmark = pytest.mark.integration

SW = auth(Role.social_worker)
PANEL = auth(Role.panel)
# Sample council, model 2, older people: 57 points x GBP 230 = GBP 13,110 a year, GBP 252.12 a week;
# 10% tolerance: up to GBP 277.33 a week agreed at once. Home care is GBP 24.50 an hour commissioned.


async def _assessed(ras, council_person_id: str = "WY-3001") -> str:
    person_id = await _person(ras, council_person_id)
    body = _assessment(person_id, await _full_answers(ras, "2026-05-01"))
    response = await ras.client.post("/assessments", json=body, headers=SW)
    assert response.status_code == 201, response.text
    return response.json()["assessment_id"]


def _plan(assessment_id: str, hours: str, **extra) -> dict:
    return {
        "assessment_id": assessment_id,
        "start_date": "2026-05-04",
        "services": [{"service_type": "home_care", "units_per_week": hours, "delivery": "council_managed"}],
        "justification": "Morning and evening calls for washing, dressing and meals.",
        **extra,
    }


async def _events(ras) -> list[tuple[str, dict]]:
    async with ras.sessions() as session:
        rows = await session.execute(select(outbox.c.event_type, outbox.c.message).order_by(outbox.c.id))
        return [(t, json.loads(m)["payload"]) for t, m in rows if t.startswith("personal_budget")]


async def test_a_plan_within_tolerance_is_agreed_at_once_and_publishes_the_whole_budget(api):
    ras = await api("ras")
    assessment_id = await _assessed(ras)
    one_off = {"description": "Key safe", "amount_pence": 6000, "delivery": "council_managed"}
    plan = _plan(assessment_id, "10", one_off_costs=[one_off])
    plan["services"].append(
        {"service_type": "personal_assistant", "units_per_week": "1.5", "delivery": "direct_payment"}
    )
    response = await ras.client.post("/support-plans", json=plan, headers=SW)
    assert response.status_code == 201, response.text
    budget = response.json()
    # 10 h x GBP 24.50 + 1.5 h x GBP 18.50 = 245.00 + 27.75 = GBP 272.75 a week.
    assert (budget["status"], budget["weekly_pence"], budget["annual_pence"]) == ("agreed", 27275, 27275 * 52 + 6000)
    assert budget["next_review_date"] == "2026-06-15"  # six weeks after the start
    [(event_type, payload)] = await _events(ras)
    assert event_type == "personal_budget.agreed"
    assert payload["delivery"] == {
        "direct_payment_weekly_pence": 2775,
        "council_managed_weekly_pence": 24500,
        "individual_service_fund_weekly_pence": 0,
    }
    assert (payload["client_group"], payload["funder"], payload["start_date"]) == (
        "older_people",
        "council",
        "2026-05-04",
    )
    assert [s["service_type"] for s in payload["services"]] == ["home_care", "personal_assistant"]


async def test_above_tolerance_a_team_manager_approves_only_within_the_limit_in_their_token(api):
    ras = await api("ras")
    plan = (await ras.client.post("/support-plans", json=_plan(await _assessed(ras), "12"), headers=SW)).json()
    # GBP 294 a week: above tolerance, below the panel threshold; GBP 15,288 a year.
    assert (plan["status"], plan["annual_pence"]) == ("awaiting_team_manager", 1528800)
    decision = {"revision": plan["revision"], "reasons": ["Two carers needed on the evening call."]}
    low = auth(Role.team_manager, approval_limit_pence=1_000_000)
    refused = await ras.client.post(f"/support-plans/{plan['budget_id']}/approve", json=decision, headers=low)
    assert refused.status_code == 403, refused.text
    assert "approval limit" in refused.json()["detail"]
    assert await _events(ras) == []
    high = auth(Role.team_manager, approval_limit_pence=2_000_000, subject="tm-ada")
    approved = await ras.client.post(f"/support-plans/{plan['budget_id']}/approve", json=decision, headers=high)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "agreed"
    assert [t for t, _ in await _events(ras)] == ["personal_budget.agreed"]
    again = await ras.client.post(f"/support-plans/{plan['budget_id']}/approve", json=decision, headers=high)
    assert again.status_code == 409, again.text  # the revision read is stale
    history = (await ras.client.get(f"/people/{plan['person_id']}/budgets", headers=auth(Role.auditor))).json()
    decisions = [(d["decision"], d["decided_by"], d["reasons"]) for d in history["decisions"]]
    assert decisions[-1] == ("agreed", "tm-ada", ["Two carers needed on the evening call."])
    assert [d[0] for d in decisions] == ["submitted", "awaiting_team_manager", "agreed"]


async def test_above_the_panel_threshold_only_the_panel_decides_and_may_reject(api):
    ras = await api("ras")
    plan = (await ras.client.post("/support-plans", json=_plan(await _assessed(ras), "30"), headers=SW)).json()
    assert plan["status"] == "awaiting_panel"
    decision = {"revision": plan["revision"], "reasons": ["Consider a day service for two days."]}
    manager = auth(Role.team_manager, approval_limit_pence=100_000_000)
    refused = await ras.client.post(f"/support-plans/{plan['budget_id']}/approve", json=decision, headers=manager)
    assert refused.status_code == 403, refused.text
    rejected = await ras.client.post(f"/support-plans/{plan['budget_id']}/reject", json=decision, headers=PANEL)
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert await _events(ras) == []


async def test_a_plan_with_a_service_off_the_rate_card_is_a_422_and_nothing_is_stored(api):
    ras = await api("ras")
    plan = _plan(await _assessed(ras), "10")
    plan["services"][0]["service_type"] = "gold_plated_care"
    response = await ras.client.post("/support-plans", json=plan, headers=SW)
    assert response.status_code == 422, response.text
    assert [p["loc"] for p in response.json()["errors"]] == [["body", "services", 0, "service_type"]]
    assert "gold_plated" not in response.text
    [person] = (await ras.client.get("/people", headers=SW)).json()
    history = await ras.client.get(f"/people/{person['person_id']}/budgets", headers=SW)
    assert history.json() == {"budgets": [], "decisions": [], "revisions": []}


async def test_a_plan_no_grade_of_the_councils_scheme_may_approve_goes_to_the_panel_whatever_a_token_says(api):
    ras = await api("ras")
    # 27 hours of supported living (GBP 621.00 a week, under the GBP 650 threshold) and GBP 2,000 of
    # adaptations: GBP 34,292 a year, above the highest grade's limit (GBP 33,800).
    plan = _plan(await _assessed(ras), "27")
    plan["services"][0]["service_type"] = "supported_living"
    plan["one_off_costs"] = [{"description": "Adaptations", "amount_pence": 200000, "delivery": "council_managed"}]
    submitted = (await ras.client.post("/support-plans", json=plan, headers=SW)).json()
    assert (submitted["status"], submitted["annual_pence"]) == ("awaiting_panel", 3429200)
    decision = {"revision": submitted["revision"], "reasons": ["Within my limit."]}
    generous = auth(Role.team_manager, approval_limit_pence=5_000_000)
    refused = await ras.client.post(f"/support-plans/{submitted['budget_id']}/approve", json=decision, headers=generous)
    assert refused.status_code == 403, refused.text
    history = (await ras.client.get(f"/people/{submitted['person_id']}/budgets", headers=SW)).json()
    routed = history["decisions"][-1]
    assert (routed["decision"], routed["decided_by"]) == ("awaiting_panel", "rules")
    assert routed["reasons"][-1].endswith("approval limit covers the estimated yearly cost of GBP 34,292.00")


async def test_a_team_manager_without_a_limit_in_their_token_has_the_councils_default(api):
    ras = await api("ras")
    plan = (await ras.client.post("/support-plans", json=_plan(await _assessed(ras), "12"), headers=SW)).json()
    assert plan["annual_pence"] == 1528800  # within the default GBP 15,600
    routed = (await ras.client.get(f"/people/{plan['person_id']}/budgets", headers=SW)).json()["decisions"][-1]
    assert routed["reasons"][-1].endswith(
        "(within the council's limits for: head_of_service, senior_team_manager, team_manager)"
    )
    decision = {"revision": plan["revision"], "reasons": ["Fits the default limit."]}
    approved = await ras.client.post(
        f"/support-plans/{plan['budget_id']}/approve", json=decision, headers=auth(Role.team_manager)
    )
    assert approved.status_code == 200, approved.text
