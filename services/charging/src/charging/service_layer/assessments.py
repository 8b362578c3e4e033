"""Recording financial assessments and following the cost of care; each publishes through the outbox.

Each use case takes a unit of work and raises domain errors, so it runs the same from an HTTP route
and from an event handler (`ctx.uow`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from charging.adapters.assessments_repository import AssessmentsRepository
from charging.adapters.charge_locks import hold_person
from charging.adapters.pending_budgets_repository import PendingBudgetsRepository
from charging.domain.financial_assessment import AssessmentRefused, Problem, assess, date_or_none
from charging.domain.recorded import FinancialAssessment, ResultDocument, in_force_on
from charging.domain.result import ChargeResult
from charging.service_layer.overlay import SET_BY_CHARGING, Overlay, overlay_for, set_by_charging
from pbshared.contract.events.budgets import BudgetDetails, PersonalBudgetEnded
from pbshared.contract.events.charging import (
    ContributionChanged,
    ContributionReason,
    FinancialAssessmentCompleted,
)
from pbshared.errors import NotFound, StaleRevision
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Kinds of budget event kept until the person's first assessment.
COSTED, ENDED = "costed", "ended"


async def _calculate(
    repo: AssessmentsRepository, council_id: str, person_id: uuid.UUID, circumstances: Mapping[str, Any]
) -> ChargeResult:
    """The result, or AssessmentRefused listing every problem, the unknown person among them."""
    problems = []
    if await repo.person_client_group(council_id, person_id) is None:
        problems.append(Problem(("person_id",), "no such person in this council"))
    try:
        result = assess(circumstances, await repo.figures(council_id), await repo.policies(council_id))
    except AssessmentRefused as refused:
        problems += refused.problems
    if problems:
        raise AssessmentRefused(problems)
    return result


async def _announce(
    uow: UnitOfWork, assessment: FinancialAssessment, previous_pence: int, reason: ContributionReason
) -> None:
    result = assessment.result
    subject = str(assessment.person_id)
    await uow.publish(
        FinancialAssessmentCompleted(
            person_id=assessment.person_id,
            assessment_id=assessment.assessment_id,
            effective_date=assessment.effective_date,
            weekly_charge_pence=assessment.weekly_charge_pence,
            full_cost_payer=result["full_cost_payer"],
            free_reason=result["free_reason"],
            part_free_reason=result.get("part_free_reason"),
            collected_by=assessment.collected_by,
            figures_year=result["figures_year"],
            figures_version=result["figures_version"],
            policy_version=result["policy_version"],
            provisional=result["provisional"],
        ),
        council_id=assessment.council_id,
        subject_id=subject,
    )
    charged = assessment.charge_on(assessment.effective_date)  # nothing when it is recorded after an end
    if charged != previous_pence:
        await publish_contribution(uow, assessment, previous_pence, charged, assessment.effective_date, reason)


async def publish_contribution(
    uow: UnitOfWork,
    assessment: FinancialAssessment,
    previous_pence: int,
    weekly_pence: int,
    effective_date: date,
    reason: ContributionReason,
) -> None:
    await uow.publish(
        ContributionChanged(
            person_id=assessment.person_id,
            budget_id=assessment.budget_id,
            assessment_id=assessment.assessment_id,
            weekly_charge_pence=weekly_pence,
            previous_weekly_charge_pence=previous_pence,
            effective_date=effective_date,
            collected_by=assessment.collected_by,
            reason=reason,
        ),
        council_id=assessment.council_id,
        subject_id=str(assessment.person_id),
    )


async def supersede(
    repo: AssessmentsRepository,
    uow: UnitOfWork,
    council_id: str,
    person_id: uuid.UUID,
    circumstances: Mapping[str, Any],
    reason: ContributionReason,
    *,
    budget_id: uuid.UUID | None = None,
) -> FinancialAssessment:
    """Record a new assessment from its effective date; the one in force before it stays in the history."""
    result = await _calculate(repo, council_id, person_id, circumstances)
    return await _record(repo, uow, council_id, person_id, circumstances, result, reason, budget_id=budget_id)


async def _record(
    repo: AssessmentsRepository,
    uow: UnitOfWork,
    council_id: str,
    person_id: uuid.UUID,
    circumstances: Mapping[str, Any],
    result: ChargeResult,
    reason: ContributionReason,
    *,
    budget_id: uuid.UUID | None = None,
) -> FinancialAssessment:
    previous = in_force_on(await repo.history(council_id, person_id), result.effective_date)
    assessment = recalculated(council_id, person_id, previous, circumstances, result, reason, budget_id=budget_id)
    await repo.add(assessment)
    await _announce(uow, assessment, previous.charge_on(result.effective_date) if previous else 0, reason)
    return assessment


def recalculated(
    council_id: str,
    person_id: uuid.UUID,
    previous: FinancialAssessment | None,
    circumstances: Mapping[str, Any],
    result: ChargeResult,
    reason: ContributionReason,
    *,
    budget_id: uuid.UUID | None = None,
) -> FinancialAssessment:
    """The new assessment over `previous` (the one in force on its date). Only a full assessment moves
    the date the next review is counted from; a recalculation (cost of care, uprating) keeps it."""
    full = reason is ContributionReason.assessment or previous is None
    return FinancialAssessment(
        assessment_id=uuid.uuid4(),
        council_id=council_id,
        person_id=person_id,
        revision=1,
        effective_date=result.effective_date,
        assessed_on=result.effective_date if full else previous.assessed_on,  # type: ignore[union-attr]
        weekly_charge_pence=result.weekly_charge_pence,
        circumstances=dict(circumstances),
        result=ResultDocument(result),
        budget_id=budget_id or (previous.budget_id if previous else None),
        ended_on=_end_kept(previous, result.effective_date, budget_id),
    )


def _end_kept(previous: FinancialAssessment | None, effective_date: date, budget_id: uuid.UUID | None) -> date | None:
    """A budget's last day still ends a charge worked out again (an NHS decision from earlier, the
    uprating, a reassessment dated after the end): a recalculation never undoes the end. Only a new
    budget starting after it does: there is care to charge for again."""
    if previous is None or previous.ended_on is None:
        return None
    if previous.ended_on < effective_date and budget_id not in (None, previous.budget_id):
        return None
    return previous.ended_on


async def record_assessment(
    uow: UnitOfWork, council_id: str, person_id: uuid.UUID, circumstances: Mapping[str, Any]
) -> FinancialAssessment:
    async with uow:
        await hold_person(uow.session, council_id, person_id)
        repo = AssessmentsRepository(uow.session)
        await _refuse_what_others_decide(repo, council_id, person_id, circumstances)
        overlay = await overlay_for(uow.session, council_id, person_id, await repo.policies(council_id))
        day = date_or_none(circumstances.get("assessed_on"))
        if day is not None:
            previous = in_force_on(await repo.history(council_id, person_id), day)
            circumstances = overlay.apply(circumstances, day, previous.budget_id if previous else None)
        assessment = await supersede(repo, uow, council_id, person_id, circumstances, ContributionReason.assessment)
        await follow_decisions(repo, uow, council_id, person_id, overlay, after=assessment.effective_date)
        if await _apply_kept_budgets(repo, uow, council_id, person_id):  # a budget may supersede it on its date
            assessment = in_force_on(await repo.history(council_id, person_id), assessment.effective_date) or assessment
        await uow.commit()
    return assessment


async def _refuse_what_others_decide(
    repo: AssessmentsRepository, council_id: str, person_id: uuid.UUID, circumstances: Mapping[str, Any]
) -> None:
    """What the NHS and brokerage decided is not the assessor's to say: refused, with every other problem."""
    problems = [
        Problem((key,), "set from the health service's and brokerage's events, not by the assessor")
        for key in SET_BY_CHARGING
        if key in circumstances
    ]
    if not problems:
        return
    try:
        await _calculate(
            repo, council_id, person_id, {k: v for k, v in circumstances.items() if k not in SET_BY_CHARGING}
        )
    except AssessmentRefused as refused:
        problems += refused.problems
    raise AssessmentRefused(problems)


