"""The services of the platform, in one list. Adding a service: copy services/ledger, add it here."""

from __future__ import annotations

import importlib

from pbshared.platform.service import ServiceDefinition

SERVICE_NAMES = ("ras", "charging", "brokerage", "ledger")

# Ports the local stack and docker-compose use; one per service, in this order.
PORTS = {"ras": 8001, "charging": 8002, "brokerage": 8003, "ledger": 8004}


def definition(name: str) -> ServiceDefinition:
    return importlib.import_module(f"{name}.bootstrap").SERVICE


def definitions() -> dict[str, ServiceDefinition]:
    return {name: definition(name) for name in SERVICE_NAMES}
