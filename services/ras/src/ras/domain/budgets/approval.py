"""Who may decide a support plan that was not agreed at once, and what each decision leaves it as.

A team manager decides within the approval limit their council gives them (carried in their token;
the council's default limit when the token has none) on the estimated yearly cost; the panel decides
every plan, and alone those above every limit or the panel threshold. Sources: docs/domain/ras.md.
"""

from __future__ import annotations

from enum import StrEnum

from pbshared.contract.money import as_pounds
from pbshared.errors import DomainError
from ras.domain.budgets.support_plan import Route
from ras.domain.reference.budget_rules import BudgetRules

TEAM_MANAGER, PANEL = "team_manager", "panel"


class NotYoursToDecide(DomainError):
    """The plan is above the decider's authority (an HTTP 403 at the edge)."""

    title = "Not within your authority"


class PlanStatus(StrEnum):
    awaiting_team_manager = "awaiting_team_manager"
    awaiting_panel = "awaiting_panel"
    agreed = "agreed"
    rejected = "rejected"
    ended = "ended"  # by a review: moved to residential care, support ended


AWAITING = {Route.team_manager: PlanStatus.awaiting_team_manager, Route.panel: PlanStatus.awaiting_panel}


def status_on_submission(route: Route) -> PlanStatus:
    return AWAITING.get(route, PlanStatus.agreed)


def why_not_allowed_to_decide(
    status: PlanStatus, role: str, token_limit_pence: int | None, yearly_cost_pence: int, rules: BudgetRules
) -> str | None:
    """The rule that stops this person deciding the plan, or None when they may."""
    if role == PANEL:
        return None
    if status is PlanStatus.awaiting_panel:
        return "this plan goes to the panel: it is above the panel threshold or every approval limit"
    limit = token_limit_pence if token_limit_pence is not None else rules.approval_limits.limit_for(None)
    if limit is None or yearly_cost_pence > limit:
        shown = as_pounds(limit) if limit is not None else "none"
        return (
            f"approval limit: the estimated yearly cost of {as_pounds(yearly_cost_pence)} is above "
            f"your approval limit ({shown}); the panel decides it"
        )
    return None
