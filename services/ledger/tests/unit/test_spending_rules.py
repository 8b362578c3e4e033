"""Categorising card spending by the council's rules; flags for what the rules do not allow."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from ledger.domain.card_statement import CardTransaction, CardTransactionType
from ledger.domain.spending_rules import (
    CASH,
    UNCATEGORISED,
    CashAllowance,
    CashWithdrawal,
    SpendingRules,
    cash_over_allowance,
)

from .conftest import sample_spending_rules


def purchase(merchant: str, mcc: int | None, kind=CardTransactionType.purchase) -> CardTransaction:
    return CardTransaction("T", "CARD-1", datetime(2026, 4, 1, tzinfo=UTC), -100, kind, merchant, mcc, 0)


@pytest.fixture
def rules() -> SpendingRules:
    return sample_spending_rules()


def test_the_sample_councils_rules_load(rules):
    assert rules.not_allowed("gambling")


def test_a_payee_rule_wins_over_the_merchant_code(rules):
    assert rules.category_of(purchase("HMRC PAYE ACCOUNTS OFFICE", 9311)) == "payroll_and_hmrc"


def test_merchant_code_ranges_categorise(rules):
    assert rules.category_of(purchase("Bus Co", 4131)) == "transport"
    assert rules.category_of(purchase("Lucky Bet", 7995)) == "gambling"
    assert rules.not_allowed("gambling") and rules.not_allowed("alcohol")
    assert not rules.not_allowed("transport")


def test_what_no_rule_matches_is_uncategorised_and_cash_is_cash(rules):
    assert rules.category_of(purchase("Somewhere", 1234)) == UNCATEGORISED
    assert rules.category_of(purchase("ATM", None, CardTransactionType.cash_withdrawal)) == CASH
    assert rules.category_of(purchase("", None, CardTransactionType.load)) is None


def test_rules_that_contradict_themselves_are_refused_each_where_it_is():
    with pytest.raises(ValidationError) as refused:
        SpendingRules.model_validate(
            {
                "categories": [{"id": "a", "title": "A", "allowed": True}, {"id": "a", "title": "A", "allowed": True}],
                "merchant_codes": [
                    {"first": 10, "last": 20, "category": "a"},
                    {"first": 15, "last": 30, "category": "b"},
                    {"first": 40, "last": 35, "category": "a"},
                ],
                "payees": [{"name_contains": "xx", "category": "nope"}],
            }
        )
    locations = {error["loc"] for error in refused.value.errors()}
    assert locations == {
        ("categories", 1, "id"),
        ("merchant_codes", 1),
        ("merchant_codes", 1, "category"),
        ("merchant_codes", 2, "last"),
        ("payees", 0, "category"),
    }


def test_cash_is_allowed_up_to_the_allowance_in_a_rolling_period_not_banned():
    allowance = CashAllowance(amount_pence=10_000, period_days=28)
    start = datetime(2026, 4, 1, tzinfo=UTC)
    withdrawals = [
        CashWithdrawal("W1", start, 6_000),
        CashWithdrawal("W2", start + timedelta(days=10), 4_000),  # exactly the allowance: fine
        CashWithdrawal("W3", start + timedelta(days=20), 100),  # over
        CashWithdrawal("W4", start + timedelta(days=29), 5_000),  # W1 has left the window: 4_100 + 5_000
    ]
    assert cash_over_allowance(withdrawals, allowance) == {"W3"}
    assert cash_over_allowance(withdrawals, CashAllowance(amount_pence=0, period_days=28)) == {"W1", "W2", "W3", "W4"}


def test_a_weekly_cash_allowance_is_judged_over_four_weeks():
    assert CashAllowance.from_weekly(5_000) == CashAllowance(amount_pence=20_000, period_days=28)
