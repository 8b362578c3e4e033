"""Brokerage: care packages sourced from providers admitted to the council's Dynamic Purchasing System.

The subject of each event is the package id, so a package's advert, award and placement stay in
order. No event names the person except through `person_id` (a platform id, never their details):
providers learn who the person is only from brokerage, after award and acceptance
(docs/domain/brokerage.md). Money is integer pence; weekly costs follow the one costing rule
(`service_weekly_cost`: units x carers x rate, half up).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from pbshared.contract.events.budgets import ServiceUnit, service_weekly_cost
from pbshared.contract.events.payload import Payload
from pbshared.contract.registry import event

Pence = int


class CqcRating(StrEnum):
    """The Care Quality Commission's overall rating of a location."""

    outstanding = "outstanding"
    good = "good"
    requires_improvement = "requires_improvement"
    inadequate = "inadequate"
    not_yet_rated = "not_yet_rated"


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"  # e.g. a hospital discharge: the council's shorter bidding window applies


class PackageOrigin(StrEnum):
    personal_budget = "personal_budget"
    broker = "broker"


class WithdrawalReason(StrEnum):
    budget_ended = "budget_ended"
    no_longer_in_budget = "no_longer_in_budget"  # a revision dropped the council-managed service


class PlacementEndReason(StrEnum):
    budget_ended = "budget_ended"
    handed_back = "handed_back"
    replaced = "replaced"
    needs_changed = "needs_changed"


class PackageNeeds(Payload):
    """What is needed, as the anonymised advert shows it: no identity, only area and needs."""

    lot: str = Field(min_length=1, max_length=64)
    area: str = Field(min_length=1, max_length=64)
    unit: ServiceUnit
    units_per_week: Decimal = Field(gt=0, max_digits=7, decimal_places=2)
    carers_per_visit: int = Field(ge=1, le=4)
    visit_pattern: str = Field(min_length=1, max_length=500)
    requirements: list[str] = Field(default_factory=list, max_length=20)
    start_date: date
    latest_start_date: date
    urgency: Urgency
    ceiling_pence: Pence = Field(ge=0, description="Per unit per carer, for this lot and area.")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.latest_start_date < self.start_date:
            raise ValueError("latest_start_date cannot be before start_date")
        return self


@event("package.requested", version=1, producer="brokerage")
class PackageRequested(PackageNeeds):
    """A care package is to be sourced, from an agreed budget or raised by a broker."""

    package_id: uuid.UUID
    person_id: uuid.UUID
    origin: PackageOrigin
    budget_id: uuid.UUID | None = None


@event("package.advertised", version=1, producer="brokerage")
class PackageAdvertised(Payload):
    """The package went to every eligible provider; bids are sealed until the deadline."""

    package_id: uuid.UUID
    round: int = Field(ge=1, description="1 for the first advert; each re-advert adds one.")
    areas: list[str] = Field(min_length=1, description="The package's area, widened on a re-advert.")
    latest_start_date: date
    deadline: datetime
    providers_invited: int = Field(ge=0)


@event("package.awarded", version=1, producer="brokerage")
class PackageAwarded(Payload):
    """The top bid still standing was offered the package; it must accept by accept_by."""

    package_id: uuid.UUID
    bid_id: uuid.UUID
    provider_id: str = Field(min_length=1, max_length=64)
    rank: int = Field(ge=1)
    rate_pence: Pence = Field(ge=0)
    accept_by: datetime


@event("package.unfilled", version=1, producer="brokerage")
class PackageUnfilled(Payload):
    """A round ended with no acceptable bid, or every award in it lapsed."""

    package_id: uuid.UUID
    round: int = Field(ge=1)
    bids_received: int = Field(ge=0)
    next_step: str = Field(description="readvertised or escalated_to_broker")


@event("package.withdrawn", version=1, producer="brokerage")
class PackageWithdrawn(Payload):
    """The package will not be placed: its budget ended, or a revision no longer asks for it. Open
    bids and any award waiting for acceptance are withdrawn with it."""

    package_id: uuid.UUID
    round: int = Field(ge=1)
    reason: WithdrawalReason


class PlacementDetails(Payload):
    """Who delivers the care and at what cost: what charging and the ledger act on."""

    placement_id: uuid.UUID
    package_id: uuid.UUID
    person_id: uuid.UUID
    provider_id: str = Field(min_length=1, max_length=64)
    cqc_location_id: str | None = Field(default=None, max_length=20)
    lot: str = Field(min_length=1, max_length=64)
    unit: ServiceUnit
    rate_pence: Pence = Field(ge=0, description="Per unit per carer.")
    planned_units_per_week: Decimal = Field(gt=0, max_digits=7, decimal_places=2)
    carers_per_visit: int = Field(ge=1, le=4)
    weekly_cost_pence: Pence = Field(ge=0, description="units x carers x rate, half up to the penny.")
    effective_from: date

    @model_validator(mode="after")
    def _costed(self) -> Self:
        expected = service_weekly_cost(self.planned_units_per_week, self.carers_per_visit, self.rate_pence)
        if self.weekly_cost_pence != expected:
            raise ValueError("weekly_cost_pence must be planned units x carers_per_visit x rate_pence, half up")
        return self


@event("placement.started", version=1, producer="brokerage")
class PlacementStarted(PlacementDetails):
    """The accepted provider starts delivering the package on effective_from."""


@event("placement.changed", version=1, producer="brokerage")
class PlacementChanged(PlacementDetails):
    """Hours up or down (or the rate) from effective_from; the whole new picture."""


@event("placement.ended", version=1, producer="brokerage")
class PlacementEnded(Payload):
    """Nothing is delivered after end_date."""

    placement_id: uuid.UUID
    package_id: uuid.UUID
    person_id: uuid.UUID
    provider_id: str = Field(min_length=1, max_length=64)
    end_date: date
    reason: PlacementEndReason
