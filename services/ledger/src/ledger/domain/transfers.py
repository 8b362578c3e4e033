"""Transfers: the only way money moves in the ledger, and the rules every one of them keeps.

- A transfer debits one account and credits another with the same amount, integer pence, above zero.
- A transfer is never changed or deleted. A correction is a new transfer the other way (a reversal).
- Two-phase: a pending transfer reserves the amount; later one transfer posts it (all or less) or
  voids it, never both, never twice.
- Each transfer carries an idempotency key, unique within a council: a retry with the same key and
  the same fields is the original transfer; with different fields it is refused, naming the key.
- An account flagged never-below-zero (a card account) is never debited beyond what it holds,
  counting what is already pending against it.
Pure Python: the service layer reads and locks the rows and calls these.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum

from ledger.domain.accounts import Counters, LockedAccount
from pbshared.errors import Conflict, Issue, RuleBroken

MAX_AMOUNT_PENCE = 10**13  # GBP 100bn: far above any payment, well inside a 64-bit counter
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class Phase(StrEnum):
    """What a transfer does to its accounts' counters."""

    posted = "posted"  # moves money now
    pending = "pending"  # reserves it, to be posted or voided
    post_pending = "post_pending"  # posts a pending transfer (its amount, or less)
    void_pending = "void_pending"  # releases a pending transfer; moves nothing


POSTING_PHASES = frozenset({Phase.posted, Phase.post_pending})
RESOLVING_PHASES = frozenset({Phase.post_pending, Phase.void_pending})


@dataclass(frozen=True)
class TransferRequest:
    """What a caller asks for. `kind` says what the money is (payment, fee, contribution, spending,
    recovery, reversal...); `reference` ties it to the record it came from (an agreement, a run, the
    card provider's transaction id)."""

    idempotency_key: str
    debit_account_id: uuid.UUID
    credit_account_id: uuid.UUID
    amount_pence: int
    value_date: date
    kind: str
    description: str = ""
    reference: str | None = None
    phase: Phase = Phase.posted
    pending_id: uuid.UUID | None = None
    reverses_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Transfer(TransferRequest):
    transfer_id: uuid.UUID = uuid.UUID(int=0)
    council_id: str = ""
    created_at: datetime | None = None


# The fields a retry must repeat exactly to be the same request.
_COMPARED = tuple(f.name for f in fields(TransferRequest) if f.name != "idempotency_key")


def check_request(request: TransferRequest) -> None:
    """Refuses a request that breaks a rule of its own, naming every field concerned."""
    issues = []
    if not 1 <= len(request.idempotency_key) <= 200:
        issues.append(Issue("idempotency_key", "must be 1 to 200 characters"))
    if request.debit_account_id == request.credit_account_id:
        issues.append(Issue("credit_account_id", "must not be the account debited"))
    if not isinstance(request.amount_pence, int) or isinstance(request.amount_pence, bool):
        issues.append(Issue("amount_pence", "must be whole pence"))
    elif not 0 < request.amount_pence <= MAX_AMOUNT_PENCE:
        issues.append(Issue("amount_pence", "must be above zero and at most GBP 100bn"))
    if not _KIND.match(request.kind):
        issues.append(Issue("kind", "must be a lower-case code of up to 32 letters, digits and underscores"))
    if len(request.description) > 200:
        issues.append(Issue("description", "must be at most 200 characters"))
    if request.reference is not None and not 1 <= len(request.reference) <= 128:
        issues.append(Issue("reference", "must be 1 to 128 characters"))
    if (request.phase in RESOLVING_PHASES) != (request.pending_id is not None):
        issues.append(Issue("pending_id", "is given exactly when posting or voiding a pending transfer"))
    if request.reverses_id is not None and request.phase is not Phase.posted:
        issues.append(Issue("reverses_id", "a reversal is a posted transfer"))
    if issues:
        raise RuleBroken("the transfer breaks the ledger's rules", issues)


