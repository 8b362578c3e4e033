"""The card statement file: every column checked, every bad line reported by number, nothing echoed."""

import io

import pytest

from ledger.domain.card_statement import (
    COLUMNS,
    CardTransactionType,
    StatementRefused,
    check_statement,
    pence_from_pounds,
    read_statement,
)

HEADER = ",".join(COLUMNS)


def statement(*rows: str) -> io.StringIO:
    return io.StringIO("\n".join([HEADER, *rows]) + "\n")


GOOD = [
    "T1,CARD-1,2026-04-01T09:00:00Z,400.00,load,,,400.00",
    "T2,CARD-1,2026-04-02T10:15:00+01:00,-35.50,purchase,Acme Care Ltd,8050,364.50",
    "T3,CARD-1,2026-04-03T10:15:00+01:00,-0.03,fee,,,364.47",
]


def test_a_good_statement_reads_as_transactions_in_integer_pence():
    rows = list(read_statement(statement(*GOOD)))
    assert [problems for _, _, problems in rows] == [[], [], []]
    purchase = rows[1][1]
    assert purchase.amount_pence == -3550
    assert purchase.balance_pence == 36450
    assert purchase.type is CardTransactionType.purchase
    assert purchase.merchant_category_code == 8050
    assert purchase.occurred_at.isoformat() == "2026-04-02T09:15:00+00:00"  # kept in UTC
    assert check_statement(statement(*GOOD)) == 3


@pytest.mark.parametrize(
    ("text", "pence"), [("12.34", 1234), ("-0.05", -5), ("0.00", 0), ("12.3", None), ("1e3", None), ("£1.00", None)]
)
def test_amounts_are_pounds_with_exactly_two_decimals(text, pence):
    assert pence_from_pounds(text) == pence


def test_every_bad_line_is_reported_with_its_number_and_rule_and_never_its_value():
    secret = "Dr Jones Secret Clinic"
    text = statement(
        GOOD[0],
        f"T2,CARD-1,yesterday,35.50,purchase,{secret},80500,364.50",  # line 3: time, sign, mcc
        "T3,CARD-1,2026-04-03T10:00:00Z,-1.00,bribe,,,1.00",  # line 4: type
        GOOD[0],  # line 5: repeats T1
        "T6,CARD-1",  # line 6: too few fields
        "T7,CARD-1,2026-04-03T10:00:00,-1.00,purchase,,,1.00",  # line 7: naive time, no merchant
    )
    with pytest.raises(StatementRefused) as refused:
        check_statement(text)
    found = {(p.line, p.field) for p in refused.value.problems}
    assert found == {
        (3, "occurred_at"),
        (3, "amount"),
        (3, "merchant_category_code"),
        (4, "type"),
        (5, "transaction_id"),
        (6, "line"),
        (7, "occurred_at"),
        (7, "merchant_name"),
    }
    assert refused.value.bad_lines == 5
    assert not any(secret in p.rule or "80500" in p.rule for p in refused.value.problems)


def test_a_header_that_is_not_the_documented_one_is_refused():
    with pytest.raises(StatementRefused) as refused:
        check_statement(io.StringIO("id,amount\nT1,1.00\n"))
    assert [(p.line, p.field) for p in refused.value.problems] == [(1, "header")]


def test_an_empty_file_is_refused():
    with pytest.raises(StatementRefused):
        check_statement(io.StringIO(""))


def test_a_balance_below_zero_is_accepted_as_reported():
    # The provider may let a purchase through beyond the balance: the statement says so, the
    # ledger deals with it (an overspend entry), the parser does not refuse the truth.
    [(_, record, problems)] = list(
        read_statement(statement("T9,CARD-1,2026-04-01T09:00:00Z,-20.00,purchase,Shop,5411,-5.00"))
    )
    assert problems == [] and record.balance_pence == -500


def test_the_file_is_read_a_line_at_a_time():
    def lines():
        yield HEADER + "\n"
        for i in range(5):
            yield f"T{i},CARD-1,2026-04-01T09:00:00Z,1.00,load,,,{i + 1}.00\n"
        raise AssertionError("read past what was asked for")

    reader = read_statement(lines())
    assert [next(reader)[0] for _ in range(5)] == [2, 3, 4, 5, 6]
