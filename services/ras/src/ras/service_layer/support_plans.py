"""Support plans: costed from the rate card, agreed at once or sent for approval; every decision
kept with who, when and why; an agreed plan becomes a personal budget and publishes
personal_budget.agreed through the outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pbshared.contract.events.budgets import (
    BudgetReason,
    DeliverySplit,
    Funder,
    OneOffCost,
    PersonalBudgetAgreed,
    PersonalBudgetRevised,
    PlannedService,
)
from pbshared.errors import Issue, NotFound, RuleBroken, StaleRevision
from pbshared.platform.unit_of_work import UnitOfWork
from ras.adapters.budgets_repository import BudgetsRepository
from ras.domain.budgets.approval import (
    AWAITING,
    NotYoursToDecide,
    PlanStatus,
    status_on_submission,
    why_not_allowed_to_decide,
)
from ras.domain.budgets.reviews import next_review_date
from ras.domain.budgets.support_plan import CostedPlan, PlanLine, cost_plan, decide
from ras.domain.problems import Problem, Refused
from ras.domain.reference.budget_rules import BudgetRules
from ras.service_layer.ras_model import rules_in_force


@dataclass(frozen=True)
class PlanIn:
    assessment_id: uuid.UUID
    start_date: date
    funder: Funder
    lines: Sequence[PlanLine]
    one_offs: Sequence[OneOffCost]
    justification: str


@dataclass(frozen=True)
class Decider:
    subject: str
    role: str
    approval_limit_pence: int | None


async def submit_plan(uow: UnitOfWork, council_id: str, plan: PlanIn, by: Decider) -> dict[str, Any]:
    async with uow:
        repo = BudgetsRepository(uow.session)
        assessment = await repo.assessment(council_id, plan.assessment_id)
        if assessment is None:
            raise NotFound.about("assessment_id", "no assessment with that id")
        if not assessment["eligible_needs"]:
            raise Refused([Problem(("assessment_id",), "the assessment found no eligible needs to plan for")])
        rates, rules = await rules_in_force(uow.session, council_id, plan.start_date, "start_date")
        costed = cost_plan(plan.lines, plan.one_offs, rates)
        decision = decide(costed, assessment["indicative_weekly_pence"], rules)
        status = status_on_submission(decision.route)
        budget = {
            "budget_id": uuid.uuid4(),
            "council_id": council_id,
            "person_id": assessment["person_id"],
            "assessment_id": plan.assessment_id,
            "status": status.value,
            "route": decision.route.value,
            "client_group": assessment["client_group"],
            "funder": plan.funder.value,
            "weekly_pence": costed.weekly_pence,
            "one_off_pence": costed.one_off_pence,
            "annual_pence": costed.yearly_cost_pence,
            "indicative_weekly_pence": assessment["indicative_weekly_pence"],
            "plan": costed_plan_json(costed),
            "justification": plan.justification,
            "start_date": plan.start_date,
            "next_review_date": None,
            "effective_from": plan.start_date,
            "end_date": None,
            "budget_revision": 1,
        }
        await repo.add_budget(budget)
        await repo.add_decision(budget, "submitted", by.subject, by.role, [plan.justification])
        if status is PlanStatus.agreed:
            budget = await _agree(uow, repo, budget, read_revision=1, rules=rules, by=by, reasons=decision.reasons)
        else:
            await repo.add_decision(budget, status.value, "rules", "rules", decision.reasons)
            budget["revision"] = 1
        await uow.commit()
    return budget


async def decide_plan(
    uow: UnitOfWork,
    council_id: str,
    budget_id: uuid.UUID,
    *,
    approve: bool,
    reasons: list[str],
    read_revision: int,
    by: Decider,
) -> dict[str, Any]:
    """Approve or reject a plan awaiting approval, or a revised plan a review left awaiting it: the
    same limits and panel decide both."""
    async with uow:
        repo = BudgetsRepository(uow.session)
        budget = await repo.budget(council_id, budget_id, for_update=True)
        if budget is None:
            raise NotFound.about("budget_id", "no support plan with that id", where="path")
        if budget["revision"] != read_revision:
            raise StaleRevision()
        proposal = budget["proposal"]
        status = PlanStatus(budget["proposal_status"] or budget["status"])
        if status not in AWAITING.values():
            raise RuleBroken.about("budget_id", f"the plan is {status.value}: only a plan awaiting approval is decided")
        decided = proposed_revision(budget) if proposal else budget
        _, rules = await rules_in_force(uow.session, council_id, decided["effective_from"], "effective_from")
        refusal = why_not_allowed_to_decide(status, by.role, by.approval_limit_pence, decided["annual_pence"], rules)
        if refusal is not None:
            raise NotYoursToDecide(refusal, [Issue("approval_limit_pence", refusal)])
        if proposal and approve:
            changes = {name: decided[name] for name in (*_REVISED, "budget_revision")} | _NO_PROPOSAL
            await _change(repo, budget, read_revision, changes)
            await repo.add_decision(decided, "revision_agreed", by.subject, by.role, reasons)
            event = revision_event(budget, decided, BudgetReason(proposal["reason"]))
            await uow.publish(event, council_id=council_id, subject_id=str(budget["person_id"]))
            budget |= changes
        elif proposal:
            await _change(repo, budget, read_revision, _NO_PROPOSAL)
            await repo.add_decision(decided, "revision_rejected", by.subject, by.role, reasons)
            budget |= _NO_PROPOSAL
        elif approve:
            budget = await _agree(uow, repo, budget, read_revision=read_revision, rules=rules, by=by, reasons=reasons)
        else:
            await _change(repo, budget, read_revision, {"status": PlanStatus.rejected.value})
            await repo.add_decision(budget, PlanStatus.rejected.value, by.subject, by.role, reasons)
            budget |= {"status": PlanStatus.rejected.value}
        await uow.commit()
    return budget | {"revision": read_revision + 1}


# What a revised plan changes in the budget, and how a decided proposal is cleared.
_REVISED = ("weekly_pence", "one_off_pence", "annual_pence", "plan", "effective_from", "next_review_date")
_NO_PROPOSAL: dict[str, Any] = {"proposal": None, "proposal_status": None}


def proposal_of(revised: dict[str, Any], reason: BudgetReason) -> dict[str, Any]:
    """A revised plan awaiting approval, as the budget row keeps it (dates as ISO text)."""
    return {
        **{name: revised[name] for name in _REVISED},
        "effective_from": revised["effective_from"].isoformat(),
        "next_review_date": revised["next_review_date"].isoformat(),
        "reason": reason.value,
    }


def proposed_revision(budget: dict[str, Any]) -> dict[str, Any]:
    """The budget as it would stand if its proposal were agreed: the next budget revision."""
    proposal = budget["proposal"]
    return budget | {
        **{name: proposal[name] for name in _REVISED},
        "effective_from": date.fromisoformat(proposal["effective_from"]),
        "next_review_date": date.fromisoformat(proposal["next_review_date"]),
        "budget_revision": budget["budget_revision"] + 1,
    }


def revision_event(before: dict[str, Any], after: dict[str, Any], reason: BudgetReason) -> PersonalBudgetRevised:
    return PersonalBudgetRevised(**budget_details(after, reason), supersedes_revision=before["budget_revision"])


async def _change(repo: BudgetsRepository, budget: dict[str, Any], read_revision: int, changes: dict[str, Any]) -> None:
    if not await repo.change_budget(budget["budget_id"], read_revision, changes):
        raise StaleRevision()


async def _agree(
    uow: UnitOfWork,
    repo: BudgetsRepository,
    budget: dict[str, Any],
    *,
    read_revision: int,
    rules: BudgetRules,
    by: Decider,
    reasons: list[str],
) -> dict[str, Any]:
    review = next_review_date(budget["start_date"], None, rules)
    changes = {"status": PlanStatus.agreed.value, "next_review_date": review}
    await _change(repo, budget, read_revision, changes)
    await repo.add_decision(budget, PlanStatus.agreed.value, by.subject, by.role, reasons)
    agreed = budget | changes | {"revision": read_revision + 1}
    await uow.publish(
        PersonalBudgetAgreed(**budget_details(agreed, BudgetReason.new_assessment)),
        council_id=agreed["council_id"],
        subject_id=str(agreed["person_id"]),
    )
    return agreed


def budget_details(budget: dict[str, Any], reason: BudgetReason) -> dict[str, Any]:
    """Everything the budget events carry, from a budget row."""
    plan = budget["plan"]
    return {
        "person_id": budget["person_id"],
        "budget_id": budget["budget_id"],
        "budget_revision": budget["budget_revision"],
        "client_group": budget["client_group"],
        "funder": budget["funder"],
        "weekly_pence": budget["weekly_pence"],
        "one_off_pence": budget["one_off_pence"],
        "annual_pence": budget["annual_pence"],
        "delivery": DeliverySplit.model_validate(plan["delivery"]),
        "services": [PlannedService.model_validate(s) for s in plan["services"]],
        "one_off_costs": [OneOffCost.model_validate(c) for c in plan["one_off_costs"]],
        "indicative_weekly_pence": budget["indicative_weekly_pence"],
        "start_date": budget["start_date"],
        "effective_from": budget["effective_from"],
        "next_review_date": budget["next_review_date"],
        "reason": reason,
    }


def costed_plan_json(costed: CostedPlan) -> dict[str, Any]:
    return {
        "services": [s.model_dump(mode="json") for s in costed.services],
        "one_off_costs": [c.model_dump(mode="json") for c in costed.one_off_costs],
        "delivery": costed.delivery.model_dump(mode="json"),
    }


async def budget_history(session: Any, council_id: str, person_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Every plan and budget as it stands, every decision, and every revision of every budget with its
    amounts and the decisions on it, oldest first."""
    repo = BudgetsRepository(session)
    decisions = await repo.person_decisions(council_id, person_id)
    return {
        "budgets": await repo.person_budgets(council_id, person_id),
        "decisions": decisions,
        "revisions": revisions_of(decisions),
    }


def revisions_of(decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decisions grouped by the budget revision they concern, in the order each revision was first
    decided on; a revision's amounts are those of its latest decision."""
    revisions: dict[tuple[Any, Any], dict[str, Any]] = {}
    for decision in decisions:
        key = (decision["budget_id"], decision["budget_revision"])
        revision = revisions.setdefault(key, {"budget_id": key[0], "budget_revision": key[1], "decisions": []})
        revision["decisions"].append(decision)
        revision |= {name: decision[name] for name in ("weekly_pence", "one_off_pence", "annual_pence")}
        revision |= {"effective_from": decision["effective_from"], "latest_decision": decision["decision"]}
    return list(revisions.values())
