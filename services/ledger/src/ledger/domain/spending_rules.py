"""The council's rules for card spending (reference kind `card_spending_rules`): which category a
transaction falls in, which categories are not allowed, and the cash allowance.

Rules are council data, edited by the council (docs/domain/direct-payments.md, "Categorising
spending"). A payee rule (the council knows its personal assistants and agencies by name) wins over
a merchant category code range; what neither matches is `uncategorised`. A category the council does
not allow is flagged for follow-up, never refused: the money is already spent. Cash is allowed up to
the allowance in the council's direct payment policy, over a rolling period, not banned (statutory
guidance ch. 12 warns against blanket bans).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from ledger.domain.card_statement import CardTransaction, CardTransactionType

KIND = "card_spending_rules"
UNCATEGORISED = "uncategorised"
CASH = "cash"

CategoryId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_]*$")]


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Rules):
    id: CategoryId
    title: str = Field(min_length=1, max_length=200)
    allowed: bool = Field(description="False: spending in it is flagged for follow-up (e.g. gambling, alcohol).")


class MerchantCodeRule(_Rules):
    first: int = Field(ge=0, le=9999, description="First merchant category code (ISO 18245) of the range.")
    last: int = Field(ge=0, le=9999, description="Last code of the range, inclusive.")
    category: CategoryId


class PayeeRule(_Rules):
    name_contains: str = Field(min_length=2, max_length=200, description="Matched case-insensitively.")
    category: CategoryId


class CashAllowance(_Rules):
    amount_pence: int = Field(ge=0, description="Cash a person may withdraw in the period without a flag.")
    period_days: int = Field(ge=1, le=366, description="The rolling period the allowance covers.")

    @classmethod
    def from_weekly(cls, weekly_pence: int) -> CashAllowance:
        """A weekly allowance judged over four weeks: cash for a fortnight's bills taken at once is no misuse."""
        return cls(amount_pence=4 * weekly_pence, period_days=28)


class SpendingRules(_Rules):
    """The payload of a `card_spending_rules` dataset."""

    categories: list[Category] = Field(min_length=1)
    merchant_codes: list[MerchantCodeRule] = Field(default_factory=list)
    payees: list[PayeeRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        ids = [c.id for c in self.categories]
        problems += [(("categories", i, "id"), "duplicate category") for i, c in enumerate(ids) if c in ids[:i]]
        problems += [
            (("categories", i, "id"), "reserved: uncategorised and cash are built in")
            for i, c in enumerate(ids)
            if c in (UNCATEGORISED, CASH)
        ]
        known = set(ids)
        for i, rule in enumerate(self.merchant_codes):
            if rule.category not in known:
                problems.append((("merchant_codes", i, "category"), "not a category of this dataset"))
            if rule.last < rule.first:
                problems.append((("merchant_codes", i, "last"), "must not be before first"))
            for j, other in enumerate(self.merchant_codes[:i]):
                if rule.first <= other.last and other.first <= rule.last:
                    problems.append((("merchant_codes", i), f"overlaps the range at merchant_codes.{j}"))
        problems += [
            (("payees", i, "category"), "not a category of this dataset")
            for i, rule in enumerate(self.payees)
            if rule.category not in known
        ]
        if problems:
            details = [
                InitErrorDetails(type=PydanticCustomError("reference_rule", message), loc=loc, input=None)
                for loc, message in problems
            ]
            raise ValidationError.from_exception_data("SpendingRules", details)
        return self

    def category_of(self, transaction: CardTransaction) -> str | None:
        """The spending category of a purchase or refund (None for money that is not spending)."""
        if transaction.type is CardTransactionType.cash_withdrawal:
            return CASH
        if transaction.type not in (CardTransactionType.purchase, CardTransactionType.refund):
            return None
        name = (transaction.merchant_name or "").casefold()
        for payee in self.payees:
            if payee.name_contains.casefold() in name:
                return payee.category
        code = transaction.merchant_category_code
        if code is not None:
            for rule in self.merchant_codes:
                if rule.first <= code <= rule.last:
                    return rule.category
        return UNCATEGORISED

    def not_allowed(self, category: str | None) -> bool:
        return any(c.id == category and not c.allowed for c in self.categories)


class FlagReason(StrEnum):
    not_allowed = "not_allowed"  # a category the council's rules do not allow
    cash_over_allowance = "cash_over_allowance"
    overspend = "overspend"  # the provider let the account go below zero


@dataclass(frozen=True)
class CashWithdrawal:
    transaction_id: str
    occurred_at: datetime
    pence: int  # withdrawn, positive


def cash_over_allowance(withdrawals: Iterable[CashWithdrawal], allowance: CashAllowance) -> set[str]:
    """The withdrawals that take an account's cash in any rolling period over the allowance.

    Each withdrawal is judged with what was taken in the `period_days` up to and including it, so
    a flag never depends on later spending."""
    ordered = sorted(withdrawals, key=lambda w: (w.occurred_at, w.transaction_id))
    period = timedelta(days=allowance.period_days)
    flagged: set[str] = set()
    window: list[CashWithdrawal] = []
    total = 0
    for withdrawal in ordered:
        window.append(withdrawal)
        total += withdrawal.pence
        while window and window[0].occurred_at <= withdrawal.occurred_at - period:
            total -= window.pop(0).pence
        if total > allowance.amount_pence:
            flagged.add(withdrawal.transaction_id)
    return flagged


def rules_from(payload: dict[str, Any]) -> SpendingRules:
    return SpendingRules.model_validate(payload)
