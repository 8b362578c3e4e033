"""Personal budgets: RAS scores the assessment and agrees the budget; charging, brokerage and the ledger act on it.

The subject of each event is the person's platform id, so a person's assessments and budgets stay in
order with their person events. Money is integer pence; every payload checks that its parts add up
(docs/events.md, "Personal budgets"). Codes for the Client Level Data return: docs/domain/ras.md.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from pbshared.contract.events.payload import Payload
from pbshared.contract.events.people import ClientGroup
from pbshared.contract.money import WEEKS_PER_YEAR, pence_half_up
from pbshared.contract.registry import event

Pence = int


class DeliveryMechanism(StrEnum):
    """How the money is held (Client Level Data "delivery mechanism"; a mix is several parts)."""

    direct_payment = "direct_payment"
    council_managed = "council_managed"
    individual_service_fund = "individual_service_fund"


class CldServiceType(StrEnum):
    """Client Level Data service type (Release 2), one value per published category."""

    long_term_community = "long_term_community"
    long_term_nursing = "long_term_nursing"
    long_term_residential = "long_term_residential"
    long_term_prison = "long_term_prison"
    short_term_st_max = "short_term_st_max"
    short_term_ongoing_low_level = "short_term_ongoing_low_level"
    short_term_other = "short_term_other"
    unpaid_carer_support = "unpaid_carer_support"


class ServiceUnit(StrEnum):
    """What a service's rate is per (CLD cost frequency where one fits)."""

    hour = "hour"
    day = "day"
    night = "night"
    session = "session"
    visit = "visit"
    week = "week"


class Funder(StrEnum):
    """Who pays for the package (CLD client funding status where it applies)."""

    council = "council"
    council_and_nhs = "council_and_nhs"
    section_117_aftercare = "section_117_aftercare"


class BudgetReason(StrEnum):
    """Why this version of the budget exists."""

    new_assessment = "new_assessment"
    planned_review = "planned_review"
    unplanned_review = "unplanned_review"
    reassessment = "reassessment"
    correction = "correction"


class BudgetEndReason(StrEnum):
    """Why a budget ended (Client Level Data no-further-action outcomes)."""

    deceased = "deceased"
    moved_to_residential_care = "moved_to_residential_care"
    support_ended_as_planned = "support_ended_as_planned"
    needs_met_by_nhs = "needs_met_by_nhs"
    moved_to_another_council = "moved_to_another_council"
    support_declined = "support_declined"
    self_funding = "self_funding"


class PlannedService(Payload):
    """One line of the support plan: e.g. home care, 10 hours a week, 2 carers per visit."""

    service_type: str = Field(min_length=1, max_length=64, description="The council's rate card code.")
    cld_service_type: CldServiceType
    cld_service_component: str | None = Field(default=None, max_length=100)
    delivery: DeliveryMechanism
    units_per_week: Decimal = Field(
        ge=0, max_digits=7, decimal_places=2, description="Up to two decimal places; sent as text, never a float."
    )
    unit: ServiceUnit
    carers_per_visit: int = Field(default=1, ge=1, le=4)
    rate_pence: Pence = Field(ge=0, description="Per unit per carer.")
    weekly_cost_pence: Pence = Field(ge=0, description="units x carers x rate, half up to the penny.")

    @model_validator(mode="after")
    def _costed(self) -> Self:
        if self.weekly_cost_pence != service_weekly_cost(self.units_per_week, self.carers_per_visit, self.rate_pence):
            raise ValueError("weekly_cost_pence must be units_per_week x carers_per_visit x rate_pence, half up")
        return self


def service_weekly_cost(units_per_week: Decimal, carers_per_visit: int, rate_pence: int) -> int:
    """The one costing rule for a planned service, shared by RAS and every reader of its events."""
    return pence_half_up(Decimal(units_per_week) * carers_per_visit * rate_pence)


class OneOffCost(Payload):
    """Paid once, e.g. equipment or a set-up fee for a direct payment account."""

    description: str = Field(min_length=1, max_length=200)
    amount_pence: Pence = Field(ge=0)
    delivery: DeliveryMechanism


class DeliverySplit(Payload):
    """How the weekly amount is held; the parts sum to the weekly amount."""

    direct_payment_weekly_pence: Pence = Field(default=0, ge=0)
    council_managed_weekly_pence: Pence = Field(default=0, ge=0)
    individual_service_fund_weekly_pence: Pence = Field(default=0, ge=0)

    def part(self, mechanism: DeliveryMechanism) -> int:
        return int(getattr(self, f"{mechanism.value}_weekly_pence"))

    @property
    def total_weekly_pence(self) -> int:
        return sum(self.part(m) for m in DeliveryMechanism)


