"""Reconciling a card account for a period: the provider's reported balance against the ledger's,
with the difference explained to the penny by the transactions behind it.

Finance teams do this by hand today: put the statement beside the ledger, tick what agrees and
account for the rest. Here each card transaction on either side is matched by the provider's
transaction id; what does not agree becomes a line of the explanation, with its effect on the
difference (provider minus ledger). The lines plus the difference carried in from before the period
add up to the difference at its end; anything left over is `unexplained`, never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from ledger.domain.card_statement import CardTransactionType


class Explanation(StrEnum):
    carried_in = "carried_in"  # the difference at the start of the period
    missing_in_ledger = "missing_in_ledger"  # on the statement, not posted
    missing_at_provider = "missing_at_provider"  # posted (e.g. a load), not on the statement yet
    amount_differs = "amount_differs"
    fee_taken_by_provider = "fee_taken_by_provider"  # taken from the card; the ledger charged the fee account
    overspend_allowed = "overspend_allowed"  # the provider let the card go below zero; the ledger held it at zero
    provider_balance_break = "provider_balance_break"  # the provider's own running balance does not follow its amounts
    unexplained = "unexplained"


@dataclass(frozen=True)
class ProviderLine:
    """A statement line for the account, in the provider's order."""

    transaction_id: str
    type: CardTransactionType
    amount_pence: int
    balance_pence: int  # reported after the transaction


@dataclass(frozen=True)
class LedgerLine:
    """What the ledger posted to the card account for one transaction (0 if it posted elsewhere)."""

    transaction_id: str
    card_effect_pence: int
    overspend: bool = False  # part of a purchase was posted to suspense, not the card account
    # A posting of the ledger's own (a payment onto the card), keyed by the ledger's reference: the
    # provider's load of the same amount is the same money under the provider's id.
    ledger_only: bool = False


@dataclass(frozen=True)
class DifferenceLine:
    explanation: Explanation
    pence: int  # effect on (provider - ledger)
    transaction_id: str | None = None


@dataclass(frozen=True)
class Reconciliation:
    card_account: str
    ledger_opening_pence: int
    ledger_closing_pence: int
    provider_opening_pence: int
    provider_closing_pence: int
    lines: list[DifferenceLine] = field(default_factory=list)

    @property
    def difference_pence(self) -> int:
        return self.provider_closing_pence - self.ledger_closing_pence

    @property
    def agrees(self) -> bool:
        return self.difference_pence == 0

    @property
    def explained(self) -> bool:
        return not any(line.explanation is Explanation.unexplained for line in self.lines)


def reconcile(
    card_account: str,
    *,
    ledger_opening_pence: int,
    ledger_lines: Iterable[LedgerLine],
    provider_opening_pence: int,
    provider_lines: Iterable[ProviderLine],
) -> Reconciliation:
    """Reconcile one account for one period.

    `provider_opening_pence` is the balance the provider reported at the end of the previous period
    (the first line's balance less its amount when there was none); `ledger_lines` are every posting
    to the card account in the period, keyed by the provider's transaction id or, for a posting the
    provider has not seen yet (a load), by the ledger's own reference."""
    ledger = {line.transaction_id: line for line in ledger_lines}
    lines: list[DifferenceLine] = []
    if provider_opening_pence != ledger_opening_pence:
        lines.append(DifferenceLine(Explanation.carried_in, provider_opening_pence - ledger_opening_pence))

    provider_balance = provider_opening_pence
    matched: set[str] = set()
    for line in provider_lines:
        if line.balance_pence != provider_balance + line.amount_pence:
            # The statement itself does not add up: its closing balance is what finance sees, so the
            # break is part of the difference and is named where it happened.
            lines.append(
                DifferenceLine(
                    Explanation.provider_balance_break,
                    line.balance_pence - (provider_balance + line.amount_pence),
                    line.transaction_id,
                )
            )
        provider_balance = line.balance_pence
        posted = ledger.get(line.transaction_id)
        if posted is None and line.type is CardTransactionType.load:
            posted = _payment_loaded(ledger.values(), matched, line.amount_pence)
        if posted is None:
            lines.append(DifferenceLine(Explanation.missing_in_ledger, line.amount_pence, line.transaction_id))
            continue
        matched.add(posted.transaction_id)
        gap = line.amount_pence - posted.card_effect_pence
        if gap == 0:
            continue
        if posted.overspend:
            kind = Explanation.overspend_allowed
        elif line.type is CardTransactionType.fee and posted.card_effect_pence == 0:
            kind = Explanation.fee_taken_by_provider
        else:
            kind = Explanation.amount_differs
        lines.append(DifferenceLine(kind, gap, line.transaction_id))

    ledger_closing = ledger_opening_pence
    for posted in ledger.values():
        ledger_closing += posted.card_effect_pence
        if posted.transaction_id not in matched and posted.card_effect_pence:
            lines.append(
                DifferenceLine(Explanation.missing_at_provider, -posted.card_effect_pence, posted.transaction_id)
            )

    result = Reconciliation(
        card_account=card_account,
        ledger_opening_pence=ledger_opening_pence,
        ledger_closing_pence=ledger_closing,
        provider_opening_pence=provider_opening_pence,
        provider_closing_pence=provider_balance,
        lines=lines,
    )
    rest = result.difference_pence - sum(line.pence for line in lines)
    if rest:
        lines.append(DifferenceLine(Explanation.unexplained, rest))
    return result


def _payment_loaded(ledger: Iterable[LedgerLine], matched: set[str], pence: int) -> LedgerLine | None:
    """The first payment of the ledger's own, not yet matched, that loaded this amount."""
    return next(
        (p for p in ledger if p.ledger_only and p.card_effect_pence == pence and p.transaction_id not in matched), None
    )
