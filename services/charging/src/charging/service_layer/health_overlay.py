"""The NHS decisions that apply to one person's charge, read once for a recalculation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from charging.adapters.health_repository import HealthRepository
from charging.domain.health import HealthPeriod, change_points, decision_on
from charging.domain.policy import NoPolicyForDate, PolicyHistory

LAW_FREE_REABLEMENT_WEEKS = 6  # regulation 3: used only where no council policy is loaded for the day


@dataclass(frozen=True)
class HealthOverlay:
    periods: list[HealthPeriod]
    policies: PolicyHistory

    def free_weeks_on(self, day: date) -> int:
        try:
            return self.policies.on(day).policy.free_reablement_weeks
        except NoPolicyForDate:
            return LAW_FREE_REABLEMENT_WEEKS

    def on(self, day: date, budget_id: uuid.UUID | None) -> dict[str, Any] | None:
        """The decision that applies on `day`, as stored in an assessment's circumstances."""
        decision = decision_on(self.periods, day, budget_id, self.free_weeks_on)
        return decision.model_dump(mode="json", exclude_none=True) if decision else None

    def change_points(self, after: date) -> list[date]:
        return change_points(self.periods, after, self.free_weeks_on)


async def health_overlay(session: Any, council_id: str, person_id: uuid.UUID, policies: PolicyHistory) -> HealthOverlay:
    return HealthOverlay(await HealthRepository(session).periods(council_id, person_id), policies)