class BudgetDetails(Payload):
    """A personal budget as RAS agreed it: the whole picture, so a consumer never needs history."""

    person_id: uuid.UUID
    budget_id: uuid.UUID
    budget_revision: int = Field(ge=1, description="Goes up by one with every revision; readers keep the highest.")
    client_group: ClientGroup
    funder: Funder
    weekly_pence: Pence = Field(ge=0)
    one_off_pence: Pence = Field(ge=0, description="Sum of one_off_costs.")
    annual_pence: Pence = Field(ge=0, description="weekly_pence x 52 + one_off_pence: the estimated yearly cost.")
    delivery: DeliverySplit
    services: list[PlannedService] = Field(default_factory=list)
    one_off_costs: list[OneOffCost] = Field(default_factory=list)
    indicative_weekly_pence: Pence | None = Field(default=None, ge=0, description="The RAS figure it was planned from.")
    start_date: date = Field(description="First day of the budget (of its first revision).")
    effective_from: date = Field(description="First day this revision applies.")
    next_review_date: date
    reason: BudgetReason

    @model_validator(mode="after")
    def _parts_sum_to_the_whole(self) -> Self:
        problems = []
        if self.delivery.total_weekly_pence != self.weekly_pence:
            problems.append("delivery parts must sum to weekly_pence")
        if self.services and sum(s.weekly_cost_pence for s in self.services) != self.weekly_pence:
            problems.append("services' weekly_cost_pence must sum to weekly_pence")
        if self.services:
            for mechanism in DeliveryMechanism:
                planned = sum(s.weekly_cost_pence for s in self.services if s.delivery == mechanism)
                if planned != self.delivery.part(mechanism):
                    problems.append(f"services delivered as {mechanism.value} must sum to its delivery part")
        if sum(c.amount_pence for c in self.one_off_costs) != self.one_off_pence:
            problems.append("one_off_costs must sum to one_off_pence")
        if self.annual_pence != self.weekly_pence * WEEKS_PER_YEAR + self.one_off_pence:
            problems.append("annual_pence must be weekly_pence x 52 + one_off_pence")
        if self.effective_from < self.start_date:
            problems.append("effective_from cannot be before start_date")
        if self.next_review_date <= self.effective_from:
            problems.append("next_review_date must be after effective_from")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@event("assessment.completed", version=1, producer="ras")
class AssessmentCompleted(Payload):
    """A needs assessment was scored: its points and the indicative budget (not yet a personal budget)."""

    person_id: uuid.UUID
    assessment_id: uuid.UUID
    assessment_date: date
    client_group: ClientGroup
    ras_model_version: int = Field(ge=1)
    total_points: int = Field(ge=0)
    indicative_annual_pence: Pence = Field(ge=0)
    indicative_weekly_pence: Pence = Field(ge=0, description="indicative_annual_pence / 52, half up.")
    eligible_needs: bool

    @model_validator(mode="after")
    def _weekly_from_annual(self) -> Self:
        if self.indicative_weekly_pence != pence_half_up(Decimal(self.indicative_annual_pence) / WEEKS_PER_YEAR):
            raise ValueError("indicative_weekly_pence must be indicative_annual_pence / 52, half up")
        return self


@event("personal_budget.agreed", version=1, producer="ras")
class PersonalBudgetAgreed(BudgetDetails):
    """A personal budget was agreed for a person: amounts, delivery split, services and review date."""


@event("personal_budget.revised", version=1, producer="ras")
class PersonalBudgetRevised(BudgetDetails):
    """A review or reassessment superseded the budget from effective_from; the whole new picture."""

    supersedes_revision: int = Field(ge=1)

    @model_validator(mode="after")
    def _follows_the_superseded(self) -> Self:
        if self.supersedes_revision >= self.budget_revision:
            raise ValueError("supersedes_revision must be lower than budget_revision")
        return self


@event("personal_budget.ended", version=1, producer="ras")
class PersonalBudgetEnded(Payload):
    """A personal budget ended: nothing is payable for days after end_date."""

    person_id: uuid.UUID
    budget_id: uuid.UUID
    budget_revision: int = Field(ge=2, description="The last revision + 1, so readers keep the highest.")
    end_date: date = Field(description="The last day the budget applies.")
    reason: BudgetEndReason
