"""Transactional outbox: events are rows written in the same transaction as the change they announce.

Nothing here talks to Kafka; the relay (relay.py) publishes committed rows afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.registry import CATALOGUE
from pbshared.platform import context
from pbshared.platform.tables import outbox


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


async def add_to_outbox(session: AsyncSession, *envelopes: Envelope) -> None:
    """Write events in the caller's transaction; several go in one statement."""
    if not envelopes:
        return
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
