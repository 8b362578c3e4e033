"""How each card transaction moves money; the ledger never takes a card account below zero."""

from datetime import UTC, datetime

from ledger.domain.card_postings import Account, Movement, posting_for
from ledger.domain.card_statement import CardTransaction
from ledger.domain.card_statement import CardTransactionType as T

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
