"""The command line every service has: `python -m <service> serve|migrate|load-council DIR`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pydantic import ValidationError

from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.errors import Problem
from pbshared.platform.migrations import upgrade
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.platform.refdata.repository import DatasetIn, store_dataset
from pbshared.platform.service import ServiceDefinition


async def load_council(definition: ServiceDefinition, directory: Path, database_url: str) -> list[str]:
    """Load every dataset of a kind this service holds; all in one transaction, all or nothing."""
    kinds = definition.kinds()
    engine = create_engine(database_url)
    report: list[str] = []
    try:
        async with session_factory(engine)() as session, session.begin():
            for document in read_council_directory(directory):
                if document.get("kind") not in kinds:
                    continue
                dataset, created = await store_dataset(
                    session, kinds, DatasetIn.model_validate(document), loaded_by="load-council"
                )
                state = "loaded" if created else "already loaded"
                report.append(f"{dataset.kind} v{dataset.version} from {dataset.effective_from}: {state}")
    finally:
        await engine.dispose()
    return report


def main(definition: ServiceDefinition, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {definition.name}", description=definition.title)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API, relay and consumer")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("migrate", help="bring the database to the newest revision")
    load = sub.add_parser("load-council", help="load a council's reference data from a directory")
    load.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    settings = definition.settings_cls()
    url = settings.resolved_database_url()
    if args.command == "migrate":
        upgrade(definition.migrations_dir, url, metadata=definition.metadata)
        return 0
    if args.command == "load-council":
        try:
            for line in asyncio.run(load_council(definition, args.directory, url)):
                print(line)
        except (Problem, ValidationError) as error:
            print(f"nothing loaded: {error}", file=sys.stderr)
            return 1
        return 0
    import uvicorn

    from pbshared.platform.app import build_app

    uvicorn.run(build_app(definition, settings), host=args.host, port=args.port, log_config=None)
    return 0
