"""Arrears of contributions, surplus proposed for recovery, and the audit schedule."""

from datetime import date

from ledger.domain.monitoring import add_months, arrears, audit_dates, audits_due, surplus_to_recover


def test_arrears_are_contributions_due_less_contributions_paid_oldest_first():
    due = [(date(2026, 4, 6), 8_000), (date(2026, 5, 4), 8_000), (date(2026, 6, 1), 8_000), (date(2026, 6, 29), 8_000)]
    paid = [(date(2026, 4, 7), 8_000), (date(2026, 5, 10), 3_000)]
    result = arrears(due, paid, as_of=date(2026, 6, 15))
    assert (result.expected_pence, result.paid_pence, result.arrears_pence) == (24_000, 11_000, 13_000)
    assert result.oldest_unpaid_due == date(2026, 5, 4)


def test_no_arrears_when_paid_up_or_ahead():
    due = [(date(2026, 4, 6), 8_000)]
    result = arrears(due, [(date(2026, 4, 1), 10_000)], as_of=date(2026, 4, 30))
    assert result.arrears_pence == 0 and result.oldest_unpaid_due is None


def test_only_the_surplus_above_the_threshold_weeks_of_net_payments_is_proposed_for_recovery():
    # 8 weeks of GBP 130 a week is GBP 1,040: a balance of GBP 1,500 leaves GBP 460 to recover.
    assert surplus_to_recover(150_000, 13_000, 8) == 46_000
    assert surplus_to_recover(104_000, 13_000, 8) == 0
    assert surplus_to_recover(-500, 13_000, 8) == 0


def test_the_first_audit_comes_weeks_after_the_start_then_every_twelve_months():
    assert audit_dates(date(2026, 1, 5), 12, 12, until=date(2028, 12, 31)) == [
        date(2026, 3, 30),
        date(2027, 3, 30),
        date(2028, 3, 30),
    ]
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_audits_due_are_those_scheduled_and_not_yet_done():
    schedule = [date(2026, 3, 30), date(2027, 3, 30), date(2028, 3, 30)]
    assert audits_due(schedule, [], as_of=date(2027, 4, 1)) == [date(2026, 3, 30), date(2027, 3, 30)]
    assert audits_due(schedule, [date(2026, 4, 2)], as_of=date(2027, 4, 1)) == [date(2027, 3, 30)]
