"""A budget event that comes before the person's first financial assessment is kept and charged once the
assessment is recorded: either order ends with the same charges and the same contribution changes."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from pbshared.contract.events.budgets import PersonalBudgetEnded
from tests.api.test_charging_assessments import person_in, record
from tests.api.test_charging_health import ASSESSED, Inbox
from tests.integration.test_charging_follows_budgets import agreed

pytestmark = pytest.mark.integration


def ended(person_id: uuid.UUID, budget_id: uuid.UUID) -> PersonalBudgetEnded:
    return PersonalBudgetEnded(
        person_id=person_id, budget_id=budget_id, budget_revision=2, end_date=date(2025, 9, 30), reason="deceased"
    )


async def charges_and_changes(inbox: Inbox, person_id: uuid.UUID) -> tuple[list[int], list[tuple]]:
    charges = [await inbox.charge(person_id, on) for on in ("2025-06-02", "2025-07-07", "2025-09-30", "2025-10-01")]
    changes = [
        (c["weekly_charge_pence"], c["effective_date"], c["reason"], c["budget_id"])
        for c in await inbox.contributions(person_id)
    ]
    return charges, changes


@pytest.mark.parametrize("assessment_first", [True, False])
async def test_a_budget_and_its_end_are_charged_whichever_comes_first(api, assessment_first):
    charging = await api("charging")
    inbox, person_id, budget_id = Inbox(charging), await person_in(charging), uuid.uuid4()
    if assessment_first:
        assert (await record(charging, person_id)).status_code == 201
    assert await inbox.send(agreed(person_id, budget_id, 5000), "ras") == "handled"
    assert await inbox.send(ended(person_id, budget_id), "ras") == "handled"
    if not assessment_first:
        response = await record(charging, person_id)
        assert response.status_code == 201, response.text
        assert response.json()["weekly_charge_pence"] == ASSESSED

    charges, changes = await charges_and_changes(inbox, person_id)
    assert charges == [ASSESSED, 5000, 5000, 0]
    assert changes == [
        (ASSESSED, "2025-06-02", "assessment", None),
        (5000, "2025-07-07", "cost_of_care_changed", str(budget_id)),
        (0, "2025-10-01", "care_ended", str(budget_id)),
    ]


async def test_a_budget_from_before_the_assessment_date_is_its_cost_of_care(api):
    charging = await api("charging")
    inbox, person_id = Inbox(charging), await person_in(charging)
    await inbox.send(agreed(person_id, uuid.uuid4(), 5000, start=date(2025, 5, 5)), "ras")
    response = await record(charging, person_id)
    assert response.json()["weekly_charge_pence"] == 5000
    assert response.json()["circumstances"]["weekly_cost_of_care_pence"] == 5000
