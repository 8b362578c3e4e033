"""Monitoring card accounts: recoveries proposed and decided, arrears of contributions, audits due."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from ledger.adapters.monitoring_repository import MonitoringRepository
from ledger.service_layer import monitoring
from pbshared.platform.auth import Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.refdata.router import KnownCouncilPrincipal
from pbshared.platform.reports import csv_response

router = APIRouter(tags=["monitoring"])

_FINANCE = frozenset({Role.finance_officer})
_READERS = _FINANCE | {Role.auditor}
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/recoveries/proposals"): _FINANCE,
    ("GET", "/recoveries"): _READERS,
    ("POST", "/recoveries/{recovery_id}/decision"): _FINANCE,
    ("GET", "/arrears"): _READERS,
    ("GET", "/card-audits/due"): _READERS,
    ("POST", "/card-audits"): _FINANCE,
}

Format = Annotated[Literal["json", "csv"], Query(description="json or csv (for a spreadsheet)")]
AsOf = Annotated[date, Query(description="The day to measure on.")]
CardRef = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]


class ProposeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date


class RecoveryOut(BaseModel):
    recovery_id: uuid.UUID
    card_account: str
    as_of: date
    balance_pence: int
    threshold_pence: int = Field(description="The council's weeks of net payments the person keeps.")
    amount_pence: int = Field(description="The surplus above the threshold: what is recovered if approved.")
    status: Literal["proposed", "approved", "rejected"]
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    revision: int


@router.post("/recoveries/proposals", status_code=status.HTTP_201_CREATED, response_model=list[RecoveryOut])
async def propose(body: ProposeIn, principal: KnownCouncilPrincipal, uow: Uow) -> list[RecoveryOut]:
    """Propose recovering each card's unspent balance above the council's threshold on a day (none
    proposed twice for a card and day). Nothing moves until a finance officer approves one."""
    async with uow:
        proposed = await monitoring.propose_recoveries(uow, principal.council_id, body.as_of)
        await uow.commit()
    return [RecoveryOut(**row) for row in proposed]


@router.get("/recoveries", response_model=list[RecoveryOut], responses={200: {"content": {"text/csv": {}}}})
async def list_recoveries(
    principal: KnownCouncilPrincipal,
    session: Session,
    status: Literal["proposed", "approved", "rejected"] | None = None,
    format: Format = "json",
) -> list[RecoveryOut] | Response:
    """Recoveries raised, and what became of them."""
    found = [RecoveryOut(**r) for r in await MonitoringRepository(session).recoveries(principal.council_id, status)]
    if format == "csv":
        names = list(RecoveryOut.model_fields)
        return csv_response("recoveries", names, ([getattr(r, n) for n in names] for r in found))
    return found


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    revision: int = Field(ge=1, description="The recovery's revision as read: a stale one is refused (409).")
    reason: str | None = Field(default=None, min_length=1, max_length=500, description="Required to reject.")


@router.post("/recoveries/{recovery_id}/decision", response_model=RecoveryOut)
async def decide(recovery_id: uuid.UUID, body: DecisionIn, principal: KnownCouncilPrincipal, uow: Uow) -> RecoveryOut:
    """Approve a proposed recovery (the surplus goes from the card back to the fund) or reject it."""
    async with uow:
        decision = monitoring.Decision(body.approve, body.revision, body.reason)
        decided = await monitoring.decide_recovery(uow, principal.council_id, recovery_id, decision, principal.subject)
        await uow.commit()
    return RecoveryOut(**decided)


class ArrearsOut(BaseModel):
    card_account: str
    expected_pence: int
    paid_pence: int
    arrears_pence: int
    oldest_unpaid_due: date | None


@router.get("/arrears", response_model=list[ArrearsOut], responses={200: {"content": {"text/csv": {}}}})
async def arrears(
    principal: KnownCouncilPrincipal, session: Session, as_of: AsOf, format: Format = "json"
) -> list[ArrearsOut] | Response:
    """Contributions due against contributions paid in, per card account, those in arrears first."""
    found = [
        ArrearsOut(card_account=card, expected_pence=a.expected_pence, paid_pence=a.paid_pence,
                   arrears_pence=a.arrears_pence, oldest_unpaid_due=a.oldest_unpaid_due)
        for card, a in (await monitoring.arrears_on(session, principal.council_id, as_of)).items()
    ]  # fmt: skip
    found.sort(key=lambda a: (-a.arrears_pence, a.card_account))
    if format == "csv":
        names = list(ArrearsOut.model_fields)
        return csv_response("arrears", names, ([getattr(a, n) for n in names] for a in found))
    return found


class AuditDueOut(BaseModel):
    card_account: str
    due: list[date]


@router.get("/card-audits/due", response_model=list[AuditDueOut], responses={200: {"content": {"text/csv": {}}}})
async def audits_due(
    principal: KnownCouncilPrincipal, session: Session, as_of: AsOf, format: Format = "json"
) -> list[AuditDueOut] | Response:
    """Card accounts with an audit due by the day and not yet recorded as done."""
    due = await monitoring.audits_due_on(session, principal.council_id, as_of)
    found = [AuditDueOut(card_account=card, due=days) for card, days in due.items()]
    if format == "csv":
        return csv_response("audits-due", ["card_account", "due"], ([a.card_account, d] for a in found for d in a.due))
    return found


class AuditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    card_account: CardRef
    audited_on: date


@router.post("/card-audits", status_code=status.HTTP_201_CREATED, response_model=AuditIn)
async def record_audit(body: AuditIn, principal: KnownCouncilPrincipal, uow: Uow) -> AuditIn:
    """Record an audit done: it covers the earliest audit due for the card."""
    async with uow:
        await monitoring.record_audit(uow, principal.council_id, body.card_account, body.audited_on, principal.subject)
        await uow.commit()
    return body
