"""`python -m ledger pay --date 2026-04-06 [--council wyvernshire]`: the payment run for a date, for every
council with agreements (or one), with a progress bar (agreements done of total, rate, time left) and the
totals at the end. Killed half way, run it again: the run resumes; after it finished, it reports again."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date

from rich.console import Console
from sqlalchemy import select

from ledger.adapters.tables import dp_agreements
from ledger.config import LedgerSettings
from ledger.service_layer import payment_runs
from pbshared.platform.csv_export import pounds
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.jobs import Job
from pbshared.platform.progress import job_progress
from pbshared.platform.unit_of_work import UnitOfWork


async def pay(
    run_date: date, database_url: str, council: str | None = None, page: int = payment_runs.PAGE
) -> list[Job]:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    console = Console()
    finished = []
    try:
        async with sessions() as session:
            query = select(dp_agreements.c.council_id).distinct()
            councils = [council] if council else sorted((await session.execute(query)).scalars().all())
        for council_id in councils:
            job = await payment_runs.start_run(UnitOfWork(sessions, "ledger"), council_id, run_date, "command line")
            with job_progress("agreements", console) as bar:
                task = bar.add_task(f"{council_id} {run_date}", total=job.total, completed=job.done, note="")

                def show(j: Job, task=task) -> None:
                    bar.update(task, completed=j.done, note=f"{j.totals.get('payments', 0)} payments")

                job = await payment_runs.run_payments(
                    lambda: UnitOfWork(sessions, "ledger"), job, page=page, progress=show
                )
            t = job.totals
            console.print(
                f"{council_id} {run_date}: {t['payments']} payments, GBP {pounds(t['amount_pence'])}, "
                f"fees GBP {pounds(t['fees_pence'])}, {t['held_back']} held back"
            )
            finished.append(job)
    finally:
        await engine.dispose()
    return finished


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledger pay", description=__doc__)
    parser.add_argument("--date", type=date.fromisoformat, required=True, help="the run date, e.g. 2026-04-06")
    parser.add_argument("--council", help="only this council")
    args = parser.parse_args(argv)
    asyncio.run(pay(args.date, LedgerSettings().resolved_database_url(), args.council))
    return 0