async def follow_decisions_from(uow: UnitOfWork, council_id: str, person_id: uuid.UUID, since: date) -> None:
    """Another service's decision changed from `since`: work the person's charge out again from then."""
    repo = AssessmentsRepository(uow.session)
    overlay = await overlay_for(uow.session, council_id, person_id, await repo.policies(council_id))
    await follow_decisions(repo, uow, council_id, person_id, overlay, after=since - timedelta(days=1))


async def follow_decisions(
    repo: AssessmentsRepository,
    uow: UnitOfWork,
    council_id: str,
    person_id: uuid.UUID,
    overlay: Overlay,
    *,
    after: date,
    budget: BudgetDetails | None = None,
) -> None:
    """Work the charge out again at every day after `after` where what the NHS or brokerage decided
    changes (or reablement's free weeks run out), and at each later assessment, so each carries what
    applies on its date. With `budget` (one that took effect on `after`), each later assessment of no
    budget or of that one carries its cost of care too: whichever service's event came first, the
    charge on a day is the same."""
    history = await repo.history(council_id, person_id)
    later = {a.effective_date for a in history if a.effective_date > after}
    for day in sorted(later | overlay.change_points(after)):
        base = in_force_on(history, day)
        if base is None:
            continue
        # Recorded from after an earlier budget's end, before this budget came: this budget charges it again.
        revived = budget is not None and base.ended_on is not None and base.ended_on < after
        if base.ended_on is not None and base.ended_on < day and not revived:
            continue
        costed = _cost_of_care(budget) if budget and (revived or base.budget_id in (None, budget.budget_id)) else {}
        circumstances = overlay.apply(
            {**base.circumstances, **costed, "assessed_on": day.isoformat()}, day, base.budget_id
        )
        same_decisions = (
            not revived
            and set_by_charging(circumstances) == set_by_charging(base.circumstances)
            and all(base.circumstances.get(key) == value for key, value in costed.items())
        )
        if same_decisions and base.effective_date == day:
            continue
        try:
            result = await _calculate(repo, council_id, person_id, circumstances)
        except AssessmentRefused as refused:  # e.g. no figures yet for the day: the next assessment applies it
            log.warning("charge not recalculated on %s for a decision from another service: %s", day, refused)
            continue
        if same_decisions and (result.weekly_charge_pence, result.free_reason) == (
            base.weekly_charge_pence,
            base.result.get("free_reason"),
        ):
            continue
        nhs_changed = circumstances.get("health") != base.circumstances.get("health")
        reason = ContributionReason.nhs_funding_changed if nhs_changed else ContributionReason.cost_of_care_changed
        budget_id = budget.budget_id if costed and budget else None
        history.append(
            await _record(repo, uow, council_id, person_id, circumstances, result, reason, budget_id=budget_id)
        )


