"""List and replay dead letters: `pb-deadletters list charging`, `pb-deadletters replay charging --all`.

Replay publishes the original message, unchanged, to its original topic. It is safe to repeat: the
inbox of a consumer that already handled the event drops it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from dataclasses import dataclass

from aiokafka.errors import KafkaConnectionError

from pbshared.contract.envelope import Envelope
from pbshared.contract.topics import dead_letter_topic
from pbshared.platform.kafka import new_producer, read_topic


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    partition: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]
    original_headers: list[tuple[str, bytes]]

    @property
    def event_id(self) -> str | None:
        try:
            return str(Envelope.from_bytes(self.value).event_id)
        except ValueError:
            return None

    def summary(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "original_topic": self.headers.get("dlq.original_topic"),
            "original_partition": self.headers.get("dlq.original_partition"),
            "original_offset": self.headers.get("dlq.original_offset"),
            "attempts": self.headers.get("dlq.attempts"),
            "failed_at": self.headers.get("dlq.failed_at"),
            "error": self.headers.get("dlq.error"),
        }


async def read_dead_letters(bootstrap_servers: list[str] | str, service: str) -> list[DeadLetter]:
    """Every message on the service's dead-letter topic, read from the beginning without a group."""
    letters = []
    for m in await read_topic(bootstrap_servers, dead_letter_topic(service)):
        meta = {k: v.decode(errors="replace") for k, v in m.headers if k.startswith("dlq.")}
        original = [(k, v) for k, v in m.headers if not k.startswith("dlq.")]
        letters.append(DeadLetter(m.offset, m.partition, m.key, m.value, meta, original))
    return sorted(letters, key=lambda d: (d.partition, d.offset))


async def replay(
    bootstrap_servers: list[str] | str,
    service: str,
    event_ids: set[str] | None = None,
    *,
    enable_idempotence: bool = True,
) -> list[DeadLetter]:
    """Republish dead letters (all, or those with the given event ids) to their original topics."""
    letters = [
        d for d in await read_dead_letters(bootstrap_servers, service) if event_ids is None or d.event_id in event_ids
    ]
    producer = new_producer(bootstrap_servers, enable_idempotence=enable_idempotence)
    await producer.start()
    try:
        for letter in letters:
            await producer.send_and_wait(
                letter.headers["dlq.original_topic"],
                value=letter.value,
                key=letter.key,
                headers=letter.original_headers + [("dlq.replayed_from", str(letter.offset).encode())],
            )
    finally:
        await producer.stop()
    return letters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pb-deadletters", description=__doc__)
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("service", help="the consuming service, e.g. charging")
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("PB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        help="default: PB_KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:9092",
    )
    parser.add_argument(
        "--no-idempotence",
        action="store_true",
        default=os.environ.get("PB_KAFKA_ENABLE_IDEMPOTENCE", "true").lower() in ("false", "0", "no"),
        help="for a broker without idempotent producers (Tansu); default: PB_KAFKA_ENABLE_IDEMPOTENCE",
    )
    parser.add_argument("--event-id", action="append", default=[], help="replay only this event (repeatable)")
    parser.add_argument("--all", action="store_true", help="replay every dead letter")
    args = parser.parse_args(argv)
    try:
        return _run(parser, args)
    except KafkaConnectionError:
        print(f"pb-deadletters: no Kafka broker answers at {args.bootstrap_servers}", file=sys.stderr)
        return 2


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "list":
        letters = asyncio.run(read_dead_letters(args.bootstrap_servers, args.service))
        for letter in letters:
            print(json.dumps(letter.summary()))
        print(f"{len(letters)} dead letter(s) for {args.service}", file=sys.stderr)
        return 0
    if not args.all and not args.event_id:
        parser.error("replay needs --all or at least one --event-id")
    wanted = None if args.all else {str(uuid.UUID(e)) for e in args.event_id}
    replayed = asyncio.run(
        replay(args.bootstrap_servers, args.service, wanted, enable_idempotence=not args.no_idempotence)
    )
    print(f"replayed {len(replayed)} dead letter(s) for {args.service}", file=sys.stderr)
    return 0
