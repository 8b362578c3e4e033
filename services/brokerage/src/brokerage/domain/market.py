"""What the council learns from its market (docs/domain/brokerage.md, "Market figures"): for the
packages requested in a period, by lot and area, the time from request to award and to start, the
share unfilled after each round, placed rates against the ceilings, bids per package; and the
hand-backs by provider. Figures are exact until the last step, which rounds half up to one place.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ALL = "all"  # the lot and area of the council-wide line
_ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class PackageFacts:
    """One package requested in the period, as far as it got."""

    package_id: uuid.UUID
    lot: str
    area: str
    ceiling_pence: int
    requested_at: datetime
    awarded_at: datetime | None  # the latest award: the one accepted, once placed
    bids: int
    round_outcomes: dict[int, str]  # round -> awarded, unfilled, superseded, withdrawn (closed rounds)
    start_date: date | None = None  # of its placement
    rate_pence: int | None = None
    off_dps: bool = False


@dataclass(frozen=True)
class RoundShare:
    round: int
    closed: int  # packages whose round closed awarded or unfilled
    unfilled: int
    unfilled_percent: Decimal | None


@dataclass(frozen=True)
class LotAreaFigures:
    lot: str
    area: str
    packages: int
    awarded: int
    median_hours_to_award: Decimal | None
    placed: int
    median_days_to_start: Decimal | None
    bids: int
    bids_per_package: Decimal | None
    mean_placed_rate_pence: int | None
    mean_rate_to_ceiling_percent: Decimal | None
    placed_above_ceiling: int
    placed_off_dps: int
    unfilled_after_round: list[RoundShare]


@dataclass(frozen=True)
class HandBacks:
    provider_id: str
    placements_started: int
    handed_back: int


def _half_up(value: Fraction, places: Decimal) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, ROUND_HALF_UP)


def _one_place(value: Fraction) -> Decimal:
    return _half_up(value, _ONE_PLACE)


def _median(values: list[Fraction]) -> Decimal | None:
    return _one_place(statistics.median(values)) if values else None


def _rounds(facts: list[PackageFacts]) -> list[RoundShare]:
    shares = []
    for number in sorted({r for f in facts for r in f.round_outcomes}):
        outcomes = [f.round_outcomes[number] for f in facts if number in f.round_outcomes]
        closed = sum(1 for o in outcomes if o in ("awarded", "unfilled"))
        unfilled = outcomes.count("unfilled")
        share = _one_place(Fraction(100 * unfilled, closed)) if closed else None
        shares.append(RoundShare(number, closed, unfilled, share))
    return shares


def figures_for(lot: str, area: str, facts: list[PackageFacts]) -> LotAreaFigures:
    awarded = [f for f in facts if f.awarded_at is not None]
    placed = [f for f in facts if f.start_date is not None and f.rate_pence is not None]
    hours = [Fraction(int((f.awarded_at - f.requested_at).total_seconds()), 3600) for f in awarded if f.awarded_at]
    days = [Fraction((f.start_date - f.requested_at.date()).days) for f in placed if f.start_date]
    rates = [f.rate_pence for f in placed if f.rate_pence is not None]
    to_ceiling = [Fraction(100 * f.rate_pence, f.ceiling_pence) for f in placed if f.rate_pence and f.ceiling_pence]
    bids = sum(f.bids for f in facts)
    return LotAreaFigures(
        lot=lot,
        area=area,
        packages=len(facts),
        awarded=len(awarded),
        median_hours_to_award=_median(hours),
        placed=len(placed),
        median_days_to_start=_median(days),
        bids=bids,
        bids_per_package=_one_place(Fraction(bids, len(facts))) if facts else None,
        # Pence, half up: a mean rate is a figure to read, never an amount anyone is paid.
        mean_placed_rate_pence=int(_half_up(Fraction(sum(rates), len(rates)), Decimal(1))) if rates else None,
        mean_rate_to_ceiling_percent=_one_place(sum(to_ceiling, Fraction(0)) / len(to_ceiling)) if to_ceiling else None,
        placed_above_ceiling=sum(1 for f in placed if (f.rate_pence or 0) > f.ceiling_pence),
        placed_off_dps=sum(1 for f in placed if f.off_dps),
        unfilled_after_round=_rounds(facts),
    )


def market_figures(facts: Iterable[PackageFacts]) -> tuple[LotAreaFigures, list[LotAreaFigures]]:
    """The council-wide line, then one line per lot and area (sorted)."""
    every = list(facts)
    groups: dict[tuple[str, str], list[PackageFacts]] = {}
    for f in every:
        groups.setdefault((f.lot, f.area), []).append(f)
    return figures_for(ALL, ALL, every), [figures_for(lot, area, groups[lot, area]) for lot, area in sorted(groups)]


def hand_backs(started: Iterable[str], handed_back: Iterable[str]) -> list[HandBacks]:
    """Per provider: placements started and placements handed back in the period, most hand-backs first."""
    starts: dict[str, int] = {}
    backs: dict[str, int] = {}
    for provider_id in started:
        starts[provider_id] = starts.get(provider_id, 0) + 1
    for provider_id in handed_back:
        backs[provider_id] = backs.get(provider_id, 0) + 1
    rows = [HandBacks(p, starts.get(p, 0), backs.get(p, 0)) for p in set(starts) | set(backs)]
    return sorted(rows, key=lambda r: (-r.handed_back, r.provider_id))
