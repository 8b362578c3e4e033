"""How a card transaction moves money between ledger accounts (docs/ledger-card-files.md, "How each
transaction is posted").

The ledger never drives a card account below zero: when the provider let a purchase through beyond
what the card holds in the ledger, the card pays what it holds and the rest comes from the overspend
suspense account, flagged for finance to follow up (recover it or top the card up). A load is the
council's payment, which the payment run already posted: it moves nothing here and is matched to
that payment when the account is reconciled. A fee moves nothing either: the payment run posts the
card scheme's fees from the council's fee schedule (the contract), to the fee account and from
whoever the policy says bears them; the provider's fee line is kept, and reconciliation names the
fee the provider took from the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.domain.card_statement import CardTransaction, CardTransactionType


class Account(StrEnum):
    """The kinds of ledger account a card transaction touches; the key says which one."""

    card = "card"  # key: the card account reference
    spending = "spending"  # key: the spending category
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


def posting_for(transaction: CardTransaction, category: str | None, card_balance_pence: int) -> Posting:
    """The movements for one transaction, given what the card account holds in the ledger before it."""
    card = (Account.card, transaction.card_account)
    amount = abs(transaction.amount_pence)
    kind = transaction.type
    if kind in (CardTransactionType.load, CardTransactionType.fee):
        return Posting([], 0, 0)
    if kind is CardTransactionType.contribution:
        return Posting([Movement((Account.contributions_received, transaction.card_account), card, amount)], amount, 0)
    if kind is CardTransactionType.refund:
        return Posting([Movement((Account.spending, category), card, amount)], amount, 0)
    destination = (Account.spending, category)
    from_card = min(amount, max(card_balance_pence, 0))
    overspend = amount - from_card
    movements = []
    if from_card:
        movements.append(Movement(card, destination, from_card))
    if overspend:
        movements.append(Movement((Account.overspend, None), destination, overspend))
    return Posting(movements, -from_card, overspend)
