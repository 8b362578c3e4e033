"""The baseline's producing side: a bare AIOKafkaProducer, no database, no outbox."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaProducer

from bench.workload import paced_ticks, raw_message, tick_size

RAW_TOPIC = "bench.raw"


class RawSource:
    def __init__(self, bootstrap: str, topic: str, message_bytes: int, per_tick: int):
        # The client settings of the platform's own producer (pbshared.platform.kafka.new_producer),
        # so the ratio measures the outbox and consumer, not a differently tuned client.
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=2
        )
        self._topic = topic
        self._size = message_bytes
        self._per_tick = per_tick
        self._next = 0  # sequence numbers run on across phases, so every message is told apart

    async def start(self) -> None:
        await self._producer.start()

    async def close(self) -> None:
        await self._producer.stop()

    async def send_burst(self, count: int) -> float:
        """Send `count` messages as fast as the client takes them; returns when all were acknowledged."""
        futures = [await self._send() for _ in range(count)]
        await asyncio.gather(*futures)
        return time.monotonic()

    async def send_steady(self, rate: float, count: int) -> dict[str, float]:
        """Send at `rate` per second in ticks of `per_tick`; returns each message's send moment."""
        sent: dict[str, float] = {}
        futures = []
        async for tick in paced_ticks(rate, self._per_tick, count):
            for _ in range(tick_size(tick, self._per_tick, count)):
                sent[str(self._next)] = time.monotonic()
                futures.append(await self._send())
        await asyncio.gather(*futures)
        return sent

    async def _send(self) -> asyncio.Future[object]:
        key, value = raw_message(self._next, self._size)
        self._next += 1
        return await self._producer.send(self._topic, value=value, key=key)
