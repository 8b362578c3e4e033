"""Reablement episodes: casework reads them and records an end before the free period runs out."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from health.adapters.episodes_repository import EpisodesRepository
from health.domain.reablement import ReablementEpisode
from health.service_layer import reablement as use_cases
from pbshared.contract.events.health import ReablementEndReason
from pbshared.errors import NotFound
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.fields import ReadRevision

router = APIRouter(tags=["reablement"])

_CASEWORK = frozenset({Role.social_worker, Role.team_manager})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/reablement-episodes/{episode_id}"): _CASEWORK | {Role.auditor},
    ("GET", "/people/{person_id}/reablement-episodes"): _CASEWORK | {Role.auditor},
    ("POST", "/reablement-episodes/{episode_id}/end"): _CASEWORK,
}


class EpisodeOut(BaseModel):
    episode_id: uuid.UUID
    person_id: uuid.UUID
    discharge_id: str
    discharge_date: date
    start_date: date
    free_until: date
    assessment_due_date: date
    end_date: date | None
    end_reason: ReablementEndReason | None
    revision: int

    @classmethod
    def of(cls, e: ReablementEpisode) -> EpisodeOut:
        return cls(**{name: getattr(e, name) for name in cls.model_fields})


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    end_date: date
    reason: ReablementEndReason


@router.get("/reablement-episodes/{episode_id}", response_model=EpisodeOut)
async def get_episode(episode_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> EpisodeOut:
    episode = await EpisodesRepository(session).get(principal.council_id, episode_id)
    if episode is None:
        raise NotFound.about("episode_id", "no reablement episode with that id", where="path")
    return EpisodeOut.of(episode)


@router.get("/people/{person_id}/reablement-episodes", response_model=list[EpisodeOut])
async def episodes_of(person_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> list[EpisodeOut]:
    return [EpisodeOut.of(e) for e in await EpisodesRepository(session).of_person(principal.council_id, person_id)]


@router.post("/reablement-episodes/{episode_id}/end", response_model=EpisodeOut)
async def end_episode(episode_id: uuid.UUID, body: EndIn, principal: CurrentPrincipal, uow: Uow) -> EpisodeOut:
    """Reablement ended early (no longer needed, back in hospital, died); publishes reablement_episode.ended."""
    ended = await use_cases.end_episode(
        uow, principal.council_id, episode_id, body.end_date, body.reason, body.revision
    )
    return EpisodeOut.of(ended)
