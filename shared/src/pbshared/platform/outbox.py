"""Transactional outbox: events are rows written in the same transaction as the change they announce.

Nothing here talks to Kafka; the relay (relay.py) publishes committed rows afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections import Counter
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Insert, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.registry import CATALOGUE
from pbshared.platform import context
from pbshared.platform.tables import outbox, subject_sequences


class OutboxSignal:
    """Wakes this process's relay as soon as a transaction with events commits.

    Without it the relay would only notice new rows at its next poll; with it, end-to-end latency
    is the broker's, not the poll interval's. Rows written by other processes are still found by polling.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        self._event.clear()


def kafka_headers(envelope: Envelope, traceparent: str) -> dict[str, str]:
    return {
        "traceparent": traceparent,
        "event_type": envelope.event_type,
        "schema_version": str(envelope.schema_version),
        "correlation_id": envelope.correlation_id,
    }


async def add_to_outbox(session: AsyncSession, *envelopes: Envelope) -> list[Envelope]:
    """Write events in the caller's transaction; several go in one statement. Each is stamped with
    its subject's next sequence number; returns them as written."""
    if not envelopes:
        return []
    envelopes = await _sequenced(session, envelopes)
    traceparent = context.traceparent_var.get()
    now = datetime.now(UTC)
    rows = [
        {
            "event_id": envelope.event_id,
            "event_type": envelope.event_type,
            "topic": CATALOGUE.spec(envelope.event_type, envelope.schema_version).topic,
            "message_key": envelope.subject_id,
            "message": envelope.model_dump_json(),
            "headers": kafka_headers(envelope, context.child_traceparent(traceparent)),
            "created_at": now,
        }
        for envelope in envelopes
    ]
    await session.execute(insert(outbox), rows)
    session.info["wrote_events"] = True  # lets the committer wake the relay
    return list(envelopes)


async def _sequenced(session: AsyncSession, envelopes: tuple[Envelope, ...]) -> tuple[Envelope, ...]:
    """Envelopes with their subject sequences, taken in one statement.

    The upsert locks each subject's counter row until the transaction ends, so a concurrent writer
    about the same subject waits and writes its outbox row after ours: sequence and outbox order agree.
    """
    counts = Counter(envelope.subject_id for envelope in envelopes)
    result = await session.execute(
        _next_sequence_statement(session.bind.dialect.name),
        [{"subject_id": subject, "last_sequence": n} for subject, n in sorted(counts.items())],
    )
    last = {row.subject_id: row.last_sequence for row in result}
    taken: Counter[str] = Counter()
    stamped = []
    for envelope in envelopes:
        subject = envelope.subject_id
        taken[subject] += 1
        sequence = last[subject] - counts[subject] + taken[subject]
        stamped.append(envelope.model_copy(update={"subject_sequence": sequence}))
    return tuple(stamped)


@functools.cache
def _next_sequence_statement(dialect_name: str) -> Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(subject_sequences)
    return statement.on_conflict_do_update(
        index_elements=["subject_id"],
        set_={"last_sequence": subject_sequences.c.last_sequence + statement.excluded.last_sequence},
    ).returning(subject_sequences.c.subject_id, subject_sequences.c.last_sequence)


def envelope_for(payload: BaseModel, *, producer: str, council_id: str, subject_id: str) -> Envelope:
    """An envelope that carries the current request's or event's correlation and cause."""
    return new_envelope(
        payload=payload,
        producer=producer,
        council_id=council_id,
        subject_id=subject_id,
        correlation_id=context.current_correlation_id(),
        causation_id=context.causation_id_var.get(),
    )


async def backlog(session: AsyncSession) -> int:
    """Rows not yet acknowledged by the broker."""
    result = await session.execute(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))
    return int(result.scalar_one())
