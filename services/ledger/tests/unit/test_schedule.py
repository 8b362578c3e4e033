"""A direct payment's schedule: cycles in advance, lines cut where a series changes, per-line rounding."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.schedule import CycleBalance, Dated, FundingDecision, ScheduleInputs, already_paid_lines, prorate
from pbshared.contract.events.health import FundingBasis, FundingChange
from pbshared.contract.events.ledger import DirectPaymentFunder

START = date(2026, 4, 6)


def _inputs(**overrides) -> ScheduleInputs:
    values = dict(
        start_date=START,
        end_date=None,
        cycle_weeks=4,
        contribution_paid_in=False,
        gross=[Dated(START, 15_000)],
        contributions=[Dated(START, 2_000)],
        suspensions=[],
    )
    return ScheduleInputs(**{**values, **overrides})


def test_part_periods_round_per_line_half_up():
    # The published example: weekly 150.00 less 20.00 over a 31-day month and a 28-day month.
    assert prorate(15_000, 31) - prorate(2_000, 31) == 57_572
    assert prorate(15_000, 28) - prorate(2_000, 28) == 52_000


def test_a_full_cycle_pays_four_weeks_net_in_advance():
    schedule = _inputs()
    assert schedule.cycles_due(START) == [(START, START + timedelta(days=27))]
    assert schedule.due((START, START + timedelta(days=27))) == {"council": 52_000}


def test_a_change_mid_cycle_cuts_the_cycle_into_lines():
    change = START + timedelta(days=10)  # day 11 of 28
    schedule = _inputs(contributions=[Dated(START, 2_000), Dated(change, 3_000, sequence=2)])
    cycle = (START, START + timedelta(days=27))
    lines = [(line.description, line.days, line.amount_pence) for line in schedule.lines(cycle)]
    assert lines == [
        ("direct payment", 10, 21_429),
        ("less contribution", 10, -2_857),
        ("direct payment", 18, 38_571),
        ("less contribution", 18, -7_714),
    ]
    assert schedule.due(cycle) == {"council": 49_429}
    # Paid 520.00 at the old rate before the change arrived: 25.71 is held back from the next payment.
    balance = CycleBalance(cycle, schedule.due(cycle), {"council": 52_000})
    assert balance.difference() == {"council": -2_571}
    assert [line.amount_pence for line in already_paid_lines(cycle, balance.paid)] == [-52_000]


def test_gross_with_the_contribution_paid_in_pays_the_gross():
    assert _inputs(contribution_paid_in=True).due((START, START + timedelta(days=27))) == {"council": 60_000}


def test_the_first_cycle_carries_set_up_costs_and_the_float():
    schedule = _inputs(set_up_costs_pence=25_000, opening_float_pence=10_000)
    lines = schedule.lines((START, START + timedelta(days=27)))
    assert [(line.description, line.amount_pence) for line in lines[:2]] == [
        ("set-up costs", 25_000),
        ("opening float", 10_000),
    ]
    assert schedule.lines(schedule.cycle_of(START + timedelta(days=30)))[0].description == "direct payment"


def test_suspension_and_end_stop_payment_for_their_days():
    schedule = _inputs(
        suspensions=[Dated(START + timedelta(days=7), 1), Dated(START + timedelta(days=14), 0)],
        end_date=START + timedelta(days=20),
    )
    cycle = (START, START + timedelta(days=27))
    assert schedule.due(cycle) == {"council": 2 * 13_000}  # weeks 1 and 3 only
    assert schedule.cycles_due(START + timedelta(days=60)) == [cycle]


def test_the_nhs_pays_its_part_and_the_contribution_only_comes_off_the_councils():
    joint = FundingDecision("d1", FundingBasis.joint_funding, FundingChange.started, START, Decimal("50"))
    schedule = _inputs(funding=[joint], contributions=[Dated(START, 9_000)])
    assert schedule.terms_on(START).funder is DirectPaymentFunder.joint
    assert schedule.due((START, START + timedelta(days=27))) == {"council": 4 * (7_500 - 7_500), "nhs": 30_000}
    phb = FundingDecision("d2", FundingBasis.personal_health_budget, FundingChange.started, START)
    ended = FundingDecision("d2", FundingBasis.personal_health_budget, FundingChange.ended, START + timedelta(days=14))
    schedule = _inputs(funding=[phb, ended], contributions=[])
    assert schedule.terms_on(START).funder is DirectPaymentFunder.nhs
    assert schedule.due((START, START + timedelta(days=27))) == {"nhs": 30_000, "council": 30_000}


def test_the_contribution_expected_is_owed_only_when_the_council_pays_gross():
    cycle = (START, START + timedelta(days=27))
    assert _inputs().contribution_expected(cycle) == 0  # net: deducted from the load, nothing is owed
    assert _inputs(contribution_paid_in=True).contribution_expected(cycle) == 8_000


def test_the_contribution_expected_is_cut_where_it_changes_and_never_from_the_nhs_part():
    cycle = (START, START + timedelta(days=27))
    changed = _inputs(
        contribution_paid_in=True, contributions=[Dated(START, 2_000), Dated(START + timedelta(days=10), 3_000)]
    )
    assert changed.contribution_expected(cycle) == prorate(2_000, 10) + prorate(3_000, 18)
    suspended = _inputs(contribution_paid_in=True, suspensions=[Dated(START + timedelta(days=14), 1)])
    assert suspended.contribution_expected(cycle) == 4_000
    nhs = FundingDecision("d1", FundingBasis.joint_funding, FundingChange.started, START, nhs_weekly_pence=14_000)
    assert _inputs(contribution_paid_in=True, funding=[nhs]).contribution_expected(cycle) == 4 * 1_000


_days = st.integers(min_value=-40, max_value=400).map(lambda n: START + timedelta(days=n))
_dated = st.builds(Dated, _days, st.integers(min_value=0, max_value=60_000), st.integers(min_value=0, max_value=2))
_funding = st.builds(
    FundingDecision,
    st.sampled_from(["a", "b"]),
    st.sampled_from(list(FundingBasis)),
    st.sampled_from(list(FundingChange)),
    _days,
    st.none() | st.integers(min_value=0, max_value=100).map(Decimal),
    st.none() | st.integers(min_value=0, max_value=30_000),
)


@settings(max_examples=200, deadline=None)
@given(
    gross=st.lists(_dated, max_size=4),
    contributions=st.lists(_dated, max_size=3),
    suspensions=st.lists(_dated.map(lambda d: Dated(d.effective_from, d.value % 2, d.sequence)), max_size=3),
    funding=st.lists(_funding, max_size=3),
    end=st.none() | _days,
    paid_in=st.booleans(),
    weeks=st.sampled_from([1, 2, 4]),
)
def test_a_cycles_due_is_its_lines_sum_and_each_piece_has_the_terms_of_its_first_day(
    gross, contributions, suspensions, funding, end, paid_in, weeks
):
    """A run reads each cycle's due without making its lines: it must be what the lines add up to,
    and the terms it cuts by (worked out once per change day) those in force on each piece's first day."""
    schedule = _inputs(
        gross=[Dated(START, 15_000), *gross],
        contributions=contributions,
        suspensions=suspensions,
        funding=funding,
        end_date=end,
        contribution_paid_in=paid_in,
        cycle_weeks=weeks,
        set_up_costs_pence=5_000,
    )
    for cycle in schedule.cycles_due(START + timedelta(days=420)):
        lines = schedule.lines(cycle)
        summed: dict[str, int] = {}
        for line in lines:
            summed[line.funder] = summed.get(line.funder, 0) + line.amount_pence
        assert schedule.due(cycle) == summed
        for line in lines:
            if line.days is not None:
                terms = schedule.terms_on(line.period_start)
                assert terms.active
                expected = {"direct payment": terms.gross - terms.nhs, "direct payment (NHS part)": terms.nhs}
                assert line.weekly_pence == expected.get(line.description, line.weekly_pence)
