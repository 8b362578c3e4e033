"""Health: where the NHS and the council meet. The health service translates NHS messages into these.

The subject of each event is the person's platform id, so funding decisions and reablement episodes
stay in order with the person's budget and charging events. The health service keeps no care
decisions of its own: charging decides what is charged, the ledger who funds a payment, RAS when an
assessment is due; these events tell them what the NHS has decided (docs/domain/health.md).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from pbshared.contract.events.payload import Payload
from pbshared.contract.registry import event
from pbshared.identifiers.nhs_number import NhsNumber
from pbshared.identifiers.postcode import Postcode

Pence = int


class FundingBasis(StrEnum):
    """Why the NHS (or nobody) pays for some or all of a person's care."""

    # NHS Continuing Healthcare: the NHS pays for all of the assessed care (National Framework 2022).
    continuing_healthcare = "continuing_healthcare"
    # Joint funding: the NHS pays a share of a package the council arranges.
    joint_funding = "joint_funding"
    # Aftercare under section 117 of the Mental Health Act 1983: free to the person.
    section_117_aftercare = "section_117_aftercare"
    # A personal health budget: NHS money, often paid as a direct payment.
    personal_health_budget = "personal_health_budget"


class FundingChange(StrEnum):
    started = "started"
    ended = "ended"


@event("funding_responsibility.changed", version=1, producer="health")
class FundingResponsibilityChanged(Payload):
    """A decision that moves who pays for a person's care started or ended on effective_date.

    A start of joint funding carries the NHS share, either as a percentage of the package or as a
    weekly amount, never both. An end carries no share. decision_id is stable across a decision's
    start and end, so consumers can pair them.
    """

    person_id: uuid.UUID
    decision_id: uuid.UUID
    basis: FundingBasis
    change: FundingChange
    effective_date: date = Field(
        description="started: the first day the NHS funds; ended: the first day it no longer does."
    )
    nhs_share_percent: Decimal | None = Field(default=None, gt=0, le=100, max_digits=5, decimal_places=2)
    nhs_weekly_pence: Pence | None = Field(default=None, gt=0)
    budget_id: uuid.UUID | None = Field(default=None, description="The personal budget it applies to, when known.")
    icb_code: str | None = Field(default=None, max_length=16, description="The integrated care board deciding.")

    @model_validator(mode="after")
    def _share_fits_the_basis(self) -> Self:
        has_percent = self.nhs_share_percent is not None
        has_amount = self.nhs_weekly_pence is not None
        if has_percent and has_amount:
            raise ValueError("give the NHS share as a percentage or a weekly amount, not both")
        if self.change is FundingChange.ended and (has_percent or has_amount):
            raise ValueError("an ended decision carries no share")
        if self.change is FundingChange.started and self.basis is FundingBasis.joint_funding:
            if not (has_percent or has_amount):
                raise ValueError("joint funding needs the NHS share")
        elif has_percent or has_amount:
            raise ValueError(f"{self.basis.value} is funded in full: it carries no share")
        return self


@event("patient.referred", version=1, producer="health")
class PatientReferred(Payload):
    """The NHS told us of a person (a FHIR Patient or a discharge notification).

    RAS matches the person by NHS number; when there is no match it registers them with
    proposed_person_id as their platform id (and publishes person.registered as for anyone else), so
    the health service can refer to the person before RAS has answered.
    """

    referral_id: uuid.UUID
    proposed_person_id: uuid.UUID
    nhs_number: NhsNumber
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    postcode: Postcode
    source: str = Field(min_length=1, max_length=64, description="Which message told us, e.g. Patient or discharge.")


class ReablementEndReason(StrEnum):
    period_ended = "period_ended"
    no_longer_needed = "no_longer_needed"
    admitted_to_hospital = "admitted_to_hospital"
    deceased = "deceased"


@event("reablement_episode.started", version=1, producer="health")
class ReablementEpisodeStarted(Payload):
    """A person discharged from hospital started reablement, free of charge until free_until."""

    person_id: uuid.UUID
    episode_id: uuid.UUID
    start_date: date
    free_until: date = Field(description="The last free day: the council's reablement period from start_date.")
    assessment_due_date: date = Field(description="When the needs assessment that follows should take place.")
    discharge_id: str | None = Field(default=None, max_length=128, description="The NHS discharge notification.")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.free_until < self.start_date:
            raise ValueError("free_until is before start_date")
        return self


@event("reablement_episode.ended", version=1, producer="health")
class ReablementEpisodeEnded(Payload):
    """A reablement episode ended: the free period is over and the needs assessment is due."""

    person_id: uuid.UUID
    episode_id: uuid.UUID
    end_date: date = Field(description="The last day of reablement.")
    reason: ReablementEndReason
    assessment_due_date: date
