"""What other services decided about one person's care, laid over an assessment's circumstances.

The NHS's decisions (health events) and brokerage's placements are not the assessor's to state:
charging keeps them and sets `health` and `placed` in the circumstances for each day it works a
charge out (docs/domain/charging.md, "What the NHS decides", "Placements").
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from charging.adapters.health_repository import HealthRepository
from charging.adapters.placements_repository import PlacementsRepository
from charging.domain.health import HealthPeriod, change_points, decision_on
from charging.domain.placements import Placement, placed_on, placement_change_points
from charging.domain.policy import ChargingPolicy, NoPolicyForDate, PolicyHistory

LAW_FREE_REABLEMENT_WEEKS = 6  # regulation 3: used only where no council policy is loaded for the day
SET_BY_CHARGING = ("health", "placed")


@dataclass(frozen=True)
class Overlay:
    periods: list[HealthPeriod]
    placements: list[Placement]
    policies: PolicyHistory

    def _policy(self, day: date) -> ChargingPolicy | None:
        try:
            return self.policies.on(day).policy
        except NoPolicyForDate:
            return None

    def free_weeks_on(self, day: date) -> int:
        policy = self._policy(day)
        return policy.free_reablement_weeks if policy else LAW_FREE_REABLEMENT_WEEKS

    def apply(self, circumstances: Mapping[str, Any], day: date, budget_id: uuid.UUID | None) -> dict[str, Any]:
        """The circumstances with what applies on `day` in place of what was set before."""
        updated = {k: v for k, v in circumstances.items() if k not in SET_BY_CHARGING}
        decision = decision_on(self.periods, day, budget_id, self.free_weeks_on)
        if decision is not None:
            updated["health"] = decision.model_dump(mode="json", exclude_none=True)
        policy = self._policy(day)
        placed = placed_on(self.placements, day, policy.care_home_lots if policy else {})
        if placed is not None:
            updated["placed"] = placed.model_dump(mode="json", exclude_none=True)
        return updated

    def change_points(self, after: date) -> set[date]:
        return set(change_points(self.periods, after, self.free_weeks_on)) | placement_change_points(
            self.placements, after
        )


async def overlay_for(session: Any, council_id: str, person_id: uuid.UUID, policies: PolicyHistory) -> Overlay:
    return Overlay(
        await HealthRepository(session).periods(council_id, person_id),
        await PlacementsRepository(session).of_person(council_id, person_id),
        policies,
    )


def set_by_charging(circumstances: Mapping[str, Any]) -> dict[str, Any]:
    return {k: circumstances[k] for k in SET_BY_CHARGING if k in circumstances}
