"""Posting a page of card transactions to the ledger at once: the same rules as one transfer at a
time (ledger.service_layer.postings.post), written set-wise so a statement of a million lines posts
in minutes, not hours.

For each page: the card accounts it touches are locked (in id order, as `post` locks them), the
transactions already imported are skipped (locked first, so a webhook delivering the same one at the
same moment waits and then finds it), each new one is categorised and flagged by the council's rules
and turned into movements with the card's balance carried along in memory, and then the transfers,
the accounts' counters and the card transactions are written in a few statements. Each transfer's
idempotency key is the provider's transaction id, so no transaction can be posted twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, update

from ledger.adapters.card_repository import IDENTITY, CardRepository
from ledger.adapters.ledger_repository import LedgerRepository
from ledger.adapters.tables import ledger_accounts, ledger_transfers
from ledger.domain.accounts import AccountKind
from ledger.domain.card_postings import Account, posting_for
from ledger.domain.card_statement import CardTransaction, CardTransactionType
from ledger.domain.spending_rules import KIND as RULES_KIND
from ledger.domain.spending_rules import CashAllowance, CashWithdrawal, FlagReason, SpendingRules, cash_over_allowance
from ledger.domain.transfers import Phase
from ledger.service_layer.postings import open_account
from ledger.service_layer.reference import policy_on
from pbshared.errors import Conflict, NotFound, RuleBroken
from pbshared.platform.refdata.lookup import effective_dataset
from pbshared.platform.unit_of_work import UnitOfWork

UK = ZoneInfo("Europe/London")
# The ledger's own account for an overspend the provider allowed (docs/ledger-card-files.md).
OVERSPEND = "overspend"
_KIND_OF_MOVEMENT = {
    CardTransactionType.purchase: "card_spending",
    CardTransactionType.cash_withdrawal: "card_spending",
    CardTransactionType.refund: "card_refund",
    CardTransactionType.contribution: "card_contribution",
}


def value_date(transaction: CardTransaction) -> date:
    """The legal day of a card transaction: its date in UK time (a purchase at 00:30 BST is that day)."""
    return transaction.occurred_at.astimezone(UK).date()


@dataclass
class PageTotals:
    received: int = 0
    new: int = 0
    flagged: int = 0
    overspent_pence: int = 0
    accounts: set[str] = field(default_factory=set)
    first_day: date | None = None
    last_day: date | None = None


class RulesByDay:
    """The council's spending rules and cash allowance in force on each day, read once per day a job meets."""

    def __init__(self) -> None:
        self._by_day: dict[date, SpendingRules] = {}
        self._cash: dict[date, CashAllowance] = {}

    async def on(self, uow: UnitOfWork, council_id: str, day: date) -> SpendingRules:
        if day not in self._by_day:
            dataset = await effective_dataset(uow.session, council_id, RULES_KIND, day)
            if dataset is None:
                raise RuleBroken.about(
                    "card_spending_rules", "no card spending rules are in force for a transaction's day: load them"
                )
            self._by_day[day] = SpendingRules.model_validate(dataset.payload)
        return self._by_day[day]

    async def cash_allowance(self, uow: UnitOfWork, council_id: str, day: date) -> CashAllowance:
        if day not in self._cash:
            policy = await policy_on(uow.session, council_id, day)
            self._cash[day] = CashAllowance.from_weekly(policy.cash_allowance_weekly_pence)
        return self._cash[day]


