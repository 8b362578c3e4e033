"""Parking: a subject's events wait while an earlier one of theirs is dead-lettered.

When a consumer dead-letters one of a subject's events, the subject is blocked (`blocked_subjects`,
keyed by consumer, producer and subject). Its later events are claimed in the inbox as parked and
stored in `parked_events`, not applied: were they applied, a merge or a payment would overtake the
event before it. When the dead letter is replayed and handled, the block turns to releasing (no
event id) and the parked events are applied one by one in sequence order; the block goes when none
are left. If one of them fails in turn, it is dead-lettered and blocks the subject in its place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import ConsumerRecord
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.envelope import Envelope
from pbshared.platform.tables import blocked_subjects, inbox, parked_events

PARKED = "parked"
HANDLED = "handled"


@dataclass(frozen=True)
class Subject:
    """Whose events are ordered: sequences are per producer, so blocks are too."""

    producer: str
    subject_id: str

    @classmethod
    def of(cls, envelope: Envelope) -> Subject:
        return cls(envelope.producer, envelope.subject_id)


@dataclass(frozen=True)
class Block:
    subject: Subject
    event_id: uuid.UUID | None  # the dead letter it waits for; None while releasing

    @property
    def releasing(self) -> bool:
        return self.event_id is None


async def blocks(session: AsyncSession, consumer: str) -> dict[Subject, Block]:
    """Every subject this consumer holds back (few: one per unresolved dead letter)."""
    rows = await session.execute(
        select(blocked_subjects.c.producer, blocked_subjects.c.subject_id, blocked_subjects.c.event_id).where(
            blocked_subjects.c.consumer == consumer
        )
    )
    return {Subject(p, s): Block(Subject(p, s), e) for p, s, e in rows}


async def block_of(session: AsyncSession, consumer: str, subject: Subject) -> Block | None:
    event_id = (
        await session.execute(select(blocked_subjects.c.event_id).where(*_is(consumer, subject)).with_for_update())
    ).one_or_none()
    return None if event_id is None else Block(subject, event_id[0])


async def block(session: AsyncSession, consumer: str, envelope: Envelope) -> None:
    """Hold the envelope's subject back until this (dead-lettered) event is handled. If it had been
    parked, it is parked no more: its inbox claim goes, so that its replay can be claimed."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    values = {
        "consumer": consumer,
        "producer": envelope.producer,
        "subject_id": envelope.subject_id,
        "event_id": envelope.event_id,
        "blocked_at": datetime.now(UTC),
    }
    statement = dialect.insert(blocked_subjects).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["consumer", "producer", "subject_id"], set_={"event_id": envelope.event_id}
        )
    )
    await session.execute(delete(parked_events).where(*_parked(consumer, envelope.event_id)))
    parked_claim = (inbox.c.consumer == consumer, inbox.c.event_id == envelope.event_id, inbox.c.status == PARKED)
    await session.execute(delete(inbox).where(*parked_claim))


async def start_releasing(session: AsyncSession, consumer: str, subject: Subject) -> None:
    """The dead letter was handled: its subject's parked events may now be applied."""
    await session.execute(update(blocked_subjects).where(*_is(consumer, subject)).values(event_id=None))


async def park(session: AsyncSession, consumer: str, message: ConsumerRecord, envelope: Envelope) -> None:
    """Store an event, already claimed in the inbox, to apply once its subject is released."""
    await session.execute(
        update(inbox).where(inbox.c.consumer == consumer, inbox.c.event_id == envelope.event_id).values(status=PARKED)
    )
    await session.execute(
        parked_events.insert().values(
            consumer=consumer,
            event_id=envelope.event_id,
            producer=envelope.producer,
            subject_id=envelope.subject_id,
            subject_sequence=envelope.subject_sequence,
            topic=message.topic,
            kafka_partition=message.partition,
            kafka_offset=message.offset,
            message=message.value.decode(),
            # latin-1 maps every byte to one character and back: header bytes survive unchanged.
            headers=[[key, value.decode("latin-1")] for key, value in message.headers or []],
            parked_at=datetime.now(UTC),
        )
    )


async def next_parked(session: AsyncSession, consumer: str, subject: Subject) -> ConsumerRecord | None:
    """The subject's parked event to apply next (lowest sequence; arrival order without one)."""
    row = (
        await session.execute(
            select(parked_events)
            .where(
                parked_events.c.consumer == consumer,
                parked_events.c.producer == subject.producer,
                parked_events.c.subject_id == subject.subject_id,
            )
            .order_by(parked_events.c.subject_sequence.nulls_first(), parked_events.c.kafka_offset)
            .limit(1)
        )
    ).one_or_none()
    if row is None:
        return None
    return ConsumerRecord(
        topic=row.topic,
        partition=row.kafka_partition,
        offset=row.kafka_offset,
        timestamp=0,
        timestamp_type=0,
        key=row.subject_id.encode(),
        value=row.message.encode(),
        checksum=None,
        serialized_key_size=-1,
        serialized_value_size=-1,
        headers=[(key, value.encode("latin-1")) for key, value in row.headers],
    )


async def unpark(session: AsyncSession, consumer: str, event_id: uuid.UUID) -> bool:
    """Take a parked event out to apply it now; False if another instance already did."""
    removed = await session.execute(delete(parked_events).where(*_parked(consumer, event_id)))
    if not removed.rowcount:
        return False
    await session.execute(
        update(inbox)
        .where(inbox.c.consumer == consumer, inbox.c.event_id == event_id)
        .values(status=HANDLED, handled_at=datetime.now(UTC))
    )
    return True


async def finish_releasing(session: AsyncSession, consumer: str, subject: Subject) -> None:
    """No parked events are left: the subject flows again."""
    await session.execute(
        delete(blocked_subjects).where(*_is(consumer, subject), blocked_subjects.c.event_id.is_(None))
    )


def _is(consumer: str, subject: Subject) -> tuple:
    return (
        blocked_subjects.c.consumer == consumer,
        blocked_subjects.c.producer == subject.producer,
        blocked_subjects.c.subject_id == subject.subject_id,
    )


def _parked(consumer: str, event_id: uuid.UUID) -> tuple:
    return (parked_events.c.consumer == consumer, parked_events.c.event_id == event_id)
