"""Reviews: the overdue list; a review that changes the plan supersedes the budget from its date
(transitional protection capping the fall) and publishes personal_budget.revised; an ending publishes
personal_budget.ended; every review is guarded by the revision read."""

from __future__ import annotations

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.api.test_support_plans_api import PANEL, SW, _assessed, _events, _plan

pytestmark = pytest.mark.integration


def _review(revision: int, outcome: str, effective_from: str, hours: str | None = None) -> dict:
    services = [{"service_type": "home_care", "units_per_week": hours, "delivery": "council_managed"}] if hours else []
    return {
        "revision": revision,
        "review_date": "2026-06-20",
        "reason": "planned",
        "outcome": outcome,
        "effective_from": effective_from,
        "services": services,
    }


async def test_a_review_supersedes_the_budget_within_the_protection_cap_and_an_end_is_published(api):
    ras = await api("ras")
    budget = (await ras.client.post("/support-plans", json=_plan(await _assessed(ras), "10"), headers=SW)).json()
    assert (budget["status"], budget["next_review_date"]) == ("agreed", "2026-06-15")
    due = (await ras.client.get("/reviews/due", headers=auth(Role.auditor))).json()
    assert [b["budget_id"] for b in due["overdue"]] == [budget["budget_id"]]  # its date has passed
    reviews = f"/budgets/{budget['budget_id']}/reviews"

    unknown = _review(budget["revision"], "moved_abroad", "2026-07-01")
    refused = await ras.client.post(reviews, json=unknown, headers=SW)
    assert refused.status_code == 422, refused.text
    assert [p["loc"] for p in refused.json()["errors"]] == [["body", "outcome"]]

    # GBP 245.00 a week falling by at most 10%: no lower than GBP 220.50; 5 hours is GBP 122.50.
    too_far = await ras.client.post(
        reviews, json=_review(budget["revision"], "less_support", "2026-07-01", "5"), headers=SW
    )
    assert too_far.status_code == 422, too_far.text
    [problem] = too_far.json()["errors"]
    assert problem["loc"] == ["body", "services"] and "GBP 220.50" in problem["msg"]

    revised = await ras.client.post(
        reviews, json=_review(budget["revision"], "less_support", "2026-07-01", "9"), headers=SW
    )
    assert revised.status_code == 200, revised.text
    after = revised.json()
    assert (after["weekly_pence"], after["budget_revision"], after["effective_from"]) == (22050, 2, "2026-07-01")
    assert after["next_review_date"] == "2027-06-20"  # twelve months after the review
    stale = await ras.client.post(reviews, json=_review(budget["revision"], "no_change", "2026-07-01"), headers=SW)
    assert stale.status_code == 409, stale.text

    ended = await ras.client.post(reviews, json=_review(after["revision"], "support_ended", "2026-09-01"), headers=SW)
    assert ended.status_code == 200, ended.text
    assert (ended.json()["status"], ended.json()["end_date"]) == ("ended", "2026-08-31")
    events = await _events(ras)
    assert [t for t, _ in events] == ["personal_budget.agreed", "personal_budget.revised", "personal_budget.ended"]
    revised_event, ended_event = events[1][1], events[2][1]
    assert (revised_event["supersedes_revision"], revised_event["weekly_pence"]) == (1, 22050)
    assert revised_event["reason"] == "planned_review"
    assert (ended_event["budget_revision"], ended_event["reason"]) == (3, "support_ended_as_planned")
    assert (await ras.client.get("/reviews/due", headers=SW)).json() == {"due": [], "overdue": []}
    decisions = (await ras.client.get(f"/people/{budget['person_id']}/budgets", headers=SW)).json()["decisions"]
    assert [d["decision"] for d in decisions][-2:] == ["review_less_support", "review_support_ended"]


