"""`python -m charging uprate --year 2026`: the annual uprating for every council, with a progress bar
(done of total, rate, time left) and the totals table at the end. Killed half way, run it again: each
council's job resumes from its checkpoint; run after it finished, it reports the totals again."""

from __future__ import annotations

import argparse
import asyncio

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from charging.adapters.tables import financial_assessments
from charging.config import ChargingSettings
from charging.domain.money import pounds
from charging.domain.uprating import income_effect, refused_count
from charging.service_layer import uprating
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.jobs import Job
from pbshared.platform.unit_of_work import UnitOfWork


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} people/s", style="progress.data.speed")


def totals_table(job: Job) -> Table:
    table = Table(title=f"Uprating {job.key}, {job.council_id}: {job.done} people")
    for column in ("", "people / client group", "a week", "a year"):
        table.add_column(column, justify="right" if column.startswith("a ") else "left")
    for name in ("up", "down", "unchanged", "skipped"):
        table.add_row("charges", name, str(job.totals.get(name, 0)), "")
    if job.totals.get("refused"):
        table.add_row("charges", "refused (reassess)", str(refused_count(job.totals)), "")
    for group, week, year in income_effect(job.totals):
        table.add_row("income effect", group, pounds(week), pounds(year))
    return table


async def uprate_every_council(
    year: int, database_url: str, page: int = uprating.PAGE, workers: int | None = None
) -> list[Job]:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    console = Console()
    finished = []
    try:
        async with sessions() as session:
            councils = (await session.execute(select(financial_assessments.c.council_id).distinct())).scalars().all()
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            RateColumn(),
            TimeRemainingColumn(),
        )
        for council_id in sorted(councils):
            job = await uprating.start_uprating(UnitOfWork(sessions, "charging"), council_id, year, "command line")
            with Progress(*columns, console=console) as bar:
                task = bar.add_task(council_id, total=job.total, completed=job.done)
                job = await uprating.run_uprating(
                    lambda: UnitOfWork(sessions, "charging"),
                    job,
                    year,
                    page=page,
                    progress=lambda j, task=task: bar.update(task, completed=j.done),
                    workers=workers,
                )
            console.print(totals_table(job))
            finished.append(job)
    finally:
        await engine.dispose()
    return finished


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m charging uprate", description=__doc__)
    parser.add_argument("--year", type=int, required=True, help="first year of the financial year, e.g. 2026")
    parser.add_argument(
        "--workers",
        type=int,
        choices=range(1, 17),
        metavar="N",
        help="workers in all, this process included, 1 to 16 (default: PB_UPRATING_WORKERS, else as the run's size "
        "and this machine's CPUs suit)",
    )
    args = parser.parse_args(argv)
    settings = ChargingSettings()
    workers = args.workers or settings.uprating_workers
    asyncio.run(uprate_every_council(args.year, settings.resolved_database_url(), workers=workers))
    return 0
