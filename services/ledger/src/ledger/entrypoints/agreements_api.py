"""Direct payment agreements: social workers read a person's; finance suspends, resumes, ends them and
records the card provider's account reference."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from ledger.adapters.agreements_repository import AgreementsRepository
from ledger.service_layer import agreements as use_cases
from pbshared.contract.events.ledger import AgreementEndReason
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.fields import ReadRevision

router = APIRouter(tags=["direct payments"])

_READERS = frozenset({Role.social_worker, Role.team_manager, Role.finance_officer, Role.auditor, Role.admin})
_FINANCE = frozenset({Role.finance_officer, Role.admin})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/direct-payments/{agreement_id}"): _READERS,
    ("GET", "/people/{person_id}/direct-payments"): _READERS,
    ("POST", "/direct-payments/{agreement_id}/suspend"): _FINANCE,
    ("POST", "/direct-payments/{agreement_id}/resume"): _FINANCE,
    ("POST", "/direct-payments/{agreement_id}/end"): _FINANCE,
    ("PUT", "/direct-payments/{agreement_id}/card-account"): _FINANCE,
}

On = Annotated[date | None, Query(description="Terms and current cycle on this day; default today.")]


class FromIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    from_date: date = Field(description="The first day without payment (suspend) or paid again (resume).")


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    end_date: date = Field(description="The last day paid for.")
    reason: AgreementEndReason


class CardAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    card_account_ref: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
        description="The card provider's account reference.",
    )


class AgreementOut(BaseModel):
    agreement_id: uuid.UUID
    person_id: uuid.UUID
    budget_id: uuid.UUID
    revision: int
    status: str
    funder: str
    weekly_gross_pence: int
    weekly_contribution_pence: int
    weekly_net_pence: int
    nhs_weekly_pence: int
    contribution_paid_in: bool
    weekly_payable_pence: int
    cycle_weeks: int
    start_date: date
    first_payment_date: date
    end_date: date | None
    end_reason: str | None
    set_up_costs_pence: int
    opening_float_pence: int
    card_account_ref: str
    current_cycle: dict[str, Any]
    payments: list[dict[str, Any]]

    @classmethod
    def of(cls, view: dict[str, Any]) -> AgreementOut:
        return cls(**{**view, "revision": view["agreement_revision"]})


async def _view(session: Any, council_id: str, agreement_id: uuid.UUID, on: date | None) -> AgreementOut:
    return AgreementOut.of(await use_cases.agreement_view(session, council_id, agreement_id, on or date.today()))


@router.get("/direct-payments/{agreement_id}", response_model=AgreementOut)
async def get_agreement(
    agreement_id: uuid.UUID, principal: CurrentPrincipal, session: Session, on: On = None
) -> AgreementOut:
    """The agreement: terms on the day, the current cycle's lines and every payment with its lines."""
    return await _view(session, principal.council_id, agreement_id, on)


@router.get("/people/{person_id}/direct-payments", response_model=list[AgreementOut])
async def agreements_of_person(
    person_id: uuid.UUID, principal: CurrentPrincipal, session: Session, on: On = None
) -> list[AgreementOut]:
    """A person's direct payment agreements (an empty list for someone with none)."""
    found = await AgreementsRepository(session).of_person(principal.council_id, person_id)
    return [await _view(session, principal.council_id, a.agreement_id, on) for a in found]


async def _after(uow: Uow, council_id: str, agreement_id: uuid.UUID) -> AgreementOut:
    async with uow:
        return await _view(uow.session, council_id, agreement_id, None)


@router.post("/direct-payments/{agreement_id}/suspend", response_model=AgreementOut)
async def suspend(agreement_id: uuid.UUID, body: FromIn, principal: CurrentPrincipal, uow: Uow) -> AgreementOut:
    """No payment for days from from_date until resumed; cycles already paid are adjusted in the next run."""
    await use_cases.suspend(uow, principal.council_id, agreement_id, body.from_date, body.revision)
    return await _after(uow, principal.council_id, agreement_id)


@router.post("/direct-payments/{agreement_id}/resume", response_model=AgreementOut)
async def resume(agreement_id: uuid.UUID, body: FromIn, principal: CurrentPrincipal, uow: Uow) -> AgreementOut:
    await use_cases.resume(uow, principal.council_id, agreement_id, body.from_date, body.revision)
    return await _after(uow, principal.council_id, agreement_id)


@router.post("/direct-payments/{agreement_id}/end", response_model=AgreementOut)
async def end(agreement_id: uuid.UUID, body: EndIn, principal: CurrentPrincipal, uow: Uow) -> AgreementOut:
    """Stops payments after end_date and publishes direct_payment.ended (recovery of what is unspent starts)."""
    await use_cases.end(uow, principal.council_id, agreement_id, body.end_date, body.reason, body.revision)
    return await _after(uow, principal.council_id, agreement_id)


@router.put("/direct-payments/{agreement_id}/card-account", response_model=AgreementOut)
async def set_card_account(
    agreement_id: uuid.UUID, body: CardAccountIn, principal: CurrentPrincipal, uow: Uow
) -> AgreementOut:
    """Record the card provider's account reference (before the first payment)."""
    await use_cases.set_card_account(uow, principal.council_id, agreement_id, body.card_account_ref, body.revision)
    return await _after(uow, principal.council_id, agreement_id)
