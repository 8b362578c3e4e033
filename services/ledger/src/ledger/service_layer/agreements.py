"""Direct payment agreements: set up and changed from budget, contribution and funding events; suspended,
resumed, ended and given their card account by finance. Every change publishes the whole agreement,
with the pro-rata adjustment it makes to cycles already paid."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.agreements_repository import AgreementsRepository
from ledger.domain.agreements import GROSS, SUSPENDED, Agreement, opening_float, placeholder_card_account
from ledger.domain.schedule import CycleBalance, FundingDecision, ScheduleInputs
from ledger.service_layer.reference import policy_on
from pbshared.contract.events.budgets import (
    DeliveryMechanism,
    PersonalBudgetAgreed,
    PersonalBudgetEnded,
    PersonalBudgetRevised,
)
from pbshared.contract.events.charging import ContributionChanged
from pbshared.contract.events.health import FundingResponsibilityChanged
from pbshared.contract.events.ledger import (
    AgreementChangeReason,
    AgreementEndReason,
    AgreementStatus,
    DirectPaymentChanged,
    DirectPaymentEnded,
    DirectPaymentSetUp,
)
from pbshared.errors import NotFound, RuleBroken, StaleRevision
from pbshared.platform.locks import hold
from pbshared.platform.unit_of_work import UnitOfWork


def details(agreement: Agreement, schedule: ScheduleInputs, on: date) -> dict[str, Any]:
    """The agreement as every event carries it: its terms on `on`."""
    terms = schedule.terms_on(max(on, agreement.start_date))
    return dict(
        agreement_id=agreement.agreement_id,
        person_id=agreement.person_id,
        budget_id=agreement.budget_id,
        agreement_revision=agreement.revision,
        status=agreement.status,
        funder=terms.funder,
        nhs_weekly_pence=terms.nhs,
        weekly_gross_pence=terms.gross,
        weekly_contribution_pence=terms.contribution,
        weekly_net_pence=terms.net,
        contribution_paid_in=agreement.contribution_paid_in,
        weekly_payable_pence=terms.gross if agreement.contribution_paid_in else terms.net,
        cycle_weeks=agreement.cycle_weeks,
        start_date=agreement.start_date,
        effective_from=max(on, agreement.start_date),
        first_payment_date=agreement.first_payment_date,
        set_up_costs_pence=agreement.set_up_costs_pence,
        opening_float_pence=agreement.opening_float_pence,
        card_account_ref=agreement.card_account_ref,
    )


def adjustment(schedule: ScheduleInputs, paid: dict[date, dict[str, int]]) -> int:
    """What the cycles already paid are now worth, less what was paid for them: positive is owed."""
    return sum(
        sum(
            CycleBalance(_cycle(schedule, start), schedule.due(_cycle(schedule, start)), by_funder)
            .difference()
            .values()
        )
        for start, by_funder in paid.items()
    )


def _cycle(schedule: ScheduleInputs, start: date) -> tuple[date, date]:
    return start, start + timedelta(days=7 * schedule.cycle_weeks - 1)


async def _schedule(repo: AgreementsRepository, agreement: Agreement) -> ScheduleInputs:
    return (await repo.schedules([agreement]))[agreement.agreement_id]


async def follow_budget(
    uow: UnitOfWork, council_id: str, event: PersonalBudgetAgreed | PersonalBudgetRevised
) -> Agreement | None:
    """Set up an agreement for a budget with a direct payment part, or change its gross from effective_from."""
    async with uow:
        await _hold_person(uow, council_id, event.person_id)
        repo = AgreementsRepository(uow.session)
        agreement = await repo.of_budget(council_id, event.budget_id)
        weekly = event.delivery.direct_payment_weekly_pence
        if agreement is None:
            agreement = await _set_up(uow, repo, council_id, event) if weekly else None
        elif event.budget_revision > agreement.budget_revision and agreement.status is not AgreementStatus.ended:
            if weekly:
                agreement = await _change(
                    uow,
                    repo,
                    agreement,
                    AgreementChangeReason.budget_revised,
                    event.effective_from,
                    series=(GROSS, weekly),
                    budget_revision=event.budget_revision,
                )
            else:  # the budget no longer has a direct payment part
                agreement = await _end(
                    uow,
                    repo,
                    agreement,
                    event.effective_from - timedelta(days=1),
                    AgreementEndReason.direct_payment_withdrawn,
                )
        await uow.commit()
    return agreement


async def _set_up(
    uow: UnitOfWork, repo: AgreementsRepository, council_id: str, event: PersonalBudgetAgreed | PersonalBudgetRevised
) -> Agreement:
    policy = await policy_on(uow.session, council_id, event.effective_from)
    now = datetime.now(UTC)
    agreement_id = uuid.uuid4()
    agreement = Agreement(
        agreement_id=agreement_id,
        council_id=council_id,
        person_id=event.person_id,
        budget_id=event.budget_id,
        budget_revision=event.budget_revision,
        status=AgreementStatus.active,
        start_date=event.effective_from,
        end_date=None,
        end_reason=None,
        first_payment_date=event.effective_from,
        cycle_weeks=policy.cycle_weeks,
        contribution_paid_in=policy.contribution_paid_in,
        set_up_costs_pence=sum(
            c.amount_pence for c in event.one_off_costs if c.delivery is DeliveryMechanism.direct_payment
        ),
        opening_float_pence=0,
        card_account_ref=placeholder_card_account(agreement_id),
        revision=1,
        created_at=now,
        updated_at=now,
    )
    await repo.add(agreement)
    await repo.add_series(agreement, GROSS, agreement.start_date, event.delivery.direct_payment_weekly_pence)
    schedule = await _schedule(repo, agreement)
    float_pence = opening_float(policy.opening_float_weeks, schedule)
    if float_pence:
        agreement = replace(agreement, opening_float_pence=float_pence)  # part of setting up: still revision 1
        await repo.save(agreement, read_revision=1)
        schedule = await _schedule(repo, agreement)
    payload = DirectPaymentSetUp(**details(agreement, schedule, agreement.start_date))
    await uow.publish(payload, council_id=council_id, subject_id=str(agreement.person_id))
    return agreement


async def _change(
    uow: UnitOfWork,
    repo: AgreementsRepository,
    agreement: Agreement,
    reason: AgreementChangeReason,
    effective_from: date,
    *,
    series: tuple[str, int] | None = None,
    **values: Any,
) -> Agreement:
    read = agreement.revision
    agreement = agreement.changed(datetime.now(UTC), **values)
    if series is not None:
        await repo.add_series(agreement, series[0], effective_from, series[1])
    if not await repo.save(agreement, read_revision=read):
        raise StaleRevision()
    schedule = await _schedule(repo, agreement)
    paid = (await repo.paid([agreement.agreement_id])).get(agreement.agreement_id, {})
    payload = DirectPaymentChanged(
        **details(agreement, schedule, effective_from), reason=reason, adjustment_pence=adjustment(schedule, paid)
    )
    await uow.publish(payload, council_id=agreement.council_id, subject_id=str(agreement.person_id))
    return agreement


async def _end(
    uow: UnitOfWork, repo: AgreementsRepository, agreement: Agreement, end_date: date, reason: AgreementEndReason
) -> Agreement:
    read = agreement.revision
    agreement = agreement.end(datetime.now(UTC), end_date, reason)
    if not await repo.save(agreement, read_revision=read):
        raise StaleRevision()
    schedule = await _schedule(repo, agreement)
    paid = (await repo.paid([agreement.agreement_id])).get(agreement.agreement_id, {})
    payload = DirectPaymentEnded(
        agreement_id=agreement.agreement_id,
        person_id=agreement.person_id,
        budget_id=agreement.budget_id,
        agreement_revision=agreement.revision,
        end_date=end_date,
        reason=reason,
        card_account_ref=agreement.card_account_ref,
        overpaid_pence=max(0, -adjustment(schedule, paid)),
    )
    await uow.publish(payload, council_id=agreement.council_id, subject_id=str(agreement.person_id))
    return agreement


async def end_with_budget(uow: UnitOfWork, council_id: str, event: PersonalBudgetEnded) -> Agreement | None:
    async with uow:
        await _hold_person(uow, council_id, event.person_id)
        repo = AgreementsRepository(uow.session)
        agreement = await repo.of_budget(council_id, event.budget_id)
        if agreement is not None and agreement.status is not AgreementStatus.ended:
            reason = (
                AgreementEndReason.deceased if event.reason.value == "deceased" else AgreementEndReason.budget_ended
            )
            agreement = await _end(uow, repo, agreement, event.end_date, reason)
        await uow.commit()
    return agreement


async def follow_contribution(uow: UnitOfWork, council_id: str, event: ContributionChanged) -> None:
    """The person's contribution from effective_date: every live agreement of theirs changes."""
    async with uow:
        await _hold_person(uow, council_id, event.person_id)
        repo = AgreementsRepository(uow.session)
        await repo.add_contribution(council_id, event.person_id, event.effective_date, event.weekly_charge_pence)
        for agreement in await _live(repo, council_id, event.person_id):
            await _change(uow, repo, agreement, AgreementChangeReason.contribution_changed, event.effective_date)
        await uow.commit()


