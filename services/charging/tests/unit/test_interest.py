"""Deferred payments and accrued debt: daily interest at each period's rate, compounded; the equity limit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from charging.domain.interest import (
    Debt,
    DeferredPaymentInterestRates,
    NoRateForDate,
    equity_left,
    equity_limit,
    interest_charged,
    interest_statement,
)

from .conftest import sample_policy, shipped


@pytest.fixture
def rates() -> DeferredPaymentInterestRates:
    (dataset,) = shipped("national", "deferred_payment_interest_rates")
    return DeferredPaymentInterestRates.model_validate(dataset["payload"])


def test_interest_accrues_daily_at_the_rate_in_force(rates):
    (line,) = interest_statement(10_000_000, [], date(2025, 1, 1), date(2025, 1, 31), rates)
    # GBP 100,000 for 31 days at 4.25% a year: 100,000 x 0.0425 x 31 / 365 = 360.9589..., half up.
    assert (line.days, line.annual_rate_percent, line.interest_pence) == (31, Decimal("4.25"), 36096)
    assert line.closing_pence == 10_036_096


def test_each_period_has_its_own_rate_and_interest_compounds_at_the_period_end(rates):
    december, january = interest_statement(10_000_000, [], date(2024, 12, 1), date(2025, 1, 31), rates)
    assert (december.annual_rate_percent, december.interest_pence) == (Decimal("4.05"), 34397)
    assert january.opening_pence == 10_034_397  # December's interest now bears interest
    assert (january.annual_rate_percent, january.interest_pence) == (Decimal("4.25"), 36220)


def test_amounts_deferred_bear_interest_from_the_day_they_are_added(rates):
    (line,) = interest_statement(1_000_000, [(date(2025, 1, 11), 100_000)], date(2025, 1, 1), date(2025, 1, 31), rates)
    assert (line.added_pence, line.interest_pence) == (100_000, 3854)
    assert line.closing_pence == 1_000_000 + 100_000 + 3854


def test_no_statement_past_the_last_loaded_rate(rates):
    with pytest.raises(NoRateForDate):
        interest_statement(10_000_000, [], date(2026, 12, 1), date(2027, 1, 1), rates)
    with pytest.raises(NoRateForDate):
        interest_statement(10_000_000, [], date(2023, 12, 31), date(2024, 1, 31), rates)


def test_a_period_whose_rate_is_not_yet_checked_says_so(rates):
    june, july = interest_statement(10_000_000, [], date(2025, 6, 1), date(2025, 7, 31), rates)
    assert (june.provisional, july.provisional) == (False, True)
    assert july.annual_rate_percent == Decimal("4.25")  # carried forward until the OBR's figure is loaded


def test_rates_start_on_1_january_or_1_july_in_order():
    with pytest.raises(ValidationError) as error:
        DeferredPaymentInterestRates.model_validate(
            {
                "periods": [
                    {"starts_on": "2025-01-01", "annual_rate_percent": "4.25"},
                    {"starts_on": "2024-04-01", "annual_rate_percent": "4.25"},
                ]
            }
        )
    assert "periods[1] starts on a 1 January or 1 July" in str(error.value)
    assert "in date order" in str(error.value)


def test_the_equity_limit_is_the_councils_share_of_the_home_less_the_lower_limit_and_secured_debts():
    assert equity_limit(10_000_000, Decimal(90), 1_425_000, 0) == 7_575_000  # GBP 100,000 gives GBP 75,750
    assert equity_limit(10_000_000, Decimal(90), 1_425_000, 7_600_000) == 0


def test_equity_left_falls_to_nothing_when_the_debt_reaches_the_limit():
    assert equity_left(7_575_000, 7_500_000) == 75_000
    assert equity_left(7_575_000, 7_575_000) == 0
    assert equity_left(7_575_000, 7_600_000) == 0


def test_interest_is_charged_on_each_kind_of_debt_only_where_the_policy_says_so(rates):
    policy = sample_policy(interest_on_deferred_payments=True, interest_on_accrued_debt=False).versions[0].policy
    assert interest_charged(policy, Debt.deferred_payment)
    assert not interest_charged(policy, Debt.accrued_debt)
    (line,) = interest_statement(
        10_000_000, [], date(2025, 1, 1), date(2025, 1, 31), rates, charged=interest_charged(policy, Debt.accrued_debt)
    )
    assert (line.annual_rate_percent, line.interest_pence, line.closing_pence) == (Decimal(0), 0, 10_000_000)
