"""A direct payment's schedule: what is due for each payment cycle, line by line.

An agreement is paid in advance, one cycle at a time (4 weeks by default: council policy), from its
start date. What a cycle is worth comes from effective-dated series, each changing on its own date:
the direct payment part of the budget (gross), the person's contribution, who funds it (the NHS part),
and whether the agreement is suspended. A cycle is cut where any of them changes and each piece is a
line: weekly amount x days / 7, half up to the penny, per line (docs/domain/direct-payments.md, "Our
rule for part periods"). A change after a cycle was paid makes the cycle's due differ from what was
paid; the next run pays (or holds back) the difference, shown as the cycle's lines and an "already
paid" line. Pure Python.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache

from pbshared.contract.events.health import FundingBasis, FundingChange
from pbshared.contract.events.ledger import DirectPaymentFunder
from pbshared.contract.money import pence_half_up

COUNCIL = "council"
NHS = "nhs"


@lru_cache(maxsize=65_536)  # pure, and a run asks for the same few (weekly, days) for every cycle
def prorate(weekly_pence: int, days: int) -> int:
    """weekly x days / 7, half up to the penny: the one rule for part of a week."""
    return pence_half_up(Decimal(weekly_pence) * days / 7)


@dataclass(frozen=True)
class Dated:
    """One value of a series from `effective_from`; the later `sequence` wins on the same date."""

    effective_from: date
    value: int
    sequence: int = 0


@dataclass(frozen=True)
class FundingDecision:
    """An NHS decision about who pays (funding_responsibility.changed), as the ledger keeps it."""

    decision_id: str
    basis: FundingBasis
    change: FundingChange
    effective_date: date
    nhs_share_percent: Decimal | None = None
    nhs_weekly_pence: int | None = None
    sequence: int = 0


@dataclass(frozen=True)
class Terms:
    """What applies on one day."""

    gross: int
    contribution: int
    nhs: int  # the NHS part of the gross
    active: bool  # false while suspended or after the end

    @property
    def funder(self) -> DirectPaymentFunder:
        if self.nhs and self.nhs >= self.gross:
            return DirectPaymentFunder.nhs
        return DirectPaymentFunder.joint if self.nhs else DirectPaymentFunder.council

    @property
    def net(self) -> int:
        return max(0, self.gross - self.contribution)


@dataclass(frozen=True)
class Line:
    cycle_start: date
    period_start: date
    period_end: date
    description: str
    funder: str  # council or nhs: whose fund pays it
    weekly_pence: int | None
    days: int | None
    amount_pence: int

    def as_dict(self) -> dict:
        return {
            "cycle_start": self.cycle_start.isoformat(),
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "description": self.description,
            "funder": self.funder,
            "weekly_pence": self.weekly_pence,
            "days": self.days,
            "amount_pence": self.amount_pence,
        }


@dataclass(frozen=True)
class ScheduleInputs:
    start_date: date
    end_date: date | None
    cycle_weeks: int
    contribution_paid_in: bool
    gross: Sequence[Dated]
    contributions: Sequence[Dated]
    suspensions: Sequence[Dated]  # value 1 suspended, 0 resumed
    funding: Sequence[FundingDecision] = ()
    set_up_costs_pence: int = 0
    opening_float_pence: int = 0

    def terms_on(self, day: date) -> Terms:
        gross = _value_on(self.gross, day)
        contribution = _value_on(self.contributions, day)
        suspended = bool(_value_on(self.suspensions, day))
        ended = self.end_date is not None and day > self.end_date
        return Terms(gross, contribution, nhs_part(self.funding, day, gross), not (suspended or ended) and gross > 0)

    def cycle_of(self, day: date) -> tuple[date, date]:
        length = 7 * self.cycle_weeks
        index = max(0, (day - self.start_date).days // length)
        start = self.start_date + timedelta(days=index * length)
        return start, start + timedelta(days=length - 1)

    def cycles_due(self, run_date: date) -> list[tuple[date, date]]:
        """Every cycle starting on or before run_date (paid in advance) and not after the end."""
        found: list[tuple[date, date]] = []
        start = self.start_date
        last = run_date if self.end_date is None else min(run_date, self.end_date)
        while start <= last:
            end = start + timedelta(days=7 * self.cycle_weeks - 1)
            found.append((start, end))
            start = end + timedelta(days=1)
        return found

    @cached_property
    def _changes(self) -> tuple[list[date], list[Terms]]:
        """The days anything changes, in order, with the terms from each: computed once per schedule,
        since every cycle is cut at them, and the terms only ever change on one of them."""
        days = {d.effective_from for d in (*self.gross, *self.contributions, *self.suspensions)}
        days |= {d.effective_date for d in self.funding}
        if self.end_date is not None:
            days.add(self.end_date + timedelta(days=1))
        ordered = sorted(days)
        return ordered, [self.terms_on(day) for day in ordered]

    def lines(self, cycle: tuple[date, date]) -> list[Line]:
        """The cycle's lines: a piece between changes per line, and the one-off amounts in the first."""
        return [Line(cycle[0], *part) for part in self._parts(cycle)]

    def due(self, cycle: tuple[date, date]) -> dict[str, int]:
        """What the cycle is worth, per funder: its lines' sum (without making the lines)."""
        totals: dict[str, int] = {}
        for *_, funder, _, _, amount in self._parts(cycle):
            totals[funder] = totals.get(funder, 0) + amount
        return totals

    def _parts(self, cycle: tuple[date, date]) -> Iterator[tuple[date, date, str, str, int | None, int | None, int]]:
        """Each line of the cycle but its cycle start: (from, to, description, funder, weekly, days, pence)."""
        first = cycle[0]
        if first == self.start_date:
            for label, amount in (
                ("set-up costs", self.set_up_costs_pence),
                ("opening float", self.opening_float_pence),
            ):
                if amount:
                    yield first, first, label, COUNCIL, None, None, amount
        for piece_start, piece_end, terms in self._pieces(cycle):
            days = (piece_end - piece_start).days + 1
            council_part = terms.gross - terms.nhs
            # The person's contribution comes off what the council loads (a net payment), unless the
            # council pays gross and the person pays the contribution in; never off the NHS part.
            contribution = 0 if self.contribution_paid_in else min(terms.contribution, council_part)
            for text, funder, weekly in (
                ("direct payment", COUNCIL, council_part),
                ("direct payment (NHS part)", NHS, terms.nhs),
                ("less contribution", COUNCIL, -contribution),
            ):
                if weekly:
                    amount = prorate(abs(weekly), days) * (1 if weekly > 0 else -1)
                    yield piece_start, piece_end, text, funder, weekly, days, amount

    def _pieces(self, cycle: tuple[date, date]) -> list[tuple[date, date, Terms]]:
        """The cycle cut where anything changes: each active piece with the terms that apply to it."""
        first, last = cycle
        days, terms_from = self._changes
        inside = bisect_right(days, first), bisect_right(days, last)  # the changes with first < day <= last
        cuts = [first, *days[inside[0] : inside[1]]]
        pieces = []
        for n, (piece_start, piece_end) in enumerate(
            zip(cuts, [*(c - timedelta(days=1) for c in cuts[1:]), last], strict=True)
        ):
            # The terms in force: those from the last change on or before the piece's start.
            index = inside[0] - 1 + n
            terms = terms_from[index] if index >= 0 else self.terms_on(piece_start)
            if terms.active:
                pieces.append((piece_start, piece_end, terms))
        return pieces

    def contribution_expected(self, cycle: tuple[date, date]) -> int:
        """What the person is expected to pay in for the cycle when the council pays gross (0 when it
        pays net: the contribution is then deducted from the load). Pro-rated per piece like the lines,
        and never more than the council's part (the NHS part carries no contribution)."""
        if not self.contribution_paid_in:
            return 0
        return sum(
            prorate(min(terms.contribution, terms.gross - terms.nhs), (end - start).days + 1)
            for start, end, terms in self._pieces(cycle)
        )


