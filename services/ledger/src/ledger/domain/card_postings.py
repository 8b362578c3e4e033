"""How a card transaction moves money between ledger accounts (docs/ledger-card-files.md, "How each
transaction is posted").

The ledger never drives a card account below zero: when the provider let a purchase through beyond
what the card holds in the ledger, the card pays what it holds and the rest comes from the overspend
suspense account, flagged for finance to follow up (recover it or top the card up). A load is the
council's payment, which the payment run already posted: it moves nothing here and is matched to
that payment when the account is reconciled.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.domain.card_statement import CardTransaction, CardTransactionType


class Account(StrEnum):
    """The kinds of ledger account a card transaction touches; the key says which one."""

    card = "card"  # key: the card account reference
    spending = "spending"  # key: the spending category
    card_fees = "card_fees"
    fund = "fund"  # the direct payment fund of the account's funder
    contributions_received = "contributions_received"
    overspend = "overspend"  # suspense: spent beyond the card's balance


@dataclass(frozen=True)
class Movement:
    source: tuple[Account, str | None]
    destination: tuple[Account, str | None]
    pence: int  # > 0


@dataclass(frozen=True)
class Posting:
    movements: list[Movement]
    card_effect_pence: int  # the change to the card account's ledger balance
    overspend_pence: int


def posting_for(
    transaction: CardTransaction, category: str | None, card_balance_pence: int, *, fees_from_budget: bool
) -> Posting:
    """The movements for one transaction, given what the card account holds in the ledger before it."""
    card = (Account.card, transaction.card_account)
    amount = abs(transaction.amount_pence)
    kind = transaction.type
    if kind is CardTransactionType.load:
        return Posting([], 0, 0)
    if kind is CardTransactionType.contribution:
        return Posting([Movement((Account.contributions_received, transaction.card_account), card, amount)], amount, 0)
    if kind is CardTransactionType.refund:
        return Posting([Movement((Account.spending, category), card, amount)], amount, 0)
    if kind is CardTransactionType.fee and not fees_from_budget:
        # The council bears card fees (its policy unless it says otherwise): the card account in the
        # ledger keeps the money, and reconciliation names the fee the provider took from the card.
        return Posting([Movement((Account.fund, None), (Account.card_fees, None), amount)], 0, 0)
    destination = (Account.card_fees, None) if kind is CardTransactionType.fee else (Account.spending, category)
    from_card = min(amount, max(card_balance_pence, 0))
    overspend = amount - from_card
    movements = []
    if from_card:
        movements.append(Movement(card, destination, from_card))
    if overspend:
        movements.append(Movement((Account.overspend, None), destination, overspend))
    return Posting(movements, -from_card, overspend)
