"""What one run measures with, and the targets from the issue."""

from __future__ import annotations

from dataclasses import dataclass

from pbshared.platform.settings import ServiceSettings

THROUGHPUT_RATIO_TARGET = 0.5  # platform throughput at least this share of PostgreSQL alone (bench.store)
P99_TARGET_MS = 100.0  # end-to-end p99 at the steady rate
IDLE_RSS_TARGET_MIB = 150.0  # each service, idle
# Both consumers, platform and raw, wait this long per fetch: the services' default. Tansu holds
# every fetch for the whole wait, so the two paths must share it for the ratio to be fair.
CONSUMER_FETCH_WAIT_MS: int = ServiceSettings.model_fields["consumer_fetch_max_wait_ms"].default


@dataclass(frozen=True)
class Parameters:
    events: int  # throughput burst, through each path
    rate: float  # steady phase, events per second
    steady_seconds: float
    light_rate: float  # a second steady phase, light enough that nothing queues
    light_seconds: float
    per_transaction: int  # events per UnitOfWork transaction (and per paced tick)
    writers: int  # concurrent writers in the throughput burst
    warmup_events: int
    idle_seconds: float  # how long each service idles before its memory is read
    message_bytes: int
    card_transactions: int  # statement lines the ledger's import bench imports (on 1 card per 50 lines)
    partitions: int = 6
    bids: int = 2000  # brokerage: bids through the API under concurrent load (bench.brokerage)
    bid_concurrency: int = 32
    packages_to_evaluate: int = 10000  # closed packages of 20 bids, evaluated by the deadline timers
    ras_seconds: float = 10.0  # each RAS load (previews, stored assessments and their baselines)
