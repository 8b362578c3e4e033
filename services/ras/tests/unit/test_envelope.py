"""The budget envelope: commitments by client group against the envelope, and the contingency drawn."""

from __future__ import annotations

from pbshared.contract.events.people import ClientGroup
from ras.domain.commissioning.envelope import Commitment, Stage, envelope_position

OLDER, LD, CARER = ClientGroup.older_people, ClientGroup.learning_disability, ClientGroup.carer


def test_agreed_and_indicative_budgets_are_committed_against_each_groups_envelope(budget_rules) -> None:
    position = envelope_position(
        [
            Commitment(OLDER, Stage.agreed, 1_000_000, 800_000),
            Commitment(OLDER, Stage.agreed, 500_000, 600_000),
            Commitment(OLDER, Stage.indicative, 700_000, 700_000),
            Commitment(LD, Stage.agreed, 2_000_000, 2_100_000),
        ],
        budget_rules,
    )
    older = next(g for g in position.groups if g.client_group is OLDER)
    assert (older.agreed_pence, older.indicative_pence, older.committed_pence) == (1_500_000, 700_000, 2_200_000)
    assert older.remaining_pence == 1_500_000_000 - 2_200_000


def test_only_approvals_above_the_indicative_budget_draw_on_the_contingency(budget_rules) -> None:
    position = envelope_position(
        [
            Commitment(OLDER, Stage.agreed, 1_000_000, 800_000),  # draws 200,000
            Commitment(OLDER, Stage.agreed, 500_000, 600_000),  # below: draws nothing
            Commitment(OLDER, Stage.indicative, 700_000, 700_000),
        ],
        budget_rules,
    )
    assert position.contingency_reserve_pence == 3_470_000_000 * 20 // 100
    assert position.drawn_from_contingency_pence == 200_000
    assert position.contingency_remaining_pence == 694_000_000 - 200_000


def test_a_group_without_an_envelope_shows_its_commitment_as_over(budget_rules) -> None:
    position = envelope_position([Commitment(CARER, Stage.agreed, 10_000, 10_000)], budget_rules)
    carer = next(g for g in position.groups if g.client_group is CARER)
    assert (carer.envelope_pence, carer.remaining_pence) == (0, -10_000)
    assert position.envelope_pence == 3_470_000_000
