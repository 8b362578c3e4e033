"""Watch events as they pass: `pb-events tail ras.events --type person.merged --council wyvernshire`.

Reads with aiokafka and joins no consumer group, so it moves no service's offsets. (Tools built on
librdkafka, such as kcat, cannot talk to the embedded broker.) Prints each envelope as indented
JSON, one block per event, from the end of the topic unless told `--from-beginning`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.errors import KafkaConnectionError

from pbshared.contract.envelope import Envelope
from pbshared.platform.kafka import assign_every_partition


@dataclass(frozen=True)
class Filters:
    event_types: frozenset[str] = frozenset()
    council_id: str | None = None
    subject_id: str | None = None

    def admit(self, envelope: Envelope) -> bool:
        return (
            (not self.event_types or envelope.event_type in self.event_types)
            and self.council_id in (None, envelope.council_id)
            and self.subject_id in (None, envelope.subject_id)
        )


class UnknownTopic(Exception):
    pass


async def tail(
    bootstrap_servers: list[str] | str,
    topic: str,
    *,
    filters: Filters = Filters(),
    from_beginning: bool = False,
    max_events: int | None = None,
    headers: bool = False,
    out: TextIO | None = None,
    on_ready: Callable[[], None] | None = None,
) -> int:
    """Print matching events until `max_events` were printed (or forever); returns how many."""
    out = out or sys.stdout
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await assign_every_partition(consumer, topic)
        if not partitions:
            raise UnknownTopic(topic)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
            for partition in partitions:
                await consumer.position(partition)  # resolve "the end" now, not at the first fetch
        if on_ready is not None:
            on_ready()
        printed = 0
        while max_events is None or printed < max_events:
            batches = await consumer.getmany(timeout_ms=500)
            for record in (r for records in batches.values() for r in records):  # each partition in order
                block = _block(record, filters, headers)
                if block is None:
                    continue
                print(json.dumps(block, indent=2, ensure_ascii=False), file=out, end="\n\n", flush=True)
                printed += 1
                if max_events is not None and printed >= max_events:
                    break
        return printed
    finally:
        await consumer.stop()


def _block(record: ConsumerRecord, filters: Filters, headers: bool) -> dict[str, object] | None:
    try:
        envelope = Envelope.from_bytes(record.value)
    except ValueError:
        if filters != Filters():
            return None  # cannot tell whether it matches
        body: dict[str, object] = {"unreadable": record.value.decode(errors="replace")[:1000]}
    else:
        if not filters.admit(envelope):
            return None
        body = envelope.model_dump(mode="json")
    if not headers:
        return body
    return {
        "partition": record.partition,
        "offset": record.offset,
        "headers": {key: value.decode(errors="replace") for key, value in record.headers or []},
        "envelope": body,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pb-events", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    watch = sub.add_parser("tail", help="print events on a topic as they pass")
    watch.add_argument("topic", help="e.g. ras.events (`pb-topics list --service ras` names a service's topics)")
    watch.add_argument("--type", action="append", default=[], dest="types", help="only this event type (repeatable)")
    watch.add_argument("--council", help="only this council's events")
    watch.add_argument("--subject", help="only events about this subject id")
    watch.add_argument("--from-beginning", action="store_true", help="start at the oldest event, not the end")
    watch.add_argument("--max", type=int, dest="max_events", help="stop after printing this many")
    watch.add_argument("--headers", action="store_true", help="show partition, offset and Kafka headers too")
    watch.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("PB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        help="default: PB_KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:9092",
    )
    args = parser.parse_args(argv)
    filters = Filters(frozenset(args.types), args.council, args.subject)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(
                tail(
                    args.bootstrap_servers,
                    args.topic,
                    filters=filters,
                    from_beginning=args.from_beginning,
                    max_events=args.max_events,
                    headers=args.headers,
                )
            )
    except KafkaConnectionError:
        print(f"pb-events: no Kafka broker answers at {args.bootstrap_servers}", file=sys.stderr)
        return 2
    except UnknownTopic:
        hint = "`pb-topics list --service <name>` names a service's topics"
        print(f"pb-events: no topic {args.topic} ({hint})", file=sys.stderr)
        return 2
    return 0
