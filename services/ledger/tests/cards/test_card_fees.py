"""The card scheme's fees for each purchase, payment and cash withdrawal (the council's fee schedule):
posted with the transaction, file or webhook, once, to the fee account, from the council's fund or
off the card where the council's policy says so, never taking the card below zero."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import select

from ledger.adapters.tables import ledger_transfers
from ledger.bootstrap import SERVICE
from ledger.domain.accounts import AccountKind
from ledger.domain.card_statement import CardTransaction, CardTransactionType
from ledger.service_layer.card_posting import RulesByDay, post_page
from ledger.service_layer.postings import trial_balance
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.refdata import DatasetIn, store_dataset
from pbshared.platform.unit_of_work import UnitOfWork

from .conftest import CARDS, COUNCIL, load_council, pay_onto_card
from .test_statement_import import card_balance, imported, statement

# Wyvernshire's schedule: 3p a card purchase, 20p a payment, nothing for cash.
SPENDING = [
    "P1,CARD-1,2026-04-02T10:00:00Z,-30.00,purchase,Acme Home Care,8050,70.00",
    "B1,CARD-1,2026-04-03T10:00:00Z,-50.00,purchase,J Smith PA wages,,20.00",
    "W1,CARD-1,2026-04-04T11:00:00Z,-10.00,cash_withdrawal,ATM,6011,10.00",
]


async def fee_transfers(new_uow) -> dict[str, int]:
    async with new_uow() as uow:
        t = ledger_transfers.c
        rows = await uow.session.execute(select(t.idempotency_key, t.amount_pence).where(t.kind == "fee"))
        return {key: pence for key, pence in rows}


async def fees_from_budget(new_uow) -> None:
    uow: UnitOfWork = new_uow()
    async with uow:
        payload = {"cash_allowance_weekly_pence": 5000, "card_fees_from_budget": True}
        document = dict(council_id=COUNCIL, kind="direct_payment_policy", version=2, effective_from=date(2026, 1, 1))
        document["payload"] = payload
        await store_dataset(uow.session, SERVICE.kinds(), DatasetIn(**document, source="test"), "test")
        await uow.commit()


async def test_each_purchase_and_payment_pays_its_fee_from_the_fund_once(council):
    await pay_onto_card(council, "CARD-1", 10_000, date(2026, 4, 1), "payment-1")
    await imported(council, statement(*SPENDING))
    await imported(council, statement(*SPENDING, "P2,CARD-1,2026-04-05T10:00:00Z,-1.00,purchase,Shop,5411,9.00"))
    assert await fee_transfers(council) == {"card:P1:fee": 3, "card:B1:fee": 20, "card:P2:fee": 3}
    assert await card_balance(council, "council", AccountKind.card_fees) == 26
    assert await card_balance(council, "CARD-1") == 10_000 - 9_100  # the fees are not the person's
    async with council() as uow:
        assert (await trial_balance(uow.session, COUNCIL, date(2026, 4, 30))).balanced


async def test_fees_come_off_the_card_where_policy_says_so_but_never_below_zero(council):
    await fees_from_budget(council)
    await pay_onto_card(council, "CARD-1", 8_024, date(2026, 4, 1), "payment-1")
    await imported(council, statement(*SPENDING[:2], "P2,CARD-1,2026-04-05T10:00:00Z,-0.01,purchase,Shop,5411,0.00"))
    # 80.24 less 30.00 and its 3p, less 50.00 and its 20p: 0.01 left, which the last purchase
    # spends, leaving nothing for its 3p fee: the fund pays that one.
    assert await card_balance(council, "CARD-1") == 0
    assert await card_balance(council, "budget", AccountKind.card_fees) == 23
    assert await card_balance(council, "council", AccountKind.card_fees) == 3
    async with council() as uow:
        assert (await trial_balance(uow.session, COUNCIL, date(2026, 4, 30))).balanced


async def test_a_webhook_delivery_repeated_pays_the_fee_once(council):
    when = datetime(2026, 4, 2, 10, tzinfo=UTC)
    record = CardTransaction("P9", "CARD-2", when, -500, CardTransactionType.purchase, "Wyvern Buses", 4131, -500)
    for _ in range(2):  # the webhook's posting: the same record delivered twice
        uow = council()
        async with uow:
            await post_page(uow, COUNCIL, [record], "webhook", RulesByDay())
            await uow.commit()
    assert await fee_transfers(council) == {"card:P9:fee": 3}
    assert await card_balance(council, "council", AccountKind.card_fees) == 3


async def test_pages_posted_at_the_same_time_neither_deadlock_nor_lose_a_fee(postgres_url):
    """Four pages at once on PostgreSQL, each on cards of its own but all moving the same fund, fee
    account and spending categories, met in a different order by each page."""
    engine = create_engine(postgres_url, pool_size=6)
    sessions = session_factory(engine)
    try:
        new_uow = lambda: UnitOfWork(sessions, "ledger")  # noqa: E731
        await load_council(new_uow)
        merchants = [("Acme Home Care", 8050), ("Wyvern Buses", 4131), ("Corner Shop", 5411), ("Mobility", 5047)]
        pages = []
        for n, card in enumerate(CARDS + ("CARD-4",)):
            await pay_onto_card(new_uow, card, 100_000, date(2026, 4, 1), f"payment-{card}")
            order = merchants[n:] + merchants[:n]
            pages.append(
                [
                    CardTransaction(
                        f"{card}-{i}",
                        card,
                        datetime(2026, 4, 2, 10, i, tzinfo=UTC),
                        -100,
                        CardTransactionType.purchase,
                        name,
                        code,
                        0,
                    )  # fmt: skip
                    for i, (name, code) in enumerate(order * 5)
                ]
            )

        async def post(page: list[CardTransaction]) -> None:
            uow = new_uow()
            async with uow:
                await post_page(uow, COUNCIL, page, "webhook", RulesByDay())
                await uow.commit()

        await asyncio.gather(*(post(page) for page in pages))
        assert len(await fee_transfers(new_uow)) == 4 * 20
        assert await card_balance(new_uow, "council", AccountKind.card_fees) == 4 * 20 * 3
        async with new_uow() as uow:
            assert (await trial_balance(uow.session, COUNCIL, date(2026, 4, 30))).balanced
    finally:
        await engine.dispose()
