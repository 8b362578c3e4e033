"""Throughput and latency through the platform's path and through raw aiokafka, on one broker.

Platform: UnitOfWork writes and OutboxRelay in this process (bench.pipeline), the EventConsumer with
the person replica handler in a child process (bench.sink). Raw: AIOKafkaProducer here, a bare
AIOKafkaConsumer in a child process. Same broker, topic partitions, message size and client settings.
Store: the platform's database writes and effects with no broker (bench.store), the state store's limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from bench.parameters import CONSUMER_FETCH_WAIT_MS, P99_TARGET_MS, THROUGHPUT_RATIO_TARGET, Parameters
from bench.pipeline import Pipeline
from bench.raw import RAW_TOPIC, RawSource
from bench.report import Figure, Results, percentile
from bench.sink import Record, SinkProcess
from bench.store import StorePath
from pbshared.contract.topics import all_topics
from pbshared.platform.kafka import ensure_topics
from tools.services import SERVICE_NAMES


class Collector(Protocol):
    """Where a path's effects are read back: a consumer process, or the store path itself."""

    async def collect(self, count: int, timeout: float) -> list[Record]: ...


@dataclass
class Burst:
    """N events sent as fast as they go; from the first write to the last effect."""

    sent: int
    delivered: int
    seconds: float  # first write to last effect
    written_after: float  # first write to last commit (platform) or acknowledgement (raw)

    @property
    def rate(self) -> float | None:
        return self.delivered / self.seconds if self.delivered else None


@dataclass
class Steady:
    """Events at a steady offered rate; latency of each from commit (or send) to effect."""

    sent: int
    delivered: int
    latencies_ms: list[float]
    offered_rate: float  # what the writer actually managed
    stages_ms: dict[str, list[float]] = field(default_factory=dict)  # platform only: where the time went

    def p(self, q: float) -> float | None:
        return percentile(self.latencies_ms, q)


@dataclass
class PathRun:
    """Everything measured through one path (platform or raw)."""

    burst: Burst
    steady: Steady  # at the target rate
    light: Steady  # at a light rate: latency without queueing


async def measure_messaging(results: Results, p: Parameters, bootstrap: str, database_url: str) -> None:
    # The platform's topics, ras.events among them.
    await ensure_topics(bootstrap, all_topics(SERVICE_NAMES), partitions=p.partitions)
    await ensure_topics(bootstrap, [RAW_TOPIC], partitions=p.partitions)
    raw = await run_raw(p, bootstrap)
    store = await run_store(p, database_url)
    platform, published_after = await run_platform(p, bootstrap, database_url)
    add_messaging_figures(results, p, platform, raw, store)
    results.details.update(
        {
            "throughput burst, raw": _describe_burst(raw.burst),
            "throughput burst, platform": _describe_burst(platform.burst)
            + f"; the relay had all of them acknowledged by the broker {published_after:.2f} s "
            "after the first write",
            f"steady {p.rate:,.0f}/s, raw": _describe_steady(raw.steady),
            f"steady {p.rate:,.0f}/s, platform": _describe_steady(platform.steady),
            "throughput burst, PostgreSQL alone": _describe_burst(store.burst),
            f"steady {p.rate:,.0f}/s, PostgreSQL alone": _describe_steady(store.steady),
            f"steady {p.light_rate:,.0f}/s, raw": _describe_steady(raw.light),
            f"steady {p.light_rate:,.0f}/s, platform": _describe_steady(platform.light),
            "consumers' fetch wait": f"{CONSUMER_FETCH_WAIT_MS} ms on both paths (the services' default); "
            "Tansu holds every fetch that long",
        }
    )


async def run_raw(p: Parameters, bootstrap: str) -> PathRun:
    async with raw_path(p, bootstrap, RAW_TOPIC, fetch_max_wait_ms=CONSUMER_FETCH_WAIT_MS) as (source, sink):
        return PathRun(
            burst=await measure_burst(source.send_burst, sink, p.events),
            steady=await measure_steady(source.send_steady, sink, p.rate, p.steady_seconds),
            light=await measure_steady(source.send_steady, sink, p.light_rate, p.light_seconds),
        )


@asynccontextmanager
async def raw_path(
    p: Parameters, bootstrap: str, topic: str, **sink_options: int
) -> AsyncIterator[tuple[RawSource, SinkProcess]]:
    """A raw producer here and a raw consumer in its own process, warmed up."""
    sink = SinkProcess("raw", bootstrap, topic=topic, **sink_options)
    source = RawSource(bootstrap, topic, p.message_bytes, p.per_transaction)
    await asyncio.to_thread(sink.start)
    await source.start()
    try:
        await warm_up(source.send_burst, sink, p.warmup_events)
        yield source, sink
    finally:
        await source.close()
        sink.stop()


async def run_store(p: Parameters, database_url: str) -> PathRun:
    store = StorePath(database_url, per_transaction=p.per_transaction, writers=p.writers, partitions=p.partitions)
    await store.start()
    try:
        await warm_up(store.write_burst, store, p.warmup_events)
        return PathRun(
            burst=await measure_burst(store.write_burst, store, p.events),
            steady=await measure_steady(store.write_steady, store, p.rate, p.steady_seconds),
            light=await measure_steady(store.write_steady, store, p.light_rate, p.light_seconds),
        )
    finally:
        await store.close()


