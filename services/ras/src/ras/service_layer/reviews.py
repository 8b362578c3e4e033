"""Reviews of agreed budgets: the due and overdue list; a review's outcome keeps the budget (next
review moved on), supersedes it from its effective date with a new costed plan (publishes
personal_budget.revised; transitional protection applied), or ends it (personal_budget.ended).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.events.budgets import (
    BudgetEndReason,
    BudgetReason,
    OneOffCost,
    PersonalBudgetEnded,
)
from pbshared.contract.money import as_pounds
from pbshared.errors import NotFound, RuleBroken, StaleRevision
from pbshared.platform.unit_of_work import UnitOfWork
from ras.adapters.budgets_repository import BudgetsRepository
from ras.domain.budgets.approval import PlanStatus, status_on_submission
from ras.domain.budgets.reviews import (
    CHANGES_THE_PLAN,
    ENDS_THE_BUDGET,
    ReviewOutcome,
    ReviewReason,
    next_review_date,
    reviews_due,
    transitional_protection,
)
from ras.domain.budgets.support_plan import Decision, PlanLine, cost_plan, decide
from ras.domain.problems import Problem, Refused, refuse_if_any
from ras.domain.reference.budget_rules import BudgetRules
from ras.domain.reference.client_level_data import Coded
from ras.domain.reference.rate_card import RateCard
from ras.service_layer.ras_model import codes_not_in_force, rules_in_force
from ras.service_layer.support_plans import Decider, costed_plan_json, proposal_of, revision_event

_END_REASON = {
    ReviewOutcome.moved_to_residential_care: BudgetEndReason.moved_to_residential_care,
    ReviewOutcome.support_ended: BudgetEndReason.support_ended_as_planned,
}


@dataclass(frozen=True)
class Review:
    """As sent: `reason` and `outcome` are codes, checked against those in force on the review date."""

    review_date: date
    reason: str
    outcome: str
    effective_from: date
    lines: Sequence[PlanLine] = ()
    one_offs: Sequence[OneOffCost] = ()


async def due_and_overdue(session: AsyncSession, council_id: str, today: date) -> dict[str, list[dict[str, Any]]]:
    _, rules = await rules_in_force(session, council_id, today, "today")
    agreed = {b["budget_id"]: b for b in await BudgetsRepository(session).agreed_budgets(council_id)}
    listed = reviews_due({k: b["next_review_date"] for k, b in agreed.items()}, today, rules)
    return {status.value: [agreed[k] for k in keys] for status, keys in listed.items()}


def _problems(review: Review, budget: dict[str, Any]) -> list[Problem]:
    problems = []
    if review.effective_from < budget["effective_from"]:
        problems.append(Problem(("effective_from",), "cannot be before the budget's current revision applies"))
    if review.outcome in CHANGES_THE_PLAN and not review.lines:
        problems.append(Problem(("services",), "a review that changes the support needs the new plan's services"))
    if review.outcome not in CHANGES_THE_PLAN and (review.lines or review.one_offs):
        problems.append(Problem(("services",), "only a review that changes the support takes a new plan"))
    return problems


async def record_review(
    uow: UnitOfWork, council_id: str, budget_id: uuid.UUID, review: Review, read_revision: int, by: Decider
) -> dict[str, Any]:
    async with uow:
        repo = BudgetsRepository(uow.session)
        budget = await repo.budget(council_id, budget_id, for_update=True)
        if budget is None:
            raise NotFound.about("budget_id", "no budget with that id", where="path")
        if budget["revision"] != read_revision:
            raise StaleRevision()
        if budget["status"] != PlanStatus.agreed.value:
            raise RuleBroken.about("budget_id", f"the budget is {budget['status']}: only an agreed budget is reviewed")
        coded = [Coded("reason", "review_reason", review.reason), Coded("outcome", "review_outcome", review.outcome)]
        refuse_if_any(await codes_not_in_force(uow.session, council_id, review.review_date, "review_date", coded))
        # The council's review codes are ones the rules know (checked when the codes were loaded).
        review = replace(review, reason=ReviewReason(review.reason), outcome=ReviewOutcome(review.outcome))
        refuse_if_any(_problems(review, budget))
        if budget["proposal_status"] is not None:
            raise RuleBroken.about(
                "budget_id", f"a revised plan is {budget['proposal_status']}: it is decided before another review"
            )
        rates, rules = await rules_in_force(uow.session, council_id, review.effective_from, "effective_from")
        reasons = [f"{review.reason} review on {review.review_date}: {review.outcome}"]
        event: Any = None
        routed: tuple[PlanStatus, list[str]] | None = None
        if review.outcome in ENDS_THE_BUDGET:
            changes, event = _ending(budget, review)
            concerns = budget | changes
        elif review.outcome in CHANGES_THE_PLAN:
            revised, reason, decision = _superseding(budget, review, rates, rules)
            concerns = budget | revised
            reasons.append(
                f"supersedes revision {budget['budget_revision']} ({as_pounds(budget['weekly_pence'])} a week) "
                f"from {review.effective_from}: {as_pounds(revised['weekly_pence'])} a week"
            )
            status = status_on_submission(decision.route)
            if status is PlanStatus.agreed:
                changes = revised
                event = revision_event(budget, concerns, reason)
            else:
                # As for a new plan: beyond tolerance or above the threshold, the budget stays as it is
                # until a team manager within their limit, or the panel, agrees the revised plan.
                changes = {"proposal": proposal_of(concerns, reason), "proposal_status": status.value}
                routed = (status, decision.reasons)
        else:
            changes = {"next_review_date": next_review_date(budget["start_date"], review.review_date, rules)}
            concerns = budget | changes
        if not await repo.change_budget(budget_id, read_revision, changes):
            raise StaleRevision()
        await repo.add_decision(concerns, f"review_{review.outcome}", by.subject, by.role, reasons)
        if routed is not None:
            await repo.add_decision(concerns, f"revision_{routed[0].value}", "rules", "rules", routed[1])
        if event is not None:
            await uow.publish(event, council_id=council_id, subject_id=str(budget["person_id"]))
        await uow.commit()
    return budget | changes | {"revision": read_revision + 1}


def _ending(budget: dict[str, Any], review: Review) -> tuple[dict[str, Any], PersonalBudgetEnded]:
    """The budget applies up to the day before the review's effective date."""
    changes = {
        "status": PlanStatus.ended.value,
        "end_date": review.effective_from - timedelta(days=1),
        "budget_revision": budget["budget_revision"] + 1,
    }
    event = PersonalBudgetEnded(
        person_id=budget["person_id"],
        budget_id=budget["budget_id"],
        budget_revision=changes["budget_revision"],
        end_date=changes["end_date"],
        reason=_END_REASON[review.outcome],
    )
    return changes, event