def _value_on(series: Sequence[Dated], day: date) -> int:
    in_force = [d for d in series if d.effective_from <= day]
    if not in_force:
        return 0
    return max(in_force, key=lambda d: (d.effective_from, d.sequence)).value


_FULL = frozenset({FundingBasis.continuing_healthcare, FundingBasis.personal_health_budget})


def nhs_part(decisions: Sequence[FundingDecision], day: date, gross: int) -> int:
    """The NHS part of the gross on `day`: all of it under NHS continuing healthcare or a personal
    health budget, the agreed share under joint funding, none otherwise (section 117 aftercare is
    free to the person but the council's fund pays the direct payment)."""
    latest: dict[str, FundingDecision] = {}
    for decision in sorted(decisions, key=lambda d: (d.effective_date, d.sequence)):
        if decision.effective_date <= day:
            latest[decision.decision_id] = decision
    started = [d for d in latest.values() if d.change is FundingChange.started]
    if any(d.basis in _FULL for d in started):
        return gross
    share = 0
    for d in started:
        if d.basis is FundingBasis.joint_funding:
            if d.nhs_weekly_pence is not None:
                share += d.nhs_weekly_pence
            elif d.nhs_share_percent is not None:
                share += pence_half_up(Decimal(gross) * d.nhs_share_percent / 100)
    return min(share, gross)


@dataclass
class CycleBalance:
    """A cycle's due against what has been paid for it, per funder: the difference is payable now."""

    cycle: tuple[date, date]
    due: dict[str, int]
    paid: dict[str, int] = field(default_factory=dict)

    def difference(self) -> dict[str, int]:
        funders = set(self.due) | set(self.paid)
        return {
            f: self.due.get(f, 0) - self.paid.get(f, 0)
            for f in sorted(funders)
            if self.due.get(f, 0) != self.paid.get(f, 0)
        }


def already_paid_lines(cycle: tuple[date, date], paid: dict[str, int]) -> list[Line]:
    return [
        Line(cycle[0], cycle[0], cycle[1], "already paid", funder, None, None, -amount)
        for funder, amount in sorted(paid.items())
        if amount
    ]
