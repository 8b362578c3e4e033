"""Direct payment agreements from events, their changes mid-cycle, and payment runs onto card accounts,
through the service layer on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ledger.domain.accounts import AccountKind
from ledger.reference_kinds import LEDGER_REFERENCE_KINDS
from ledger.service_layer import agreements, payment_runs, postings
from pbshared.contract.events.budgets import (
    BudgetEndReason,
    DeliveryMechanism,
    DeliverySplit,
    OneOffCost,
    PersonalBudgetAgreed,
    PersonalBudgetEnded,
    PersonalBudgetRevised,
)
from pbshared.contract.events.charging import CollectedBy, ContributionChanged, ContributionReason
from pbshared.contract.events.health import FundingBasis, FundingChange, FundingResponsibilityChanged
from pbshared.contract.events.ledger import AgreementEndReason, AgreementStatus
from pbshared.errors import RuleBroken, StaleRevision
from pbshared.platform.refdata import COUNCIL_KIND, DatasetIn, store_dataset
from pbshared.platform.tables import outbox

COUNCIL = "wyvernshire"
START = date(2026, 4, 6)  # a Monday
DAY = timedelta(days=1)


def agreed(person, budget, dp_weekly, *, start=START, managed=0, one_offs=(), cls=PersonalBudgetAgreed, **extra):
    weekly = dp_weekly + managed
    costs = [OneOffCost(description=d, amount_pence=a, delivery=DeliveryMechanism.direct_payment) for d, a in one_offs]
    one_off = sum(c.amount_pence for c in costs)
    return cls(
        person_id=person,
        budget_id=budget,
        budget_revision=extra.pop("budget_revision", 1),
        client_group="older_people",
        funder="council",
        weekly_pence=weekly,
        one_off_pence=one_off,
        annual_pence=weekly * 52 + one_off,
        delivery=DeliverySplit(direct_payment_weekly_pence=dp_weekly, council_managed_weekly_pence=managed),
        one_off_costs=costs,
        start_date=START,
        effective_from=start,
        next_review_date=start + timedelta(days=365),
        reason="new_assessment",
        **extra,
    )


def contribution(person, weekly, effective, previous=0):
    return ContributionChanged(
        person_id=person,
        assessment_id=uuid.uuid4(),
        weekly_charge_pence=weekly,
        previous_weekly_charge_pence=previous,
        effective_date=effective,
        collected_by=CollectedBy.council,
        reason=ContributionReason.assessment,
    )


async def load(new_uow, kind, payload, version=1):
    kinds = {k.name: k for k in [COUNCIL_KIND, *LEDGER_REFERENCE_KINDS]}
    async with new_uow() as uow:
        council = {"name": "Wyvernshire County Council", "la_code": "E10000999"}
        await store_dataset(
            uow.session,
            kinds,
            DatasetIn(
                council_id=COUNCIL,
                kind="council",
                version=1,
                effective_from=date(2025, 4, 1),
                source="t",
                payload=council,
            ),
            "test",
        )
        dataset = DatasetIn(
            council_id=COUNCIL,
            kind=kind,
            version=version,
            effective_from=date(2025, 4, 1),
            source="test",
            payload=payload,
        )
        await store_dataset(uow.session, kinds, dataset, "test")
        await uow.commit()


async def events(sessions, event_type):
    async with sessions() as session:
        query = select(outbox.c.message).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
        return [json.loads(message)["payload"] for message in (await session.execute(query)).scalars()]


async def run(new_uow, run_date, **kw):
    job = await payment_runs.start_run(new_uow(), COUNCIL, run_date, "test")
    return await payment_runs.run_payments(new_uow, job, **kw)


async def card_balance(sessions, ref):
    async with sessions() as session:
        card = await postings.find_account(session, COUNCIL, AccountKind.card, ref)
        return 0 if card is None else (await postings.balance(session, COUNCIL, card.account_id)).balance_pence


async def test_a_budget_with_a_direct_payment_sets_up_an_agreement(new_uow, sessions):
    person, budget = uuid.uuid4(), uuid.uuid4()
    await agreements.follow_contribution(new_uow(), COUNCIL, contribution(person, 2_000, START))
    made = await agreements.follow_budget(
        new_uow(), COUNCIL, agreed(person, budget, 15_000, managed=5_000, one_offs=[("card set-up", 2_500)])
    )
    assert made is not None and made.cycle_weeks == 4 and made.set_up_costs_pence == 2_500
    [set_up] = await events(sessions, "direct_payment.set_up")
    assert (set_up["weekly_gross_pence"], set_up["weekly_contribution_pence"], set_up["weekly_payable_pence"]) == (
        15_000,
        2_000,
        13_000,
    )
    assert set_up["funder"] == "council"
    # A budget with no direct payment part sets nothing up.
    assert (
        await agreements.follow_budget(new_uow(), COUNCIL, agreed(uuid.uuid4(), uuid.uuid4(), 0, managed=9_000)) is None
    )


async def test_a_run_pays_each_cycle_in_advance_once_and_a_repeated_run_adds_nothing(new_uow, sessions):
    await load(new_uow, "card_fee_schedule", {"provider": "Cards", "per_load_pence": 10, "monthly_pence": 100})
    person, budget = uuid.uuid4(), uuid.uuid4()
    await agreements.follow_contribution(new_uow(), COUNCIL, contribution(person, 2_000, START))
    made = await agreements.follow_budget(new_uow(), COUNCIL, agreed(person, budget, 15_000))
    first = await run(new_uow, START)
    assert first.totals["payments"] == 1 and first.totals["amount_pence"] == 52_000
    assert first.totals["fees_pence"] == 10 + 2 * 100  # a load, and the monthly fee for April and May (it ends 3 May)
    again = await run(new_uow, START)
    assert again.job_id == first.job_id and again.totals == first.totals
    # A later run date pays nothing new for the same cycle; the next cycle on its first day.
    assert (await run(new_uow, START + 10 * DAY)).totals["payments"] == 0
    assert (await run(new_uow, START + 28 * DAY)).totals["amount_pence"] == 52_000
    assert await card_balance(sessions, made.card_account_ref) == 104_000
    issued = await events(sessions, "payment.issued")
    assert [e["amount_pence"] for e in issued] == [52_000, 52_000]
    async with sessions() as session:
        trial = await postings.trial_balance(session, COUNCIL, START + 60 * DAY)
        fees = await postings.find_account(session, COUNCIL, AccountKind.card_fees, "council")
        assert (
            await postings.balance(session, COUNCIL, fees.account_id)
        ).balance_pence == 10 + 200 + 10  # May's fee once
        csv_file = await payment_runs.payment_file(session, COUNCIL, START)
    assert trial.balanced
    header, line = csv_file.lstrip("\ufeff").strip().split("\r\n")
    assert header.split(",") == list(payment_runs.PAYMENT_FILE_COLUMNS)
    assert line.split(",")[2:8] == [made.card_account_ref, "520.00", "52000", "council", "2026-04-06", "2026-05-03"]


async def test_a_contribution_change_mid_cycle_is_adjusted_line_by_line_in_the_next_run(new_uow, sessions):
    person, budget = uuid.uuid4(), uuid.uuid4()
    await agreements.follow_contribution(new_uow(), COUNCIL, contribution(person, 2_000, START))
    made = await agreements.follow_budget(new_uow(), COUNCIL, agreed(person, budget, 15_000))
    await run(new_uow, START)  # 520.00 for the first cycle
    # Day 11 of the cycle: the contribution goes up to 30.00 a week.
    await agreements.follow_contribution(new_uow(), COUNCIL, contribution(person, 3_000, START + 10 * DAY, 2_000))
    [changed] = await events(sessions, "direct_payment.changed")
    assert changed["reason"] == "contribution_changed" and changed["adjustment_pence"] == -2_571
    async with sessions() as session:
        preview = await payment_runs.preview(session, COUNCIL, START + 28 * DAY)
    [payment] = preview["payments"]
    first_cycle = [(line["description"], line["days"], line["amount_pence"]) for line in payment["lines"][:5]]
    assert first_cycle == [
        ("direct payment", 10, 21_429),
        ("less contribution", 10, -2_857),
        ("direct payment", 18, 38_571),
        ("less contribution", 18, -7_714),
        ("already paid", None, -52_000),
    ]
    assert payment["amount_pence"] == 48_000 - 2_571  # the second cycle at the new rate, less the adjustment
    job = await run(new_uow, START + 28 * DAY)
    assert job.totals["amount_pence"] == 45_429
    assert await card_balance(sessions, made.card_account_ref) == 52_000 + 45_429


async def test_a_budget_revision_changes_the_gross_from_its_date_and_an_older_revision_is_ignored(new_uow, sessions):
    person, budget = uuid.uuid4(), uuid.uuid4()
    await agreements.follow_budget(new_uow(), COUNCIL, agreed(person, budget, 14_000))
    revised = agreed(
        person,
        budget,
        21_000,
        start=START + 14 * DAY,
        cls=PersonalBudgetRevised,
        budget_revision=3,
        supersedes_revision=1,
    )
    await agreements.follow_budget(new_uow(), COUNCIL, revised)
    stale = agreed(
        person,
        budget,
        7_000,
        start=START + 7 * DAY,
        cls=PersonalBudgetRevised,
        budget_revision=2,
        supersedes_revision=1,
    )
    await agreements.follow_budget(new_uow(), COUNCIL, stale)
    assert (await run(new_uow, START)).totals["amount_pence"] == 2 * 14_000 + 2 * 21_000
    # A revision that takes the direct payment away ends the agreement the day before.
    gone = agreed(
        person,
        budget,
        0,
        managed=21_000,
        start=START + 56 * DAY,
        cls=PersonalBudgetRevised,
        budget_revision=4,
        supersedes_revision=3,
    )
    ended = await agreements.follow_budget(new_uow(), COUNCIL, gone)
    assert ended.status is AgreementStatus.ended and ended.end_date == START + 55 * DAY


async def test_suspend_resume_and_end_guarded_by_revision(new_uow, sessions):
    person, budget = uuid.uuid4(), uuid.uuid4()
    made = await agreements.follow_budget(new_uow(), COUNCIL, agreed(person, budget, 14_000))
    await run(new_uow, START)  # 560.00 paid in advance
    suspended = await agreements.suspend(new_uow(), COUNCIL, made.agreement_id, START + 14 * DAY, made.revision)
    with pytest.raises(StaleRevision):
        await agreements.resume(new_uow(), COUNCIL, made.agreement_id, START + 21 * DAY, made.revision)
    with pytest.raises(RuleBroken):
        await agreements.suspend(new_uow(), COUNCIL, made.agreement_id, START + 21 * DAY, suspended.revision)
    resumed = await agreements.resume(new_uow(), COUNCIL, made.agreement_id, START + 21 * DAY, suspended.revision)
    ended = await agreements.end(
        new_uow(), COUNCIL, made.agreement_id, START + 41 * DAY, AgreementEndReason.person_declined, resumed.revision
    )
    assert ended.status is AgreementStatus.ended
    # Paid 4 weeks; due 3 weeks (a week suspended): the second cycle pays 2 weeks, less the week over-paid.
    assert (await run(new_uow, START + 28 * DAY)).totals["amount_pence"] == 2 * 14_000 - 14_000
    [ended_event] = await events(sessions, "direct_payment.ended")
    assert ended_event["overpaid_pence"] == 14_000 and ended_event["end_date"] == "2026-05-17"


async def test_a_budget_ending_after_a_payment_reports_what_was_paid_for_days_after_it(new_uow, sessions):
    person, budget = uuid.uuid4(), uuid.uuid4()
    await agreements.follow_budget(new_uow(), COUNCIL, agreed(person, budget, 14_000))
    await run(new_uow, START)
    ended = PersonalBudgetEnded(
        person_id=person,
        budget_id=budget,
        budget_revision=2,
        end_date=START + 13 * DAY,
        reason=BudgetEndReason.deceased,
    )
    await agreements.end_with_budget(new_uow(), COUNCIL, ended)
    [event] = await events(sessions, "direct_payment.ended")
    assert (event["reason"], event["overpaid_pence"]) == ("deceased", 28_000)
    assert (await run(new_uow, START + 28 * DAY)).totals["payments"] == 0


async def test_joint_funding_loads_the_card_from_each_funders_fund(new_uow, sessions):
    person, budget = uuid.uuid4(), uuid.uuid4()
    await agreements.follow_budget(new_uow(), COUNCIL, agreed(person, budget, 20_000))
    joint = FundingResponsibilityChanged(
        person_id=person,
        decision_id=uuid.uuid4(),
        basis=FundingBasis.joint_funding,
        change=FundingChange.started,
        effective_date=START,
        nhs_weekly_pence=5_000,
    )
    await agreements.follow_funding(new_uow(), COUNCIL, joint)
    [changed] = await events(sessions, "direct_payment.changed")
    assert (changed["funder"], changed["nhs_weekly_pence"]) == ("joint", 5_000)
    job = await run(new_uow, START)
    assert job.totals["by_funder_pence"] == {"council": 60_000, "nhs": 20_000}
    async with sessions() as session:
        nhs = await postings.find_account(session, COUNCIL, AccountKind.dp_fund, "nhs")
        assert (await postings.balance(session, COUNCIL, nhs.account_id)).balance_pence == -20_000


async def test_a_run_killed_half_way_resumes_and_pays_each_agreement_once(new_uow, sessions):
    people = [(uuid.uuid4(), uuid.uuid4()) for _ in range(5)]
    for person, budget in people:
        await agreements.follow_budget(new_uow(), COUNCIL, agreed(person, budget, 10_000))

    class Killed(Exception):
        pass

    def kill_after_two_pages(job):
        if job.done >= 2:
            raise Killed

    with pytest.raises(Killed):
        await run(new_uow, START, page=1, progress=kill_after_two_pages)
    resumed = await run(new_uow, START, page=1)
    assert resumed.done == 5 and resumed.totals["payments"] == 5 and resumed.totals["amount_pence"] == 5 * 40_000
    assert len(await events(sessions, "payment.issued")) == 5


async def test_the_card_account_reference_is_set_before_the_first_payment_only(new_uow, sessions):
    person, budget = uuid.uuid4(), uuid.uuid4()
    made = await agreements.follow_budget(new_uow(), COUNCIL, agreed(person, budget, 10_000))
    named = await agreements.set_card_account(new_uow(), COUNCIL, made.agreement_id, "WYV-000123", made.revision)
    await run(new_uow, START)
    assert await card_balance(sessions, "WYV-000123") == 40_000
    with pytest.raises(RuleBroken):
        await agreements.set_card_account(new_uow(), COUNCIL, made.agreement_id, "WYV-000999", named.revision)
