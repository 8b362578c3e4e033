"""Topic names. One topic of events per producing service; one dead-letter topic per consuming service.

Keys are subject ids (see Envelope.subject_id), so ordering holds per person, package or account.
"""

from __future__ import annotations

PRODUCING_SERVICES = ("ras", "charging", "brokerage", "ledger")


def events_topic(service: str) -> str:
    """The topic a service publishes its events on, e.g. `ras.events`."""
    return f"{service}.events"


def dead_letter_topic(consumer: str) -> str:
    """Where a consuming service parks messages it could not handle, e.g. `charging.deadletter`."""
    return f"{consumer}.deadletter"


def all_topics() -> list[str]:
    """Every topic the platform uses, for creating them up front (auto-creation picks bad defaults)."""
    return [events_topic(s) for s in PRODUCING_SERVICES] + [dead_letter_topic(s) for s in PRODUCING_SERVICES]
