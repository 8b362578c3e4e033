"""Reconciling a council's card accounts for a period (ledger.domain.reconciliation does the sums).

The period is in UK days: it starts at midnight UK time on its first day and ends at midnight after
its last, the same days the ledger dates card transactions by. Every card account is reconciled (or
those asked for); each result is kept, and reconciliation.completed says how many disagreed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ledger.adapters.reconciliation_repository import ReconciliationRepository
from ledger.domain.card_statement import CardTransactionType
from ledger.domain.reconciliation import LedgerLine, Reconciliation, reconcile
from ledger.service_layer.card_posting import UK
from pbshared.contract.events.ledger import ReconciliationCompleted
from pbshared.errors import RuleBroken
from pbshared.platform.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Reconciled:
    reconciliation_id: uuid.UUID
    period_from: date
    period_to: date
    results: list[Reconciliation]

    @property
    def with_differences(self) -> list[Reconciliation]:
        return [r for r in self.results if not r.agrees]


CHUNK = 1000


def uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UK)


async def reconcile_accounts(
    uow: UnitOfWork, council_id: str, first: date, last: date, by: str, card_accounts: list[str] | None = None
) -> Reconciled:
    if last < first:
        raise RuleBroken.about("period_to", "must not be before period_from")
    repo = ReconciliationRepository(uow.session)
    cards = await repo.cards(council_id, card_accounts)
    ordered = sorted(cards.items(), key=lambda item: item[1])
    reconciled = Reconciled(uuid.uuid4(), first, last, [])
    for at in range(0, len(ordered), CHUNK):  # a chunk of accounts at a time: memory stays flat
        done = await _reconcile_chunk(repo, council_id, dict(ordered[at : at + CHUNK]), first, last)
        await repo.store(council_id, reconciled.reconciliation_id, first, last, done, by)
        reconciled.results.extend(done)
    await uow.publish(
        ReconciliationCompleted(
            reconciliation_id=reconciled.reconciliation_id,
            period_start=first,
            period_end=last,
            accounts_checked=len(reconciled.results),
            accounts_with_differences=len(reconciled.with_differences),
            total_difference_pence=sum(abs(r.difference_pence) for r in reconciled.results),
        ),
        council_id=council_id,
        subject_id=str(reconciled.reconciliation_id),
    )
    return reconciled


async def _reconcile_chunk(
    repo: ReconciliationRepository, council_id: str, cards: dict[uuid.UUID, str], first: date, last: date
) -> list[Reconciliation]:
    start, end = uk_midnight(first), uk_midnight(last + timedelta(days=1))
    refs = list(cards.values())
    ledger_opening, ledger_lines = await repo.ledger_lines(council_id, cards, first, last)
    provider_lines, overspent = await repo.provider_lines(council_id, refs, start, end)
    provider_before = await repo.provider_balances_before(council_id, refs, start)
    results = []
    for card in refs:
        statement = provider_lines.get(card, [])
        if card in provider_before:
            provider_opening = provider_before[card]
        elif statement:
            provider_opening = statement[0].balance_pence - statement[0].amount_pence
        else:
            provider_opening = 0  # the provider has reported nothing for this card yet
        posted = [
            LedgerLine(line.transaction_id, line.card_effect_pence, line.transaction_id in overspent, line.ledger_only)
            for line in ledger_lines.get(card, [])
        ]
        # A transaction the ledger posted away from the card (a fee the council bears) is still
        # posted: it is in the ledger with no effect on the card, not missing from it.
        keys = {line.transaction_id for line in posted}
        posted += [
            LedgerLine(line.transaction_id, 0)
            for line in statement
            if line.type is not CardTransactionType.load and line.transaction_id not in keys
        ]
        results.append(
            reconcile(
                card,
                ledger_opening_pence=ledger_opening.get(card, 0),
                ledger_lines=posted,
                provider_opening_pence=provider_opening,
                provider_lines=statement,
            )
        )
    return results
