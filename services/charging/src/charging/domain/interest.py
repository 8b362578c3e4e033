"""Interest on deferred payments and accrued debt, and the deferred payment equity limit.

The Care and Support (Deferred Payment) Regulations 2014 cap the rate at the weighted average interest
rate on conventional gilts (published by the Office for Budget Responsibility) plus 0.15%, reset on
1 January and 1 July. Interest accrues daily at the rate in force that day and compounds: interest is
added to the debt at the end of each rate period. See docs/domain/charging.md, "Deferred payments".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from charging.domain.money import Pence, percent_of, round_half_up
from charging.domain.policy import ChargingPolicy

DAYS_IN_YEAR = 365  # a daily rate of annual/365, leap years included, as the guidance's examples do


class InterestRatePeriod(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    starts_on: date
    annual_rate_percent: Decimal = Field(ge=0, le=20)
    provisional: bool = False


class DeferredPaymentInterestRates(BaseModel):
    """Payload of the `deferred_payment_interest_rates` reference kind: the maximum rate, period by period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    periods: list[InterestRatePeriod] = Field(min_length=1)

    @model_validator(mode="after")
    def _on_reset_days_in_order(self) -> DeferredPaymentInterestRates:
        problems = [
            f"periods[{i}] starts on a 1 January or 1 July"
            for i, p in enumerate(self.periods)
            if (p.starts_on.month, p.starts_on.day) not in ((1, 1), (7, 1))
        ]
        starts = [p.starts_on for p in self.periods]
        if starts != sorted(set(starts)):
            problems.append("periods are in date order, one a start date")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@dataclass(frozen=True)
class StatementLine:
    starts_on: date
    ends_on: date  # inclusive
    days: int
    annual_rate_percent: Decimal
    opening_pence: Pence
    added_pence: Pence
    interest_pence: Pence
    closing_pence: Pence
    provisional: bool


class NoRateForDate(LookupError):
    pass


class Debt(StrEnum):
    deferred_payment = "deferred_payment"
    accrued_debt = "accrued_debt"


def interest_charged(policy: ChargingPolicy, debt: Debt) -> bool:
    """Charging interest is the council's choice, separately for each kind of debt."""
    if debt is Debt.deferred_payment:
        return policy.interest_on_deferred_payments
    return policy.interest_on_accrued_debt


def interest_statement(
    opening_pence: Pence,
    additions: list[tuple[date, Pence]],
    start: date,
    end: date,
    rates: DeferredPaymentInterestRates,
    *,
    charged: bool = True,
) -> list[StatementLine]:
    """Each rate period's interest from `start` to `end` inclusive, on the debt as it grows.

    `additions` are amounts deferred (fees the council pays on the person's behalf) on given days;
    they bear interest from the day they are added. Interest is rounded half up to the penny at the
    end of each period, when it is added to the debt. With `charged` false (the council's policy charges
    no interest on this debt) every period shows a rate of 0.
    """
    if end < start:
        raise ValueError("the statement ends before it starts")
    if start < rates.periods[0].starts_on:
        raise NoRateForDate(f"no interest rate for {start.isoformat()}")
    lines = []
    balance = opening_pence
    for period_start, period_end, period in _periods(start, end, rates):
        added = 0
        daily_sum = Decimal(0)  # the sum over the days of the balance owed that day
        day = period_start
        while day <= period_end:
            for when, amount in additions:
                if when == day:
                    added += amount
            daily_sum += balance + added
            day += timedelta(days=1)
        rate = period.annual_rate_percent if charged else Decimal(0)
        interest = round_half_up(daily_sum * rate / 100 / DAYS_IN_YEAR)
        closing = balance + added + interest
        lines.append(
            StatementLine(
                period_start,
                period_end,
                (period_end - period_start).days + 1,
                rate,
                balance,
                added,
                interest,
                closing,
                period.provisional,
            )
        )
        balance = closing
    return lines


def _periods(start: date, end: date, rates: DeferredPaymentInterestRates):
    periods = rates.periods
    for i, period in enumerate(periods):
        following = periods[i + 1].starts_on if i + 1 < len(periods) else None
        period_end = following - timedelta(days=1) if following else None
        if period_end is not None and period_end < start:
            continue
        if period.starts_on > end:
            break
        if following is None and _next_reset(period.starts_on) <= end:
            raise NoRateForDate(
                f"no interest rate for {_next_reset(period.starts_on).isoformat()}: load the next period"
            )
        yield max(start, period.starts_on), min(end, period_end or end), period


def _next_reset(day: date) -> date:
    return date(day.year, 7, 1) if day.month < 7 else date(day.year + 1, 1, 1)


def equity_limit(
    home_value_pence: Pence, percent: Decimal, lower_capital_limit_pence: Pence, secured_debts_pence: Pence
) -> Pence:
    """How much may be deferred against the home: its value times the council's percentage, less the
    lower capital limit and any debt already secured on it (statutory guidance chapter 9)."""
    return max(0, percent_of(home_value_pence, percent) - lower_capital_limit_pence - secured_debts_pence)


def equity_left(limit_pence: Pence, owed_pence: Pence) -> Pence:
    """What may still be deferred; the debt, with its interest and fees, may not pass the equity limit."""
    return max(0, limit_pence - owed_pence)