async def correct_assessment(
    uow: UnitOfWork,
    council_id: str,
    assessment_id: uuid.UUID,
    circumstances: Mapping[str, Any],
    read_revision: int,
) -> FinancialAssessment:
    """Correct what an assessment was told and work it out again, if nobody changed it since it was read."""
    async with uow:
        repo = AssessmentsRepository(uow.session)
        # Whose it is first, to take their lock before the row's (the order every change takes them in).
        found = await repo.get(council_id, assessment_id)
        if found is not None:
            await hold_person(uow.session, council_id, found.person_id)
        current = await repo.get(council_id, assessment_id, for_update=True) if found else None
        if current is None:  # another council's assessment is as absent as one that does not exist
            raise NotFound.about("assessment_id", "no financial assessment with that id", where="path")
        if current.revision != read_revision:
            raise StaleRevision()
        await _refuse_what_others_decide(repo, council_id, current.person_id, circumstances)
        # What the NHS and brokerage decided for its date still applies.
        circumstances = {**circumstances, **set_by_charging(current.circumstances)}
        result = await _calculate(repo, council_id, current.person_id, circumstances)
        corrected = replace(
            current,
            revision=current.revision + 1,
            effective_date=result.effective_date,
            assessed_on=result.effective_date,
            weekly_charge_pence=result.weekly_charge_pence,
            circumstances=dict(circumstances),
            result=ResultDocument(result),
        )
        if not await repo.save(corrected, read_revision=read_revision):
            raise StaleRevision()
        # What it charged, which is nothing for one recorded after a budget's end (and still ended).
        await _announce(uow, corrected, current.charge_on(current.effective_date), ContributionReason.assessment)
        await uow.commit()
    return corrected


async def follow_cost_of_care(uow: UnitOfWork, council_id: str, budget: BudgetDetails) -> FinancialAssessment | None:
    """An agreed or revised budget is the weekly cost of care: work the charge out again with it from the
    budget's effective date (a charge capped at the cost of care follows it). Before the person's first
    assessment it is kept, and applied when the assessment is recorded."""
    async with uow:
        await hold_person(uow.session, council_id, budget.person_id)
        repo = AssessmentsRepository(uow.session)
        if not await repo.history(council_id, budget.person_id):
            payload = budget.model_dump(mode="json", include=set(BudgetDetails.model_fields))
            await PendingBudgetsRepository(uow.session).keep(council_id, budget.person_id, COSTED, payload)
            assessment = None
        else:
            assessment = await _follow_budget(repo, uow, council_id, budget)
        await uow.commit()
    return assessment


