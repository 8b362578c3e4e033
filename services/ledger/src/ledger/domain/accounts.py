"""Ledger accounts: what money is held where, and the counters that make a balance.

The model is TigerBeetle's (docs/domain/direct-payments.md, "The ledger"): an account keeps four
running counters, posted and pending, debits and credits. Every account is read credit-normal: its
balance is credits less debits, so money loaded onto a card (a credit to the card account) is a
positive balance there and a negative one on the fund it came from. Across all accounts the balances
sum to zero, always: that is the trial balance.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class AccountKind(StrEnum):
    """What an account is for. Its code is `kind` or `kind:reference` (unique within a council)."""

    # The money a funder puts into direct payments; reference: the funder (council, nhs).
    dp_fund = "dp_fund"
    # A person's prepaid card account; reference: the card provider's account reference.
    card = "card"
    # Contributions the person owes towards their direct payment; reference: the card account reference.
    contributions_due = "contributions_due"
    # Contributions paid in (onto the card, or to the council); reference: the card account reference.
    contributions_received = "contributions_received"
    # Money the council has decided to take back from a card account; reference: the card account reference.
    recoveries_due = "recoveries_due"
    # The card scheme's fees; reference: the funder that bears them (council unless policy says otherwise).
    card_fees = "card_fees"
    # What the money was spent on; reference: the council's spending category (e.g. personal_assistant).
    spending = "spending"
    # Money not yet explained (an unmatched statement line, an overspend the provider allowed).
    suspense = "suspense"


# Accounts the ledger itself never drives below zero: a card account holds real money on a card.
NEVER_BELOW_ZERO = frozenset({AccountKind.card})


def account_code(kind: AccountKind, reference: str | None) -> str:
    return f"{kind.value}:{reference}" if reference else kind.value


@dataclass(frozen=True)
class Counters:
    """The four running totals of an account, in pence; each only ever grows or, for pending, is released."""

    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    @property
    def balance_pence(self) -> int:
        """Posted credits less posted debits (credit-normal)."""
        return self.credits_posted - self.debits_posted

    @property
    def available_pence(self) -> int:
        """What is left once pending debits settle: what a never-below-zero account may still pay out."""
        return self.credits_posted - self.debits_posted - self.debits_pending


@dataclass(frozen=True)
class Account:
    account_id: uuid.UUID
    council_id: str
    code: str
    kind: AccountKind
    reference: str | None
    name: str
    never_below_zero: bool
    counters: Counters = Counters()


@dataclass(frozen=True)
class LockedAccount:
    """What a posting reads of an account it has locked: whether it may go below zero, and its counters."""

    never_below_zero: bool
    counters: Counters


@dataclass(frozen=True)
class Balance:
    """An account's balance on a date: posted (credits less debits) and what is pending either way."""

    account_id: uuid.UUID
    code: str
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int

    @property
    def balance_pence(self) -> int:
        return self.credits_posted - self.debits_posted


@dataclass(frozen=True)
class TrialBalance:
    """Every account's posted balance on a date; the balances sum to zero in a sound ledger."""

    lines: tuple[Balance, ...]

    @property
    def total_debits(self) -> int:
        return sum(line.debits_posted for line in self.lines)

    @property
    def total_credits(self) -> int:
        return sum(line.credits_posted for line in self.lines)

    @property
    def sum_of_balances(self) -> int:
        return sum(line.balance_pence for line in self.lines)

    @property
    def balanced(self) -> bool:
        return self.sum_of_balances == 0
