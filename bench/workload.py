"""What the benchmarks send, and at what pace."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date

from pbshared.contract.envelope import new_envelope
from pbshared.contract.events.people import PersonRegistered

COUNCIL = "wyvernshire"
RAW_SUBJECTS = 5000  # raw keys cycle over this many subjects, so they spread over every partition


def person_registered() -> PersonRegistered:
    """A new person each time: each event has its own subject, as registrations do."""
    person_id = uuid.uuid4()
    return PersonRegistered(
        person_id=person_id,
        council_person_id=f"WY-{person_id.hex[:8]}",
        given_name="Ada",
        family_name="Benchmark",
        date_of_birth=date(1950, 1, 1),
        postcode="SK1 3XE",
        client_group="older_people",
        revision=1,
    )


def envelope_size() -> int:
    """Bytes of one person-registered envelope: the raw baseline sends messages this size."""
    sample = new_envelope(
        payload=person_registered(),
        producer="ras",
        council_id=COUNCIL,
        subject_id=str(uuid.uuid4()),
        correlation_id=str(uuid.uuid4()),
    )
    return len(sample.to_bytes())


def raw_message(seq: int, size: int) -> tuple[bytes, bytes]:
    """(key, value) for raw message `seq`; the value starts with the sequence number the sink reports."""
    key = f"subject-{seq % RAW_SUBJECTS:05d}".encode()
    head = f"{seq:012d}|".encode()
    return key, head + b"x" * max(size - len(head), 0)


def raw_sequence(value: bytes) -> int:
    return int(value[:12])


async def paced_ticks(rate: float, per_tick: int, total: int) -> AsyncIterator[int]:
    """Yield tick numbers on a fixed schedule, `per_tick` events each, until `total` events.

    Open loop: a late tick is yielded at once rather than skipped, so a slow consumer of the ticks
    cannot quietly lower the offered rate.
    """
    interval = per_tick / rate
    start = time.monotonic()
    for tick in range(math.ceil(total / per_tick)):
        delay = start + tick * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        yield tick


def tick_size(tick: int, per_tick: int, total: int) -> int:
    return min(per_tick, total - tick * per_tick)
