"""One batch in flight across relays: a relay that died mid-batch holds the lease until it lapses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from pbshared.contract.events.people import PersonMerged
from pbshared.platform.kafka import new_producer
from pbshared.platform.outbox import add_to_outbox, backlog, envelope_for
from pbshared.platform.relay import OutboxRelay
from tests.integration.support import create_platform_topics, sessions_for

pytestmark = pytest.mark.integration


async def test_a_relay_that_died_mid_batch_holds_the_lease_until_it_lapses_then_another_takes_over(
    charging_url, broker
):
    await create_platform_topics(broker.bootstrap_servers)
    sessions = sessions_for(charging_url)
    async with sessions() as session, session.begin():
        for _ in range(3):
            person = uuid.uuid4()
            payload = PersonMerged(merged_person_id=person, surviving_person_id=uuid.uuid4())
            await add_to_outbox(session, envelope_for(payload, producer="ras", council_id="w", subject_id=str(person)))
    now = datetime.now(UTC)

    def clock() -> datetime:
        return now

    producer = new_producer(broker.bootstrap_servers, enable_idempotence=False)
    await producer.start()
    try:
        dead = OutboxRelay(service="ras", sessions=sessions, producer=producer, lease_seconds=30, clock=clock)
        assert len(await dead._claim()) == 3  # claimed the batch, then the process was killed
        standby = OutboxRelay(service="ras", sessions=sessions, producer=producer, lease_seconds=30, clock=clock)
        assert await standby.publish_batch() == 0, "the batch is still in flight as far as anyone knows"
        now += timedelta(seconds=29)
        assert await standby.publish_batch() == 0
        now += timedelta(seconds=2)
        assert await standby.publish_batch() == 3, "the lease lapsed: the standby takes over"
        assert await standby.publish_batch() == 0
        async with sessions() as session:
            assert await backlog(session) == 0
    finally:
        await producer.stop()
