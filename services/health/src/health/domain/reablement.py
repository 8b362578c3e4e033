"""Reablement episodes: free support after a hospital discharge, then a needs assessment.

An episode starts on the day after discharge and is free until the council's period ends (reference
data, at least six weeks by law: docs/domain/health.md). It ends when that period runs out (the
durable timer: the episode row itself) or earlier, when the council records an end.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date

from pbshared.contract.events.health import ReablementEndReason
from pbshared.errors import Issue


@dataclass(frozen=True)
class ReablementEpisode:
    episode_id: uuid.UUID
    council_id: str
    person_id: uuid.UUID
    discharge_id: str
    discharge_date: date
    start_date: date
    free_until: date
    assessment_due_date: date
    end_date: date | None
    end_reason: ReablementEndReason | None
    revision: int

    def ended(self, end_date: date, reason: ReablementEndReason) -> ReablementEpisode:
        return dataclasses.replace(self, end_date=end_date, end_reason=reason, revision=self.revision + 1)

    def end_problems(self, end_date: date) -> list[Issue]:
        if self.end_date is not None:
            return [Issue("end_date", "the episode has already ended")]
        if end_date < self.start_date:
            return [Issue("end_date", "cannot be before the episode's start_date")]
        if end_date > self.free_until:
            return [Issue("end_date", "after the free period: the episode ends by itself on free_until")]
        return []
