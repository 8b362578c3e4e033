"""How a card transaction moves money between ledger accounts (docs/ledger-card-files.md, "How each
transaction is posted").

The ledger never drives a card account below zero: when the provider let a purchase through beyond
what the card holds in the ledger, the card pays what it holds and the rest comes from the overspend
suspense account, flagged for finance to follow up (recover it or top the card up). A load is the
council's payment, which the payment run already posted: it moves nothing here and is matched to
that payment when the account is reconciled. A fee line moves nothing either: the ledger charges
the card scheme's fees from the council's fee schedule (the contract), not from the provider's
lines: per load and per month in the payment run, per purchase, payment and cash withdrawal with
the transaction (`card_fee`), to the fee account and from whoever the policy says bears them; the
provider's fee line is kept, and reconciliation names the fee the provider took from the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.domain.card_statement import CardTransaction, CardTransactionType
from ledger.domain.reference import CardFeeSchedule


class Account(StrEnum):
    """The kinds of ledger account a card transaction touches; the key says which one."""

    card = "card"  # key: the card account reference
    spending = "spending"  # key: the spending category
    contributions_received = "contributions_received"
    overspend = "overspend"  # suspense: spent beyond the card's balance
    fees = "fees"  # key: who bears the card scheme's fees, "council" or "budget"
    fund = "fund"  # the council's direct payment fund


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


@dataclass(frozen=True)
class Fee:
    movement: Movement
    what: str
    card_effect_pence: int  # taken off the card account (0 when the council's fund pays)


def card_fee(
    transaction: CardTransaction, schedule: CardFeeSchedule | None, from_budget: bool, card_balance_pence: int
) -> Fee | None:
    """The card scheme's fee for one transaction by the council's fee schedule, if it charges one.

    A purchase with a merchant category code went through the card scheme at a point of sale (the
    per card purchase fee); one without is a payment the provider sent (BACS, standing order or
    direct debit to a personal assistant or an agency: the per payment fee); a cash withdrawal has
    its own fee. The fee goes to the fee account of whoever bears it: the council's fund pays,
    unless the council's policy takes fees from the budget, when the card pays; a card that cannot
    cover the whole fee is never driven below zero by it: the fund pays that one (to the council's fee
    account, as it bore it)."""
    if schedule is None:
        return None
    if transaction.type is CardTransactionType.cash_withdrawal:
        pence, what = schedule.per_cash_withdrawal_pence, "card fee per cash withdrawal"
    elif transaction.type is CardTransactionType.purchase and transaction.merchant_category_code is not None:
        pence, what = schedule.per_card_purchase_pence, "card fee per card purchase"
    elif transaction.type is CardTransactionType.purchase:
        pence, what = schedule.per_payment_pence, "card fee per payment"
    else:
        return None
    if not pence:
        return None
    if from_budget and card_balance_pence >= pence:
        card = (Account.card, transaction.card_account)
        return Fee(Movement(card, (Account.fees, "budget"), pence), what, -pence)
    return Fee(Movement((Account.fund, None), (Account.fees, "council"), pence), what, 0)