def differing_fields(existing: Transfer, request: TransferRequest) -> list[str]:
    return [name for name in _COMPARED if getattr(existing, name) != getattr(request, name)]


def refuse_if_different(existing: Transfer, request: TransferRequest) -> Transfer:
    """A retry: the original when every field matches, else a refusal naming the key and the fields."""
    differing = differing_fields(existing, request)
    if differing:
        message = f"this idempotency key was used for a different transfer (differs in {', '.join(differing)})"
        raise Conflict(message, [Issue("idempotency_key", message)], title="Idempotency key reused")
    return existing


def resolves(pending: Transfer, request: TransferRequest, resolved_by: uuid.UUID | None) -> None:
    """Posting or voiding `pending`: it must be pending, unresolved, and the same two accounts."""
    if pending.phase is not Phase.pending:
        raise RuleBroken.about("pending_id", "is not a pending transfer")
    if resolved_by is not None:
        raise Conflict.about("pending_id", "was already posted or voided")
    if (request.debit_account_id, request.credit_account_id) != (pending.debit_account_id, pending.credit_account_id):
        raise RuleBroken.about("pending_id", "must be posted or voided between its own two accounts")
    if request.value_date < pending.value_date:
        raise RuleBroken.about("value_date", "cannot be before the pending transfer's")
    if request.phase is Phase.post_pending and request.amount_pence > pending.amount_pence:
        raise RuleBroken.about("amount_pence", "cannot post more than the pending amount")
    if request.phase is Phase.void_pending and request.amount_pence != pending.amount_pence:
        raise RuleBroken.about("amount_pence", "a void releases the whole pending amount")


def reverses(original: Transfer, request: TransferRequest, reversed_by: uuid.UUID | None) -> None:
    """A reversal moves the same amount back between the same two accounts, once."""
    if original.phase not in POSTING_PHASES:
        raise RuleBroken.about("reverses_id", "only a transfer that moved money can be reversed")
    if reversed_by is not None:
        raise Conflict.about("reverses_id", "was already reversed")
    if (request.debit_account_id, request.credit_account_id) != (original.credit_account_id, original.debit_account_id):
        raise RuleBroken.about("reverses_id", "a reversal debits the account the original credited, and back")
    if request.amount_pence != original.amount_pence:
        raise RuleBroken.about("amount_pence", "a reversal moves the original amount")
    if request.value_date < original.value_date:
        raise RuleBroken.about("value_date", "cannot be before the original transfer's")


@dataclass(frozen=True)
class CounterChange:
    """What one transfer adds to its accounts' counters (negative for a released pending amount)."""

    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    def applied(self, counters: Counters) -> Counters:
        return Counters(
            counters.debits_posted + self.debits_posted,
            counters.credits_posted + self.credits_posted,
            counters.debits_pending + self.debits_pending,
            counters.credits_pending + self.credits_pending,
        )


def counter_changes(request: TransferRequest, pending: Transfer | None) -> tuple[CounterChange, CounterChange]:
    """The change to the debited account's counters and to the credited account's."""
    amount = request.amount_pence
    if request.phase is Phase.posted:
        return CounterChange(debits_posted=amount), CounterChange(credits_posted=amount)
    if request.phase is Phase.pending:
        return CounterChange(debits_pending=amount), CounterChange(credits_pending=amount)
    assert pending is not None
    released = pending.amount_pence  # a post of less than the pending amount releases all of it
    posted = amount if request.phase is Phase.post_pending else 0
    return (
        CounterChange(debits_posted=posted, debits_pending=-released),
        CounterChange(credits_posted=posted, credits_pending=-released),
    )


def refuse_overdraft(debited: LockedAccount, change: CounterChange) -> None:
    """A never-below-zero account keeps posted credits >= posted debits + pending debits."""
    if not debited.never_below_zero:
        return
    after = change.applied(debited.counters)
    if after.available_pence < 0 and (change.debits_posted + change.debits_pending) > 0:
        raise RuleBroken.about(
            "amount_pence",
            "would take the debited account below zero",
            title="Not enough money in the account",
        )
