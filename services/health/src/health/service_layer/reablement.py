"""Discharge to reablement: a discharge notification starts a free reablement episode and schedules
the needs assessment; the episode ends when its free period runs out or when the council says.

Each step publishes its event in the same transaction (reablement_episode.started / ended), so
charging knows the care is free and RAS when the assessment is due.
"""

from __future__ import annotations

import uuid
from datetime import date

from health.adapters.episodes_repository import EpisodesRepository
from health.domain.fhir_in import DischargeNotification
from health.domain.reablement import ReablementEpisode
from health.service_layer.guarded import end_at_revision
from health.service_layer.referrals import refer_within
from health.service_layer.rules import rules_on
from pbshared.contract.events.health import ReablementEndReason, ReablementEpisodeEnded, ReablementEpisodeStarted
from pbshared.errors import NotFound
from pbshared.platform.unit_of_work import UnitOfWork


async def start_from_discharge(
    uow: UnitOfWork, council_id: str, discharge: DischargeNotification
) -> tuple[ReablementEpisode, bool]:
    """The episode this discharge started, and whether it is new (the same notification twice starts
    one episode and publishes nothing the second time)."""
    async with uow:
        episodes = EpisodesRepository(uow.session)
        existing = await episodes.of_discharge(council_id, discharge.discharge_id)
        if existing is not None:
            return existing, False
        rules = await rules_on(uow.session, council_id, discharge.discharge_date)
        referral = await refer_within(uow, council_id, discharge.patient, "discharge")
        start = discharge.discharge_date
        episode = ReablementEpisode(
            episode_id=uuid.uuid4(),
            council_id=council_id,
            person_id=referral.person_id,
            discharge_id=discharge.discharge_id,
            discharge_date=discharge.discharge_date,
            start_date=start,
            free_until=rules.free_until(start),
            assessment_due_date=rules.assessment_due(start),
            end_date=None,
            end_reason=None,
            revision=1,
        )
        await episodes.add(episode)
        await uow.publish(
            ReablementEpisodeStarted(
                person_id=episode.person_id,
                episode_id=episode.episode_id,
                start_date=episode.start_date,
                free_until=episode.free_until,
                assessment_due_date=episode.assessment_due_date,
                discharge_id=episode.discharge_id,
            ),
            council_id=council_id,
            subject_id=str(episode.person_id),
        )
        await uow.commit()
    return episode, True


async def _publish_end(uow: UnitOfWork, episode: ReablementEpisode) -> None:
    assert episode.end_date is not None and episode.end_reason is not None
    await uow.publish(
        ReablementEpisodeEnded(
            person_id=episode.person_id,
            episode_id=episode.episode_id,
            end_date=episode.end_date,
            reason=episode.end_reason,
            # Ended early, the assessment is due at once unless it was due sooner anyway.
            assessment_due_date=min(episode.assessment_due_date, episode.end_date),
        ),
        council_id=episode.council_id,
        subject_id=str(episode.person_id),
    )


async def end_episode(
    uow: UnitOfWork,
    council_id: str,
    episode_id: uuid.UUID,
    end_date: date,
    reason: ReablementEndReason,
    read_revision: int,
) -> ReablementEpisode:
    """The council records an end before the free period runs out."""
    async with uow:
        episodes = EpisodesRepository(uow.session)
        ended = await end_at_revision(
            episodes,
            await episodes.get(council_id, episode_id, for_update=True),
            NotFound.about("episode_id", "no reablement episode with that id", where="path"),
            read_revision,
            end_date,
            lambda current: current.ended(end_date, reason),
        )
        await _publish_end(uow, ended)
        await uow.commit()
    return ended


async def end_one_lapsed(uow: UnitOfWork, today: date) -> bool:
    """End the earliest episode whose free period has run out (the durable timer); False when none."""
    async with uow:
        episodes = EpisodesRepository(uow.session)
        episode = await episodes.claim_lapsed(today)
        if episode is None:
            return False
        ended = episode.ended(episode.free_until, ReablementEndReason.period_ended)
        await episodes.save(ended, read_revision=episode.revision)
        await _publish_end(uow, ended)
        await uow.commit()
    return True


async def end_lapsed(new_uow, today: date, limit: int = 100) -> int:
    """End lapsed episodes one transaction each until none is left (or `limit`); how many ended."""
    ended = 0
    while ended < limit and await end_one_lapsed(new_uow(), today):
        ended += 1
    return ended
