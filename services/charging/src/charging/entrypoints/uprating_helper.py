"""A helper of a large uprating, walking lanes of people beside the run that started it
(charging.service_layer.uprating_helpers starts it; nobody runs it by hand). The database's address
comes in the environment, the job and the run's correlation on the command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import uuid

from charging.adapters.tables import jobs
from charging.config import ChargingSettings
from charging.service_layer import uprating
from charging.service_layer.uprating_helpers import DATABASE_URL_VARIABLE, PARENT_GONE
from pbshared.platform import context
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.jobs import find_job
from pbshared.platform.logging import configure_logging
from pbshared.platform.unit_of_work import UnitOfWork


def _end_with_the_run() -> None:
    """Exit at once when the run closes this process's stdin, or ends without closing it (killed):
    the pipe's far end closes with the run, however it ended. A page under way is rolled back by
    PostgreSQL with its connection."""

    def wait_for_the_end() -> None:
        # The file descriptor itself: sys.stdin's buffer holds a lock while it reads, and a daemon
        # thread holding it stops the interpreter's own exit with a fatal error.
        while os.read(sys.stdin.fileno(), 4096):
            pass
        os._exit(PARENT_GONE)

    threading.Thread(target=wait_for_the_end, name="end-with-the-run", daemon=True).start()


async def _help(args: argparse.Namespace, url: str) -> int:
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            job = await find_job(session, jobs, args.council, args.job)
        if job is None:
            print(f"no uprating job {args.job} for {args.council}", file=sys.stderr)
            return 2
        with context.bound(
            correlation_id=args.correlation_id, causation_id=args.causation_id, traceparent=args.traceparent
        ):
            await uprating.walk_lanes(
                lambda: UnitOfWork(sessions, "charging"), job, args.year, page=args.page, first_lane=args.first_lane
            )
    finally:
        await engine.dispose()
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {__spec__.name if __spec__ else __name__}", description=__doc__)
    parser.add_argument("--council", required=True)
    parser.add_argument("--job", type=uuid.UUID, required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--page", type=int, required=True)
    parser.add_argument("--first-lane", type=int, required=True)
    parser.add_argument("--correlation-id", required=True)
    parser.add_argument("--causation-id", type=uuid.UUID)
    parser.add_argument("--traceparent")
    args = parser.parse_args(argv)
    _end_with_the_run()
    settings = ChargingSettings()  # its log lines as the service's, with the run's correlation id
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    return asyncio.run(_help(args, os.environ[DATABASE_URL_VARIABLE]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
