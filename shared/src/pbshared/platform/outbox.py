"""Transactional outbox: events are rows written in the same transaction as the change they announce.

Nothing here talks to Kafka; the relay (relay.py) publishes committed rows afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import pydantic_core
from pydantic import BaseModel
from sqlalchemy import Insert, Table, Text, bindparam, cast, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.registry import CATALOGUE, EventSpec
from pbshared.platform import context
from pbshared.platform.db import copy_records, json_text
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


class OutgoingEvent(NamedTuple):
    """An event on its way to the outbox: what its envelope takes from where it was published, and its
    payload as the envelope carries it (validated by its model when made). Its message, the envelope's
    JSON, is written once, when the subject's sequence is known. An Envelope model made and validated
    for each of a bulk job's thousands of events, then serialised and split around its sequence, cost
    this process as much as the rest of writing the event (bench/README.md, "Uprating, sixth round")."""

    event_id: uuid.UUID
    spec: EventSpec
    occurred_at: datetime
    producer: str
    council_id: str
    subject_id: str
    correlation_id: str
    causation_id: uuid.UUID | None
    payload: dict[str, Any]  # JSON-ready, as model_dump(mode="json") gives it

    @property
    def event_type(self) -> str:
        return self.spec.event_type

    @property
    def schema_version(self) -> int:
        return self.spec.version

    def as_envelope(self, subject_sequence: int | None = None) -> Envelope:
        """The envelope a consumer reads this event as (for a path that hands it on without a broker)."""
        return Envelope.from_bytes(self.message(subject_sequence).encode())

    def message(self, subject_sequence: int | None) -> str:
        """The envelope's JSON, field for field as Envelope.model_dump_json writes it (a test holds the
        two to the byte; a float that is not a number is null, as there)."""
        envelope = {
            "event_id": self.event_id,
            "event_type": self.spec.event_type,
            "schema_version": self.spec.version,
            "occurred_at": self.occurred_at,
            "producer": self.producer,
            "council_id": self.council_id,
            "subject_id": self.subject_id,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "subject_sequence": subject_sequence,
            "payload": self.payload,
        }
        return pydantic_core.to_json(envelope, inf_nan_mode="null").decode()


def event_for(payload: BaseModel, *, producer: str, council_id: str, subject_id: str) -> OutgoingEvent:
    """An event of a registered payload model that carries the current request's or event's correlation
    and cause. What Envelope would refuse is refused here: the rest it checks is made here or by the
    payload's model."""
    spec = CATALOGUE.spec_for_model(type(payload))
    for name, value in (("producer", producer), ("council_id", council_id), ("subject_id", subject_id)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"an event's {name} is a non-empty string")
    cause = context.causation_id_var.get()
    if cause is not None and not isinstance(cause, uuid.UUID):  # written as given: a consumer would refuse it
        raise ValueError("an event's causation_id is the event_id (a UUID) of the event that caused it")
    return OutgoingEvent(
        uuid.uuid4(),
        spec,
        datetime.now(UTC),
        producer,
        council_id,
        subject_id,
        context.current_correlation_id(),
        cause,
        payload.model_dump(mode="json"),
    )


def _outgoing(envelope: Envelope) -> OutgoingEvent:
    if envelope.subject_sequence is not None:
        raise ValueError("an envelope is written to the outbox once; this one already has its sequence")
    return OutgoingEvent(
        envelope.event_id,
        CATALOGUE.spec(envelope.event_type, envelope.schema_version),
        envelope.occurred_at,
        envelope.producer,
        envelope.council_id,
        envelope.subject_id,
        envelope.correlation_id,
        envelope.causation_id,
        envelope.payload,
    )


def kafka_headers(event: Envelope | OutgoingEvent, traceparent: str) -> dict[str, str]:
    return {
        "traceparent": traceparent,
        "event_type": event.event_type,
        "schema_version": str(event.schema_version),
        "correlation_id": event.correlation_id,
    }


# A row to insert with the events: its table and its values (a column's name to its value).
Row = tuple[Table, dict[str, Any]]


