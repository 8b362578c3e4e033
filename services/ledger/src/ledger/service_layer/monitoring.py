"""Monitoring direct payment card accounts: surplus proposed for recovery and decided by a finance
officer, arrears of contributions, and the audit schedule (ledger.domain.monitoring does the sums).

The weekly net payment is measured from what the funds actually paid onto the card over the
council's chosen weeks, so the threshold follows the payments a person really had, changes and
suspensions included. An approved recovery is a transfer from the card back to the fund, posted
through the ledger's own `post` (which refuses to overdraw the card), in the same transaction as
the decision.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.card_tables import card_audits, recoveries
from ledger.adapters.ledger_repository import LedgerRepository
from ledger.adapters.monitoring_repository import MonitoringRepository
from ledger.domain.accounts import AccountKind
from ledger.domain.monitoring import (
    Arrears,
    arrears,
    audit_dates,
    audits_due,
    surplus_to_recover,
)
from ledger.domain.transfers import TransferRequest
from ledger.service_layer.postings import find_account, open_account, post
from ledger.service_layer.reference import policy_on
from pbshared.contract.events.ledger import RecoveryRaised, RecoveryReason, RecoveryRecovered
from pbshared.errors import Conflict, NotFound, RuleBroken, StaleRevision
from pbshared.platform.unit_of_work import UnitOfWork


async def card_balances(session: AsyncSession, council_id: str, as_of: date) -> dict[str, int]:
    balances = await LedgerRepository(session).balances(council_id, as_of)
    return {b.code.removeprefix("card:"): b.balance_pence for b in balances if b.code.startswith("card:")}


async def propose_recoveries(uow: UnitOfWork, council_id: str, as_of: date) -> list[dict[str, Any]]:
    """Propose recovering each card's surplus above the threshold on `as_of`; proposing again that day
    adds nothing (one proposal a card a day)."""
    policy = await policy_on(uow.session, council_id, as_of)
    weeks = 3 * policy.cycle_weeks  # three payment cycles: a suspension or a change shows, one odd cycle does not
    since = as_of - timedelta(weeks=weeks) + timedelta(days=1)
    paid = await MonitoringRepository(uow.session).payments_onto_cards(council_id, since, as_of)
    now = datetime.now(UTC)
    proposed = []
    for card, balance in sorted((await card_balances(uow.session, council_id, as_of)).items()):
        weekly_net = paid.get(card, 0) // weeks  # whole pence, down: never a threshold above what was paid
        amount = surplus_to_recover(balance, weekly_net, policy.recovery_threshold_weeks)
        if amount <= 0:
            continue
        row = {
            "recovery_id": uuid.uuid4(),
            "council_id": council_id,
            "card_account": card,
            "as_of": as_of,
            "balance_pence": balance,
            "threshold_pence": weekly_net * policy.recovery_threshold_weeks,
            "amount_pence": amount,
            "status": "proposed",
            "reason": None,
            "decided_by": None,
            "decided_at": None,
            "revision": 1,
            "raised_at": now,
        }
        try:
            async with uow.session.begin_nested():
                await uow.session.execute(insert(recoveries).values(**row))
        except IntegrityError:
            continue  # already proposed for this card on this day
        proposed.append(row)
    return proposed


@dataclass(frozen=True)
class Decision:
    approve: bool
    revision: int
    reason: str | None = None


async def decide_recovery(
    uow: UnitOfWork, council_id: str, recovery_id: uuid.UUID, decision: Decision, by: str
) -> dict[str, Any]:
    """Approve (the surplus goes back to the fund) or reject (with a reason) a proposed recovery."""
    repo = MonitoringRepository(uow.session)
    found = await repo.recovery(council_id, recovery_id, lock=True)
    if found is None:
        raise NotFound.about("recovery_id", "no such recovery", where="path")
    if found["revision"] != decision.revision:
        raise StaleRevision()
    if found["status"] != "proposed":
        raise Conflict.about("recovery_id", "already decided: a decision is final")
    if not decision.approve and not decision.reason:
        raise RuleBroken.about("reason", "required when a recovery is rejected")
    values: dict[str, Any] = {"decided_by": by, "decided_at": datetime.now(UTC), "reason": decision.reason}
    if decision.approve:
        await _recover(uow, council_id, found)
    values["status"] = "approved" if decision.approve else "rejected"
    if not await repo.decide(recovery_id, decision.revision, values):
        raise StaleRevision()
    return {**found, **values, "revision": decision.revision + 1}


async def _recover(uow: UnitOfWork, council_id: str, found: dict[str, Any]) -> None:
    """The surplus from the card back to the fund, and the events that say so (subject: the person)."""
    recovery_id = found["recovery_id"]
    agreement = await MonitoringRepository(uow.session).agreement_of_card(council_id, found["card_account"])
    if agreement is None:
        raise RuleBroken.about("card_account", "no direct payment agreement pays onto this card account")
    card = await find_account(uow.session, council_id, AccountKind.card, found["card_account"])
    if card is None:
        raise NotFound.about("card_account", "the card account is no longer in the ledger")
    # The council's fund: a joint package's NHS share is not split back yet (docs/ledger-card-files.md).
    fund = await open_account(uow, council_id, AccountKind.dp_fund, "council")
    today = datetime.now(UTC).date()
    transfer = await post(
        uow,
        council_id,
        TransferRequest(
            idempotency_key=f"recovery:{recovery_id}",
            debit_account_id=card.account_id,
            credit_account_id=fund.account_id,
            amount_pence=found["amount_pence"],
            value_date=max(found["as_of"], today),
            kind="recovery",
            description="unspent direct payment recovered",
            reference=str(recovery_id),
        ),
    )
    agreement_id, person_id = agreement
    common = {"recovery_id": recovery_id, "agreement_id": agreement_id, "person_id": person_id}
    raised = RecoveryRaised(
        **common,
        card_account_ref=found["card_account"],
        amount_pence=found["amount_pence"],
        reason=RecoveryReason.unspent_above_threshold,
        raised_on=found["as_of"],
    )
    recovered = RecoveryRecovered(
        **common, amount_pence=found["amount_pence"], recovered_on=transfer.value_date, transfer_id=transfer.transfer_id
    )
    for event in (raised, recovered):
        await uow.publish(event, council_id=council_id, subject_id=str(person_id))


async def arrears_on(session: AsyncSession, council_id: str, as_of: date) -> dict[str, Arrears]:
    """Per card account: contributions due (debits to contributions_due) against contributions paid in
    (debits to contributions_received, which the card's contribution postings make)."""
    repo = MonitoringRepository(session)
    due = await repo.debits_by_day(council_id, AccountKind.contributions_due.value, as_of)
    paid = await repo.debits_by_day(council_id, AccountKind.contributions_received.value, as_of)
    return {card: arrears(due.get(card, []), paid.get(card, []), as_of) for card in sorted(due.keys() | paid.keys())}


async def audits_due_on(session: AsyncSession, council_id: str, as_of: date) -> dict[str, list[date]]:
    """Per card account: the audits its schedule asks for by `as_of` and not yet recorded as done."""
    policy = await policy_on(session, council_id, as_of)
    repo = MonitoringRepository(session)
    done = await repo.audits(council_id)
    due = {}
    for card, first_payment in sorted((await repo.first_payments(council_id)).items()):
        schedule = audit_dates(first_payment, policy.first_review_weeks, policy.review_interval_months, as_of)
        pending = audits_due(schedule, done.get(card, []), as_of)
        if pending:
            due[card] = pending
    return due


async def record_audit(uow: UnitOfWork, council_id: str, card_account: str, audited_on: date, by: str) -> None:
    if await find_account(uow.session, council_id, AccountKind.card, card_account) is None:
        raise NotFound.about("card_account", "not a card account of this council")
    values = {
        "council_id": council_id,
        "card_account": card_account,
        "audited_on": audited_on,
        "audited_by": by,
        "recorded_at": datetime.now(UTC),
    }
    try:
        async with uow.session.begin_nested():
            await uow.session.execute(insert(card_audits).values(**values))
    except IntegrityError:
        raise Conflict.about("audited_on", "an audit of this card on this day is already recorded") from None
