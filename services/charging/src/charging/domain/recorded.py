"""A recorded financial assessment: what it was told, what it worked out, and from when it applies.

A new assessment supersedes the one before from its effective date; the older ones stay, so the
charge as it was on any date can be read back (docs/domain/charging.md, "Living with change").
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from charging.domain.circumstances import Collection
from charging.domain.result import ChargeResult
from pbshared.contract.events.charging import CollectedBy


def collected_by(result: ChargeResult) -> CollectedBy:
    return CollectedBy.provider if result.collection is Collection.net else CollectedBy.council


_RESULT_FIELDS = tuple(f.name for f in dataclasses.fields(ChargeResult))


def result_document(result: ChargeResult) -> dict[str, Any]:
    """The whole result, every step included, as plain JSON-ready values (built by hand: the uprating
    writes one for every person, and dataclasses.asdict's deep copies cost more than the calculation)."""
    document: dict[str, Any] = {name: getattr(result, name) for name in _RESULT_FIELDS}
    document.update(
        effective_date=result.effective_date.isoformat(),
        steps=[
            {"label": s.label, "pence": s.pence, "treatment": str(s.treatment), "reason": s.reason}
            for s in result.steps
        ],
        provisional_figures=list(result.provisional_figures),
        collection=str(result.collection) if result.collection is not None else None,
        provisional=result.provisional,
        free=result.free,
        collected_by=str(collected_by(result)),
    )
    return document


@dataclasses.dataclass(frozen=True)
class FinancialAssessment:
    assessment_id: uuid.UUID
    council_id: str
    person_id: uuid.UUID
    revision: int
    effective_date: date
    assessed_on: date  # the last full assessment; a recalculation (cost of care, uprating) keeps it
    weekly_charge_pence: int
    circumstances: dict[str, Any]
    result: dict[str, Any]
    budget_id: uuid.UUID | None = None
    ended_on: date | None = None

    @property
    def collected_by(self) -> CollectedBy:
        return CollectedBy(self.result["collected_by"])

    def charge_on(self, day: date) -> int:
        """The weekly charge on `day`, nothing before it takes effect or after its care ended."""
        if day < self.effective_date or (self.ended_on is not None and day > self.ended_on):
            return 0
        return self.weekly_charge_pence


def in_force_on(assessments: Iterable[FinancialAssessment], day: date) -> FinancialAssessment | None:
    """The assessment that applies on `day`: the latest to take effect on or before it (of two on one
    date, the one recorded later, which has the higher position in `assessments`)."""
    applying = [(a.effective_date, i, a) for i, a in enumerate(assessments) if a.effective_date <= day]
    return max(applying, key=lambda t: (t[0], t[1]))[2] if applying else None
