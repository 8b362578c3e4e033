"""Reading and writing reablement episodes; always within one council, except for the worker's
claim of an episode whose free period has run out (it serves every council)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from health.adapters.tables import reablement_episodes
from health.domain.reablement import ReablementEpisode
from pbshared.contract.events.health import ReablementEndReason


def _episode(row: Any) -> ReablementEpisode:
    m = {k: v for k, v in row._mapping.items() if k != "created_at"}
    m["end_reason"] = ReablementEndReason(m["end_reason"]) if m["end_reason"] else None
    return ReablementEpisode(**m)


def _values(episode: ReablementEpisode) -> dict[str, Any]:
    values = dataclasses.asdict(episode)
    values["end_reason"] = str(episode.end_reason) if episode.end_reason else None
    return values


class EpisodesRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def get(
        self, council_id: str, episode_id: uuid.UUID, *, for_update: bool = False
    ) -> ReablementEpisode | None:
        query = select(reablement_episodes).where(
            reablement_episodes.c.council_id == council_id, reablement_episodes.c.episode_id == episode_id
        )
        row = (await self._session.execute(query.with_for_update() if for_update else query)).first()
        return _episode(row) if row else None

    async def of_discharge(self, council_id: str, discharge_id: str) -> ReablementEpisode | None:
        query = select(reablement_episodes).where(
            reablement_episodes.c.council_id == council_id, reablement_episodes.c.discharge_id == discharge_id
        )
        row = (await self._session.execute(query)).first()
        return _episode(row) if row else None

    async def of_person(self, council_id: str, person_id: uuid.UUID) -> list[ReablementEpisode]:
        query = (
            select(reablement_episodes)
            .where(reablement_episodes.c.council_id == council_id, reablement_episodes.c.person_id == person_id)
            .order_by(reablement_episodes.c.start_date, reablement_episodes.c.episode_id)
        )
        return [_episode(row) for row in await self._session.execute(query)]

    async def add(self, episode: ReablementEpisode) -> None:
        await self._session.execute(
            insert(reablement_episodes).values(**_values(episode), created_at=datetime.now(UTC))
        )

    async def save(self, episode: ReablementEpisode, *, read_revision: int) -> bool:
        result = await self._session.execute(
            update(reablement_episodes)
            .where(
                reablement_episodes.c.episode_id == episode.episode_id,
                reablement_episodes.c.revision == read_revision,
            )
            .values(**_values(episode))
        )
        return bool(result.rowcount)

    async def claim_lapsed(self, today: date) -> ReablementEpisode | None:
        """The earliest open episode whose free period ended before today, that nobody else holds:
        on PostgreSQL FOR UPDATE SKIP LOCKED, on SQLite the transaction's write lock."""
        query = (
            select(reablement_episodes)
            .where(reablement_episodes.c.end_date.is_(None), reablement_episodes.c.free_until < today)
            .order_by(reablement_episodes.c.free_until, reablement_episodes.c.episode_id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        row = (await self._session.execute(query)).first()
        return _episode(row) if row else None