async def add_to_outbox(session: AsyncSession, *envelopes: Envelope, rows: Sequence[Row] = ()) -> list[Envelope]:
    """Write events in the caller's transaction; several go in one statement. Each is stamped with
    its subject's next sequence number; returns them as written. `rows` are inserted first: with a
    single event on PostgreSQL, in the same statement. An envelope written before (it has its
    sequence) is refused, and nothing is written."""
    events = [_outgoing(envelope) for envelope in envelopes]
    sequences = await _write(session, events, rows)
    stamped = zip(envelopes, sequences, strict=True)
    return [envelope.model_copy(update={"subject_sequence": n}) for envelope, n in stamped]


async def write_to_outbox(session: AsyncSession, *events: OutgoingEvent, rows: Sequence[Row] = ()) -> None:
    """Write events (a unit of work's) in the caller's transaction, as add_to_outbox does envelopes."""
    await _write(session, events, rows)


async def _write(session: AsyncSession, events: Sequence[OutgoingEvent], rows: Sequence[Row]) -> list[int]:
    """The events' subject sequences, as written."""
    if not events and not rows:
        return []
    connection = await session.connection()
    if len(events) == 1 and connection.dialect.name == "postgresql":
        session.info["wrote_events"] = True  # lets the committer wake the relay
        return [await _add_one(session, events[0], rows)]
    for table, values in rows:
        await session.execute(insert(table), values)
    if not events:
        return []
    session.info["wrote_events"] = True
    sequences = await _sequences(session, events)
    traceparent = context.traceparent_var.get()
    now = datetime.now(UTC)
    written = [_row(event, event.message(n), traceparent, now) for event, n in zip(events, sequences, strict=True)]
    if len(written) >= _COPY_FROM and connection.dialect.name == "postgresql":
        await _copy(connection, written)
    else:
        await session.execute(insert(outbox), written)
    return sequences


def _around_sequence(event: OutgoingEvent) -> tuple[str, str]:
    """The event's JSON before its sequence and after it: the message is the two joined by the number
    the subject's counter gives. The first null subject_sequence is the envelope's own: it comes before
    the payload, and a quote inside a string value is escaped."""
    head, unsequenced, tail = event.message(None).partition(_UNSEQUENCED)
    if not unsequenced:  # the envelope's shape changed: the field must come out as null here
        raise ValueError("an unsequenced envelope's JSON has no subject_sequence to fill")
    return head + '"subject_sequence":', tail


def _row(event: OutgoingEvent, message: str, traceparent: str | None, now: datetime) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "event_type": event.spec.event_type,
        "topic": event.spec.topic,
        "message_key": event.subject_id,
        "message": message,
        "headers": kafka_headers(event, context.child_traceparent(traceparent)),
        "created_at": now,
    }


async def _add_one(session: AsyncSession, event: OutgoingEvent, rows: Sequence[Row]) -> int:
    """One event (a request's usual case) in one statement on PostgreSQL: the rows it announces, the
    subject's next sequence and the outbox row together, where separate statements are as many round
    trips while the request waits. The message is written around the sequence: the envelope's JSON up
    to its `subject_sequence` and after it, joined by the database to the number it takes."""
    head, tail = _around_sequence(event)
    parameters = _row(event, "", context.traceparent_var.get(), datetime.now(UTC))
    parameters.update(head=head, tail=tail)
    for n, (_table, values) in enumerate(rows):
        parameters.update({f"row{n}_{column}": value for column, value in values.items()})
    shape = tuple((table, tuple(values)) for table, values in rows)
    result = await session.execute(_add_one_statement(shape), parameters)
    return int(result.scalar_one())


# From this many events (a bulk job's page), PostgreSQL's COPY writes them: for a thousand rows, about
# 9 us of this process's CPU a row against 11 us for the INSERT's parameters (measured with the
# collector off). Below it, the INSERT: COPY first asks the server for the table's column types, one
# more round trip.
_COPY_FROM = 100
_COLUMNS = ("event_id", "event_type", "topic", "message_key", "message", "headers", "created_at")


