"""A Kafka record as the consumer would receive it, for tests that hand events to EventConsumer.process."""

from __future__ import annotations

from aiokafka import ConsumerRecord

from pbshared.contract.envelope import Envelope


def consumer_record(
    envelope: Envelope, topic: str, offset: int, headers: list[tuple[str, bytes]] | None = None
) -> ConsumerRecord:
    return ConsumerRecord(
        topic=topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=envelope.subject_id.encode(),
        value=envelope.to_bytes(),
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=headers or [],
    )