async def run_platform(p: Parameters, bootstrap: str, database_url: str) -> tuple[PathRun, float]:
    sink = SinkProcess("platform", bootstrap, database_url=database_url)
    pipeline = Pipeline(database_url, bootstrap, per_transaction=p.per_transaction, writers=p.writers)
    await asyncio.to_thread(sink.start)
    await pipeline.start()
    try:
        await warm_up(pipeline.write_burst, sink, p.warmup_events)
        started = time.monotonic()
        burst = await measure_burst(pipeline.write_burst, sink, p.events)
        published_after = pipeline.published_at - started
        acknowledged = pipeline.acknowledged
        steady = await measure_steady(pipeline.write_steady, sink, p.rate, p.steady_seconds, acknowledged)
        light = await measure_steady(pipeline.write_steady, sink, p.light_rate, p.light_seconds, acknowledged)
        return PathRun(burst, steady, light), published_after
    finally:
        await pipeline.close()
        sink.stop()


async def warm_up(send: Callable[[int], Awaitable[object]], sink: Collector, count: int) -> None:
    """Connections, compiled statements and fetch sessions settle before anything is timed."""
    await send(count)
    await sink.collect(count, _timeout(count))


async def measure_burst(send: Callable[[int], Awaitable[float]], sink: Collector, count: int) -> Burst:
    started = time.monotonic()
    written = await send(count)
    records = await sink.collect(count, _timeout(count))
    finished = max((effect for _, _, effect in records), default=written)
    return Burst(count, len(records), finished - started, written - started)


async def measure_steady(
    send: Callable[[float, int], Awaitable[dict[str, float]]],
    sink: Collector,
    rate: float,
    seconds: float,
    acknowledged: dict[str, float] | None = None,
) -> Steady:
    started = time.monotonic()
    sent = await send(rate, int(rate * seconds))
    offered = len(sent) / max(max(sent.values()) - started, 1e-9)
    records = await sink.collect(len(sent), _timeout(len(sent)))
    latencies = [(effect - sent[key]) * 1000 for key, _, effect in records if key in sent]
    return Steady(len(sent), len(records), latencies, offered, _stages(sent, acknowledged or {}, records))


def _stages(sent: dict[str, float], acknowledged: dict[str, float], records: list[Record]) -> dict[str, list[float]]:
    """Each event's latency cut at the broker's acknowledgement and at the start of its handling."""
    moments = [
        (sent[key], acknowledged[key], started, effect)
        for key, started, effect in records
        if key in sent and key in acknowledged
    ]
    if not moments:
        return {}
    return {
        "relay (commit to broker acknowledgement)": [(a - c) * 1000 for c, a, _, _ in moments],
        "delivery (acknowledgement to handling start: fetch wait, queue in consumer)": [
            (s - a) * 1000 for _, a, s, _ in moments
        ],
        "handling (inbox claim, effect, commit)": [(e - s) * 1000 for _, _, s, e in moments],
    }


def _timeout(count: int) -> float:
    # Generous: a slow path should be reported slow, not cut off, unless it is hopeless.
    return 30 + count / 100


def add_messaging_figures(results: Results, p: Parameters, platform: PathRun, raw: PathRun, store: PathRun) -> None:
    burst = f"end-to-end throughput, burst of {p.events:,}"
    results.add(Figure(f"{burst}, against raw aiokafka", "events/s", platform.burst.rate, raw.burst.rate))
    throughput = results.add(
        Figure(
            f"{burst}, against PostgreSQL alone",
            "events/s",
            platform.burst.rate,
            store.burst.rate,
            f"ratio >= {THROUGHPUT_RATIO_TARGET}",
        )
    )
    complete = platform.burst.delivered == platform.burst.sent
    throughput.met = complete and throughput.ratio is not None and throughput.ratio >= THROUGHPUT_RATIO_TARGET
    for q in (50, 95, 99, 100):
        label = "max" if q == 100 else f"p{q}"
        figure = results.add(Figure(f"latency {label} at {p.rate:,.0f}/s", "ms", platform.steady.p(q), raw.steady.p(q)))
        if q == 99:
            figure.target = f"< {P99_TARGET_MS:.0f} ms"
            complete = platform.steady.delivered == platform.steady.sent
            figure.met = complete and figure.measured is not None and figure.measured < P99_TARGET_MS
    results.add(
        Figure(
            f"latency p99 at {p.rate:,.0f}/s, against PostgreSQL alone",
            "ms",
            platform.steady.p(99),
            store.steady.p(99),
        )
    )
    results.add(
        Figure(
            f"rate the writer kept, asked for {p.rate:,.0f}/s",
            "events/s",
            platform.steady.offered_rate,
            raw.steady.offered_rate,
        )
    )
    light = f"at {p.light_rate:,.0f}/s (light load)"
    for q in (50, 99):
        results.add(Figure(f"latency p{q} {light}", "ms", platform.light.p(q), raw.light.p(q)))


def _describe_burst(burst: Burst) -> str:
    return (
        f"{burst.delivered:,} of {burst.sent:,} events took effect in {burst.seconds:.2f} s "
        f"({burst.delivered / burst.seconds:,.0f}/s); all were committed (raw: acknowledged) "
        f"{burst.written_after:.2f} s after the first write ({burst.sent / burst.written_after:,.0f}/s)"
    )


def _describe_steady(steady: Steady) -> str:
    text = (
        f"{steady.delivered:,} of {steady.sent:,} events took effect; writer kept "
        f"{steady.offered_rate:,.0f} events/s; latency p50 {_ms(steady.p(50))}, p99 {_ms(steady.p(99))}, "
        f"max {_ms(steady.p(100))}"
    )
    for stage, values in steady.stages_ms.items():
        text += f"; {stage} p50 {_ms(percentile(values, 50))}, p99 {_ms(percentile(values, 99))}"
    return text


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} ms"
