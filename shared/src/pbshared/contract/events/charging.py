"""Charging: what each person pays towards their care, from their financial assessment.

The subject of each event is the person's platform id, so a person's charges stay in order with
their person and budget events. Money is integer pence a week (docs/events.md, "Charging").
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import Field

from pbshared.contract.events.payload import Payload
from pbshared.contract.registry import event

Pence = int


class CollectedBy(StrEnum):
    """Who collects the contribution: the council bills the person (gross), or the provider collects it
    and the council pays the provider net."""

    council = "council"
    provider = "provider"


class ContributionReason(StrEnum):
    """Why the weekly charge changed."""

    assessment = "assessment"
    cost_of_care_changed = "cost_of_care_changed"
    care_ended = "care_ended"
    annual_uprating = "annual_uprating"
    # The NHS started or stopped paying (continuing healthcare, joint funding, section 117, a personal
    # health budget), or free reablement started or ran out.
    nhs_funding_changed = "nhs_funding_changed"


@event("financial_assessment.completed", version=1, producer="charging")
class FinancialAssessmentCompleted(Payload):
    """A financial assessment was recorded: the weekly charge it works out and the figures it used."""

    person_id: uuid.UUID
    assessment_id: uuid.UUID
    effective_date: date = Field(description="The day the charge takes effect.")
    weekly_charge_pence: Pence = Field(ge=0)
    full_cost_payer: bool
    free_reason: str | None = Field(default=None, description="Why the care is free, when it is.")
    part_free_reason: str | None = Field(
        default=None, description="Why part of the cost is not charged (the NHS pays it), when it is."
    )
    collected_by: CollectedBy
    figures_year: str = Field(description="UK financial year of the national figures used, e.g. 2025/26.")
    figures_version: int = Field(ge=1)
    policy_version: int = Field(ge=1)
    provisional: bool = Field(description="Computed with a national figure not yet confirmed.")


@event("contribution.changed", version=1, producer="charging")
class ContributionChanged(Payload):
    """What a person pays a week changed from effective_date (zero when the care ended or is free)."""

    person_id: uuid.UUID
    budget_id: uuid.UUID | None = Field(default=None, description="The personal budget charged, once known.")
    assessment_id: uuid.UUID
    weekly_charge_pence: Pence = Field(ge=0)
    previous_weekly_charge_pence: Pence = Field(ge=0)
    effective_date: date
    collected_by: CollectedBy
    reason: ContributionReason
