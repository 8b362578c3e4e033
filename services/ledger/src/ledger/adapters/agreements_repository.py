"""Reading and writing direct payment agreements, their series and what runs paid; always within one council."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.tables import dp_agreements, dp_contributions, dp_funding, dp_payment_items, dp_payments, dp_series
from ledger.domain.agreements import GROSS, SUSPENDED, Agreement
from ledger.domain.schedule import Dated, FundingDecision, ScheduleInputs
from pbshared.contract.events.health import FundingBasis, FundingChange
from pbshared.contract.events.ledger import AgreementEndReason, AgreementStatus


def _agreement(row: Any) -> Agreement:
    m = dict(row._mapping)
    m["status"] = AgreementStatus(m["status"])
    m["end_reason"] = AgreementEndReason(m["end_reason"]) if m["end_reason"] else None
    return Agreement(**m)


def _values(a: Agreement) -> dict[str, Any]:
    values = asdict(a)
    values["status"] = a.status.value
    values["end_reason"] = a.end_reason.value if a.end_reason else None
    return values


class AgreementsRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def get(self, council_id: str, agreement_id: uuid.UUID, *, for_update: bool = False) -> Agreement | None:
        query = select(dp_agreements).where(
            dp_agreements.c.council_id == council_id, dp_agreements.c.agreement_id == agreement_id
        )
        row = (await self._session.execute(query.with_for_update() if for_update else query)).first()
        return _agreement(row) if row else None

    async def of_budget(self, council_id: str, budget_id: uuid.UUID) -> Agreement | None:
        query = select(dp_agreements).where(
            dp_agreements.c.council_id == council_id, dp_agreements.c.budget_id == budget_id
        )
        row = (await self._session.execute(query.with_for_update())).first()
        return _agreement(row) if row else None

    async def of_person(self, council_id: str, person_id: uuid.UUID) -> list[Agreement]:
        query = select(dp_agreements).where(
            dp_agreements.c.council_id == council_id, dp_agreements.c.person_id == person_id
        )
        rows = (await self._session.execute(query.order_by(dp_agreements.c.start_date))).all()
        return [_agreement(r) for r in rows]

    async def page(self, council_id: str, after: uuid.UUID | None, limit: int, start_by: date) -> list[Agreement]:
        """Agreements that may have something due by `start_by`, in id order (a run's stable order)."""
        query = select(dp_agreements).where(
            dp_agreements.c.council_id == council_id, dp_agreements.c.start_date <= start_by
        )
        if after is not None:
            query = query.where(dp_agreements.c.agreement_id > after)
        rows = (await self._session.execute(query.order_by(dp_agreements.c.agreement_id).limit(limit))).all()
        return [_agreement(r) for r in rows]

    async def count(self, council_id: str, start_by: date) -> int:
        query = select(func.count()).where(
            dp_agreements.c.council_id == council_id, dp_agreements.c.start_date <= start_by
        )
        return int((await self._session.execute(query)).scalar_one())

    async def add(self, agreement: Agreement) -> None:
        await self._session.execute(insert(dp_agreements).values(**_values(agreement)))

    async def save(self, agreement: Agreement, *, read_revision: int) -> bool:
        result = await self._session.execute(
            update(dp_agreements)
            .where(dp_agreements.c.agreement_id == agreement.agreement_id, dp_agreements.c.revision == read_revision)
            .values(**_values(agreement))
        )
        return bool(result.rowcount)

    # The series a schedule is computed from

    async def add_series(self, agreement: Agreement, series: str, effective_from: date, value: int) -> None:
        await self._session.execute(
            insert(dp_series).values(
                row_id=uuid.uuid4(),
                agreement_id=agreement.agreement_id,
                series=series,
                effective_from=effective_from,
                value=value,
                sequence=agreement.revision,
            )
        )

    async def add_contribution(self, council_id: str, person_id: uuid.UUID, effective_from: date, weekly: int) -> None:
        await self._session.execute(
            insert(dp_contributions).values(
                row_id=uuid.uuid4(),
                council_id=council_id,
                person_id=person_id,
                effective_from=effective_from,
                weekly_pence=weekly,
                recorded_at=datetime.now(UTC),
            )
        )

    async def add_funding(self, council_id: str, person_id: uuid.UUID, decision: FundingDecision) -> None:
        await self._session.execute(
            insert(dp_funding).values(
                row_id=uuid.uuid4(),
                council_id=council_id,
                person_id=person_id,
                decision_id=uuid.UUID(decision.decision_id),
                basis=decision.basis.value,
                change=decision.change.value,
                effective_date=decision.effective_date,
                nhs_share_percent=decision.nhs_share_percent,
                nhs_weekly_pence=decision.nhs_weekly_pence,
                recorded_at=datetime.now(UTC),
            )
        )

    async def schedules(self, agreements: list[Agreement]) -> dict[uuid.UUID, ScheduleInputs]:
        """Each agreement's schedule inputs, in three queries whatever the number of agreements."""
        if not agreements:
            return {}
        ids = [a.agreement_id for a in agreements]
        people = {a.person_id for a in agreements}
        council_id = agreements[0].council_id
        series: dict[tuple[uuid.UUID, str], list[Dated]] = defaultdict(list)
        for r in (await self._session.execute(select(dp_series).where(dp_series.c.agreement_id.in_(ids)))).all():
            series[(r.agreement_id, r.series)].append(Dated(r.effective_from, r.value, r.sequence))
        contributions: dict[uuid.UUID, list[Dated]] = defaultdict(list)
        query = (
            select(dp_contributions)
            .where(dp_contributions.c.council_id == council_id, dp_contributions.c.person_id.in_(people))
            .order_by(dp_contributions.c.recorded_at)
        )
        for n, r in enumerate((await self._session.execute(query)).all()):
            contributions[r.person_id].append(Dated(r.effective_from, r.weekly_pence, n))
        funding: dict[uuid.UUID, list[FundingDecision]] = defaultdict(list)
        query = (
            select(dp_funding)
            .where(dp_funding.c.council_id == council_id, dp_funding.c.person_id.in_(people))
            .order_by(dp_funding.c.recorded_at)
        )
        for n, r in enumerate((await self._session.execute(query)).all()):
            percent = None if r.nhs_share_percent is None else Decimal(r.nhs_share_percent)
            funding[r.person_id].append(
                FundingDecision(
                    str(r.decision_id),
                    FundingBasis(r.basis),
                    FundingChange(r.change),
                    r.effective_date,
                    percent,
                    r.nhs_weekly_pence,
                    n,
                )
            )
        return {
            a.agreement_id: ScheduleInputs(
                start_date=a.start_date,
                end_date=a.end_date,
                cycle_weeks=a.cycle_weeks,
                contribution_paid_in=a.contribution_paid_in,
                gross=series[(a.agreement_id, GROSS)],
                contributions=contributions[a.person_id],
                suspensions=series[(a.agreement_id, SUSPENDED)],
                funding=funding[a.person_id],
                set_up_costs_pence=a.set_up_costs_pence,
                opening_float_pence=a.opening_float_pence,
            )
            for a in agreements
        }

    # What runs paid

    async def paid(self, agreement_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[date, dict[str, int]]]:
        """agreement -> cycle start -> funder -> pence paid so far."""
        i = dp_payment_items.c
        query = (
            select(i.agreement_id, i.cycle_start, i.funder, func.sum(i.amount_pence))
            .where(i.agreement_id.in_(list(agreement_ids)))
            .group_by(i.agreement_id, i.cycle_start, i.funder)
        )
        found: dict[uuid.UUID, dict[date, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for agreement_id, cycle_start, funder, amount in (await self._session.execute(query)).all():
            found[agreement_id][cycle_start][funder] = int(amount)
        return found

    async def add_items(self, items: list[dict[str, Any]]) -> None:
        if items:
            await self._session.execute(insert(dp_payment_items), items)

    async def add_payments(self, payments: list[dict[str, Any]]) -> None:
        if payments:
            await self._session.execute(insert(dp_payments), payments)

    async def payments_of_run(self, council_id: str, run_date: date) -> list[Any]:
        p = dp_payments.c
        query = (
            select(dp_payments)
            .where(p.council_id == council_id, p.run_date == run_date)
            .order_by(p.card_account_ref, p.funder)
        )
        return list((await self._session.execute(query)).all())

    async def items_of(self, council_id: str, agreement_id: uuid.UUID) -> list[Any]:
        i = dp_payment_items.c
        query = (
            select(dp_payment_items)
            .where(i.council_id == council_id, i.agreement_id == agreement_id)
            .order_by(i.run_date, i.cycle_start, i.funder)
        )
        return list((await self._session.execute(query)).all())
