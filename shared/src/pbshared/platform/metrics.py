"""Prometheus metrics every service exposes on /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route template",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet acknowledged by the broker", ["service"])
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox rows published", ["service"])
OUTBOX_PUBLISH_FAILURES = Counter(
    "outbox_publish_failures_total", "Failed publish attempts (broker or database down)", ["service"]
)
CONSUMER_LAG = Gauge("consumer_lag", "Messages behind the end of each partition", ["service", "topic", "partition"])
EVENTS_HANDLED = Counter("events_handled_total", "Events consumed, by outcome", ["service", "event_type", "outcome"])
DEAD_LETTERS = Counter("dead_letters_total", "Messages sent to the dead-letter topic", ["service"])
