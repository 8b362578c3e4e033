"""Importing a statement file: posted once however often it comes, refused whole if any line is bad,
an overspend the provider allowed held off the card account, spending categorised and flagged."""

from __future__ import annotations

import io
from datetime import date

import pytest
from rich.console import Console
from sqlalchemy import func, select

from ledger.adapters.card_tables import card_statement_lines, card_transactions
from ledger.adapters.tables import ledger_transfers
from ledger.domain.accounts import AccountKind
from ledger.domain.card_statement import COLUMNS, StatementRefused
from ledger.entrypoints.card_import_cli import import_statement
from ledger.service_layer import card_import
from ledger.service_layer.postings import balance, find_account, trial_balance
from pbshared.platform.jobs import JobStatus

from .conftest import COUNCIL, pay_onto_card

HEADER = ",".join(COLUMNS)
LINES = [
    "L1,CARD-1,2026-04-01T09:00:00Z,100.00,load,,,100.00",
    "P1,CARD-1,2026-04-02T10:00:00Z,-30.00,purchase,Acme Home Care,8050,70.00",
    "P2,CARD-1,2026-04-03T10:00:00Z,-10.00,purchase,Lucky Bet,7995,60.00",
    "C1,CARD-2,2026-04-03T11:00:00Z,25.00,contribution,,,25.00",
    "W1,CARD-2,2026-04-04T11:00:00Z,-20.00,cash_withdrawal,ATM,6011,5.00",
    "F1,CARD-2,2026-04-04T12:00:00Z,-0.20,fee,,,4.80",
]


def statement(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode())


async def imported(new_uow, file: io.BytesIO, page: int = 2):
    job = await card_import.stage_statement(new_uow(), COUNCIL, file, "test")
    return await card_import.run_import(new_uow, job, page=page)


async def card_balance(new_uow, ref: str, kind=AccountKind.card) -> int:
    async with new_uow() as uow:
        account = await find_account(uow.session, COUNCIL, kind, ref)
        return (await balance(uow.session, COUNCIL, account.account_id)).balance_pence


