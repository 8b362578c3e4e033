"""`pb-events tail` against the real broker: filters, from the beginning or the end, headers, --max."""

from __future__ import annotations

import asyncio
import io
import json
import uuid

import pytest

from pbshared.contract.envelope import Envelope
from pbshared.contract.topics import events_topic
from pbshared.platform.tail import Filters, main, tail
from tests.integration.support import create_platform_topics, person_registered, publish_raw

pytestmark = pytest.mark.integration
TOPIC = events_topic("ras")


def in_council(envelope: Envelope, council_id: str) -> Envelope:
    return envelope.model_copy(update={"council_id": council_id})


async def send(bootstrap: str, *envelopes: Envelope) -> None:
    await publish_raw(bootstrap, [(TOPIC, e.subject_id.encode(), e.to_bytes()) for e in envelopes])


def blocks(printed: str) -> list[dict]:
    return [json.loads(block) for block in printed.split("\n\n") if block.strip()]


async def test_tail_from_the_beginning_prints_only_the_events_that_match_as_pretty_json(broker, capsys):
    await create_platform_topics(broker.bootstrap_servers)
    subject = uuid.uuid4()
    wanted = [person_registered("First", subject), person_registered("Second", subject)]
    other_council = in_council(person_registered("Elsewhere", subject), "borsetshire")
    other_subject = person_registered("Someone else")
    await send(broker.bootstrap_servers, wanted[0], other_council, other_subject, wanted[1])
    await publish_raw(broker.bootstrap_servers, [(TOPIC, str(subject).encode(), b"{not json")])

    argv = ["tail", TOPIC, "--from-beginning", "--council", "wyvernshire", "--subject", str(subject)]
    argv += ["--type", "person.registered", "--max", "2", "--bootstrap-servers", broker.bootstrap_servers]
    assert await asyncio.to_thread(main, argv) == 0
    printed = capsys.readouterr().out
    assert [b["event_id"] for b in blocks(printed)] == [str(e.event_id) for e in wanted]
    assert '\n  "event_type": "person.registered",\n' in printed, "indented, one field a line"


async def test_tail_starts_at_the_end_and_shows_headers_when_asked(broker):
    await create_platform_topics(broker.bootstrap_servers)
    old, new = person_registered("Old"), person_registered("New")
    await send(broker.bootstrap_servers, old)
    ready = asyncio.Event()
    out = io.StringIO()
    watching = asyncio.ensure_future(
        tail(broker.bootstrap_servers, TOPIC, max_events=1, headers=True, out=out, on_ready=ready.set)
    )
    await asyncio.wait_for(ready.wait(), 30)
    await send(broker.bootstrap_servers, new)
    assert await asyncio.wait_for(watching, 30) == 1
    [block] = blocks(out.getvalue())
    assert block["envelope"]["event_id"] == str(new.event_id)
    assert set(block) == {"partition", "offset", "headers", "envelope"}


async def test_tail_of_a_topic_that_does_not_exist_says_so(broker, capsys):
    argv = ["tail", "nobody.events", "--bootstrap-servers", broker.bootstrap_servers]
    assert await asyncio.to_thread(main, argv) == 2
    assert "no topic nobody.events" in capsys.readouterr().err


def test_filters_admit_by_type_council_and_subject() -> None:
    event = person_registered("Ada")
    assert Filters().admit(event)
    assert Filters(frozenset({"person.registered", "person.merged"}), "wyvernshire", event.subject_id).admit(event)
    assert not Filters(frozenset({"person.merged"})).admit(event)
    assert not Filters(council_id="borsetshire").admit(event)
    assert not Filters(subject_id="someone-else").admit(event)