async def post_page(
    uow: UnitOfWork,
    council_id: str,
    transactions: Sequence[CardTransaction],
    source: str,
    rules: RulesByDay,
) -> PageTotals:
    """Post the transactions not imported before; a repeated one changes nothing, a changed one is refused."""
    totals = PageTotals(received=len(transactions))
    if not transactions:
        return totals
    ledger, cards = LedgerRepository(uow.session), CardRepository(uow.session)
    card_ids = await cards.card_account_ids(council_id, {t.card_account for t in transactions})
    if len(card_ids) < len({t.card_account for t in transactions}):
        raise NotFound.about("card_account", "not a card account of this council")
    locked = await ledger.lock_accounts(council_id, card_ids.values())
    already = await cards.imported(council_id, (t.transaction_id for t in transactions))
    fresh: list[CardTransaction] = []
    seen: set[str] = set()
    for transaction in transactions:
        if transaction.transaction_id in already:
            _refuse_if_changed(already[transaction.transaction_id], transaction)
        elif transaction.transaction_id not in seen:
            seen.add(transaction.transaction_id)
            fresh.append(transaction)
    if not fresh:
        return totals
    fresh.sort(key=lambda t: (t.occurred_at, t.transaction_id))

    available = {
        ref: locked[card_ids[ref]].counters.credits_posted
        - locked[card_ids[ref]].counters.debits_posted
        - locked[card_ids[ref]].counters.debits_pending
        for ref in card_ids
    }
    accounts = _Accounts(uow, council_id, card_ids)
    deltas: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])  # account -> [debits, credits]
    transfers: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for transaction in fresh:
        day = value_date(transaction)
        day_rules = await rules.on(uow, council_id, day)
        category = day_rules.category_of(transaction)
        posting = posting_for(transaction, category, available[transaction.card_account])
        available[transaction.card_account] += posting.card_effect_pence
        for n, movement in enumerate(posting.movements):
            debit, credit = await accounts.id(movement.source), await accounts.id(movement.destination)
            deltas[debit][0] += movement.pence
            deltas[credit][1] += movement.pence
            overspend = movement.source[0] is Account.overspend
            transfers.append(
                {
                    "transfer_id": uuid.uuid4(),
                    "council_id": council_id,
                    "idempotency_key": f"card:{transaction.transaction_id}:{n}",
                    "debit_account_id": debit,
                    "credit_account_id": credit,
                    "amount_pence": movement.pence,
                    "value_date": day,
                    "phase": Phase.posted.value,
                    "pending_id": None,
                    "reverses_id": None,
                    "kind": "card_overspend" if overspend else _KIND_OF_MOVEMENT[transaction.type],
                    "description": f"card {transaction.type.value}"[:200],
                    "reference": transaction.transaction_id,
                    "created_at": now,
                }
            )
        flag = None
        if day_rules.not_allowed(category):
            flag = FlagReason.not_allowed.value
        elif posting.overspend_pence:
            flag = FlagReason.overspend.value
        rows.append(
            {
                "council_id": council_id,
                **{name: getattr(transaction, name) for name in ("transaction_id", *IDENTITY) if name != "type"},
                "type": transaction.type.value,
                "category": category,
                "flag": flag,
                "card_effect_pence": posting.card_effect_pence,
                "overspend_pence": posting.overspend_pence,
                "source": source,
                "imported_at": now,
            }
        )
        totals.overspent_pence += posting.overspend_pence
        totals.first_day = min(day, totals.first_day or day)
        totals.last_day = max(day, totals.last_day or day)
    await _flag_cash(uow, cards, council_id, fresh, rows, rules)

    await cards.copy(ledger_transfers, transfers)
    if deltas:  # a page of loads and fees moves nothing
        a = ledger_accounts.c
        await uow.session.execute(
            update(ledger_accounts)
            .where(a.account_id == bindparam("id"))
            .values(debits_posted=a.debits_posted + bindparam("d"), credits_posted=a.credits_posted + bindparam("c")),
            [{"id": account, "d": d, "c": c} for account, (d, c) in deltas.items()],
            execution_options={"synchronize_session": False},
        )
    await cards.add_transactions(rows)
    totals.new = len(rows)
    totals.flagged = sum(1 for row in rows if row["flag"])
    totals.accounts = {t.card_account for t in fresh}
    return totals


def _refuse_if_changed(imported: CardTransaction, delivered: CardTransaction) -> None:
    if imported != delivered:
        raise Conflict.about(
            "transaction_id", "already imported with other fields: a provider's transaction never changes"
        )


class _Accounts:
    """The ledger accounts a page's movements name, opened the first time one is needed."""

    def __init__(self, uow: UnitOfWork, council_id: str, cards: dict[str, uuid.UUID]):
        self._uow, self._council_id = uow, council_id
        self._ids: dict[tuple[AccountKind, str | None], uuid.UUID] = {
            (AccountKind.card, ref): account_id for ref, account_id in cards.items()
        }

    async def id(self, which: tuple[Account, str | None]) -> uuid.UUID:
        kind, key = _ledger_account(which)
        if (kind, key) not in self._ids:
            account = await open_account(self._uow, self._council_id, kind, key)
            self._ids[(kind, key)] = account.account_id
        return self._ids[(kind, key)]


def _ledger_account(which: tuple[Account, str | None]) -> tuple[AccountKind, str | None]:
    account, key = which
    return {
        Account.card: (AccountKind.card, key),
        Account.spending: (AccountKind.spending, key),
        Account.contributions_received: (AccountKind.contributions_received, key),
        Account.overspend: (AccountKind.suspense, OVERSPEND),
    }[account]


async def _flag_cash(
    uow: UnitOfWork,
    cards: CardRepository,
    council_id: str,
    fresh: list[CardTransaction],
    rows: list[dict[str, Any]],
    rules: RulesByDay,
) -> None:
    """Flag cash that takes an account over the council's allowance in its rolling period."""
    cash = [t for t in fresh if t.type is CardTransactionType.cash_withdrawal]
    if not cash:
        return
    allowance = await rules.cash_allowance(uow, council_id, value_date(cash[0]))
    since = min(t.occurred_at for t in cash) - timedelta(days=allowance.period_days)
    earlier = await cards.cash_withdrawals(council_id, {t.card_account for t in cash}, since)
    by_account: dict[str, list[CashWithdrawal]] = defaultdict(list)
    for account, transaction_id, when, pence in earlier:
        by_account[account].append(CashWithdrawal(transaction_id, when, pence))
    for t in cash:
        by_account[t.card_account].append(CashWithdrawal(t.transaction_id, t.occurred_at, -t.amount_pence))
    over = set().union(*(cash_over_allowance(w, allowance) for w in by_account.values()))
    for row in rows:
        if row["transaction_id"] in over and row["flag"] is None:
            row["flag"] = FlagReason.cash_over_allowance.value
