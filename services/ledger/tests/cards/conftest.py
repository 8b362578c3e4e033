"""A ledger database with the sample council's reference data and three card accounts, for the card side."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from ledger.bootstrap import SERVICE
from ledger.domain.accounts import AccountKind
from ledger.domain.transfers import TransferRequest
from ledger.service_layer import agreements
from ledger.service_layer.postings import open_account, post
from pbshared.platform.refdata import DatasetIn, store_dataset
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.platform.unit_of_work import UnitOfWork
from tests.api.test_ledger_payments import budget

SAMPLE_COUNCIL = Path(__file__).resolve().parents[4] / "councils" / "wyvernshire"
COUNCIL = "wyvernshire"
CARDS = ("CARD-1", "CARD-2", "CARD-3")
START = date(2026, 1, 5)  # the agreements' start, before the payments the tests make
CARD_TABLES = "card_transactions, card_statement_lines, card_webhook_nonces, reconciliations, recoveries, card_audits"


async def _empty_cards(url: str) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(f"TRUNCATE reference_datasets, {CARD_TABLES}, dp_agreements CASCADE")
    finally:
        await connection.close()


@pytest.fixture
def postgres_url(postgres_url: str) -> str:
    """The ledger's PostgreSQL database emptied (the core's fixture), the card side's tables and reference data too."""
    asyncio.run(_empty_cards(postgres_url))
    return postgres_url


async def load_council(new_uow: Callable[[], UnitOfWork]) -> None:
    uow = new_uow()
    async with uow:
        for document in read_council_directory(SAMPLE_COUNCIL):
            if document["kind"] in SERVICE.kinds():
                await store_dataset(uow.session, SERVICE.kinds(), DatasetIn(**document), "test")
        for card in CARDS:
            await open_account(uow, COUNCIL, AccountKind.card, card)
        await uow.commit()


@pytest.fixture
async def council(new_uow) -> Callable[[], UnitOfWork]:
    await load_council(new_uow)
    return new_uow


async def pay_onto_card(new_uow: Callable[[], UnitOfWork], card: str, pence: int, day: date, key: str) -> None:
    """What a payment run does: the fund pays onto the card (the provider's statement shows it as a load)."""
    uow = new_uow()
    async with uow:
        fund = await open_account(uow, COUNCIL, AccountKind.dp_fund, "council")
        account = await open_account(uow, COUNCIL, AccountKind.card, card)
        request = TransferRequest(
            idempotency_key=key,
            debit_account_id=fund.account_id,
            credit_account_id=account.account_id,
            amount_pence=pence,
            value_date=day,
            kind="payment",
            reference=key,
        )
        await post(uow, COUNCIL, request)
        await uow.commit()


async def agreement_card(new_uow: Callable[[], UnitOfWork], weekly_pence: int = 10_000) -> tuple[uuid.UUID, str]:
    """A direct payment agreement set up from an agreed budget, as the budget event would: (person, card)."""
    person_id = uuid.uuid4()
    event = budget(person_id, weekly_pence).model_copy(update={"start_date": START, "effective_from": START})
    made = await agreements.follow_budget(new_uow(), COUNCIL, event)
    assert made is not None
    return person_id, made.card_account_ref
