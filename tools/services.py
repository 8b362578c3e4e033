"""The services of the platform, in one list: the only place a service is named.

Adding a service: `python -m tools.new_service NAME TITLE`, add the name here, `make generate`.
Topics, the import contracts, the local stack, docker-compose.yml, the Kubernetes manifests, the
PostgreSQL init script and the test databases all follow from this list (tests/test_new_service.py).
"""

from __future__ import annotations

import importlib

from pbshared.platform.service import ServiceDefinition

SERVICE_NAMES = ("ras", "charging", "brokerage", "ledger", "health")

FIRST_PORT = 8001  # the local stack and docker-compose publish the services from here, in list order


def ports(names: tuple[str, ...] = SERVICE_NAMES) -> dict[str, int]:
    return {name: FIRST_PORT + index for index, name in enumerate(names)}


PORTS = ports()


def database_name(name: str) -> str:
    """Each service's own PostgreSQL database, in docker-compose and the Kubernetes example."""
    return f"pb_{name}"


def definition(name: str) -> ServiceDefinition:
    return importlib.import_module(f"{name}.bootstrap").SERVICE


def definitions() -> dict[str, ServiceDefinition]:
    return {name: definition(name) for name in SERVICE_NAMES}
