"""A council's charging policy: the options the law leaves to the council (docs/domain/charging.md, "Council options").

Payload of the `charging_policy` reference kind, versioned and effective-dated like every council dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from charging.domain.circumstances import Setting
from charging.domain.effective import in_force, validated_versions


class ShortStayRules(StrEnum):
    """How a short-term resident (a stay of up to 8 weeks, e.g. respite) is charged (regulation 4)."""

    non_residential = "non_residential"
    residential = "residential"


class ArrangementFee(BaseModel):
    """What a full-cost payer who asks the council to arrange their care pays for the arranging (s14(1)(b))."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    one_off_pence: int = Field(ge=0)
    weekly_pence: int = Field(ge=0)


class ChargingPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    standard_dre_allowance_pence: int = Field(ge=0, description="weekly DRE allowed without itemising")
    count_higher_aa_dla_care_only_with_night_care: bool = Field(
        description="count the higher AA / highest DLA care rate only when the council provides night care"
    )
    count_enhanced_pip_daily_living_in_full: bool = Field(
        description="count enhanced PIP daily living in full; if false it is treated like the higher AA rate"
    )
    maximum_weekly_charge_pence: int | None = Field(default=None, ge=1, description="care at home; none: no cap")
    capital_discount_percent: Decimal | None = Field(default=None, gt=0, le=100)
    second_carer_discount_percent: Decimal | None = Field(
        default=None, gt=0, le=100, description="off the second carer's cost on double-handed calls"
    )
    short_stay_rules: ShortStayRules
    short_stay_max_weeks: int = Field(default=8, ge=1, le=8, description="regulation 2: at most 8 weeks")
    free_reablement_weeks: int = Field(ge=6, le=104, description="the law makes at least the first 6 weeks free")
    arrangement_fee: ArrangementFee | None = None
    minimum_weekly_charge_pence: int = Field(default=0, ge=0, description="a charge below this is not collected")
    interest_on_deferred_payments: bool
    interest_on_accrued_debt: bool
    deferred_payment_equity_percent: Decimal = Field(default=Decimal(90), gt=0, le=100)
    reassessment_limit_years: int = Field(ge=1, le=10)
    care_home_lots: dict[str, Setting] = Field(
        default_factory=dict,
        description="brokerage lots whose placements are in a care home or nursing home (by lot id)",
    )


@dataclass(frozen=True)
class PolicyVersion:
    version: int
    effective_from: date
    policy: ChargingPolicy


class NoPolicyForDate(LookupError):
    pass


@dataclass(frozen=True)
class PolicyHistory:
    versions: tuple[PolicyVersion, ...]

    def on(self, day: date) -> PolicyVersion:
        chosen = in_force(self.versions, day)
        if chosen is None:
            raise NoPolicyForDate("no charging policy takes effect on or before this date")
        return chosen


def policy_history(datasets: Iterable[Mapping[str, Any]]) -> PolicyHistory:
    """From stored datasets (version, effective_from, payload), each payload validated."""
    return PolicyHistory(tuple(PolicyVersion(*v) for v in validated_versions(datasets, ChargingPolicy)))