async def follow_funding(uow: UnitOfWork, council_id: str, event: FundingResponsibilityChanged) -> None:
    """Who funds the person's care from effective_date: the NHS part of every live agreement follows."""
    async with uow:
        await _hold_person(uow, council_id, event.person_id)
        repo = AgreementsRepository(uow.session)
        decision = FundingDecision(
            str(event.decision_id),
            event.basis,
            event.change,
            event.effective_date,
            event.nhs_share_percent,
            event.nhs_weekly_pence,
        )
        await repo.add_funding(council_id, event.person_id, decision)
        for agreement in await _live(repo, council_id, event.person_id):
            if event.budget_id is None or event.budget_id == agreement.budget_id:
                await _change(uow, repo, agreement, AgreementChangeReason.funder_changed, event.effective_date)
        await uow.commit()


async def _hold_person(uow: UnitOfWork, council_id: str, person_id: uuid.UUID) -> None:
    """One event about a person's direct payments at a time. RAS's budgets, charging's contributions and
    health's decisions come on their own topics and are handled side by side; each reads the person's
    agreements and terms before it records: a contribution handled while the budget's agreement was
    being set up found no agreement, and the set-up read no contribution, so the events told a
    contribution of nothing (the payments, worked out from the stored terms, were right)."""
    await hold(uow.session, f"ledger:{council_id}:{person_id}")


