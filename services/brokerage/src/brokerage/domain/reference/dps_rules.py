"""The council's Dynamic Purchasing System rules (kind `dps_rules`): lots, ceilings per lot and area,
bidding windows, price and quality weights, rating floor, acceptance time and re-advertising.
Where each rule comes from: docs/domain/brokerage.md.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from brokerage.domain.reference.localities import AreaId, Localities
from brokerage.domain.reference.problems import Location, ReferenceModel, reject, repeats
from pbshared.contract.events.brokerage import CqcRating, Urgency
from pbshared.contract.events.budgets import ServiceUnit

KIND = "dps_rules"

# Best first. Not yet rated sits above Inadequate: a new location has no rating to hold against it.
RATING_ORDER = [
    CqcRating.outstanding,
    CqcRating.good,
    CqcRating.requires_improvement,
    CqcRating.not_yet_rated,
    CqcRating.inadequate,
]


def at_or_above(rating: CqcRating, floor: CqcRating) -> bool:
    return RATING_ORDER.index(rating) <= RATING_ORDER.index(floor)


class Ceiling(ReferenceModel):
    area: AreaId
    ceiling_pence: int = Field(gt=0, description="Per unit per carer: the most a bid may ask.")


class Lot(ReferenceModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_]*$")
    title: str = Field(min_length=1, max_length=200)
    unit: ServiceUnit
    price_weight_percent: int = Field(ge=0, le=100)
    quality_weight_percent: int = Field(ge=0, le=100)
    ceilings: list[Ceiling] = Field(min_length=1)
    service_types: list[str] = Field(
        default_factory=list, description="Rate card codes of planned services this lot sources."
    )

    def ceiling_in(self, area: str) -> int | None:
        return next((c.ceiling_pence for c in self.ceilings if c.area == area), None)


class BiddingWindows(ReferenceModel):
    normal_hours: int = Field(ge=1, le=24 * 14)
    urgent_hours: int = Field(ge=1, le=24 * 14)

    def hours(self, urgency: Urgency) -> int:
        return self.urgent_hours if urgency is Urgency.urgent else self.normal_hours


class Quality(ReferenceModel):
    """How a provider's quality score (0 to 100) is made: its CQC rating and its record here."""

    rating_points: dict[CqcRating, int] = Field(description="0 to 100 for each rating.")
    rating_percent: int = Field(ge=0, le=100)
    record_percent: int = Field(ge=0, le=100, description="Share of packages accepted and not handed back.")
    record_points_without_history: int = Field(ge=0, le=100, description="A newly admitted provider's record.")


class Readvertising(ReferenceModel):
    """What happens when a round ends unfilled: re-advertise so many times, then escalate to a broker."""

    rounds: int = Field(ge=0, le=5, description="Re-adverts after the first; 0 escalates at once.")
    widen_to_neighbouring_areas: bool
    later_start_days: int = Field(ge=0, le=90, description="Added to the latest acceptable start each round.")


class DpsRules(ReferenceModel):
    """The payload of a `dps_rules` dataset."""

    lots: list[Lot] = Field(min_length=1)
    bidding_windows: BiddingWindows
    rating_floor: CqcRating
    acceptance_hours: int = Field(ge=1, le=24 * 7, description="How long an awarded provider has to accept.")
    latest_start_days: int = Field(
        ge=0, le=90, description="For a package from a budget: how many days after its start it may still start."
    )
    hand_back_notice_days: int = Field(ge=0, le=90, description="The notice a provider gives to hand a package back.")
    quality: Quality
    readvertising: Readvertising

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[tuple[Location, str]] = repeats((("lots", i, "id"), lot.id) for i, lot in enumerate(self.lots))
        for i, lot in enumerate(self.lots):
            if lot.price_weight_percent + lot.quality_weight_percent != 100:
                problems.append((("lots", i, "quality_weight_percent"), "price and quality weights must sum to 100"))
            problems += repeats((("lots", i, "ceilings", j, "area"), c.area) for j, c in enumerate(lot.ceilings))
        if self.quality.rating_percent + self.quality.record_percent != 100:
            problems.append((("quality", "record_percent"), "rating and record shares must sum to 100"))
        problems += [
            (("quality", "rating_points", str(rating)), "a rating needs points from 0 to 100")
            for rating in CqcRating
            if not 0 <= self.quality.rating_points.get(rating, -1) <= 100
        ]
        reject("DpsRules", problems)
        return self

    def lot(self, lot_id: str) -> Lot | None:
        return next((lot for lot in self.lots if lot.id == lot_id), None)

    def lot_for_service(self, service_type: str) -> Lot | None:
        return next((lot for lot in self.lots if service_type in lot.service_types), None)

    def areas_without_ceiling(self, localities: Localities) -> list[tuple[str, str]]:
        """(lot, area) pairs the council left unpriced: such a package cannot be advertised there."""
        areas = sorted(localities.area_ids)
        return [(lot.id, area) for lot in self.lots for area in areas if lot.ceiling_in(area) is None]
