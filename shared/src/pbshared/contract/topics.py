"""Topic names. One topic of events per service; one dead-letter topic per service.

Keys are subject ids (see Envelope.subject_id), so ordering holds per person, package or account.
The services themselves are listed in one place outside this package (tools/services.py); which
service produces which event is the catalogue's `producer`.
"""

from __future__ import annotations

from collections.abc import Iterable

DEAD_LETTER_SUFFIX = ".deadletter"


def events_topic(service: str) -> str:
    """The topic a service publishes its events on, e.g. `ras.events`."""
    return f"{service}.events"


def dead_letter_topic(consumer: str) -> str:
    """Where a consuming service parks messages it could not handle, e.g. `charging.deadletter`."""
    return f"{consumer}{DEAD_LETTER_SUFFIX}"


def all_topics(services: Iterable[str]) -> list[str]:
    """Every topic of these services, for creating them up front (auto-creation picks bad defaults)."""
    names = list(services)
    return [events_topic(s) for s in names] + [dead_letter_topic(s) for s in names]