async def test_a_revised_plan_beyond_tolerance_goes_through_approval_again_and_the_history_reads_back(api):
    ras = await api("ras")
    budget = (await ras.client.post("/support-plans", json=_plan(await _assessed(ras), "10"), headers=SW)).json()
    reviews, approve = f"/budgets/{budget['budget_id']}/reviews", f"/support-plans/{budget['budget_id']}"
    # 12 hours is GBP 294.00 a week: above the indicative GBP 252.12 plus 10%, below the panel threshold.
    more = await ras.client.post(
        reviews, json=_review(budget["revision"], "more_support", "2026-07-01", "12"), headers=SW
    )
    assert more.status_code == 200, more.text
    waiting = more.json()
    assert (waiting["status"], waiting["proposal_status"]) == ("agreed", "awaiting_team_manager")
    assert (waiting["weekly_pence"], waiting["budget_revision"]) == (24500, 1)  # unchanged until agreed
    assert [t for t, _ in await _events(ras)] == ["personal_budget.agreed"]
    again = await ras.client.post(reviews, json=_review(waiting["revision"], "no_change", "2026-07-01"), headers=SW)
    assert again.status_code == 409, again.text  # decide the revised plan first

    decision = {"revision": waiting["revision"], "reasons": ["Evening call needs two carers now."]}
    low = auth(Role.team_manager, approval_limit_pence=1_000_000)
    assert (await ras.client.post(f"{approve}/approve", json=decision, headers=low)).status_code == 403
    manager = auth(Role.team_manager, approval_limit_pence=1_560_000, subject="tm-grace")
    agreed = await ras.client.post(f"{approve}/approve", json=decision, headers=manager)
    assert agreed.status_code == 200, agreed.text
    after = agreed.json()
    assert (after["weekly_pence"], after["budget_revision"], after["proposal_status"]) == (29400, 2, None)
    [(_, revised)] = [(t, p) for t, p in await _events(ras) if t == "personal_budget.revised"]
    assert (revised["weekly_pence"], revised["supersedes_revision"], revised["effective_from"]) == (
        29400,
        1,
        "2026-07-01",
    )

    # 30 hours (GBP 735.00 a week) is above the panel threshold: the panel alone decides, even within
    # a team manager's limit, and its rejection leaves the budget as it was.
    panel_case = await ras.client.post(
        reviews, json=_review(after["revision"], "more_support", "2026-08-01", "30"), headers=SW
    )
    assert panel_case.json()["proposal_status"] == "awaiting_panel", panel_case.text
    decision = {"revision": panel_case.json()["revision"], "reasons": ["Try a day service first."]}
    rich = auth(Role.team_manager, approval_limit_pence=100_000_000)
    assert (await ras.client.post(f"{approve}/approve", json=decision, headers=rich)).status_code == 403
    rejected = await ras.client.post(f"{approve}/reject", json=decision, headers=PANEL)
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["weekly_pence"], rejected.json()["budget_revision"]) == (29400, 2)
    assert [t for t, _ in await _events(ras)] == ["personal_budget.agreed", "personal_budget.revised"]

    history = (await ras.client.get(f"/people/{budget['person_id']}/budgets", headers=auth(Role.auditor))).json()
    revisions = [
        (r["budget_revision"], r["weekly_pence"], r["latest_decision"], [d["decision"] for d in r["decisions"]])
        for r in history["revisions"]
    ]
    assert revisions == [
        (1, 24500, "agreed", ["submitted", "agreed"]),
        (2, 29400, "revision_agreed", ["review_more_support", "revision_awaiting_team_manager", "revision_agreed"]),
        (3, 73500, "revision_rejected", ["review_more_support", "revision_awaiting_panel", "revision_rejected"]),
    ]
    agreed_by = history["revisions"][1]["decisions"][-1]
    assert (agreed_by["decided_by"], agreed_by["role"], agreed_by["reasons"]) == (
        "tm-grace",
        "team_manager",
        ["Evening call needs two carers now."],
    )
    assert history["revisions"][1]["effective_from"] == "2026-07-01"
