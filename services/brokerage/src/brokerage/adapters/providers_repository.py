"""Reading and writing providers; always within one council."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.tables import providers
from brokerage.domain.providers import LotArea, Provider, ProviderStatus
from pbshared.contract.events.brokerage import CqcRating


def _pairs(value: list[list[str]]) -> frozenset[LotArea]:
    return frozenset(LotArea(lot, area) for lot, area in value)


def provider_from(m: Mapping[str, Any]) -> Provider:
    """A provider from its row's columns, by name."""
    return Provider(
        provider_id=m["provider_id"],
        council_id=m["council_id"],
        name=m["name"],
        cqc_location_id=m["cqc_location_id"],
        rating=CqcRating(m["rating"]),
        capacity_hours_per_week=Decimal(m["capacity_hours_per_week"]),
        committed_hours_per_week=Decimal(m["committed_hours_per_week"]),
        status=ProviderStatus(m["status"]),
        status_reason=m["status_reason"],
        applied_for=_pairs(m["applied_for"]),
        admitted_to=_pairs(m["admitted_to"]),
        refusals={LotArea(lot, area): reason for lot, area, reason in m["refusals"]},
        accepted_packages=m["accepted_packages"],
        handed_back_packages=m["handed_back_packages"],
        revision=m["revision"],
    )


def _values(p: Provider) -> dict[str, Any]:
    def ordered(pairs: frozenset[LotArea]) -> list[list[str]]:
        return sorted([la.lot, la.area] for la in pairs)

    return dict(
        name=p.name,
        cqc_location_id=p.cqc_location_id,
        rating=str(p.rating),
        capacity_hours_per_week=p.capacity_hours_per_week,
        committed_hours_per_week=p.committed_hours_per_week,
        status=str(p.status),
        status_reason=p.status_reason,
        applied_for=ordered(p.applied_for),
        admitted_to=ordered(p.admitted_to),
        refusals=sorted([la.lot, la.area, reason] for la, reason in p.refusals.items()),
        accepted_packages=p.accepted_packages,
        handed_back_packages=p.handed_back_packages,
        revision=p.revision,
        updated_at=datetime.now(UTC),
    )


class ProvidersRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def get(self, council_id: str, provider_id: str, *, for_update: bool = False) -> Provider | None:
        query = select(providers).where(providers.c.council_id == council_id, providers.c.provider_id == provider_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return provider_from(row._mapping) if row else None

    async def some(self, council_id: str, provider_ids: set[str]) -> dict[str, Provider]:
        """Several providers in one query (a round's bidders), by id."""
        query = select(providers).where(providers.c.council_id == council_id, providers.c.provider_id.in_(provider_ids))
        return {p.provider_id: p for p in (provider_from(r._mapping) for r in await self._session.execute(query))}

    async def all(self, council_id: str, *, limit: int = 100, offset: int = 0) -> list[Provider]:
        query = (
            select(providers)
            .where(providers.c.council_id == council_id)
            .order_by(providers.c.provider_id)
            .limit(limit)
            .offset(offset)
        )
        return [provider_from(r._mapping) for r in await self._session.execute(query)]

    async def active(self, council_id: str) -> list[Provider]:
        query = select(providers).where(
            providers.c.council_id == council_id, providers.c.status == str(ProviderStatus.active)
        )
        return [provider_from(r._mapping) for r in await self._session.execute(query)]

    async def add(self, provider: Provider) -> None:
        await self._session.execute(
            insert(providers).values(
                council_id=provider.council_id, provider_id=provider.provider_id, **_values(provider)
            )
        )

    async def save(self, provider: Provider, *, read_revision: int) -> bool:
        """Write `provider` over the row if it is still at `read_revision`; False if it was not."""
        result = await self._session.execute(
            update(providers)
            .where(
                providers.c.council_id == provider.council_id,
                providers.c.provider_id == provider.provider_id,
                providers.c.revision == read_revision,
            )
            .values(**_values(provider))
        )
        return bool(result.rowcount)
