"""Reconciliation: the provider's balance against the ledger's, explained to the penny."""

from ledger.domain.card_statement import CardTransactionType as T
from ledger.domain.reconciliation import Explanation as E
from ledger.domain.reconciliation import LedgerLine, ProviderLine, reconcile


def test_a_statement_that_agrees_has_no_difference_and_no_lines():
    result = reconcile(
        "CARD-1",
        ledger_opening_pence=0,
        ledger_lines=[LedgerLine("T1", 40_000), LedgerLine("T2", -3_550)],
        provider_opening_pence=0,
        provider_lines=[ProviderLine("T1", T.load, 40_000, 40_000), ProviderLine("T2", T.purchase, -3_550, 36_450)],
    )
    assert result.agrees and result.lines == [] and result.ledger_closing_pence == 36_450


def test_a_reported_balance_that_disagrees_is_explained_to_the_penny():
    result = reconcile(
        "CARD-1",
        ledger_opening_pence=10_000,
        ledger_lines=[
            LedgerLine("T1", 40_000),  # load: on both
            LedgerLine("RUN-2026-04-29", 40_000),  # the next load, posted, not yet on the statement
            LedgerLine("T3", -1_999),  # keyed as 19.99, the provider says 21.99
            LedgerLine("T4", 0),  # a 20p fee the council's fee account pays
            LedgerLine("T5", -500, overspend=True),  # held at zero; the rest went to suspense
        ],
        provider_opening_pence=10_003,  # 3p fee last period, already explained then
        provider_lines=[
            ProviderLine("T1", T.load, 40_000, 50_003),
            ProviderLine("T2", T.purchase, -1_234, 48_769),  # a purchase the ledger has not seen
            ProviderLine("T3", T.purchase, -2_199, 46_570),
            ProviderLine("T4", T.fee, -20, 46_550),
            ProviderLine("T5", T.purchase, -50_000, -3_450),  # the provider let it through
        ],
    )
    assert result.provider_closing_pence == -3_450
    assert result.ledger_closing_pence == 10_000 + 40_000 + 40_000 - 1_999 - 500
    explained = {(line.explanation, line.transaction_id): line.pence for line in result.lines}
    assert explained == {
        (E.carried_in, None): 3,
        (E.missing_in_ledger, "T2"): -1_234,
        (E.amount_differs, "T3"): -200,
        (E.fee_taken_by_provider, "T4"): -20,
        (E.overspend_allowed, "T5"): -49_500,
        (E.missing_at_provider, "RUN-2026-04-29"): -40_000,
    }
    assert sum(explained.values()) == result.difference_pence
    assert result.explained


def test_a_statement_whose_own_balances_do_not_add_up_is_named_where_it_breaks():
    result = reconcile(
        "CARD-1",
        ledger_opening_pence=0,
        ledger_lines=[LedgerLine("T1", 1_000), LedgerLine("T2", -100)],
        provider_opening_pence=0,
        provider_lines=[ProviderLine("T1", T.load, 1_000, 1_000), ProviderLine("T2", T.purchase, -100, 950)],
    )
    assert [(line.explanation, line.transaction_id, line.pence) for line in result.lines] == [
        (E.provider_balance_break, "T2", 50)
    ]
    assert result.difference_pence == 50


def test_a_load_on_the_statement_is_the_payment_the_ledger_made_under_its_own_reference():
    result = reconcile(
        "CARD-1",
        ledger_opening_pence=0,
        ledger_lines=[
            LedgerLine("payment-A", 40_000, ledger_only=True),
            LedgerLine("payment-B", 40_000, ledger_only=True),
        ],
        provider_opening_pence=0,
        provider_lines=[ProviderLine("P1", T.load, 40_000, 40_000)],
    )
    assert [(line.explanation, line.transaction_id) for line in result.lines] == [(E.missing_at_provider, "payment-B")]
