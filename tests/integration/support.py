"""Helpers the reliability tests share: raw publishing, topic counts, and an effect log that
records every effect a handler has, so a second effect for one event shows up as a second row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.events.people import PersonRegistered
from pbshared.contract.topics import all_topics
from pbshared.platform.consumer import EventConsumer, HandlerContext, Subscription
from pbshared.platform.db import SessionFactory, create_engine, session_factory
from pbshared.platform.kafka import ensure_topics, read_topic
from pbshared.platform.people import replica
from tools.services import SERVICE_NAMES


def person_registered(given_name: str = "Ada", person_id: uuid.UUID | None = None) -> Envelope:
    person_id = person_id or uuid.uuid4()
    payload = PersonRegistered(
        person_id=person_id,
        council_person_id=f"WY-{person_id.hex[:8]}",
        given_name=given_name,
        family_name="Test",
        date_of_birth=date(1950, 1, 1),
        postcode="SK1 3XE",
        client_group="older_people",
        revision=1,
    )
    return new_envelope(
        payload=payload,
        producer="ras",
        council_id="wyvernshire",
        subject_id=str(person_id),
        correlation_id=str(uuid.uuid4()),
    )


async def publish_raw(bootstrap: str, messages: list[tuple[str, bytes, bytes]]) -> None:
    """Send (topic, key, value) triples straight to the broker, as a misbehaving producer might."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for topic, key, value in messages:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


async def messages_on_topic(bootstrap: str, topic: str) -> int:
    return len(await read_topic(bootstrap, topic))


@dataclass
class EffectLog:
    """A non-idempotent effect: one row per handler run that committed."""

    sessions: SessionFactory
    poisoned_names: set[str] = field(default_factory=set)
    database_outages: int = 0  # how many handler runs fail as if the database had gone away
    slow_suppliers: set[str] = field(default_factory=set)  # names whose handling times out calling outside

    async def create(self) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS effect_log ("
                    " event_id uuid NOT NULL, instance text NOT NULL, at timestamptz NOT NULL)"
                )
            )

    def subscription(self, instance: str) -> Subscription:
        async def handle(ctx: HandlerContext, event: PersonRegistered) -> None:
            if self.database_outages > 0:
                self.database_outages -= 1
                raise OperationalError("INSERT ...", {}, ConnectionResetError("server closed the connection"))
            if event.given_name in self.slow_suppliers:
                raise httpx.ReadTimeout(f"the card provider did not answer for {event.given_name}")
            if event.given_name in self.poisoned_names:
                raise RuntimeError(f"cannot handle {event.given_name}")
            await ctx.session.execute(
                text("INSERT INTO effect_log (event_id, instance, at) VALUES (:event_id, :instance, :at)"),
                {"event_id": ctx.envelope.event_id, "instance": instance, "at": datetime.now(UTC)},
            )
            await replica.on_person_registered(ctx, event)

        return Subscription(PersonRegistered, handle)

    async def count(self) -> int:
        async with self.sessions() as session:
            return int((await session.execute(text("SELECT count(*) FROM effect_log"))).scalar_one())

    async def distinct_events(self) -> int:
        async with self.sessions() as session:
            return int((await session.execute(text("SELECT count(DISTINCT event_id) FROM effect_log"))).scalar_one())

    async def by_instance(self) -> dict[str, int]:
        async with self.sessions() as session:
            rows = await session.execute(text("SELECT instance, count(*) FROM effect_log GROUP BY instance"))
            return {instance: int(n) for instance, n in rows}


def counting_consumer(
    effects: EffectLog, bootstrap: str, instance: str, group_id: str = "effect-counter", **options: object
) -> EventConsumer:
    return EventConsumer(
        service="charging",
        group_id=group_id,
        sessions=effects.sessions,
        bootstrap_servers=bootstrap,
        subscriptions=[effects.subscription(instance)],
        backoff_seconds=0.02,
        request_timeout_ms=2000,
        enable_idempotence=False,  # Tansu lacks InitProducerId
        **options,  # type: ignore[arg-type]
    )


def sessions_for(database_url: str) -> SessionFactory:
    return session_factory(create_engine(database_url))


async def create_platform_topics(bootstrap: str) -> None:
    await ensure_topics(bootstrap, all_topics(SERVICE_NAMES), partitions=6)
