"""Recording NHS funding decisions and their ends; each publishes funding_responsibility.changed,
which charging (what the person is charged) and the ledger (who funds a payment) act on."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from health.adapters.budgets_repository import BudgetsRepository
from health.adapters.funding_repository import FundingRepository
from health.adapters.people_repository import PeopleRepository
from health.domain.funding import FundingDecision
from health.service_layer.guarded import end_at_revision
from pbshared.contract.events.health import FundingBasis, FundingChange, FundingResponsibilityChanged
from pbshared.errors import NotFound, RuleBroken, Unacceptable
from pbshared.platform.unit_of_work import UnitOfWork


def _event(decision: FundingDecision, change: FundingChange) -> FundingResponsibilityChanged:
    started = change is FundingChange.started
    assert started or decision.end_date is not None
    return FundingResponsibilityChanged(
        person_id=decision.person_id,
        decision_id=decision.decision_id,
        basis=decision.basis,
        change=change,
        effective_date=decision.start_date if started else decision.end_date,
        nhs_share_percent=decision.nhs_share_percent if started else None,
        nhs_weekly_pence=decision.nhs_weekly_pence if started else None,
        budget_id=decision.budget_id,
        icb_code=decision.icb_code,
    )


async def record_decision(
    uow: UnitOfWork,
    council_id: str,
    person_id: uuid.UUID,
    basis: FundingBasis,
    start_date: date,
    *,
    nhs_share_percent: Decimal | None,
    nhs_weekly_pence: int | None,
    budget_id: uuid.UUID | None,
    icb_code: str | None,
    by: str,
) -> FundingDecision:
    decision = FundingDecision(
        decision_id=uuid.uuid4(),
        council_id=council_id,
        person_id=person_id,
        basis=basis,
        start_date=start_date,
        nhs_share_percent=nhs_share_percent,
        nhs_weekly_pence=nhs_weekly_pence,
        budget_id=budget_id,
        icb_code=icb_code,
        end_date=None,
        revision=1,
        recorded_by=by,
    )
    problems = decision.share_problems()
    if problems:
        raise RuleBroken("nothing was stored", problems)
    async with uow:
        if await PeopleRepository(uow.session).get(council_id, person_id) is None:
            raise NotFound.about("person_id", "no person with that id")
        await _refuse_anothers_budget(uow, council_id, person_id, budget_id)
        await FundingRepository(uow.session).add(decision)
        await uow.publish(_event(decision, FundingChange.started), council_id=council_id, subject_id=str(person_id))
        await uow.commit()
    return decision


async def _refuse_anothers_budget(
    uow: UnitOfWork, council_id: str, person_id: uuid.UUID, budget_id: uuid.UUID | None
) -> None:
    """A decision may name the budget it funds. One held here for someone else (in this council or
    another: the answer is the same, so it tells nothing of another council) is refused. One not held
    yet is taken: RAS's event may still be on its way."""
    if budget_id is None:
        return
    owner = await BudgetsRepository(uow.session).owner(budget_id)
    if owner is not None and owner != (council_id, person_id):
        raise Unacceptable.about("budget_id", "is not a budget of this person")


async def end_decision(
    uow: UnitOfWork, council_id: str, decision_id: uuid.UUID, end_date: date, read_revision: int
) -> FundingDecision:
    """The NHS stops funding from end_date (a CHC review, discharge from section 117 aftercare...)."""
    async with uow:
        repo = FundingRepository(uow.session)
        ended = await end_at_revision(
            repo,
            await repo.get(council_id, decision_id, for_update=True),
            NotFound.about("decision_id", "no funding decision with that id", where="path"),
            read_revision,
            end_date,
            lambda current: current.ended_on(end_date),
        )
        await uow.publish(_event(ended, FundingChange.ended), council_id=council_id, subject_id=str(ended.person_id))
        await uow.commit()
    return ended
