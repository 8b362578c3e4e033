"""`python -m ledger import-card-statement FILE --council wyvernshire`: a statement file imported from
the command line, with a progress bar while it is checked (lines, rate, bad lines so far) and while
it is posted (done of total, rate, time left). Killed half way, run it again: the job resumes from
its checkpoint; run after it finished, it reports the totals again and changes nothing."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ledger.config import LedgerSettings
from ledger.domain.card_statement import StatementRefused
from ledger.service_layer import card_import
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.jobs import Job
from pbshared.platform.unit_of_work import UnitOfWork


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} rows/s", style="progress.data.speed")


async def import_statement(
    path: Path, council_id: str, database_url: str, console: Console | None = None
) -> Job | None:
    """Import one statement file; None (with every bad line printed) if it is refused."""
    console = console or Console()
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    try:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), MofNCompleteColumn(), RateColumn(),
            TextColumn("{task.fields[errors]} bad line(s) so far"), console=console,
        ) as bar:  # fmt: skip
            task = bar.add_task("checking", total=None, errors=0)
            with path.open("rb") as file:
                try:
                    job = await card_import.stage_statement(
                        UnitOfWork(sessions, "ledger"),
                        council_id,
                        file,
                        "command line",
                        checked=lambda lines, errors: bar.update(task, completed=lines, errors=errors),
                    )
                except StatementRefused as refused:
                    bar.update(task, errors=refused.bad_lines)
                    bar.stop()
                    for problem in refused.problems:
                        console.print(f"line {problem.line}: {problem.field}: {problem.rule}")
                    console.print(f"[red]refused: {refused.bad_lines} bad line(s); nothing was stored[/red]")
                    return None
        with Progress(
            TextColumn("posting"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeRemainingColumn(),
            console=console,
        ) as bar:  # fmt: skip
            task = bar.add_task("posting", total=job.total, completed=job.done)
            job = await card_import.run_import(
                lambda: UnitOfWork(sessions, "ledger"), job, progress=lambda j: bar.update(task, completed=j.done)
            )
        totals = job.totals
        console.print(
            f"imported {totals['received']} transaction(s): {totals['new']} new, "
            f"{totals['already_imported']} already imported, {totals['flagged']} flagged"
        )
        return job
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledger import-card-statement", description=__doc__)
    parser.add_argument("file", type=Path, help="the card provider's statement (CSV: docs/ledger-card-files.md)")
    parser.add_argument("--council", required=True, help="the council whose card accounts it covers")
    args = parser.parse_args(argv)
    job = asyncio.run(import_statement(args.file, args.council, LedgerSettings().resolved_database_url()))
    return 0 if job is not None else 1