async def _live(repo: AgreementsRepository, council_id: str, person_id: uuid.UUID) -> list[Agreement]:
    return [a for a in await repo.of_person(council_id, person_id) if a.status is not AgreementStatus.ended]


# Finance's changes, each guarded by the revision the caller read.


async def _guarded(repo: AgreementsRepository, council_id: str, agreement_id: uuid.UUID, revision: int) -> Agreement:
    agreement = await repo.get(council_id, agreement_id, for_update=True)
    if agreement is None:
        raise NotFound.about("agreement_id", "no such direct payment agreement", where="path")
    if agreement.revision != revision:
        raise StaleRevision()
    return agreement


async def suspend(
    uow: UnitOfWork, council_id: str, agreement_id: uuid.UUID, from_date: date, revision: int
) -> Agreement:
    """No payment for days from from_date until resumed (e.g. a stay in hospital)."""
    return await _suspension(uow, council_id, agreement_id, from_date, revision, suspended=True)


async def resume(
    uow: UnitOfWork, council_id: str, agreement_id: uuid.UUID, from_date: date, revision: int
) -> Agreement:
    return await _suspension(uow, council_id, agreement_id, from_date, revision, suspended=False)


async def _suspension(
    uow: UnitOfWork, council_id: str, agreement_id: uuid.UUID, from_date: date, revision: int, *, suspended: bool
) -> Agreement:
    async with uow:
        repo = AgreementsRepository(uow.session)
        agreement = await _guarded(repo, council_id, agreement_id, revision)
        now = datetime.now(UTC)
        status = (agreement.suspend(now) if suspended else agreement.resume(now)).status  # refuses a wrong status
        reason = AgreementChangeReason.suspended if suspended else AgreementChangeReason.resumed
        agreement = await _change(
            uow, repo, agreement, reason, from_date, series=(SUSPENDED, int(suspended)), status=status
        )
        await uow.commit()
    return agreement


async def end(
    uow: UnitOfWork, council_id: str, agreement_id: uuid.UUID, end_date: date, reason: AgreementEndReason, revision: int
) -> Agreement:
    """Nothing is paid for days after end_date; the event starts recovery of what is unspent."""
    async with uow:
        repo = AgreementsRepository(uow.session)
        agreement = await _end(uow, repo, await _guarded(repo, council_id, agreement_id, revision), end_date, reason)
        await uow.commit()
    return agreement


async def set_card_account(
    uow: UnitOfWork, council_id: str, agreement_id: uuid.UUID, card_account_ref: str, revision: int
) -> Agreement:
    """Record the card provider's account reference; only before the first payment (the ledger's card
    account is named by it)."""
    async with uow:
        repo = AgreementsRepository(uow.session)
        agreement = await _guarded(repo, council_id, agreement_id, revision)
        if (await repo.paid([agreement_id])).get(agreement_id):
            raise RuleBroken.about("card_account_ref", "cannot change once a payment was made to the card account")
        agreement = await _change(
            uow, repo, agreement, AgreementChangeReason.corrected, date.today(), card_account_ref=card_account_ref
        )
        await uow.commit()
    return agreement


async def agreement_view(session: AsyncSession, council_id: str, agreement_id: uuid.UUID, on: date) -> dict[str, Any]:
    """An agreement as a social worker or finance reads it: its terms on `on`, the current cycle's lines
    and what each run paid."""
    repo = AgreementsRepository(session)
    agreement = await repo.get(council_id, agreement_id)
    if agreement is None:
        raise NotFound.about("agreement_id", "no such direct payment agreement", where="path")
    schedule = await _schedule(repo, agreement)
    cycle = schedule.cycle_of(max(on, agreement.start_date))
    return {
        **details(agreement, schedule, on),
        "end_date": agreement.end_date,
        "end_reason": agreement.end_reason,
        "current_cycle": {
            "start": cycle[0],
            "end": cycle[1],
            "lines": [line.as_dict() for line in schedule.lines(cycle)],
        },
        "payments": [
            {
                "run_date": r.run_date,
                "cycle_start": r.cycle_start,
                "funder": r.funder,
                "amount_pence": r.amount_pence,
                "lines": r.lines,
            }
            for r in await repo.items_of(council_id, agreement_id)
        ],
    }
