"""Importing a card provider's statement file: checked whole, then posted as a resumable job.

1. `stage_statement` reads the file a line at a time, checks every line (docs/ledger-card-files.md)
   and stages the good ones in one transaction. Any bad line (including a card account the council
   has not opened, or a transaction id already imported with other fields) refuses the file whole:
   the transaction is rolled back and nothing of it is stored. The job's key is the file's SHA-256,
   so the same file uploaded again finds the job already there and changes nothing.
2. `run_import` posts the staged lines a page at a time (ledger.service_layer.card_posting); each page
   commits with the job's checkpoint (pbshared.platform.jobs), so a job killed half way resumes
   where it stopped. When it finishes it publishes card_transactions.imported and drops the staging.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from typing import BinaryIO

from ledger.adapters.card_repository import CardRepository
from ledger.adapters.card_tables import card_statement_lines, card_transactions
from ledger.adapters.tables import jobs, ledger_accounts, ledger_transfers
from ledger.domain.card_statement import CardTransaction, LineProblem, StatementRefused, read_statement
from ledger.service_layer.card_posting import PageTotals, RulesByDay, post_page
from pbshared.contract.events.ledger import CardTransactionsImported, ImportSource
from pbshared.platform.jobs import Job, Progress, record_progress, run_in_background, run_steps, start_job
from pbshared.platform.unit_of_work import UnitOfWork

KIND = "card_statement"
# Lines posted in one transaction. Each page locks and reads back every card it touches, so fewer,
# larger pages repeat that less (a million lines on 20,000 cards: 50 pages, not 200); a webhook for
# one of those cards waits for the page's commit, a couple of seconds.
PAGE = 20_000
STAGE_BATCH = 10_000

Checked = Callable[[int, int], None]  # (lines read, bad lines so far)


def file_digest(file: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


async def stage_statement(
    uow: UnitOfWork, council_id: str, file: BinaryIO, started_by: str, checked: Checked | None = None
) -> Job:
    """Check and stage a statement file; the import job (new, or the one this file already has)."""
    key = file_digest(file)
    import_id = uuid.uuid4()
    async with uow:
        job, created = await start_job(uow.session, jobs, council_id, KIND, key, started_by)
        if not created:
            return job  # the same file again: its job reports (or resumes) the first import
        cards = CardRepository(uow.session)
        problems: list[LineProblem] = []
        bad_lines = 0
        batch: list[tuple[int, CardTransaction]] = []
        count = 0
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        try:
            for line, record, line_problems in read_statement(text):
                if line_problems:
                    bad_lines += 1
                    problems.extend(line_problems[: StatementRefused.MAX_REPORTED - len(problems)])
                elif record is not None and not bad_lines:
                    batch.append((line, record))
                    count += 1
                    if len(batch) >= STAGE_BATCH:
                        await cards.stage(import_id, batch)
                        batch = []
                if checked is not None and line % 1000 == 0:
                    checked(line, bad_lines)
        except UnicodeDecodeError:
            raise StatementRefused([LineProblem(0, "file", "must be UTF-8 text")], 1) from None
        finally:
            text.detach()
        if bad_lines:
            raise StatementRefused(problems, bad_lines)
        await cards.stage(import_id, batch)
        if count == 0:
            raise StatementRefused([LineProblem(2, "file", "has no transactions")], 1)
        await cards.analyse(card_statement_lines)
        unknown = await cards.lines_with_unknown_card_account(council_id, import_id, StatementRefused.MAX_REPORTED)
        changed = await cards.lines_changing_a_transaction(council_id, import_id, StatementRefused.MAX_REPORTED)
        if unknown or changed:
            problems = [LineProblem(n, "card_account", "not a card account of this council") for n in unknown]
            problems += [
                LineProblem(n, "transaction_id", "already imported with other fields: a transaction never changes")
                for n in changed
            ]
            raise StatementRefused(sorted(problems, key=lambda p: p.line), len(unknown) + len(changed))
        job = await record_progress(
            uow.session,
            jobs,
            job,
            done=0,
            checkpoint={"import_id": str(import_id), "line": 0},
            totals={"received": count, "new": 0, "already_imported": 0, "flagged": 0, "overspent_pence": 0},
            total=count,
        )
        await uow.commit()
    return job


async def run_import(
    new_uow: Callable[[], UnitOfWork], job: Job, *, page: int = PAGE, progress: Progress | None = None
) -> Job:
    """Carry the import on from its checkpoint to the end, a page at a time; returns the finished job."""
    rules = RulesByDay()
    return await run_steps(new_uow, job, lambda uow, job: _one_page(uow, job, page, rules), progress)


async def _one_page(uow: UnitOfWork, job: Job, page: int, rules: RulesByDay) -> Job:
    cards = CardRepository(uow.session)
    import_id = uuid.UUID(job.checkpoint["import_id"])
    lines = await cards.staged_page(import_id, job.checkpoint["line"], page)
    if not lines:
        totals = {**job.totals, "accounts": await cards.count_staged_accounts(import_id)}
        await cards.drop_staged(import_id)
        await cards.analyse(card_transactions, ledger_transfers, ledger_accounts)
        job = await record_progress(uow.session, jobs, job, done=job.done, checkpoint=job.checkpoint, totals=totals)
        await _announce(uow, job, import_id)
        return await record_progress(
            uow.session, jobs, job, done=job.done, checkpoint=job.checkpoint, totals=job.totals, finished=True
        )
    totals = await post_page(uow, job.council_id, [record for _, record in lines], "file", rules)
    return await record_progress(
        uow.session,
        jobs,
        job,
        done=job.done + len(lines),
        checkpoint={"import_id": str(import_id), "line": lines[-1][0]},
        totals=_added(job.totals, totals),
    )


def _added(totals: dict, page: PageTotals) -> dict:
    first, last = totals.get("first_day"), totals.get("last_day")
    if page.first_day is not None:
        first = min(first or page.first_day.isoformat(), page.first_day.isoformat())
        last = max(last or page.last_day.isoformat(), page.last_day.isoformat())  # type: ignore[union-attr]
    return {
        **totals,
        "new": totals["new"] + page.new,
        "already_imported": totals["already_imported"] + page.received - page.new,
        "flagged": totals["flagged"] + page.flagged,
        "overspent_pence": totals["overspent_pence"] + page.overspent_pence,
        "first_day": first,
        "last_day": last,
    }


async def _announce(uow: UnitOfWork, job: Job, import_id: uuid.UUID) -> None:
    totals = job.totals
    await uow.publish(
        CardTransactionsImported(
            import_id=import_id,
            source=ImportSource.statement_file,
            records_received=totals["received"],
            records_new=totals["new"],
            accounts=totals.get("accounts", 0),
            flagged=totals["flagged"],
            first_transaction_date=totals.get("first_day"),
            last_transaction_date=totals.get("last_day"),
        ),
        council_id=job.council_id,
        subject_id=str(import_id),
    )


async def run_import_in_background(new_uow: Callable[[], UnitOfWork], job: Job) -> Job | None:
    return await run_in_background(new_uow, jobs, job, lambda: run_import(new_uow, job), "card statement import")
