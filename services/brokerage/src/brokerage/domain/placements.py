"""A placement: the accepted provider delivers the package from its start until it ends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from pbshared.contract.events.brokerage import PlacementEndReason
from pbshared.errors import RuleBroken, Unacceptable


@dataclass(frozen=True)
class Placement:
    placement_id: uuid.UUID
    package_id: uuid.UUID
    council_id: str
    person_id: uuid.UUID
    provider_id: str
    cqc_location_id: str | None
    rate_pence: int
    units_per_week: Decimal
    start_date: date
    revision: int
    end_date: date | None = None
    end_reason: PlacementEndReason | None = None
    provider_name: str | None = None  # only for a provider off the DPS, which has no record here
    off_dps_reason: str | None = None

    @property
    def off_dps(self) -> bool:
        return self.off_dps_reason is not None

    def _live(self) -> None:
        if self.end_date is not None:
            raise RuleBroken.about("placement_id", "the placement has ended", where="path")

    def changed(self, units_per_week: Decimal) -> Placement:
        self._live()
        # Held to the hundredth, as the planned units of a budget are.
        units = units_per_week.quantize(Decimal("0.01"))
        return replace(self, units_per_week=units, revision=self.revision + 1)

    def ended(self, end_date: date, reason: PlacementEndReason) -> Placement:
        self._live()
        if end_date < self.start_date:
            raise Unacceptable.about("end_date", "cannot be before the placement started")
        return replace(self, end_date=end_date, end_reason=reason, revision=self.revision + 1)

    def handed_back(self, wanted_end: date, today: date, notice_days: int) -> Placement:
        """The provider hands the package back, no sooner than the council's notice allows."""
        earliest = today + timedelta(days=notice_days)
        if wanted_end < earliest:
            raise Unacceptable.about("end_date", f"a hand-back needs {notice_days} days' notice")
        return self.ended(wanted_end, PlacementEndReason.handed_back)
