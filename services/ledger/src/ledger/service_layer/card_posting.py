"""Posting a page of card transactions to the ledger at once: the same rules as one transfer at a
time (ledger.service_layer.postings.post), written set-wise so a statement of a million lines posts
in minutes, not hours.

For each page: the card accounts it touches are locked (first, in the one order every posting takes), the
transactions already imported are skipped (locked first, so a webhook delivering the same one at the
same moment waits and then finds it), each new one is categorised and flagged by the council's rules
and turned into movements with the card's balance carried along in memory, and then the transfers,
the accounts' counters and the card transactions are written in a few statements. Each transfer's
idempotency key is the provider's transaction id, so no transaction can be posted twice.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ledger.adapters.card_repository import CardRepository, recorded
from ledger.adapters.ledger_repository import LedgerRepository
from ledger.adapters.tables import ledger_transfers
from ledger.domain.accounts import AccountKind, account_code
from ledger.domain.card_postings import Account, Movement, card_fee, posting_for
from ledger.domain.card_statement import CardTransaction, CardTransactionType
from ledger.domain.reference import CardFeeSchedule
from ledger.domain.spending_rules import KIND as RULES_KIND
from ledger.domain.spending_rules import CashAllowance, CashWithdrawal, FlagReason, SpendingRules, cash_over_allowance
from ledger.domain.transfers import Phase
from ledger.service_layer.postings import open_accounts
from ledger.service_layer.reference import card_fees_on, policy_on
from pbshared.errors import Conflict, NotFound, RuleBroken
from pbshared.platform.refdata.lookup import effective_dataset
from pbshared.platform.unit_of_work import UnitOfWork

UK = ZoneInfo("Europe/London")
# The ledger's own account for an overspend the provider allowed (docs/ledger-card-files.md).
OVERSPEND = "overspend"
# ledger_transfers' columns in the order post_page writes them (the rest keep their defaults: NULL).
_TRANSFER_COLUMNS = ("transfer_id", "council_id", "idempotency_key", "debit_account_id", "credit_account_id")
_TRANSFER_COLUMNS += ("amount_pence", "value_date", "phase", "kind", "description", "reference", "created_at")
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
    """The council's spending rules, cash allowance and card fees in force on each day, read once per
    day a job meets."""

    def __init__(self) -> None:
        self._by_day: dict[date, SpendingRules] = {}
        self._cash: dict[date, CashAllowance] = {}
        self._fees: dict[date, tuple[CardFeeSchedule | None, bool]] = {}

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

    async def fees_on(self, uow: UnitOfWork, council_id: str, day: date) -> tuple[CardFeeSchedule | None, bool]:
        """The card fee schedule (None: the council has not loaded one) and whether fees come off the card."""
        if day not in self._fees:
            policy = await policy_on(uow.session, council_id, day)
            self._fees[day] = (await card_fees_on(uow.session, council_id, day), policy.card_fees_from_budget)
        return self._fees[day]


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
    days = [value_date(t) for t in fresh]
    rules_of = [await rules.on(uow, council_id, day) for day in days]
    categories = [r.category_of(t) for r, t in zip(rules_of, fresh, strict=True)]
    postings, fees = [], []
    for transaction, category, day in zip(fresh, categories, days, strict=True):
        posting = posting_for(transaction, category, available[transaction.card_account])
        available[transaction.card_account] += posting.card_effect_pence
        postings.append(posting)
        schedule, from_budget = await rules.fees_on(uow, council_id, day)
        fee = card_fee(transaction, schedule, from_budget, available[transaction.card_account])
        if fee is not None:
            available[transaction.card_account] += fee.card_effect_pence
        fees.append(fee)
    # Every account the page moves money through, found or opened in two statements (not a round
    # trip or three for each contribution's account the first time a card pays one in).
    movements = [m for p in postings for m in p.movements] + [f.movement for f in fees if f is not None]
    accounts = await _account_ids(uow, council_id, card_ids, movements)
    refused = {id(r): {c.id for c in r.categories if not c.allowed} for r in rules_of}
    deltas: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])  # account -> [debits, credits]
    transfers: list[tuple] = []
    flags: list[str | None] = []
    now = datetime.now(UTC)
    posted = Phase.posted.value
    transfer_ids = _random_ids()
    for transaction, day, day_rules, category, posting, fee in zip(
        fresh, days, rules_of, categories, postings, fees, strict=True
    ):
        kind = _KIND_OF_MOVEMENT.get(transaction.type)
        description = f"card {transaction.type.value}"
        moves = [
            (f"card:{transaction.transaction_id}:{n}", m, kind, description) for n, m in enumerate(posting.movements)
        ]
        if fee is not None:
            # Kind "fee", as the payment run's fees: the ledger's own posting, not the provider's line.
            moves.append((f"card:{transaction.transaction_id}:fee", fee.movement, "fee", fee.what))
        for key, movement, what_kind, what in moves:
            debit, credit = accounts[movement.source], accounts[movement.destination]
            deltas[debit][0] += movement.pence
            deltas[credit][1] += movement.pence
            overspend = movement.source[0] is Account.overspend
            transfers.append(
                (
                    next(transfer_ids),
                    council_id,
                    key,
                    debit,
                    credit,
                    movement.pence,
                    day,
                    posted,
                    "card_overspend" if overspend else what_kind,
                    what,
                    transaction.transaction_id,
                    now,
                )
            )
        flag = None
        if category in refused[id(day_rules)]:
            flag = FlagReason.not_allowed.value
        elif posting.overspend_pence:
            flag = FlagReason.overspend.value
        flags.append(flag)
        totals.overspent_pence += posting.overspend_pence
        totals.first_day = min(day, totals.first_day or day)
        totals.last_day = max(day, totals.last_day or day)
    await _flag_cash(uow, cards, council_id, fresh, flags, rules)

    # The counters first: their locks, taken in id order, come before the transfers' foreign keys.
    await ledger.add_to_posted(deltas)
    await cards.copy_records(ledger_transfers, _TRANSFER_COLUMNS, transfers)
    await cards.add_transactions(
        recorded(council_id, t, category, flag, p.card_effect_pence, p.overspend_pence, source, now)
        for t, category, flag, p in zip(fresh, categories, flags, postings, strict=True)
    )
    totals.new = len(fresh)
    totals.flagged = sum(1 for flag in flags if flag)
    totals.accounts = {t.card_account for t in fresh}
    return totals


def _random_ids(batch: int = 4096) -> Iterator[uuid.UUID]:
    """Version 4 UUIDs as uuid4() makes them, the random bytes read from the OS a batch at a time: a
    million-line statement makes nearly two million transfers, and a system call for each cost seconds."""
    while True:
        block = os.urandom(16 * batch)
        for start in range(0, len(block), 16):
            yield uuid.UUID(bytes=block[start : start + 16], version=4)


def _refuse_if_changed(imported: CardTransaction, delivered: CardTransaction) -> None:
    if imported != delivered:
        raise Conflict.about(
            "transaction_id", "already imported with other fields: a provider's transaction never changes"
        )


async def _account_ids(
    uow: UnitOfWork, council_id: str, cards: dict[str, uuid.UUID], movements: Sequence[Movement]
) -> dict[tuple[Account, str | None], uuid.UUID]:
    """The ledger account of each side of the movements, opened where it is new."""
    ids = {(Account.card, ref): account_id for ref, account_id in cards.items()}
    # Opened in the order of their codes: two pages opening the same new accounts at once then
    # queue on the first of them instead of each holding one the other waits for.
    named = sorted(
        {side for m in movements for side in (m.source, m.destination)} - ids.keys(),
        key=lambda which: account_code(*_ledger_account(which)),
    )
    opened = await open_accounts(uow, council_id, (_ledger_account(which) for which in named))
    return ids | {which: opened[_ledger_account(which)].account_id for which in named}


def _ledger_account(which: tuple[Account, str | None]) -> tuple[AccountKind, str | None]:
    account, key = which
    return {
        Account.card: (AccountKind.card, key),
        Account.spending: (AccountKind.spending, key),
        Account.contributions_received: (AccountKind.contributions_received, key),
        Account.overspend: (AccountKind.suspense, OVERSPEND),
        Account.fees: (AccountKind.card_fees, key),
        Account.fund: (AccountKind.dp_fund, "council"),
    }[account]


async def _flag_cash(
    uow: UnitOfWork,
    cards: CardRepository,
    council_id: str,
    fresh: list[CardTransaction],
    flags: list[str | None],
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
    for n, transaction in enumerate(fresh):
        if transaction.transaction_id in over and flags[n] is None:
            flags[n] = FlagReason.cash_over_allowance.value
