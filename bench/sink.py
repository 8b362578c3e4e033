"""The consuming side, in its own process, as a consuming service runs apart from the producer.

Two kinds: `platform` is the platform's EventConsumer with the person replica handler (inbox claim,
effect row, one transaction per event); `raw` is a bare AIOKafkaConsumer. Both record, per event,
its id, when handling started and when it took effect (committed; for raw both are the moment it
was received), on time.monotonic(), which on Linux is CLOCK_MONOTONIC and so comparable with the
parent's clock.

The parent drives the child over a pipe: ("collect", n, timeout) returns the next n records.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import multiprocessing
import time
from multiprocessing.connection import Connection
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from bench.parameters import CONSUMER_FETCH_WAIT_MS
from bench.workload import raw_sequence
from pbshared.contract.events.people import PersonRegistered
from pbshared.platform.consumer import EventConsumer, HandlerContext, Subscription
from pbshared.platform.db import SessionFactory, create_engine, session_factory
from pbshared.platform.people import replica

Record = tuple[str, float, float]  # (event id or raw sequence number, handling started, took effect)


# --- parent side ---------------------------------------------------------------------------------


class SinkProcess:
    def __init__(self, kind: str, bootstrap: str, **options: Any):
        context = multiprocessing.get_context("spawn")  # never fork a process that has an event loop
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(target=child_main, args=(child_conn, kind, bootstrap, options), daemon=True)

    def start(self, timeout: float = 60.0) -> None:
        self._process.start()
        if not self._conn.poll(timeout):
            self.stop()
            raise RuntimeError(f"consumer process not ready within {timeout}s")
        try:
            reply = self._conn.recv()
        except EOFError:
            reply = f"exited with {self._process.exitcode}"
        if reply != "ready":
            self.stop()
            raise RuntimeError(f"consumer process failed: {reply}")

    async def collect(self, count: int, timeout: float) -> list[Record]:
        """The next `count` records, or fewer if `timeout` passes first."""
        self._conn.send(("collect", count, timeout))
        return await asyncio.to_thread(self._conn.recv)

    def stop(self) -> None:
        if self._process.is_alive():
            with contextlib.suppress(OSError):  # it is going anyway; terminate below makes sure
                self._conn.send(("stop",))
            self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


# --- child side ----------------------------------------------------------------------------------


def child_main(conn: Connection, kind: str, bootstrap: str, options: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.ERROR)
    try:
        asyncio.run(_serve(conn, kind, bootstrap, options))
    except Exception as error:  # tell the parent instead of leaving it waiting
        conn.send(f"{type(error).__name__}: {error}")
        raise


async def _serve(conn: Connection, kind: str, bootstrap: str, options: dict[str, Any]) -> None:
    sink = PlatformSink(bootstrap, **options) if kind == "platform" else RawSink(bootstrap, **options)
    task = asyncio.create_task(sink.run())
    try:
        await sink.ready(task)
        conn.send("ready")
        while True:
            command = await asyncio.to_thread(conn.recv)
            if command[0] == "stop":
                return
            _, count, timeout = command
            conn.send(await sink.take(count, timeout))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await sink.close()


class _Sink:
    def __init__(self) -> None:
        self.records: list[Record] = []
        self.is_ready = asyncio.Event()

    async def run(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        pass

    async def ready(self, task: asyncio.Task[Any], timeout: float = 60.0) -> None:
        waiter = asyncio.ensure_future(self.is_ready.wait())
        done, _ = await asyncio.wait({waiter, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # raises what stopped the sink
        if waiter not in done:
            waiter.cancel()
            raise TimeoutError("consumer never got its partitions")

    async def take(self, count: int, timeout: float) -> list[Record]:
        deadline = time.monotonic() + timeout
        while len(self.records) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # only delays the reply; each record holds its own moment
        taken = self.records[:count]
        del self.records[:count]  # in place: the consumer keeps appending to this same list
        return taken


class PlatformSink(_Sink):
    def __init__(self, bootstrap: str, database_url: str):
        super().__init__()
        self._engine = create_engine(database_url)  # as a service builds it
        self.consumer = TimedConsumer(self.records, session_factory(self._engine), bootstrap)

    async def run(self) -> None:
        watch = asyncio.create_task(self._watch_assignment())
        try:
            await self.consumer.run()
        finally:
            watch.cancel()

    async def _watch_assignment(self) -> None:
        await self.consumer.assigned.wait()
        self.is_ready.set()

    async def close(self) -> None:
        await self._engine.dispose()


_handled_in_batch: contextvars.ContextVar[list[str]] = contextvars.ContextVar("handled_in_batch")


class TimedConsumer(EventConsumer):
    """The platform consumer, noting when each batch's handling started and when it committed.

    process_batch() returns only after the inbox claims and the effects were committed, so the
    moment it returns is the moment every event it handled became visible.
    """

    def __init__(self, records: list[Record], sessions: SessionFactory, bootstrap: str):
        super().__init__(
            service="charging",
            group_id="bench-charging",
            sessions=sessions,
            bootstrap_servers=bootstrap,
            subscriptions=[Subscription(PersonRegistered, self._handle)],
            fetch_max_wait_ms=CONSUMER_FETCH_WAIT_MS,
            enable_idempotence=False,  # Tansu lacks InitProducerId
        )
        self.records = records

    async def _handle(self, ctx: HandlerContext, event: PersonRegistered) -> None:
        _handled_in_batch.get().append(str(ctx.envelope.event_id))
        await replica.on_person_registered(ctx, event)

    async def process_batch(self, messages: list[ConsumerRecord]) -> None:
        # Partitions are handled side by side, each in its own task: a context variable keeps
        # each batch's list of events apart.
        started = time.monotonic()
        handled: list[str] = []
        _handled_in_batch.set(handled)
        await super().process_batch(messages)
        committed = time.monotonic()
        # A batch rolled back after a failure is handled again: count each event once.
        for event_id in dict.fromkeys(handled):
            self.records.append((event_id, started, committed))


class RawSink(_Sink):
    """A bare consumer: assigned every partition (no group, no commits), records on receipt.

    It waits per fetch as long as the platform consumer does: Tansu holds every fetch that long
    even when records arrive meanwhile (README.md).
    """

    def __init__(self, bootstrap: str, topic: str, fetch_max_wait_ms: int = CONSUMER_FETCH_WAIT_MS):
        super().__init__()
        self._topic = topic
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=fetch_max_wait_ms,
        )

    async def run(self) -> None:
        consumer = self._consumer
        await consumer.start()
        await consumer._client.force_metadata_update()  # a new client may not know the topic yet
        partitions = sorted(consumer.partitions_for_topic(self._topic) or [])
        consumer.assign([TopicPartition(self._topic, p) for p in partitions])
        self.is_ready.set()
        while True:
            # Same batch limits as the platform consumer, so neither side gets bigger fetches.
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            now = time.monotonic()
            for messages in batches.values():
                self.records.extend((str(raw_sequence(m.value)), now, now) for m in messages)

    async def close(self) -> None:
        await self._consumer.stop()
