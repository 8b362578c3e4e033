"""Model comparison: the same assessments scored under two RAS model versions, side by side.

A council changing its model should see the effect before it goes live (one council found its new
model 15% lower than the old only afterwards). Assessments the new questionnaire cannot score (a
question gone, an option renamed) are counted apart, with their problems, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from pbshared.contract.events.people import ClientGroup
from pbshared.contract.money import weekly_from_annual
from ras.domain.assessments.scoring import Answers, ModelVersion, score
from ras.domain.commissioning.calibration import CohortRow
from ras.domain.problems import Problem, Refused
from ras.domain.reference.allocation import PointsToMoney

T = TypeVar("T")


@dataclass
class GroupComparison:
    client_group: ClientGroup
    compared: int = 0
    before_weekly_pence: int = 0
    after_weekly_pence: int = 0
    not_comparable: dict[int, list[Problem]] = field(default_factory=dict)

    @property
    def difference_weekly_pence(self) -> int:
        return self.after_weekly_pence - self.before_weekly_pence

    @property
    def difference_percent(self) -> Decimal | None:
        """Change against the current version's total, to one decimal place, half up."""
        if not self.before_weekly_pence:
            return None
        share = Decimal(self.difference_weekly_pence * 100) / self.before_weekly_pence
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _side_by_side(
    items: Sequence[T], client_group: Callable[[T], ClientGroup], weekly: Callable[[T], tuple[int, int]]
) -> dict[ClientGroup, GroupComparison]:
    groups: dict[ClientGroup, GroupComparison] = {}
    for index, item in enumerate(items):
        group = groups.setdefault(client_group(item), GroupComparison(client_group(item)))
        try:
            before, after = weekly(item)
        except Refused as refused:
            group.not_comparable[index] = refused.problems
            continue
        group.compared += 1
        group.before_weekly_pence += before
        group.after_weekly_pence += after
    return dict(sorted(groups.items()))


def compare_models(
    assessments: Sequence[Answers], current: ModelVersion, proposed: ModelVersion
) -> dict[ClientGroup, GroupComparison]:
    """Indicative weekly budgets by client group under both versions; unscorable ones by their index."""

    def both(answers: Answers) -> tuple[int, int]:
        before = score(current, replace(answers, model_version=current.version))
        after = score(proposed, replace(answers, model_version=proposed.version))
        return before.indicative_weekly_pence, after.indicative_weekly_pence

    return _side_by_side(assessments, lambda answers: answers.client_group, both)


def compare_formulas(
    rows: Sequence[CohortRow], current: PointsToMoney, proposed: PointsToMoney
) -> dict[ClientGroup, GroupComparison]:
    """A cohort of points (no answers) priced by both versions' formulas; a row either cannot price
    (no price for its client group) is listed by its index."""

    def both(row: CohortRow) -> tuple[int, int]:
        before = current.allocate(row.points, row.client_group).annual_pence
        after = proposed.allocate(row.points, row.client_group).annual_pence
        return weekly_from_annual(before), weekly_from_annual(after)

    return _side_by_side(rows, lambda row: row.client_group, both)
