"""Care brokerage placed: each placement's actual weekly cost from its effective date to its end.

The cost of care a charge is capped at is the personal budget with the part the council arranges at
what its placements actually cost (docs/domain/charging.md, "Placements").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from charging.domain.circumstances import PlacedCare, Setting


@dataclass(frozen=True)
class Placement:
    """A placement as it is from `effective_from` (a change adds another from its own date)."""

    placement_id: uuid.UUID
    lot: str
    weekly_cost_pence: int
    effective_from: date
    ends_on: date | None = None  # the first day nothing is delivered

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.ends_on is None or day < self.ends_on)


def placed_on(placements: Iterable[Placement], day: date, care_home_lots: Mapping[str, Setting]) -> PlacedCare | None:
    """What brokerage has placed on `day`: the placements' weekly costs added up, and the care-home setting
    of a placement in a lot the council names as one (a nursing home over a care home)."""
    latest: dict[uuid.UUID, Placement] = {}
    for p in sorted(placements, key=lambda p: p.effective_from):  # a change is the whole new picture
        if p.effective_from <= day:
            latest[p.placement_id] = p
    applying = [p for p in latest.values() if p.applies_on(day)]
    if not applying:
        return None
    settings = {care_home_lots[p.lot] for p in applying if p.lot in care_home_lots} - {Setting.at_home}
    setting = Setting.nursing_home if Setting.nursing_home in settings else next(iter(settings), None)
    return PlacedCare(weekly_pence=sum(p.weekly_cost_pence for p in applying), setting=setting)


def placement_change_points(placements: Iterable[Placement], after: date) -> set[date]:
    days = {p.effective_from for p in placements} | {p.ends_on for p in placements if p.ends_on is not None}
    return {d for d in days if d > after}
