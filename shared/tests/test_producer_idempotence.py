"""Producer idempotence: on by default, off only where the broker lacks InitProducerId (Tansu)."""

from __future__ import annotations

from pbshared.platform.consumer import EventConsumer
from pbshared.platform.kafka import new_producer
from pbshared.platform.settings import ServiceSettings


def test_idempotence_is_on_unless_switched_off(monkeypatch) -> None:
    assert ServiceSettings(service_name="ras").kafka_enable_idempotence is True
    monkeypatch.setenv("PB_KAFKA_ENABLE_IDEMPOTENCE", "false")
    assert ServiceSettings(service_name="ras").kafka_enable_idempotence is False


async def test_the_platform_producer_is_idempotent_when_asked() -> None:
    # aiokafka keeps a transaction manager (producer id, sequence numbers) only for idempotent producers.
    assert new_producer("127.0.0.1:1", enable_idempotence=True)._txn_manager is not None
    assert new_producer("127.0.0.1:1", enable_idempotence=False)._txn_manager is None


async def test_the_consumers_dead_letter_producer_follows_the_setting() -> None:
    def consumer(enable_idempotence: bool) -> EventConsumer:
        return EventConsumer(
            service="charging",
            sessions=None,  # type: ignore[arg-type]
            bootstrap_servers="127.0.0.1:1",
            subscriptions=[],
            enable_idempotence=enable_idempotence,
        )

    assert consumer(True)._new_producer()._txn_manager is not None
    assert consumer(False)._new_producer()._txn_manager is None
