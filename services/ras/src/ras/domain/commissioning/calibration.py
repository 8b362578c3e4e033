"""Calibrating the RAS against what care really cost, and who gains or loses under a proposed model.

The fit, per client group: annual cost = price x points, a least-squares line through the origin
(no points, no money), so price = sum(points x cost) / sum(points squared). Floats live only inside
the fit; the price is then published in whole pence (half up), and residuals are worked out from
that published price, so they are the differences a commissioner would see.
R squared = 1 - (residual sum of squares / total sum of squares about the mean cost): the share of
the variation in cost the line explains; it can be negative when a line through the origin fits
worse than the mean alone. A residual is an outlier when it is more than `outlier_z` residual
standard deviations (sqrt(residual sum of squares / (n - 1)), one fitted parameter) from zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pbshared.contract.events.people import ClientGroup
from pbshared.contract.money import WEEKS_PER_YEAR, pence_half_up, weekly_from_annual
from ras.domain.problems import Problem, refuse_if_any
from ras.domain.reference.allocation import PointsToMoney


@dataclass(frozen=True)
class CohortRow:
    """A past assessment: its points, and the weekly cost of the care that met the person's needs."""

    reference: str
    client_group: ClientGroup
    points: int
    actual_weekly_pence: int

    @property
    def actual_annual_pence(self) -> int:
        return self.actual_weekly_pence * WEEKS_PER_YEAR


@dataclass(frozen=True)
class Residual:
    reference: str
    points: int
    actual_annual_pence: int
    fitted_annual_pence: int
    standardised: float

    @property
    def residual_pence(self) -> int:
        return self.actual_annual_pence - self.fitted_annual_pence


@dataclass(frozen=True)
class Fit:
    client_group: ClientGroup
    annual_pence_per_point: int
    r_squared: float
    residuals: list[Residual]
    outlier_z: float

    @property
    def outliers(self) -> list[Residual]:
        return [r for r in self.residuals if abs(r.standardised) > self.outlier_z]


def _groups(rows: Iterable[CohortRow]) -> dict[ClientGroup, list[CohortRow]]:
    grouped: dict[ClientGroup, list[CohortRow]] = {}
    for row in rows:
        grouped.setdefault(row.client_group, []).append(row)
    return dict(sorted(grouped.items()))


def _problems(rows: Sequence[CohortRow]) -> list[Problem]:
    problems = []
    for i, row in enumerate(rows):
        if row.points < 0:
            problems.append(Problem(("rows", i, "points"), "cannot be negative"))
        if row.actual_weekly_pence < 0:
            problems.append(Problem(("rows", i, "actual_weekly_pence"), "cannot be negative"))
    for group, members in _groups(rows).items():
        if len(members) < 2 or not any(r.points > 0 for r in members):
            problems.append(Problem(("client_group", group.value), "needs two or more rows with points to fit"))
    return problems


def _fit_group(group: ClientGroup, rows: list[CohortRow], outlier_z: float) -> Fit:
    sum_xy = sum(float(r.points) * r.actual_annual_pence for r in rows)
    sum_xx = sum(float(r.points) ** 2 for r in rows)
    price = pence_half_up(Decimal(sum_xy / sum_xx))
    fitted = [r.points * price for r in rows]
    errors = [r.actual_annual_pence - f for r, f in zip(rows, fitted, strict=True)]
    mean = sum(r.actual_annual_pence for r in rows) / len(rows)
    ss_res = sum(float(e) ** 2 for e in errors)
    ss_tot = sum((r.actual_annual_pence - mean) ** 2 for r in rows)
    r_squared = 1.0 - ss_res / ss_tot if ss_tot else (1.0 if ss_res == 0 else 0.0)
    spread = math.sqrt(ss_res / (len(rows) - 1))
    residuals = [
        Residual(r.reference, r.points, r.actual_annual_pence, f, e / spread if spread else 0.0)
        for r, f, e in zip(rows, fitted, errors, strict=True)
    ]
    return Fit(group, price, r_squared, residuals, outlier_z)


def fit_price_per_point(rows: Sequence[CohortRow], outlier_z: float = 2.0) -> dict[ClientGroup, Fit]:
    """The price per point per year for each client group in the cohort, or Refused listing each problem."""
    refuse_if_any(_problems(rows))
    return {group: _fit_group(group, members, outlier_z) for group, members in _groups(rows).items()}


@dataclass(frozen=True)
class Change:
    reference: str
    client_group: ClientGroup
    current_weekly_pence: int
    proposed_weekly_pence: int

    @property
    def difference_pence(self) -> int:
        return self.proposed_weekly_pence - self.current_weekly_pence


@dataclass(frozen=True)
class GainsAndLosses:
    client_group: ClientGroup
    changes: list[Change]

    @property
    def winners(self) -> int:
        return sum(1 for c in self.changes if c.difference_pence > 0)

    @property
    def losers(self) -> int:
        return sum(1 for c in self.changes if c.difference_pence < 0)

    @property
    def unchanged(self) -> int:
        return sum(1 for c in self.changes if c.difference_pence == 0)

    @property
    def gained_weekly_pence(self) -> int:
        return sum(c.difference_pence for c in self.changes if c.difference_pence > 0)

    @property
    def lost_weekly_pence(self) -> int:
        """As a positive amount."""
        return -sum(c.difference_pence for c in self.changes if c.difference_pence < 0)


def winners_and_losers(rows: Sequence[CohortRow], proposed: PointsToMoney) -> dict[ClientGroup, GainsAndLosses]:
    """Each person's indicative weekly budget under the proposed formula against their current weekly cost."""
    return {
        group: GainsAndLosses(
            group,
            [
                Change(
                    r.reference,
                    group,
                    r.actual_weekly_pence,
                    weekly_from_annual(proposed.allocate(r.points, group).annual_pence),
                )
                for r in members
            ],
        )
        for group, members in _groups(rows).items()
    }
