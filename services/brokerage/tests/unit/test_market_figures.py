"""The market figures from known facts: medians, shares per round (superseded and withdrawn rounds
not counted), rates against ceilings half up, and an empty period."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from brokerage.domain.market import ALL, PackageFacts, hand_backs, market_figures

REQUESTED = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def facts(area: str, hours: float | None, rounds: dict[int, str], rate: int | None = None, bids: int = 0):
    return PackageFacts(
        package_id=uuid.uuid4(),
        lot="home_care",
        area=area,
        ceiling_pence=2400,
        requested_at=REQUESTED,
        awarded_at=REQUESTED + timedelta(hours=hours) if hours is not None else None,
        bids=bids,
        round_outcomes=rounds,
        start_date=date(2026, 5, 4) + timedelta(days=3) if rate else None,
        rate_pence=rate,
    )


def test_figures_by_lot_and_area_and_for_the_council() -> None:
    council, lines = market_figures(
        [
            facts("north", 24, {1: "awarded"}, rate=1800, bids=3),
            facts("north", 49, {1: "superseded", 2: "unfilled", 3: "awarded"}, rate=2401, bids=2),
            facts("south", None, {1: "withdrawn"}),
        ]
    )
    assert (council.lot, council.area, council.packages, council.awarded, council.placed) == (ALL, ALL, 3, 2, 2)
    assert council.median_hours_to_award == Decimal("36.5")
    assert council.median_days_to_start == Decimal("3.0")
    assert council.bids_per_package == Decimal("1.7")  # 5 / 3, half up
    assert council.mean_placed_rate_pence == 2101  # 2100.5, half up
    assert council.mean_rate_to_ceiling_percent == Decimal("87.5")  # (75 + 100.04...) / 2
    assert council.placed_above_ceiling == 1
    assert [(s.round, s.closed, s.unfilled, s.unfilled_percent) for s in council.unfilled_after_round] == [
        (1, 1, 0, Decimal("0.0")),  # the superseded and withdrawn first rounds are not counted
        (2, 1, 1, Decimal("100.0")),
        (3, 1, 0, Decimal("0.0")),
    ]
    assert [(line.area, line.packages) for line in lines] == [("north", 2), ("south", 1)]
    south = lines[1]
    assert south.median_hours_to_award is None and south.unfilled_after_round[0].unfilled_percent is None


def test_an_empty_period_has_counts_of_nought_and_no_averages() -> None:
    council, lines = market_figures([])
    assert (council.packages, council.bids_per_package, council.mean_placed_rate_pence) == (0, None, None)
    assert lines == [] and council.unfilled_after_round == []


def test_hand_backs_most_first_then_by_provider() -> None:
    rows = hand_backs(["birch", "acorn", "acorn", "cedar"], ["cedar", "acorn", "cedar"])
    assert [(r.provider_id, r.placements_started, r.handed_back) for r in rows] == [
        ("cedar", 1, 2),
        ("acorn", 2, 1),
        ("birch", 1, 0),
    ]