async def count(new_uow, table) -> int:
    async with new_uow() as uow:
        return (await uow.session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_a_statement_is_posted_categorised_and_flagged(council):
    await pay_onto_card(council, "CARD-1", 10_000, date(2026, 4, 1), "payment-1")
    job = await imported(council, statement(*LINES))
    assert job.status is JobStatus.finished
    assert job.totals["new"] == 6 and job.totals["flagged"] == 1
    async with council() as uow:
        rows = {r.transaction_id: r for r in await uow.session.execute(select(card_transactions))}
        assert rows["P1"].category == "care_agency" and rows["P1"].flag is None
        assert rows["P2"].category == "gambling" and rows["P2"].flag == "not_allowed"
        assert rows["W1"].category == "cash" and rows["W1"].flag is None  # within the allowance
        assert (await trial_balance(uow.session, COUNCIL, date(2026, 4, 30))).balanced
    # The load and the fee are the payment run's to post (from the fee schedule); a contribution of
    # 25.00 less cash 20.00 is on CARD-2.
    assert await card_balance(council, "CARD-2") == 500
    assert await card_balance(council, "CARD-1") == 6_000
    assert await card_balance(council, "gambling", AccountKind.spending) == 1_000


async def test_a_file_imported_twice_changes_nothing(council):
    first = await imported(council, statement(*LINES))
    transfers = await count(council, ledger_transfers)
    again = await imported(council, statement(*LINES))
    assert again.job_id == first.job_id and again.finished
    assert await count(council, ledger_transfers) == transfers
    # Another file repeating some of the same transactions adds only what is new.
    other = await imported(
        council, statement(*LINES[3:], "P3,CARD-2,2026-04-05T09:00:00Z,-1.00,purchase,Bus,4131,3.80")
    )
    assert (other.totals["new"], other.totals["already_imported"]) == (1, 3)


async def test_a_refused_file_leaves_nothing_behind(council):
    bad = statement(
        *LINES[:3], "X1,CARD-9,2026-04-05T09:00:00Z,-1.00,purchase,Bus,4131,3.80", "X2,CARD-1,when,1,load,,,1"
    )
    with pytest.raises(StatementRefused) as refused:
        await card_import.stage_statement(council(), COUNCIL, bad, "test")
    assert {(p.line, p.field) for p in refused.value.problems} == {(6, "occurred_at"), (6, "amount"), (6, "balance")}
    unknown_card = statement(*LINES[:3], "X1,CARD-9,2026-04-05T09:00:00Z,-1.00,purchase,Bus,4131,3.80")
    with pytest.raises(StatementRefused) as refused:
        await card_import.stage_statement(council(), COUNCIL, unknown_card, "test")
    assert [(p.line, p.field) for p in refused.value.problems] == [(5, "card_account")]
    for table in (card_transactions, card_statement_lines, ledger_transfers):
        assert await count(council, table) == 0


async def test_a_transaction_changed_since_it_was_imported_refuses_the_file(council):
    await imported(council, statement(*LINES))
    changed = statement(LINES[0], LINES[1].replace("-30.00", "-31.00").replace("70.00", "69.00"))
    with pytest.raises(StatementRefused) as refused:
        await card_import.stage_statement(council(), COUNCIL, changed, "test")
    assert [(p.line, p.field) for p in refused.value.problems] == [(3, "transaction_id")]


async def test_an_overspend_the_provider_allowed_goes_to_suspense_and_is_flagged(council):
    job = await imported(
        council,
        statement(
            "C1,CARD-3,2026-04-01T09:00:00Z,50.00,contribution,,,50.00",
            "P1,CARD-3,2026-04-02T09:00:00Z,-80.00,purchase,Bus,4131,-30.00",
        ),
    )
    assert job.totals["overspent_pence"] == 3_000 and job.totals["flagged"] == 1
    assert await card_balance(council, "CARD-3") == 0  # never below zero in the ledger
    assert await card_balance(council, "overspend", AccountKind.suspense) == -3_000
    assert await card_balance(council, "transport", AccountKind.spending) == 8_000


async def test_cash_beyond_the_councils_allowance_is_flagged(council):
    await imported(
        council,
        statement(
            "C1,CARD-2,2026-04-01T09:00:00Z,500.00,contribution,,,500.00",
            # The policy's GBP 50 a week is GBP 200 in any four weeks: W1 and W2 reach it, W3 passes it.
            "W1,CARD-2,2026-04-02T09:00:00Z,-150.00,cash_withdrawal,ATM,6011,350.00",
            "W2,CARD-2,2026-04-10T09:00:00Z,-50.00,cash_withdrawal,ATM,6011,300.00",
            "W3,CARD-2,2026-04-20T09:00:00Z,-0.01,cash_withdrawal,ATM,6011,299.99",
        ),
        page=1,
    )
    async with council() as uow:
        flags = dict(
            (await uow.session.execute(select(card_transactions.c.transaction_id, card_transactions.c.flag))).all()
        )
    assert flags == {"C1": None, "W1": None, "W2": None, "W3": "cash_over_allowance"}


async def test_an_import_killed_half_way_resumes_from_its_checkpoint(council):
    job = await card_import.stage_statement(council(), COUNCIL, statement(*LINES), "test")

    def kill_after_first_page(progress):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await card_import.run_import(council, job, page=2, progress=kill_after_first_page)
    assert await count(council, card_transactions) == 2
    resumed = await card_import.stage_statement(council(), COUNCIL, statement(*LINES), "test")
    assert resumed.job_id == job.job_id and resumed.done == 2
    finished = await card_import.run_import(council, resumed, page=2)
    assert finished.totals["new"] == 6 and await count(council, card_transactions) == 6
    assert await count(council, card_statement_lines) == 0


async def test_the_command_line_shows_progress_and_every_bad_line(council, ledger_url, tmp_path):
    path = tmp_path / "statement.csv"
    path.write_bytes(statement(*LINES[3:]).getvalue())
    out = io.StringIO()
    job = await import_statement(path, COUNCIL, ledger_url, Console(file=out, width=150))
    assert job is not None and job.totals["new"] == 3
    assert "rows/s" in out.getvalue() and "imported 3 transaction(s): 3 new" in out.getvalue()
    again = io.StringIO()
    await import_statement(path, COUNCIL, ledger_url, Console(file=again, width=150))
    assert "3 already imported" not in again.getvalue() and "imported 3 transaction(s): 3 new" in again.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(statement(LINES[3], "T9,CARD-2,nope,1.00,load,,,1.00").getvalue())
    refused = io.StringIO()
    assert await import_statement(bad, COUNCIL, ledger_url, Console(file=refused, width=150)) is None
    assert "line 3: occurred_at" in refused.getvalue() and "nothing was stored" in refused.getvalue()


async def test_a_statement_of_loads_and_fees_alone_moves_nothing_and_is_kept(council):
    job = await imported(
        council,
        statement(
            "L1,CARD-1,2026-04-01T09:00:00Z,100.00,load,,,100.00", "F1,CARD-1,2026-04-01T09:00:01Z,-0.20,fee,,,99.80"
        ),
    )
    assert job.finished and job.totals["new"] == 2
    assert await count(council, ledger_transfers) == 0 and await count(council, card_transactions) == 2
