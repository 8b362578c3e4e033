"""Who may decide a plan awaiting approval: the panel always; a team manager within their limit (their
token's, or the council's default when the token carries none) and never a plan sent to the panel."""

from __future__ import annotations

from ras.domain.budgets.approval import PlanStatus, why_not_allowed_to_decide

TEAM = PlanStatus.awaiting_team_manager
# The sample council's default limit is GBP 15,600 a year.


def test_a_team_manager_without_a_limit_in_their_token_has_the_councils_default(budget_rules):
    assert why_not_allowed_to_decide(TEAM, "team_manager", None, 1_560_000, budget_rules) is None
    refusal = why_not_allowed_to_decide(TEAM, "team_manager", None, 1_560_001, budget_rules)
    assert refusal is not None and refusal.startswith("approval limit") and "GBP 15,600.00" in refusal


def test_the_limit_in_the_token_replaces_the_default(budget_rules):
    assert why_not_allowed_to_decide(TEAM, "team_manager", 2_600_000, 2_000_000, budget_rules) is None
    assert why_not_allowed_to_decide(TEAM, "team_manager", 1_000_000, 1_200_000, budget_rules) is not None


def test_only_the_panel_decides_a_plan_sent_to_the_panel(budget_rules):
    panel_plan = PlanStatus.awaiting_panel
    assert why_not_allowed_to_decide(panel_plan, "team_manager", 10**9, 100, budget_rules) is not None
    assert why_not_allowed_to_decide(panel_plan, "panel", None, 10**9, budget_rules) is None
