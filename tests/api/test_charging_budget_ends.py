"""A budget's end and what comes after it: a new budget agreed later is charged again from its start on
the assessment that stands (the person's means do not change with the package), and only the end of
the budget the charge follows stops it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from pbshared.contract.events.budgets import PersonalBudgetRevised
from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.api.test_charging_assessments import AT_HOME, record
from tests.api.test_charging_health import ASSESSED, agreed_budget, assessed, budget_ended, funding

pytestmark = pytest.mark.integration


def changes(contributions: list[dict]) -> list[tuple[int, int, str, str]]:
    return [
        (c["previous_weekly_charge_pence"], c["weekly_charge_pence"], c["effective_date"], c["reason"])
        for c in contributions
    ]


async def test_a_budget_agreed_after_an_end_is_charged_from_its_start_on_the_standing_assessment(api):
    # Ended on 31 July; a new package from 1 September costs 50.00 a week, less than the assessed
    # charge: nothing in August, then the charge capped at the new cost of care.
    inbox, person_id = await assessed(await api("charging"))
    assert await inbox.send(budget_ended(person_id, "2025-07-31"), "ras") == "handled"
    assert await inbox.send(agreed_budget(person_id, 5000, "2025-09-01"), "ras") == "handled"
    days = ("2025-07-31", "2025-08-01", "2025-08-31", "2025-09-01", "2026-01-05")
    assert [await inbox.charge(person_id, day) for day in days] == [ASSESSED, 0, 0, 5000, 5000]
    current = await inbox.current(person_id, "2025-09-01")
    assert (current["effective_date"], current["assessed_on"]) == ("2025-09-01", "2025-06-02")  # no reassessment
    assert changes(await inbox.contributions(person_id))[1:] == [
        (ASSESSED, 0, "2025-08-01", "care_ended"),
        (0, 5000, "2025-09-01", "cost_of_care_changed"),
    ]


async def test_a_new_budget_charges_again_what_was_recorded_after_the_end_with_the_nhs_decision(api):
    # Joint funding (the NHS pays 250.00) from 15 September came before the end on 31 July, so charging
    # had recorded it and the end stopped it; the new budget (270.00 from 1 September) charges both.
    inbox, person_id = await assessed(await api("charging"))
    decision = funding(person_id, "joint_funding", "started", "2025-09-15", uuid.uuid4(), nhs_weekly_pence=25000)
    assert await inbox.send(decision) == "handled"
    assert await inbox.send(budget_ended(person_id, "2025-07-31"), "ras") == "handled"
    assert await inbox.send(agreed_budget(person_id, 27000, "2025-09-01"), "ras") == "handled"
    days = ("2025-08-01", "2025-09-01", "2025-09-14", "2025-09-15")
    assert [await inbox.charge(person_id, day) for day in days] == [0, ASSESSED, ASSESSED, 27000 - 25000]
    current = await inbox.current(person_id, "2025-09-15")
    assert current["circumstances"]["weekly_cost_of_care_pence"] == 27000
    assert changes(await inbox.contributions(person_id))[-2:] == [
        (0, ASSESSED, "2025-09-01", "cost_of_care_changed"),
        (0, 27000 - 25000, "2025-09-15", "cost_of_care_changed"),  # nothing was charged on it before
    ]


@pytest.mark.parametrize("end_date", ["2025-08-31", "2025-09-30"], ids=["before_the_new_start", "after_it"])
async def test_the_end_of_a_budget_the_charge_no_longer_follows_changes_nothing(api, end_date):
    # The first budget (270.00 from 7 July) is replaced by one of 50.00 from 1 September; the first
    # budget's end comes after that, dated the day before the new start or later: the new budget's
    # charge goes on, and no contribution falls to nothing.
    inbox, person_id = await assessed(await api("charging"))
    first, second = agreed_budget(person_id, 27000, "2025-07-07"), agreed_budget(person_id, 5000, "2025-09-01")
    for budget in (first, second):
        assert await inbox.send(budget, "ras") == "handled"
    assert await inbox.send(budget_ended(person_id, end_date, first.budget_id), "ras") == "handled"
    days = ("2025-08-31", "2025-09-01", "2025-10-01", "2026-01-05")
    assert [await inbox.charge(person_id, day) for day in days] == [ASSESSED, 5000, 5000, 5000]
    assert all(c["reason"] != "care_ended" for c in await inbox.contributions(person_id))

    # The end of the budget the charge follows stops it.
    assert await inbox.send(budget_ended(person_id, "2025-10-31", second.budget_id), "ras") == "handled"
    assert [await inbox.charge(person_id, day) for day in ("2025-10-31", "2025-11-01")] == [5000, 0]
    assert changes(await inbox.contributions(person_id))[-1] == (5000, 0, "2025-11-01", "care_ended")


async def test_a_revision_of_the_ended_budget_dated_after_its_end_charges_nothing(api):
    inbox, person_id = await assessed(await api("charging"))
    budget = agreed_budget(person_id, 27000, "2025-07-07")
    assert await inbox.send(budget, "ras") == "handled"
    assert await inbox.send(budget_ended(person_id, "2025-07-31", budget.budget_id), "ras") == "handled"
    revised = PersonalBudgetRevised(
        **budget.model_dump(exclude={"budget_revision", "effective_from", "reason"}),
        budget_revision=3,
        supersedes_revision=2,
        effective_from=date(2025, 9, 1),
        reason="planned_review",
    )
    assert await inbox.send(revised, "ras") == "handled"
    assert [await inbox.charge(person_id, day) for day in ("2025-07-31", "2025-09-01")] == [ASSESSED, 0]


async def test_a_reassessment_after_an_end_charges_nothing_until_a_new_budget_starts(api):
    # Ended on 31 July; the person is reassessed from 1 September (a higher pension, so a higher
    # charge) before a new package of 270.00 from 1 October: nothing is charged without care, and the
    # new package is charged on the reassessment.
    charging = await api("charging")
    inbox, person_id = await assessed(charging)
    assert await inbox.send(budget_ended(person_id, "2025-07-31"), "ras") == "handled"
    pension = [{"kind": "state_pension", "weekly_pence": 25000}]
    response = await record(charging, person_id, assessed_on="2025-09-01", income=pension)
    assert response.status_code == 201, response.text
    assert (response.json()["weekly_charge_pence"], response.json()["ended_on"]) == (ASSESSED + 2000, "2025-07-31")
    assert await inbox.send(agreed_budget(person_id, 27000, "2025-10-01"), "ras") == "handled"
    days = ("2025-08-01", "2025-09-01", "2025-09-30", "2025-10-01")
    assert [await inbox.charge(person_id, day) for day in days] == [0, 0, 0, ASSESSED + 2000]
    assert changes(await inbox.contributions(person_id))[1:] == [
        (ASSESSED, 0, "2025-08-01", "care_ended"),
        (0, ASSESSED + 2000, "2025-10-01", "cost_of_care_changed"),
    ]


async def test_correcting_a_reassessment_recorded_after_an_end_publishes_no_contribution(api):
    charging = await api("charging")
    inbox, person_id = await assessed(charging)
    assert await inbox.send(budget_ended(person_id, "2025-07-31"), "ras") == "handled"
    reassessed = (await record(charging, person_id, role=Role.finance_officer, assessed_on="2025-09-01")).json()
    published = await inbox.contributions(person_id)
    body = {
        "revision": reassessed["revision"],
        "circumstances": {**AT_HOME, "assessed_on": "2025-09-01", "housing_costs_pence": 1000},
    }
    url = f"/financial-assessments/{reassessed['assessment_id']}"
    response = await charging.client.patch(url, json=body, headers=auth(Role.finance_officer))
    assert response.status_code == 200, response.text
    assert await inbox.charge(person_id, "2025-09-01") == 0
    assert await inbox.contributions(person_id) == published