async def _copy(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """The rows by PostgreSQL's COPY, on the session's connection (so in its transaction, and in the
    order given, as the INSERT writes them); the headers as the JSON text the engine would write."""
    records = [(*(row[c] for c in _COLUMNS[:-2]), json_text(row["headers"]), row["created_at"]) for row in rows]
    await copy_records(connection, outbox.name, _COLUMNS, records)


async def _sequences(session: AsyncSession, events: Sequence[OutgoingEvent]) -> list[int]:
    """The events' subject sequences, in their order, taken in one statement.

    The upsert locks each subject's counter row until the transaction ends, so a concurrent writer
    about the same subject waits and writes its outbox row after ours: sequence and outbox order agree.
    """
    counts = Counter(event.subject_id for event in events)
    ordered = sorted(counts.items())  # every writer locks counters in the same order: no deadlock
    if session.bind.dialect.name == "postgresql":
        # Two arrays in one statement: a page of thousands of subjects as parameters row by row
        # cost more of this process's CPU than writing the page's events.
        subjects, taken_counts = zip(*ordered, strict=True)
        result = await session.execute(
            _next_sequences_from_arrays(), {"subjects": list(subjects), "counts": list(taken_counts)}
        )
    else:
        result = await session.execute(
            _next_sequence_statement(session.bind.dialect.name),
            [{"subject_id": subject, "last_sequence": n} for subject, n in ordered],
        )
    last = {row.subject_id: row.last_sequence for row in result}
    taken: Counter[str] = Counter()
    sequences = []
    for event in events:
        subject = event.subject_id
        taken[subject] += 1
        sequences.append(last[subject] - counts[subject] + taken[subject])
    return sequences


_UNSEQUENCED = '"subject_sequence":null'


@functools.lru_cache(maxsize=256)
def _add_one_statement(shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> Insert:
    """WITH row0 AS (INSERT INTO a table ...), ..., next_sequence AS (the subject's counter, upserted)
    INSERT INTO outbox ... SELECT ... FROM next_sequence. PostgreSQL runs every data-modifying WITH
    whether or not it is referenced. The upsert locks the subject's counter row as in _sequences, so
    the order argument there holds. Built once for each shape of rows (tables and their columns)."""
    upsert = postgresql.insert(subject_sequences).values(subject_id=bindparam("message_key"), last_sequence=1)
    next_sequence = (
        upsert.on_conflict_do_update(
            index_elements=["subject_id"], set_={"last_sequence": subject_sequences.c.last_sequence + 1}
        )
        .returning(subject_sequences.c.last_sequence)
        .cte("next_sequence")
    )
    message = bindparam("head", type_=Text) + cast(next_sequence.c.last_sequence, Text) + bindparam("tail", type_=Text)
    values = [message if c == "message" else bindparam(c, type_=outbox.c[c].type) for c in _COLUMNS]
    statement = (
        insert(outbox)
        .from_select(list(_COLUMNS), select(*values).select_from(next_sequence))
        .returning(select(next_sequence.c.last_sequence).scalar_subquery())
    )
    for n, (table, columns) in enumerate(shape):
        row = {c: bindparam(f"row{n}_{c}", type_=table.c[c].type) for c in columns}
        statement = statement.add_cte(insert(table).values(row).cte(f"row{n}"))
    return statement


@functools.cache
def _next_sequences_from_arrays() -> Insert:
    """PostgreSQL: each subject's counter moved on by its count, the subjects and counts as two arrays
    unnested in the order given (so the rows are locked in that order)."""
    given = (
        func.unnest(
            bindparam("subjects", type_=postgresql.ARRAY(subject_sequences.c.subject_id.type)),
            bindparam("counts", type_=postgresql.ARRAY(subject_sequences.c.last_sequence.type)),
        )
        .table_valued("subject_id", "last_sequence")
        .render_derived()
    )
    statement = postgresql.insert(subject_sequences).from_select(
        ["subject_id", "last_sequence"], select(given.c.subject_id, given.c.last_sequence)
    )
    return statement.on_conflict_do_update(
        index_elements=["subject_id"],
        set_={"last_sequence": subject_sequences.c.last_sequence + statement.excluded.last_sequence},
    ).returning(subject_sequences.c.subject_id, subject_sequences.c.last_sequence)


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