async def _follow_budget(
    repo: AssessmentsRepository, uow: UnitOfWork, council_id: str, budget: BudgetDetails
) -> FinancialAssessment | None:
    history = await repo.history(council_id, budget.person_id)
    current = in_force_on(history, budget.effective_from) or (history[-1] if history else None)
    if current is None:
        return None
    # A charge that ended before this budget starts is charged again from its start: the financial
    # assessment (the person's means) stands until a reassessment, whatever package it pays towards.
    # A revision of the ended budget itself, dated after its end, changes nothing (as in the ledger).
    ended_before = current.ended_on is not None and current.ended_on < budget.effective_from
    if ended_before and current.budget_id == budget.budget_id:
        return None
    day = max(budget.effective_from, current.effective_date)
    overlay = await overlay_for(uow.session, council_id, budget.person_id, await repo.policies(council_id))
    circumstances = overlay.apply(
        {
            **current.circumstances,
            **_cost_of_care(budget),
            "assessed_on": day.isoformat(),
        },
        day,
        budget.budget_id,
    )
    assessment = await supersede(
        repo,
        uow,
        council_id,
        budget.person_id,
        circumstances,
        ContributionReason.cost_of_care_changed,
        budget_id=budget.budget_id,
    )
    await follow_decisions(repo, uow, council_id, budget.person_id, overlay, after=day, budget=budget)
    return assessment


def _cost_of_care(budget: BudgetDetails) -> dict[str, Any]:
    """What a budget says of the circumstances: the weekly cost of care and the part the council arranges."""
    return {
        "weekly_cost_of_care_pence": budget.weekly_pence,
        "council_managed_weekly_pence": budget.delivery.council_managed_weekly_pence,
    }


async def end_charge(uow: UnitOfWork, council_id: str, ended: PersonalBudgetEnded) -> None:
    """The budget ended: nothing is charged for days after its last day (kept, like a budget, when it
    comes before the person's first assessment)."""
    async with uow:
        await hold_person(uow.session, council_id, ended.person_id)
        repo = AssessmentsRepository(uow.session)
        if not await repo.history(council_id, ended.person_id):
            payload = ended.model_dump(mode="json")
            await PendingBudgetsRepository(uow.session).keep(council_id, ended.person_id, ENDED, payload)
        else:
            await _end_charge(repo, uow, council_id, ended)
        await uow.commit()


async def _end_charge(
    repo: AssessmentsRepository, uow: UnitOfWork, council_id: str, ended: PersonalBudgetEnded
) -> None:
    history = await repo.history(council_id, ended.person_id)
    current = in_force_on(history, ended.end_date)
    if current is None or current.ended_on is not None or not _follows(current, ended.budget_id):
        return  # already ended, or the charge follows another budget (an old budget's end come late)
    # Assessments of this budget from after the last day (an NHS decision or a placement dated later
    # that came before the end, or a reassessment) end too: each then charges nothing on any day. A
    # later budget's assessments are its own, and stay.
    ending = [current] + [
        a for a in history if a.effective_date > ended.end_date and a.ended_on is None and _follows(a, ended.budget_id)
    ]
    now_ended = {a.assessment_id: await repo.end(a, ended.end_date) for a in ending}
    after = [now_ended.get(a.assessment_id, a) for a in history]
    # The ledger takes the latest-dated contribution change in force on a day, so a change already
    # published from a later date (the NHS decision that came first) would outlive one fall to nothing
    # from the day after: each date whose charge the end changes gets its own. Another budget's charge
    # in force on a date is left as it is.
    later = {a.effective_date for a in ending if a.effective_date > ended.end_date}
    for day in sorted(later | {ended.end_date + timedelta(days=1)}):
        was, now = in_force_on(history, day), in_force_on(after, day)
        if was is not None and now is not None and now.charge_on(day) != was.charge_on(day):
            await publish_contribution(
                uow, now, was.charge_on(day), now.charge_on(day), day, ContributionReason.care_ended
            )


def _follows(assessment: FinancialAssessment, budget_id: uuid.UUID) -> bool:
    """Whether an assessment charges for this budget: it names it, or no budget (the charge was never
    given one, so the person's only budget is taken to be this one)."""
    return assessment.budget_id in (None, budget_id)


async def _apply_kept_budgets(
    repo: AssessmentsRepository, uow: UnitOfWork, council_id: str, person_id: uuid.UUID
) -> bool:
    """The budget events that came before the first assessment, applied in the order they came."""
    kept = await PendingBudgetsRepository(uow.session).take(council_id, person_id)
    for kind, payload in kept:
        if kind == COSTED:
            await _follow_budget(repo, uow, council_id, BudgetDetails.model_validate(payload))
        else:
            await _end_charge(repo, uow, council_id, PersonalBudgetEnded.model_validate(payload))
    return bool(kept)
