"""Before the tests: prove the broker binary starts and PostgreSQL answers, or say clearly why not.

Integration tests must run on CI, never skip; failing here gives one clear message instead of
dozens of fixture errors.
"""

from __future__ import annotations

import asyncio
import sys

from pbshared.testing.broker import BrokerUnavailable, TansuBroker
from pbshared.testing.postgres import ADMIN_URL, PostgresUnavailable, admin_execute


def main() -> int:
    try:
        with TansuBroker():
            pass
    except BrokerUnavailable as error:
        print(f"preflight: the Kafka-protocol broker (Tansu) cannot start: {error}", file=sys.stderr)
        return 1
    try:
        asyncio.run(admin_execute("SELECT 1"))
    except PostgresUnavailable as error:
        print(f"preflight: {error}", file=sys.stderr)
        return 1
    print(f"preflight: Tansu starts; PostgreSQL answers at {ADMIN_URL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
