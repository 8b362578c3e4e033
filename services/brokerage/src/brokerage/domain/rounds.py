"""What follows an award that lapses or a round that ends unfilled (docs/domain/brokerage.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from brokerage.domain.evaluation import ScoredBid
from brokerage.domain.reference.dps_rules import Readvertising
from brokerage.domain.reference.localities import Localities


def next_award(ranking: list[ScoredBid], passed_over: Iterable[object]) -> ScoredBid | None:
    """The best bid not yet declined, lapsed or withdrawn; None when the ranking is spent."""
    gone = set(passed_over)
    return next((s for s in ranking if s.bid.bid_id not in gone), None)


@dataclass(frozen=True)
class Readvert:
    round: int
    areas: list[str]
    latest_start_date: date


@dataclass(frozen=True)
class Escalate:
    reason: str


def after_unfilled(
    round_number: int,
    areas: list[str],
    latest_start_date: date,
    rule: Readvertising,
    localities: Localities,
    rounds_run: int | None = None,
) -> Readvert | Escalate:
    """Re-advertise under the council's rule (wider area, later start) until its rounds run out, then
    escalate to a broker. `rounds_run`: rounds for the package's current needs (all, by default)."""
    run = round_number if rounds_run is None else rounds_run
    if run > rule.rounds:
        return Escalate(f"unfilled after {run} round(s); the council's rule allows {rule.rounds} re-advert(s)")
    wider = list(areas)
    if rule.widen_to_neighbouring_areas:
        for area in areas:
            wider += [n for n in localities.neighbours_of(area) if n not in wider]
    return Readvert(round_number + 1, wider, latest_start_date + timedelta(days=rule.later_start_days))
