"""Kafka clients configured the way the platform relies on, and topic creation.

`pb-topics create --service NAME [--service NAME ...]` creates those services' topics (production runs
it as a deploy step, generated from the service list).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from pbshared.contract.topics import all_topics

log = logging.getLogger(__name__)


def new_producer(
    bootstrap_servers: list[str] | str, request_timeout_ms: int = 5000, *, enable_idempotence: bool
) -> AIOKafkaProducer:
    """The producer every platform part uses. Each caller says whether the broker supports
    idempotence (PB_KAFKA_ENABLE_IDEMPOTENCE): Kafka does; the embedded broker, Tansu, lacks
    InitProducerId and refuses such a producer (docs/broker.md).

    acks=all: a row is marked published only once every in-sync replica has it. Idempotence stops
    the broker writing a retried batch twice; where it is off, consumers' inboxes drop the duplicates.
    """
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        enable_idempotence=enable_idempotence,
        linger_ms=2,
        request_timeout_ms=request_timeout_ms,
        retry_backoff_ms=100,
    )


async def ensure_topics(
    bootstrap_servers: list[str] | str,
    topics: list[str],
    partitions: int = 6,
    replication_factor: int = 1,
) -> None:
    """Create topics that do not exist yet; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if not missing:
            return
        # Another service may create one between our list and create: that is fine.
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(
                [NewTopic(t, num_partitions=partitions, replication_factor=replication_factor) for t in missing]
            )
        log.info("created topics", extra={"topics": missing})
    finally:
        await admin.close()


async def assign_every_partition(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """Read all of `topic` with a started consumer outside any group; its partitions (none: no topic)."""
    await consumer._client.force_metadata_update()  # a new client may not know the topic yet
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
    if partitions:
        consumer.assign(partitions)
    return partitions


async def read_topic(bootstrap_servers: list[str] | str, topic: str, idle_seconds: float = 1.0) -> list[ConsumerRecord]:
    """Every message now on `topic`, from the beginning, without joining a consumer group.

    Reads until each partition reaches the high watermark reported by fetches and nothing new
    arrives for `idle_seconds`. ListOffsets (end_offsets) is not used: Tansu under-reports it when
    a producer batches several records into one request (docs/broker.md).
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await assign_every_partition(consumer, topic)
        if not partitions:
            return []
        await consumer.seek_to_beginning(*partitions)
        records: list[ConsumerRecord] = []
        while True:
            batches = await consumer.getmany(timeout_ms=int(idle_seconds * 1000))
            if not batches:
                return records
            for messages in batches.values():
                records.extend(messages)
    finally:
        await consumer.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pb-topics", description="Create the platform's topics.")
    parser.add_argument("command", choices=["create", "list"])
    parser.add_argument(
        "--service", action="append", required=True, help="a service whose topics to create (repeat for each)"
    )
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    topics = all_topics(args.service)
    if args.command == "list":
        print("\n".join(topics))
        return 0
    asyncio.run(ensure_topics(args.bootstrap_servers, topics, args.partitions, args.replication_factor))
    return 0
