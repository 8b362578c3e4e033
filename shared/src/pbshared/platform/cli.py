"""The command line every service has: `python -m <service> serve|worker|migrate|revision|load-council DIR`,
and the service's own commands beside them (ServiceDefinition.commands)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.errors import Problem
from pbshared.platform.migrations import new_revision, upgrade
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.platform.refdata.repository import DatasetIn, store_dataset
from pbshared.platform.service import ServiceDefinition
from pbshared.platform.settings import ConfigurationError, ServiceSettings

if TYPE_CHECKING:
    from fastapi import FastAPI


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


def command_line(definition: ServiceDefinition) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m {definition.name}", description=definition.title)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API, and with it the relay and consumer (the embedded run)")
    serve.add_argument("--no-messaging", action="store_true", help="the API alone; a `worker` runs relay and consumer")
    worker = sub.add_parser("worker", help="run the relay and consumer without the API; /health and /ready only")
    for process in (serve, worker):
        process.add_argument("--host", default="127.0.0.1")
        process.add_argument("--port", type=int, default=8000)
    for name, command in definition.commands.items():  # run by main before parsing; listed here
        sub.add_parser(name, help=command.help, add_help=False)
    sub.add_parser("migrate", help="bring the database to the newest revision")
    revision = sub.add_parser("revision", help="write a new revision file, compared against a migrated database")
    revision.add_argument("message")
    load = sub.add_parser("load-council", help="load a council's reference data from a directory")
    load.add_argument("directory", type=Path)
    return parser


def main(definition: ServiceDefinition, argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in definition.commands:  # the service's own, with its own arguments
        return definition.commands[argv[0]].run(argv[1:])
    args = command_line(definition).parse_args(argv)
    try:
        settings = definition.settings_cls()
        url = settings.resolved_database_url()
    except (ConfigurationError, ValidationError) as error:
        # A setting that must not be used as given: say which, without a traceback, and stop.
        print(f"{definition.name} will not start: {error}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        upgrade(definition.migrations_dir, url, metadata=definition.metadata)
        return 0
    if args.command == "revision":
        print(new_revision(definition.migrations_dir, url, definition.metadata, args.message))
        return 0
    if args.command == "load-council":
        try:
            for line in asyncio.run(load_council(definition, args.directory, url)):
                print(line)
        except (Problem, ValidationError) as error:
            print(f"nothing loaded: {error}", file=sys.stderr)
            return 1
        return 0
    if args.command == "worker" and not (settings.relay_enabled or settings.consumers_enabled):
        print("nothing to run: PB_RELAY_ENABLED and PB_CONSUMERS_ENABLED are both false", file=sys.stderr)
        return 2
    import uvicorn

    from pbshared.platform.collector import settle_for_serving

    try:
        app = build_process_app(definition, settings, args)
    except ConfigurationError as error:  # e.g. the public development secret outside development
        print(f"{definition.name} will not start: {error}", file=sys.stderr)
        return 2
    settle_for_serving()  # the collector set for a long-running server
    uvicorn.run(app, host=args.host, port=args.port, log_config=None)
    return 0


def build_process_app(definition: ServiceDefinition, settings: ServiceSettings, args: argparse.Namespace) -> FastAPI:
    """The app one process runs: API and messaging (`serve`), API alone (`serve --no-messaging`), or
    messaging with the ops endpoints alone (`worker`), so APIs and consumers scale apart."""
    from pbshared.platform.app import build_app

    if args.command == "worker":
        return build_app(definition, settings, api=False)
    if args.no_messaging:
        settings = settings.model_copy(update={"relay_enabled": False, "consumers_enabled": False})
    return build_app(definition, settings)
