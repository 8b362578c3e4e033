"""How each card transaction moves money; the ledger never takes a card account below zero."""

from datetime import UTC, datetime
from unittest.mock import ANY

from ledger.domain.card_postings import Account, Fee, Movement, card_fee, posting_for
from ledger.domain.card_statement import CardTransaction
from ledger.domain.card_statement import CardTransactionType as T
from ledger.domain.reference import CardFeeSchedule

CARD = (Account.card, "CARD-1")


def tx(kind: T, pence: int) -> CardTransaction:
    return CardTransaction("T1", "CARD-1", datetime(2026, 4, 1, tzinfo=UTC), pence, kind, "Shop", 5411, 0)


def test_a_purchase_within_the_balance_moves_from_the_card_to_its_spending_category():
    posting = posting_for(tx(T.purchase, -2_500), "transport", 10_000)
    assert posting.movements == [Movement(CARD, (Account.spending, "transport"), 2_500)]
    assert (posting.card_effect_pence, posting.overspend_pence) == (-2_500, 0)


def test_an_overspend_the_provider_allowed_goes_to_suspense_never_below_zero():
    posting = posting_for(tx(T.purchase, -2_500), "transport", 1_000)
    assert posting.movements == [
        Movement(CARD, (Account.spending, "transport"), 1_000),
        Movement((Account.overspend, None), (Account.spending, "transport"), 1_500),
    ]
    assert (posting.card_effect_pence, posting.overspend_pence) == (-1_000, 1_500)
    already_overdrawn = posting_for(tx(T.cash_withdrawal, -500), "cash", -200)
    assert already_overdrawn.movements == [Movement((Account.overspend, None), (Account.spending, "cash"), 500)]


def test_a_refund_moves_back_from_spending_and_a_contribution_in_from_contributions():
    assert posting_for(tx(T.refund, 700), "equipment", 0).movements == [
        Movement((Account.spending, "equipment"), CARD, 700)
    ]
    contribution = posting_for(tx(T.contribution, 8_000), None, 0)
    assert contribution.movements == [Movement((Account.contributions_received, "CARD-1"), CARD, 8_000)]
    assert contribution.card_effect_pence == 8_000


def test_a_load_or_a_fee_moves_nothing_the_payment_run_posted_it():
    assert posting_for(tx(T.load, 40_000), None, 0).movements == []
    assert posting_for(tx(T.fee, -20), None, 5_000) == posting_for(tx(T.load, 40_000), None, 0)


FEES = CardFeeSchedule(provider="P", per_payment_pence=20, per_card_purchase_pence=3, per_cash_withdrawal_pence=50)


def test_each_kind_of_spending_has_its_fee_from_the_schedule():
    fund, council_fees = (Account.fund, None), (Account.fees, "council")
    assert card_fee(tx(T.purchase, -100), FEES, False, 0) == Fee(Movement(fund, council_fees, 3), ANY, 0)
    payment = CardTransaction("T2", "CARD-1", datetime(2026, 4, 1, tzinfo=UTC), -100, T.purchase, "A PA", None, 0)
    assert card_fee(payment, FEES, False, 0).movement.pence == 20  # no merchant code: the provider paid it
    assert card_fee(tx(T.cash_withdrawal, -100), FEES, False, 0).movement.pence == 50
    assert card_fee(tx(T.refund, 100), FEES, False, 0) is None
    assert card_fee(tx(T.purchase, -100), None, False, 0) is None  # no schedule loaded
    assert card_fee(tx(T.purchase, -100), CardFeeSchedule(provider="P"), False, 0) is None  # a fee of nothing


def test_a_fee_from_the_budget_comes_off_the_card_only_when_it_covers_it():
    assert card_fee(tx(T.purchase, -100), FEES, True, 3) == Fee(Movement(CARD, (Account.fees, "budget"), 3), ANY, -3)
    short = card_fee(tx(T.purchase, -100), FEES, True, 2)
    assert short == Fee(Movement((Account.fund, None), (Account.fees, "council"), 3), ANY, 0)
