"""Model comparison: the same assessments scored under two RAS model versions, side by side.

A council changing its model should see the effect before it goes live (one council found its new
model 15% lower than the old only afterwards). Assessments the new questionnaire cannot score (a
question gone, an option renamed) are counted apart, with their problems, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from pbshared.contract.events.people import ClientGroup
from ras.domain.assessments.scoring import Answers, ModelVersion, score
from ras.domain.problems import Problem, Refused


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


def compare_models(
    assessments: Sequence[Answers], current: ModelVersion, proposed: ModelVersion
) -> dict[ClientGroup, GroupComparison]:
    """Indicative weekly budgets by client group under both versions; unscorable ones by their index."""
    groups: dict[ClientGroup, GroupComparison] = {}
    for index, answers in enumerate(assessments):
        group = groups.setdefault(answers.client_group, GroupComparison(answers.client_group))
        try:
            before = score(current, replace(answers, model_version=current.version))
            after = score(proposed, replace(answers, model_version=proposed.version))
        except Refused as refused:
            group.not_comparable[index] = refused.problems
            continue
        group.compared += 1
        group.before_weekly_pence += before.indicative_weekly_pence
        group.after_weekly_pence += after.indicative_weekly_pence
    return dict(sorted(groups.items()))
