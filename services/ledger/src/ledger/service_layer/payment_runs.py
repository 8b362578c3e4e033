"""Payment runs: for a run date, every payment due becomes a transfer from the funder's fund to the card
account, a line of the payment file for the card provider, and a payment.issued event; card fees
per load and per month go to the fee account; where the council pays gross, each cycle paid owes the
person's contribution for it (contributions_due), which a contribution paid onto the card settles.

A run is a job (pbshared.platform.jobs) keyed by its date: started twice it is the same run, so a
second run for a date adds nothing; killed half way, it resumes after the last page it committed
(each page's transfers, items, payments, events and checkpoint commit together). Transfers carry
idempotency keys too, so even a page done twice cannot pay twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.agreements_repository import AgreementsRepository
from ledger.adapters.tables import jobs
from ledger.domain.accounts import AccountKind
from ledger.domain.agreements import Agreement
from ledger.domain.payment_run import Payable, months_touched, payables
from ledger.domain.reference import CardFeeSchedule
from ledger.domain.schedule import ScheduleInputs
from ledger.domain.transfers import TransferRequest
from ledger.service_layer import postings
from ledger.service_layer.reference import card_fees_on, policy_on
from pbshared.contract.events.ledger import DirectPaymentFunder, PaymentIssued
from pbshared.errors import RuleBroken
from pbshared.platform.csv_export import csv_text, pounds, text
from pbshared.platform.jobs import Job, record_failure, record_progress, start_job
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

KIND = "payment_run"
# A contribution owed debits contributions_due and credits contributions_received, which a contribution
# paid in debits: contributions_received's balance is then what is still owed.
_OWED = (AccountKind.contributions_due, AccountKind.contributions_received)
# A page commits together: 1,000 agreements (about 3,000 transfers) halve the round trips and commits of
# 500 and stay far below PostgreSQL's 32,767 bind parameters a statement.
PAGE = 1000
Progress = Callable[[Job], Awaitable[None] | None]


@dataclass(frozen=True)
class Planned:
    agreement: Agreement
    payable: Payable
    fees: list[tuple[str, str, int]]  # (idempotency key, what, pence)
    contributions: list[tuple[str, str, int]]  # due from the person: (idempotency key, what, pence)


def _fees(agreement: Agreement, payable: Payable, schedule: CardFeeSchedule | None) -> list[tuple[str, str, int]]:
    if schedule is None:
        return []
    fees = []
    key = f"{agreement.agreement_id}:{payable.funder}:{payable.period_start}:{payable.period_end}"
    if schedule.per_load_pence:
        fees.append((f"fee:load:{key}", "card fee per load", schedule.per_load_pence))
    if schedule.monthly_pence:
        for month in months_touched(payable):
            fees.append(
                (f"fee:monthly:{agreement.card_account_ref}:{month}", "card fee for " + month, schedule.monthly_pence)
            )
    return fees


def _contributions_due(agreement: Agreement, payable: Payable, schedule: ScheduleInputs) -> list[tuple[str, str, int]]:
    """Where the council pays gross, the contribution the person owes for each cycle this payment
    pays (docs/domain/direct-payments.md, "Arrears"); keyed by cycle, so a cycle is owed once."""
    owed = []
    for cycle_start in sorted({item.cycle_start for item in payable.items}):
        pence = schedule.contribution_expected(schedule.cycle_of(cycle_start))
        if pence:
            key = f"contribution_due:{agreement.agreement_id}:{cycle_start}"
            owed.append((key, f"contribution due for the cycle from {cycle_start}", pence))
    return owed


async def _plan(
    session: AsyncSession, council_id: str, run_date: date, agreements: list[Agreement]
) -> tuple[list[Planned], list[tuple[Agreement, Payable]]]:
    repo = AgreementsRepository(session)
    schedules = await repo.schedules(agreements)
    paid = await repo.paid(schedules)
    fee_schedule = await card_fees_on(session, council_id, run_date)
    found: list[tuple[Agreement, list[Payable], list[Payable]]] = []
    for agreement in agreements:
        pay, hold = payables(schedules[agreement.agreement_id], paid.get(agreement.agreement_id, {}), run_date)
        found.append((agreement, pay, hold))
    # A monthly fee is charged once per card account and month: skip those charged by an earlier run.
    fees = {
        (agreement.agreement_id, payable.funder): _fees(agreement, payable, fee_schedule)
        for agreement, pay, _ in found
        for payable in pay
    }
    owed = {
        (agreement.agreement_id, payable.funder): _contributions_due(
            agreement, payable, schedules[agreement.agreement_id]
        )
        for agreement, pay, _ in found
        for payable in pay
    }
    keys = [key for f in (*fees.values(), *owed.values()) for key, _, _ in f]
    charged = await postings.find_transfers(session, council_id, keys)
    planned, held = [], []
    for agreement, pay, hold in found:
        # A month's fee, or a cycle's contribution, once, though the council and the NHS both load the card.
        seen: set[str] = set()
        for payable in pay:
            wanted, due = [], []
            for chosen, offered in (
                (wanted, fees[(agreement.agreement_id, payable.funder)]),
                (due, owed[(agreement.agreement_id, payable.funder)]),
            ):
                for item in offered:
                    if item[0] not in seen and item[0] not in charged:
                        chosen.append(item)
                    seen.add(item[0])
            planned.append(Planned(agreement, payable, wanted, due))
        held += [(agreement, payable) for payable in hold]
    return planned, held


# Payments are made in advance, but not years ahead: a mistyped year would otherwise pay (or preview)
# every cycle up to it.
MAX_DAYS_AHEAD = 366


def check_run_date(run_date: date, *, where: str = "body") -> None:
    if run_date > date.today() + timedelta(days=MAX_DAYS_AHEAD):
        raise RuleBroken.about("run_date", f"must be at most {MAX_DAYS_AHEAD} days from today", where=where)


async def preview(session: AsyncSession, council_id: str, run_date: date, *, page: int = PAGE) -> dict[str, Any]:
    """What a run for run_date would pay, line by line, without paying anything."""
    check_run_date(run_date, where="path")
    repo = AgreementsRepository(session)
    payments, held_back = [], []
    after = None
    while agreements := await repo.page(council_id, after, page, run_date):
        planned, held = await _plan(session, council_id, run_date, agreements)
        payments += [_described(p.agreement, p.payable, p.fees, p.contributions) for p in planned]
        held_back += [_described(a, p, [], []) for a, p in held]
        after = agreements[-1].agreement_id
    return {
        "run_date": run_date,
        "payments": payments,
        "held_back": held_back,
        "totals": _totals(payments),
    }


def _described(
    agreement: Agreement, payable: Payable, fees: list[tuple[str, str, int]], owed: list[tuple[str, str, int]]
) -> dict[str, Any]:
    return {
        "agreement_id": agreement.agreement_id,
        "person_id": agreement.person_id,
        "card_account_ref": agreement.card_account_ref,
        "funder": payable.funder,
        "amount_pence": payable.amount_pence,
        "period_start": payable.period_start,
        "period_end": payable.period_end,
        "lines": [line.as_dict() for line in payable.lines],
        "fees": [{"description": what, "amount_pence": pence} for _, what, pence in fees],
        "contributions_due": [{"description": what, "amount_pence": pence} for _, what, pence in owed],
    }


def _totals(payments: list[dict[str, Any]]) -> dict[str, Any]:
    by_funder: dict[str, int] = {}
    for p in payments:
        by_funder[p["funder"]] = by_funder.get(p["funder"], 0) + p["amount_pence"]
    return {
        "payments": len(payments),
        "amount_pence": sum(p["amount_pence"] for p in payments),
        "by_funder_pence": by_funder,
        "fees_pence": sum(f["amount_pence"] for p in payments for f in p["fees"]),
        "contributions_due_pence": sum(c["amount_pence"] for p in payments for c in p["contributions_due"]),
    }


def _empty_totals() -> dict[str, Any]:
    return {
        "payments": 0,
        "amount_pence": 0,
        "by_funder_pence": {},
        "fees_pence": 0,
        "contributions_due_pence": 0,
        "held_back": 0,
    }


async def start_run(uow: UnitOfWork, council_id: str, run_date: date, started_by: str) -> Job:
    """The run for run_date: a new job, or the one already started (to resume, or to report)."""
    check_run_date(run_date)
    async with uow:
        job, created = await start_job(uow.session, jobs, council_id, KIND, run_date.isoformat(), started_by)
        if created:
            total = await AgreementsRepository(uow.session).count(council_id, run_date)
            job = await record_progress(
                uow.session, jobs, job, done=0, checkpoint=None, totals=_empty_totals(), total=total
            )
        await uow.commit()
    return job


async def run_payments(
    new_uow: Callable[[], UnitOfWork], job: Job, *, page: int = PAGE, progress: Progress | None = None
) -> Job:
    """Carry the run on from its checkpoint to the end, a page of agreements at a time."""
    while not job.finished:
        uow = new_uow()
        async with uow:
            job = await _one_page(uow, job, page)
            await uow.commit()
        if progress is not None:
            waited = progress(job)
            if waited is not None:
                await waited
    return job


async def run_payments_safely(new_uow: Callable[[], UnitOfWork], job: Job) -> Job | None:
    """run_payments in the background: a failure is written on the job; the next start resumes it."""
    try:
        return await run_payments(new_uow, job)
    except Exception as error:
        log.exception("payment run %s failed", job.job_id)
        uow = new_uow()
        async with uow:
            await record_failure(uow.session, jobs, job, f"{type(error).__name__}: start it again to resume")
            await uow.commit()
        return None


async def _one_page(uow: UnitOfWork, job: Job, page: int) -> Job:
    council_id, run_date = job.council_id, date.fromisoformat(job.key)
    repo = AgreementsRepository(uow.session)
    after = uuid.UUID(job.checkpoint) if job.checkpoint else None
    agreements = await repo.page(council_id, after, page, run_date)
    planned, held = await _plan(uow.session, council_id, run_date, agreements)
    policy = await policy_on(uow.session, council_id, run_date)
    fee_bearer = "budget" if policy.card_fees_from_budget else "council"
    accounts = await postings.open_accounts(
        uow,
        council_id,
        [
            (AccountKind.card_fees, fee_bearer),
            (AccountKind.dp_fund, "council"),
            *((AccountKind.dp_fund, p.payable.funder) for p in planned),
            *((AccountKind.card, p.agreement.card_account_ref) for p in planned),
            *((kind, p.agreement.card_account_ref) for p in planned if p.contributions for kind in _OWED),
        ],
    )
    fee_account = accounts[(AccountKind.card_fees, fee_bearer)]
    requests: list[TransferRequest] = []
    for plan in planned:
        agreement, payable = plan.agreement, plan.payable
        card = accounts[(AccountKind.card, agreement.card_account_ref)]
        requests.append(
            TransferRequest(
                idempotency_key=f"payment:{agreement.agreement_id}:{run_date}:{payable.funder}",
                debit_account_id=accounts[(AccountKind.dp_fund, payable.funder)].account_id,
                credit_account_id=card.account_id,
                amount_pence=payable.amount_pence,
                value_date=run_date,
                kind="payment",
                description=f"direct payment {payable.period_start} to {payable.period_end}",
                reference=str(agreement.agreement_id),
            )
        )
        # Card fees go to the fee account: from the council's fund, or from the card where policy says so.
        payer = card if policy.card_fees_from_budget else accounts[(AccountKind.dp_fund, "council")]
        requests += [
            TransferRequest(
                key, payer.account_id, fee_account.account_id, pence, run_date, "fee", what, str(agreement.agreement_id)
            )
            for key, what, pence in plan.fees
        ]
        # What the person owes: due until a contribution paid onto the card settles it (arrears = due - paid).
        if plan.contributions:
            due, received = (accounts[(kind, agreement.card_account_ref)] for kind in _OWED)
            requests += [
                TransferRequest(
                    key,
                    due.account_id,
                    received.account_id,
                    pence,
                    run_date,
                    "contribution_due",
                    what,
                    str(agreement.agreement_id),
                )
                for key, what, pence in plan.contributions
            ]
    transfers = {t.idempotency_key: t for t in await postings.post_many(uow, council_id, requests)}

    totals = dict(job.totals)
    items: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    for plan in planned:
        agreement, payable = plan.agreement, plan.payable
        transfer = transfers[f"payment:{agreement.agreement_id}:{run_date}:{payable.funder}"]
        items += [
            {
                "item_id": uuid.uuid4(),
                "council_id": council_id,
                "agreement_id": agreement.agreement_id,
                "run_date": run_date,
                "cycle_start": item.cycle_start,
                "funder": item.funder,
                "amount_pence": item.amount_pence,
                "lines": [line.as_dict() for line in item.lines],
            }
            for item in payable.items
        ]
        payments.append(
            {
                "payment_id": transfer.transfer_id,
                "council_id": council_id,
                "run_id": job.job_id,
                "run_date": run_date,
                "agreement_id": agreement.agreement_id,
                "person_id": agreement.person_id,
                "card_account_ref": agreement.card_account_ref,
                "funder": payable.funder,
                "amount_pence": payable.amount_pence,
                "period_start": payable.period_start,
                "period_end": payable.period_end,
            }
        )
        event = PaymentIssued(
            payment_id=transfer.transfer_id,
            run_id=job.job_id,
            agreement_id=agreement.agreement_id,
            person_id=agreement.person_id,
            run_date=run_date,
            period_start=payable.period_start,
            period_end=payable.period_end,
            amount_pence=payable.amount_pence,
            funder=DirectPaymentFunder(payable.funder),
            card_account_ref=agreement.card_account_ref,
        )
        await uow.publish(event, council_id=council_id, subject_id=str(agreement.person_id))
        totals = _tally(totals, plan)
    await repo.add_items(items)
    await repo.add_payments(payments)
    totals["held_back"] = totals.get("held_back", 0) + len(held)
    return await record_progress(
        uow.session,
        jobs,
        job,
        done=job.done + len(agreements),
        checkpoint=str(agreements[-1].agreement_id) if agreements else job.checkpoint,
        totals=totals,
        finished=not agreements,
    )


def _tally(totals: dict[str, Any], plan: Planned) -> dict[str, Any]:
    payable = plan.payable
    by_funder = dict(totals.get("by_funder_pence", {}))
    by_funder[payable.funder] = by_funder.get(payable.funder, 0) + payable.amount_pence
    return {
        **totals,
        "payments": totals.get("payments", 0) + 1,
        "amount_pence": totals.get("amount_pence", 0) + payable.amount_pence,
        "by_funder_pence": by_funder,
        "fees_pence": totals.get("fees_pence", 0) + sum(pence for _, _, pence in plan.fees),
        "contributions_due_pence": totals.get("contributions_due_pence", 0)
        + sum(pence for _, _, pence in plan.contributions),
    }


PAYMENT_FILE_COLUMNS = (
    "payment_id",
    "run_date",
    "card_account_ref",
    "amount",
    "amount_pence",
    "funder",
    "period_start",
    "period_end",
    "agreement_id",
)


async def payment_file(session: AsyncSession, council_id: str, run_date: date) -> str:
    """The run's payment file for the card provider: one load a line (columns: docs/domain/direct-payments.md)."""
    rows = await AgreementsRepository(session).payments_of_run(council_id, run_date)
    return csv_text(
        PAYMENT_FILE_COLUMNS,
        (
            (
                r.payment_id,
                r.run_date.isoformat(),
                text(r.card_account_ref),
                pounds(r.amount_pence),
                r.amount_pence,
                r.funder,
                r.period_start.isoformat(),
                r.period_end.isoformat(),
                r.agreement_id,
            )
            for r in rows
        ),
    )
