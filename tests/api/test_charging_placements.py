"""Charging follows brokerage's placements (through the consumer): the council-arranged care at its
actual weekly cost, from each placement's effective date, so the charge is never above it."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from pbshared.contract.events.brokerage import PlacementChanged, PlacementEnded, PlacementStarted
from pbshared.testing.budgets import agreed_budget
from tests.api.test_charging_health import ASSESSED, assessed

pytestmark = pytest.mark.integration

PLACEMENT, PACKAGE = uuid.uuid4(), uuid.uuid4()


def placed(person_id: uuid.UUID, hours: str, start: str, event=PlacementStarted):
    return event(
        placement_id=PLACEMENT,
        package_id=PACKAGE,
        person_id=person_id,
        provider_id="acorn",
        lot="home_care",
        unit="hour",
        rate_pence=1000,
        planned_units_per_week=Decimal(hours),
        carers_per_visit=1,
        weekly_cost_pence=int(Decimal(hours) * 1000),
        effective_from=start,
    )


async def test_the_placements_actual_cost_caps_the_charge_from_its_dates(api):
    inbox, person_id = await assessed(await api("charging"))
    assert await inbox.send(placed(person_id, "5", "2025-07-07"), "brokerage") == "handled"
    assert await inbox.charge(person_id, "2025-07-06") == ASSESSED
    assert await inbox.charge(person_id, "2025-07-07") == 5000
    cost = next(
        s
        for s in (await inbox.current(person_id, "2025-07-07"))["result"]["steps"]
        if s["label"] == "weekly cost of care"
    )
    assert "actual cost" in cost["reason"]

    await inbox.send(placed(person_id, "8", "2025-08-04", PlacementChanged), "brokerage")
    assert await inbox.charge(person_id, "2025-08-03") == 5000
    assert await inbox.charge(person_id, "2025-08-04") == 8000
    ended = PlacementEnded(
        placement_id=PLACEMENT,
        package_id=PACKAGE,
        person_id=person_id,
        provider_id="acorn",
        end_date=date(2025, 8, 31),
        reason="handed_back",
    )
    await inbox.send(ended, "brokerage")
    assert await inbox.charge(person_id, "2025-08-31") == 8000
    assert await inbox.charge(person_id, "2025-09-01") == ASSESSED
    reasons = [(c["weekly_charge_pence"], c["reason"]) for c in await inbox.contributions(person_id)]
    assert reasons[1:] == [
        (5000, "cost_of_care_changed"),
        (8000, "cost_of_care_changed"),
        (ASSESSED, "cost_of_care_changed"),
    ]


async def test_the_placement_replaces_only_the_council_managed_part_of_the_budget(api):
    inbox, person_id = await assessed(await api("charging"))
    budget = agreed_budget(
        person_id, 30000, date(2025, 7, 7), council_managed_weekly_pence=28000, next_review_date=date(2026, 7, 6)
    )
    assert await inbox.send(budget, "ras") == "handled"
    assert await inbox.charge(person_id, "2025-07-07") == ASSESSED
    await inbox.send(placed(person_id, "5", "2025-07-14"), "brokerage")
    # The direct payment (20.00) and the placement's actual cost (50.00).
    assert await inbox.charge(person_id, "2025-07-14") == 2000 + 5000
