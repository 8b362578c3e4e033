"""The council's direct payment policy and its card scheme's fee schedule: effective-dated reference
data (kinds `direct_payment_policy` and `card_fee_schedule`), validated whole on load. Where each rule
comes from: docs/domain/direct-payments.md."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

POLICY_KIND = "direct_payment_policy"
CARD_FEES_KIND = "card_fee_schedule"


class _Reference(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DirectPaymentPolicy(_Reference):
    cycle_weeks: int = Field(default=4, ge=1, le=13, description="Paid in advance every this many weeks.")
    contribution_paid_in: bool = Field(
        default=False,
        description="True: the council pays the gross and the person pays their contribution into the card "
        "account; false: the council pays the net.",
    )
    opening_float_weeks: int = Field(default=0, ge=0, le=13, description="Weeks of net payment paid once at the start.")
    recovery_threshold_weeks: int = Field(
        default=8,
        ge=1,
        le=52,
        description="Unspent balance above this many weeks of net payments is proposed for recovery.",
    )
    first_review_weeks: int = Field(
        default=12, ge=1, le=26, description="First review of the arrangement (the law: within six months)."
    )
    review_interval_months: int = Field(default=12, ge=1, le=12, description="Then at least this often.")
    cash_allowance_weekly_pence: int = Field(
        default=0, ge=0, description="Cash a person may withdraw a week without a flag (a setting, not a ban)."
    )
    card_fees_from_budget: bool = Field(
        default=False, description="Card fees come off the person's card account instead of the council's fund."
    )


class CardFeeSchedule(_Reference):
    provider: str = Field(min_length=1, max_length=100)
    per_load_pence: int = Field(default=0, ge=0, description="Each time the council loads a card account.")
    per_payment_pence: int = Field(default=0, ge=0, description="Each BACS, standing order or direct debit payment.")
    per_card_purchase_pence: int = Field(default=0, ge=0, description="Each point-of-sale card payment.")
    per_cash_withdrawal_pence: int = Field(default=0, ge=0)
    monthly_pence: int = Field(default=0, ge=0, description="Each card account, each calendar month it is open.")
