"""Recovery of unspent money (approved and rejected), arrears of contributions, audits due."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ledger.domain.accounts import AccountKind
from ledger.domain.transfers import TransferRequest
from ledger.service_layer import card_import
from ledger.service_layer.monitoring import (
    Decision,
    arrears_on,
    audits_due_on,
    card_balances,
    decide_recovery,
    propose_recoveries,
    record_audit,
)
from ledger.service_layer.postings import open_account, post
from pbshared.errors import Conflict, RuleBroken, StaleRevision
from pbshared.platform.tables import outbox

from .conftest import COUNCIL, agreement_card, pay_onto_card
from .test_statement_import import statement

WEEK = 10_000  # GBP 100 net a week


async def four_weekly_payments(new_uow, card: str, times: int) -> None:
    for n in range(times):
        await pay_onto_card(
            new_uow, card, 4 * WEEK, date(2026, 1, 5) + (date(2026, 2, 2) - date(2026, 1, 5)) * n, f"{card}-p{n}"
        )


async def proposals(new_uow, as_of: date):
    uow = new_uow()
    async with uow:
        found = await propose_recoveries(uow, COUNCIL, as_of)
        await uow.commit()
    return found


async def decided(new_uow, recovery, decision: Decision):
    uow = new_uow()
    async with uow:
        result = await decide_recovery(uow, COUNCIL, recovery["recovery_id"], decision, "finance")
        await uow.commit()
    return result


async def test_only_the_surplus_above_eight_weeks_is_proposed_and_an_approval_returns_it_to_the_fund(council):
    # Three four-weekly payments of GBP 400 (GBP 1,200) and nothing spent: 12 weeks measured is GBP 100
    # a week, so 8 weeks is GBP 800 and GBP 400 is proposed for recovery. CARD-2 spent its money.
    person_id, card = await agreement_card(council)
    await four_weekly_payments(council, card, 3)
    await four_weekly_payments(council, "CARD-2", 3)
    job = await card_import.stage_statement(
        council(),
        COUNCIL,
        statement("P1,CARD-2,2026-03-20T10:00:00Z,-1000.00,purchase,Acme Home Care,8050,200.00"),
        "t",
    )
    await card_import.run_import(council, job)
    as_of = date(2026, 3, 29)
    [proposed] = await proposals(council, as_of)
    assert (proposed["card_account"], proposed["amount_pence"], proposed["threshold_pence"]) == (card, 40_000, 80_000)
    assert await proposals(council, as_of) == []  # proposing again the same day adds nothing

    with pytest.raises(StaleRevision):
        await decided(council, proposed, Decision(approve=True, revision=7))
    approved = await decided(council, proposed, Decision(approve=True, revision=1))
    assert approved["status"] == "approved"
    async with council() as uow:
        assert (await card_balances(uow.session, COUNCIL, date(2099, 12, 31)))[card] == 80_000
        events = (await uow.session.execute(select(outbox.c.event_type, outbox.c.message_key))).all()
    assert {(t, s) for t, s in events if t.startswith("recovery.")} == {
        ("recovery.raised", str(person_id)),
        ("recovery.recovered", str(person_id)),
    }
    with pytest.raises(Conflict):
        await decided(council, approved, Decision(approve=False, revision=2, reason="changed my mind"))


async def test_a_rejected_recovery_needs_a_reason_and_moves_nothing(council):
    await four_weekly_payments(council, "CARD-1", 3)
    [proposed] = await proposals(council, date(2026, 3, 29))
    with pytest.raises(RuleBroken):
        await decided(council, proposed, Decision(approve=False, revision=1))
    rejected = await decided(council, proposed, Decision(approve=False, revision=1, reason="saving for a hoist"))
    assert (rejected["status"], rejected["reason"]) == ("rejected", "saving for a hoist")
    async with council() as uow:
        assert (await card_balances(uow.session, COUNCIL, date(2099, 12, 31)))["CARD-1"] == 120_000


async def test_arrears_are_contributions_due_less_contributions_paid_in(council):
    uow = council()
    async with uow:
        due = await open_account(uow, COUNCIL, AccountKind.contributions_due, "CARD-1")
        fund = await open_account(uow, COUNCIL, AccountKind.dp_fund, "council")
        for n, day in enumerate((date(2026, 4, 6), date(2026, 5, 4), date(2026, 6, 1))):
            request = TransferRequest(f"due-{n}", due.account_id, fund.account_id, 8_000, day, "contribution_due")
            await post(uow, COUNCIL, request)
        await uow.commit()
    job = await card_import.stage_statement(
        council(), COUNCIL, statement("C1,CARD-1,2026-04-07T10:00:00Z,80.00,contribution,,,80.00"), "t"
    )
    await card_import.run_import(council, job)
    async with council() as uow:
        found = await arrears_on(uow.session, COUNCIL, date(2026, 6, 15))
    assert (found["CARD-1"].arrears_pence, found["CARD-1"].oldest_unpaid_due) == (16_000, date(2026, 5, 4))


async def test_audits_fall_due_twelve_weeks_after_the_first_payment_then_yearly(council):
    await pay_onto_card(council, "CARD-1", 40_000, date(2026, 1, 5), "first")
    async with council() as uow:
        assert await audits_due_on(uow.session, COUNCIL, date(2026, 3, 29)) == {}
        assert await audits_due_on(uow.session, COUNCIL, date(2027, 4, 1)) == {
            "CARD-1": [date(2026, 3, 30), date(2027, 3, 30)]
        }
    uow = council()
    async with uow:
        await record_audit(uow, COUNCIL, "CARD-1", date(2026, 4, 2), "finance")
        await uow.commit()
    async with council() as uow:
        assert await audits_due_on(uow.session, COUNCIL, date(2027, 4, 1)) == {"CARD-1": [date(2027, 3, 30)]}
