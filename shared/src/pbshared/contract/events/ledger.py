"""Ledger: direct payments on prepaid cards, their payments, card statements, reconciliation, recovery.

Subjects (the Kafka key, so one subject's events stay in order):
- an agreement's events, payments and recoveries: the person's platform id. An agreement follows
  the person's budget, contribution and funding events, which are keyed by person too, and a person
  has at most one direct payment agreement per budget; keyed by person, a consumer sees the set-up,
  every change, each payment, the end and the recovery it started in the order the ledger wrote them.
- card_transactions.imported and reconciliation.completed: the import's or the reconciliation's own
  id. A statement file or a reconciliation covers many people's accounts at once; no one person
  orders it.

Money is integer pence (amounts a week where the name says weekly); no event names a person other than
by `person_id`. Card account references are the card provider's, never the card number
(docs/domain/direct-payments.md).
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from pbshared.contract.events.payload import Payload
from pbshared.contract.registry import event

Pence = int


class DirectPaymentFunder(StrEnum):
    """Whose money loads the card: the council, the NHS (a personal health budget), or both (joint)."""

    council = "council"
    nhs = "nhs"
    joint = "joint"


class AgreementStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    ended = "ended"


class AgreementChangeReason(StrEnum):
    """Why an agreement's schedule changed."""

    budget_revised = "budget_revised"
    contribution_changed = "contribution_changed"
    funder_changed = "funder_changed"
    suspended = "suspended"
    resumed = "resumed"
    corrected = "corrected"


class AgreementEndReason(StrEnum):
    budget_ended = "budget_ended"
    direct_payment_withdrawn = "direct_payment_withdrawn"
    person_declined = "person_declined"
    moved_to_another_council = "moved_to_another_council"
    deceased = "deceased"


class AgreementDetails(Payload):
    """A direct payment agreement as the ledger holds it: the whole picture, never a difference."""

    agreement_id: uuid.UUID
    person_id: uuid.UUID
    budget_id: uuid.UUID
    agreement_revision: int = Field(ge=1, description="Goes up by one with every change; readers keep the highest.")
    status: AgreementStatus
    funder: DirectPaymentFunder
    nhs_weekly_pence: Pence = Field(default=0, ge=0, description="The NHS part of the gross, for joint funding.")
    weekly_gross_pence: Pence = Field(ge=0, description="The direct payment part of the personal budget a week.")
    weekly_contribution_pence: Pence = Field(ge=0, description="What the person pays towards it a week.")
    weekly_net_pence: Pence = Field(ge=0, description="Gross less contribution, never below zero.")
    contribution_paid_in: bool = Field(
        description="Council policy: true when the council loads the gross and the person pays the contribution "
        "into the card account; false when the council loads the net."
    )
    weekly_payable_pence: Pence = Field(ge=0, description="What the council loads a week: gross or net, as above.")
    cycle_weeks: int = Field(ge=1, le=13, description="Paid in advance every this many weeks (council policy).")
    start_date: date
    effective_from: date = Field(description="First day this revision of the agreement applies.")
    first_payment_date: date
    set_up_costs_pence: Pence = Field(default=0, ge=0, description="One-off costs paid with the first payment.")
    opening_float_pence: Pence = Field(default=0, ge=0, description="Paid once with the first payment.")
    card_account_ref: str = Field(min_length=1, max_length=64, description="The card provider's account reference.")

    @model_validator(mode="after")
    def _amounts_add_up(self) -> Self:
        problems = []
        if self.weekly_net_pence != max(0, self.weekly_gross_pence - self.weekly_contribution_pence):
            problems.append("weekly_net_pence must be weekly_gross_pence less weekly_contribution_pence, at least 0")
        expected = self.weekly_gross_pence if self.contribution_paid_in else self.weekly_net_pence
        if self.weekly_payable_pence != expected:
            problems.append("weekly_payable_pence must be the gross when the contribution is paid in, else the net")
        if self.nhs_weekly_pence > self.weekly_gross_pence:
            problems.append("nhs_weekly_pence cannot exceed weekly_gross_pence")
        if self.effective_from < self.start_date:
            problems.append("effective_from cannot be before start_date")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@event("direct_payment.set_up", version=1, producer="ledger")
