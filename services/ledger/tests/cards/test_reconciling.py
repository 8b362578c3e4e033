"""Reconciling card accounts for a period: a reported balance that disagrees, explained to the penny."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ledger.adapters.card_tables import reconciliations
from ledger.domain.reconciliation import Explanation as E
from ledger.service_layer import card_import
from ledger.service_layer.reconciling import reconcile_accounts
from pbshared.platform.tables import outbox

from .conftest import COUNCIL, pay_onto_card
from .test_statement_import import statement

APRIL = [
    "L1,CARD-1,2026-04-01T09:00:00+01:00,100.00,load,,,100.00",
    "P1,CARD-1,2026-04-02T10:00:00+01:00,-30.00,purchase,Acme Home Care,8050,70.00",
    "F1,CARD-1,2026-04-02T10:00:01+01:00,-0.20,fee,,,69.80",
    "P2,CARD-1,2026-04-20T10:00:00+01:00,-80.00,purchase,Bus,4131,-10.20",
    "L2,CARD-1,2026-04-30T23:30:00+01:00,5.00,load,,,-5.20",  # 30 April in the UK, 22:30 UTC
]


async def reconciled(new_uow, first: date, last: date):
    uow = new_uow()
    async with uow:
        result = await reconcile_accounts(uow, COUNCIL, first, last, "test")
        await uow.commit()
    return result


async def test_a_reported_balance_that_disagrees_is_explained_to_the_penny(council):
    await pay_onto_card(council, "CARD-1", 10_000, date(2026, 4, 1), "payment-1")
    job = await card_import.stage_statement(council(), COUNCIL, statement(*APRIL), "test")
    await card_import.run_import(council, job)
    await pay_onto_card(council, "CARD-1", 10_000, date(2026, 4, 29), "payment-2")  # not loaded yet

    april = await reconciled(council, date(2026, 4, 1), date(2026, 4, 30))
    card = next(r for r in april.results if r.card_account == "CARD-1")
    assert (card.provider_closing_pence, card.ledger_closing_pence) == (-520, 10_000)
    explained = {(line.explanation, line.transaction_id): line.pence for line in card.lines}
    assert explained == {
        (E.fee_taken_by_provider, "F1"): -20,
        (E.overspend_allowed, "P2"): -1_000,
        (E.missing_in_ledger, "L2"): 500,
        (E.missing_at_provider, "payment:payment-2"): -10_000,
    }
    assert sum(explained.values()) == card.difference_pence == -10_520
    others = [r for r in april.results if r.card_account != "CARD-1"]
    assert others and all(r.agrees and not r.lines for r in others)

    may = await reconciled(council, date(2026, 5, 1), date(2026, 5, 31))
    card = next(r for r in may.results if r.card_account == "CARD-1")
    assert [(line.explanation, line.pence) for line in card.lines] == [(E.carried_in, -10_520)]

    async with council() as uow:
        stored = (await uow.session.execute(select(reconciliations.c.difference_pence))).scalars().all()
        events = (await uow.session.execute(select(outbox.c.event_type))).scalars().all()
    assert sorted(stored).count(-10_520) == 2
    assert events.count("reconciliation.completed") == 2