def _superseding(
    budget: dict[str, Any], review: Review, rates: RateCard, rules: BudgetRules
) -> tuple[dict[str, Any], BudgetReason, Decision]:
    """The new plan from the review's effective date, and how it is decided (as a new plan is, against
    the budget's indicative figure); under transitional protection a plan below the protected amount
    is refused, so the budget never falls further than the council's cap at one review."""
    costed = cost_plan(review.lines, review.one_offs, rates)
    protected = transitional_protection(budget["weekly_pence"], costed.weekly_pence, rules)
    if protected.protection_pence:
        floor = as_pounds(protected.weekly_pence)
        raise Refused([Problem(("services",), f"{protected.explanation}; plan at least {floor} a week")])
    revised = {
        "weekly_pence": costed.weekly_pence,
        "one_off_pence": costed.one_off_pence,
        "annual_pence": costed.yearly_cost_pence,
        "plan": costed_plan_json(costed),
        "effective_from": review.effective_from,
        "next_review_date": next_review_date(budget["start_date"], review.review_date, rules),
        "budget_revision": budget["budget_revision"] + 1,
    }
    reason = BudgetReason.planned_review if review.reason == ReviewReason.planned else BudgetReason.unplanned_review
    return revised, reason, decide(costed, budget["indicative_weekly_pence"], rules)