class DirectPaymentSetUp(AgreementDetails):
    """A direct payment agreement was set up from an agreed personal budget with a direct payment part."""


@event("direct_payment.changed", version=1, producer="ledger")
class DirectPaymentChanged(AgreementDetails):
    """The agreement changed from effective_from (budget, contribution, funder, suspended or resumed)."""

    reason: AgreementChangeReason
    adjustment_pence: Pence = Field(
        default=0, description="Pro-rata adjustment for a cycle already paid: positive owed to the person."
    )


@event("direct_payment.ended", version=1, producer="ledger")
class DirectPaymentEnded(Payload):
    """No payment falls due after end_date; what is unspent on the card is to be recovered."""

    agreement_id: uuid.UUID
    person_id: uuid.UUID
    budget_id: uuid.UUID
    agreement_revision: int = Field(ge=2)
    end_date: date = Field(description="The last day the agreement pays for.")
    reason: AgreementEndReason
    card_account_ref: str = Field(min_length=1, max_length=64)
    overpaid_pence: Pence = Field(
        default=0, ge=0, description="Paid in advance for days after end_date: the first amount to recover."
    )


@event("payment.issued", version=1, producer="ledger")
class PaymentIssued(Payload):
    """A payment run loaded a card account: the transfer from the fund and the line in the payment file."""

    payment_id: uuid.UUID = Field(description="The ledger transfer's id.")
    run_id: uuid.UUID
    agreement_id: uuid.UUID
    person_id: uuid.UUID
    run_date: date
    period_start: date
    period_end: date
    amount_pence: Pence = Field(gt=0)
    funder: DirectPaymentFunder
    card_account_ref: str = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _period_in_order(self) -> Self:
        if self.period_end < self.period_start:
            raise ValueError("period_end cannot be before period_start")
        return self


class ImportSource(StrEnum):
    statement_file = "statement_file"
    webhook = "webhook"


@event("card_transactions.imported", version=1, producer="ledger")
class CardTransactionsImported(Payload):
    """A card provider's statement (or a webhook record) was imported; counts, never the transactions."""

    import_id: uuid.UUID
    source: ImportSource
    records_received: int = Field(ge=0)
    records_new: int = Field(ge=0, description="Not seen before: a repeated import adds none.")
    accounts: int = Field(ge=0, description="Card accounts the new records touch.")
    flagged: int = Field(default=0, ge=0, description="New records flagged for follow-up.")
    first_transaction_date: date | None = None
    last_transaction_date: date | None = None


@event("reconciliation.completed", version=1, producer="ledger")
class ReconciliationCompleted(Payload):
    """Card accounts were reconciled for a period: the provider's balances against the ledger's."""

    reconciliation_id: uuid.UUID
    period_start: date
    period_end: date
    accounts_checked: int = Field(ge=0)
    accounts_with_differences: int = Field(ge=0)
    total_difference_pence: Pence = Field(ge=0, description="Sum of the absolute differences.")
    recoveries_proposed: int = Field(default=0, ge=0)


class RecoveryReason(StrEnum):
    unspent_above_threshold = "unspent_above_threshold"
    agreement_ended = "agreement_ended"
    misuse = "misuse"


@event("recovery.raised", version=1, producer="ledger")
class RecoveryRaised(Payload):
    """A finance officer approved recovering money from a card account back to the fund."""

    recovery_id: uuid.UUID
    agreement_id: uuid.UUID
    person_id: uuid.UUID
    card_account_ref: str = Field(min_length=1, max_length=64)
    amount_pence: Pence = Field(gt=0)
    reason: RecoveryReason
    raised_on: date


@event("recovery.recovered", version=1, producer="ledger")
class RecoveryRecovered(Payload):
    """The money of a recovery is back in the fund: the ledger transfer that moved it."""

    recovery_id: uuid.UUID
    agreement_id: uuid.UUID
    person_id: uuid.UUID
    amount_pence: Pence = Field(gt=0)
    recovered_on: date
    transfer_id: uuid.UUID
