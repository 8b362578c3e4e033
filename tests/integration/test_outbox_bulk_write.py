"""A bulk job's page of events goes to the outbox by COPY on PostgreSQL (one INSERT below that size and
on SQLite; a request's single event in one statement with its sequence): every way, the rows read back
the same, in the order given, with their subject sequences."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from pbshared.contract.envelope import Envelope
from pbshared.contract.events.charging import ContributionChanged, ContributionReason
from pbshared.platform import context
from pbshared.platform.outbox import add_to_outbox, envelope_for, event_for, write_to_outbox
from pbshared.platform.tables import outbox
from tests.integration.support import sessions_for

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def contributions(count: int) -> list[ContributionChanged]:
    return [
        ContributionChanged(
            person_id=uuid.uuid4(),
            budget_id=None,
            assessment_id=uuid.uuid4(),
            weekly_charge_pence=n,
            previous_weekly_charge_pence=n + 1,
            effective_date=date(2026, 4, 6),
            collected_by="council",
            reason=ContributionReason.annual_uprating,
        )
        for n in range(count)
    ]


def events(count: int, subjects: list[str]) -> list[Envelope]:
    return [
        envelope_for(payload, producer="charging", council_id="wyvernshire", subject_id=subjects[n % len(subjects)])
        for n, payload in enumerate(contributions(count))
    ]


@pytest.mark.parametrize("count", [1, 3, 150])
async def test_events_read_back_as_given_in_order_with_their_sequences(charging_url, count):
    sessions = sessions_for(charging_url)
    subjects = [f"bulk-{uuid.uuid4()}" for _ in range(2)]
    with context.bound(correlation_id="bulk-run", traceparent=PARENT):
        given = events(count, subjects)
        async with sessions() as session, session.begin():
            written = await add_to_outbox(session, *given)
    async with sessions() as session:
        rows = (
            await session.execute(
                select(outbox.c.event_id, outbox.c.event_type, outbox.c.topic, outbox.c.message_key)
                .add_columns(outbox.c.message, outbox.c.headers, outbox.c.published_at)
                .where(outbox.c.message_key.in_(subjects))
                .order_by(outbox.c.id)
            )
        ).all()
    assert [r.event_id for r in rows] == [e.event_id for e in given]
    assert [Envelope.model_validate_json(r.message) for r in rows] == written
    assert [e.subject_sequence for e in written] == [n // 2 + 1 for n in range(count)]
    assert {(r.event_type, r.topic, r.published_at) for r in rows} == {
        ("contribution.changed", "charging.events", None)
    }
    for row, envelope in zip(rows, written, strict=True):
        headers = row.headers if isinstance(row.headers, dict) else json.loads(row.headers)
        assert row.message_key == envelope.subject_id
        assert headers["traceparent"].startswith(PARENT[:36])  # same trace, a span of its own
        assert {k: v for k, v in headers.items() if k != "traceparent"} == {
            "event_type": "contribution.changed",
            "schema_version": "1",
            "correlation_id": "bulk-run",
        }


@pytest.mark.parametrize("count", [1, 3, 150])
async def test_a_unit_of_works_events_read_back_as_the_envelopes_they_announce(charging_url, count):
    # A unit of work writes events without an Envelope model for each: a consumer reads each as the
    # envelope it would have been, with its sequence, in the order given.
    sessions = sessions_for(charging_url)
    subjects = [f"outgoing-{uuid.uuid4()}" for _ in range(2)]
    with context.bound(correlation_id="bulk-run", traceparent=PARENT):
        given = [
            event_for(payload, producer="charging", council_id="wyvernshire", subject_id=subjects[n % len(subjects)])
            for n, payload in enumerate(contributions(count))
        ]
        async with sessions() as session, session.begin():
            await write_to_outbox(session, *given)
    async with sessions() as session:
        rows = (
            await session.execute(
                select(outbox.c.event_id, outbox.c.message)
                .where(outbox.c.message_key.in_(subjects))
                .order_by(outbox.c.id)
            )
        ).all()
    assert [r.event_id for r in rows] == [e.event_id for e in given]
    for n, (row, event) in enumerate(zip(rows, given, strict=True)):
        read = Envelope.model_validate_json(row.message)
        assert read.subject_sequence == n // 2 + 1
        assert read.model_dump(exclude={"subject_sequence"}) == {
            "event_id": event.event_id,
            "event_type": "contribution.changed",
            "schema_version": 1,
            "occurred_at": event.occurred_at,
            "producer": "charging",
            "council_id": "wyvernshire",
            "subject_id": event.subject_id,
            "correlation_id": "bulk-run",
            "causation_id": None,
            "payload": event.payload,
        }


@pytest.mark.parametrize("count", [1, 3])
async def test_an_envelope_already_written_is_refused_and_nothing_is_written(charging_url, count):
    sessions = sessions_for(charging_url)
    subjects = [f"again-{uuid.uuid4()}"]
    given = events(count, subjects)
    async with sessions() as session, session.begin():
        written = await add_to_outbox(session, *given)
    with pytest.raises(ValueError, match="already has its sequence"):
        async with sessions() as session, session.begin():
            await add_to_outbox(session, *written)
    async with sessions() as session:
        rows = (await session.execute(select(outbox.c.event_id).where(outbox.c.message_key.in_(subjects)))).all()
    assert len(rows) == count
