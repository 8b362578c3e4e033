"""The budget envelope: what agreed and indicative budgets commit, by client group, against the year's
envelope, and what approvals above the indicative budget drew from the contingency reserve.

The reserve is a share of the whole envelope held centrally for people whose indicative budget
cannot meet their assessed needs (the Cheshire East cabinet report, 2009: 20% in year one). The
RAS must never be used to cut: the duty to meet assessed needs comes first; this shows the cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pbshared.contract.events.people import ClientGroup
from pbshared.contract.money import pence_half_up
from ras.domain.reference.budget_rules import BudgetRules


class Stage(StrEnum):
    indicative = "indicative"  # assessed, plan not yet agreed: the indicative budget is committed
    agreed = "agreed"


@dataclass(frozen=True)
class Commitment:
    client_group: ClientGroup
    stage: Stage
    annual_pence: int
    indicative_annual_pence: int

    @property
    def above_indicative_pence(self) -> int:
        """What an agreed budget above its indicative figure drew from the contingency."""
        if self.stage is Stage.indicative:
            return 0
        return max(0, self.annual_pence - self.indicative_annual_pence)


@dataclass(frozen=True)
class GroupPosition:
    client_group: ClientGroup
    envelope_pence: int
    agreed_pence: int
    indicative_pence: int
    drawn_from_contingency_pence: int

    @property
    def committed_pence(self) -> int:
        return self.agreed_pence + self.indicative_pence

    @property
    def remaining_pence(self) -> int:
        return self.envelope_pence - self.committed_pence


@dataclass(frozen=True)
class EnvelopePosition:
    groups: list[GroupPosition]
    contingency_reserve_pence: int

    @property
    def envelope_pence(self) -> int:
        return sum(g.envelope_pence for g in self.groups)

    @property
    def committed_pence(self) -> int:
        return sum(g.committed_pence for g in self.groups)

    @property
    def drawn_from_contingency_pence(self) -> int:
        return sum(g.drawn_from_contingency_pence for g in self.groups)

    @property
    def contingency_remaining_pence(self) -> int:
        return self.contingency_reserve_pence - self.drawn_from_contingency_pence


def envelope_position(commitments: Iterable[Commitment], rules: BudgetRules) -> EnvelopePosition:
    """Every client group with an envelope or a commitment; the reserve is a share of the whole envelope."""
    commitments = list(commitments)
    groups = sorted(set(rules.envelope_annual_pence) | {c.client_group for c in commitments})
    positions = []
    for group in groups:
        mine = [c for c in commitments if c.client_group == group]
        positions.append(
            GroupPosition(
                group,
                rules.envelope_annual_pence.get(group, 0),
                sum(c.annual_pence for c in mine if c.stage is Stage.agreed),
                sum(c.annual_pence for c in mine if c.stage is Stage.indicative),
                sum(c.above_indicative_pence for c in mine),
            )
        )
    total = sum(rules.envelope_annual_pence.values())
    reserve = pence_half_up(Decimal(total) * rules.contingency_percent / 100)
    return EnvelopePosition(positions, reserve)
