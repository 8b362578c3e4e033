"""What monitoring reads from the ledger for every card account at once (payments onto cards,
contributions due and paid, first payments) and the recoveries and audits it keeps."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Subquery, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.card_tables import card_audits, recoveries
from ledger.adapters.tables import dp_agreements, ledger_accounts, ledger_transfers
from ledger.domain.transfers import POSTING_PHASES

_POSTED = [p.value for p in POSTING_PHASES]


def card_payments(council_id: str, first: date, last: date) -> Subquery:
    """Payments from a direct payment fund onto a card, `first` to `last`: card, funder, day, pence."""
    t, card, fund = ledger_transfers.c, ledger_accounts.alias("card"), ledger_accounts.alias("fund")
    return (
        select(card.c.reference.label("card"), fund.c.reference.label("funder"), t.value_date, t.amount_pence)
        .join(card, card.c.account_id == t.credit_account_id)
        .join(fund, fund.c.account_id == t.debit_account_id)
        .where(
            t.council_id == council_id,
            t.phase.in_(_POSTED),
            card.c.kind == "card",
            fund.c.kind == "dp_fund",
            t.value_date >= first,
            t.value_date <= last,
        )
        .subquery()
    )


class MonitoringRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def payments_onto_cards(self, council_id: str, since: date, until: date) -> dict[str, int]:
        """Per card: what the funds paid onto it from `since` to `until` (the payment runs' transfers)."""
        paid = card_payments(council_id, since, until)
        query = select(paid.c.card, func.sum(paid.c.amount_pence)).group_by(paid.c.card)
        return {ref: int(total) for ref, total in await self._session.execute(query)}

    async def first_payments(self, council_id: str) -> dict[str, date]:
        """Per card: the day of its first payment, which starts the arrangement's audit schedule."""
        t, card = ledger_transfers.c, ledger_accounts.alias("card")
        query = (
            select(card.c.reference, func.min(t.value_date))
            .join(card, card.c.account_id == t.credit_account_id)
            .where(t.council_id == council_id, t.phase.in_(_POSTED), card.c.kind == "card", t.kind == "payment")
            .group_by(card.c.reference)
        )
        return dict((await self._session.execute(query)).all())

    async def debits_by_day(self, council_id: str, kind: str, until: date) -> dict[str, list[tuple[date, int]]]:
        """Per account reference of `kind`: (value date, pence) of each posted debit up to `until`."""
        t, a = ledger_transfers.c, ledger_accounts.c
        query = (
            select(a.reference, t.value_date, t.amount_pence)
            .join(ledger_accounts, a.account_id == t.debit_account_id)
            .where(t.council_id == council_id, t.phase.in_(_POSTED), a.kind == kind, t.value_date <= until)
        )
        found: dict[str, list[tuple[date, int]]] = defaultdict(list)
        for ref, day, pence in await self._session.execute(query):
            found[ref].append((day, pence))
        return found

    async def recoveries(self, council_id: str, status: str | None = None) -> list[dict[str, Any]]:
        r = recoveries.c
        query = select(recoveries).where(r.council_id == council_id)
        if status is not None:
            query = query.where(r.status == status)
        return [dict(row._mapping) for row in await self._session.execute(query.order_by(r.raised_at, r.card_account))]

    async def recovery(self, council_id: str, recovery_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any] | None:
        query = select(recoveries).where(recoveries.c.council_id == council_id, recoveries.c.recovery_id == recovery_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return dict(row._mapping) if row else None

    async def decide(self, recovery_id: uuid.UUID, revision: int, values: dict[str, Any]) -> bool:
        """Write a decision if the recovery is still at `revision`; False if someone changed it first."""
        r = recoveries.c
        done = await self._session.execute(
            update(recoveries)
            .where(r.recovery_id == recovery_id, r.revision == revision)
            .values(**values, revision=revision + 1)
        )
        return done.rowcount == 1

    async def agreement_of_card(self, council_id: str, card_account: str) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(agreement id, person id) of the latest agreement paying onto this card account."""
        a = dp_agreements.c
        query = (
            select(a.agreement_id, a.person_id)
            .where(a.council_id == council_id, a.card_account_ref == card_account)
            .order_by(a.start_date.desc(), a.created_at.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).first()
        return (row.agreement_id, row.person_id) if row else None

    async def audits(self, council_id: str) -> dict[str, list[date]]:
        c = card_audits.c
        query = select(c.card_account, c.audited_on).where(c.council_id == council_id)
        found: dict[str, list[date]] = defaultdict(list)
        for ref, day in await self._session.execute(query):
            found[ref].append(day)
        return found
