"""The webhook's used nonces do not grow for ever: each call prunes a bounded number of its council's
nonces that no call could be replayed with any more, and keeps every one that still could."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, insert, select, text

from ledger.adapters import webhook_nonces
from ledger.adapters.card_tables import card_webhook_nonces
from ledger.domain.webhook_signature import SignatureRefused, signature
from ledger.service_layer import card_webhook
from tests.api.test_ledger_card_imports import RECORD as WEBHOOK_RECORD

from .conftest import COUNCIL

WINDOW = 300
SECRET = "a-test-webhook-secret-0123456789"
RECORD = json.loads(WEBHOOK_RECORD)  # the API tests' record, a contribution onto CARD-1


async def _nonces(sessions, council_id: str, *, before: datetime | None = None) -> int:
    n = card_webhook_nonces.c
    query = select(func.count()).select_from(card_webhook_nonces).where(n.council_id == council_id)
    if before is not None:
        query = query.where(n.received_at < before)
    async with sessions() as session:
        return int((await session.execute(query)).scalar_one())


async def _receive(new_uow, nonce: str, transaction_id: str = "N1") -> card_webhook.Delivered:
    body = json.dumps({**RECORD, "transaction_id": transaction_id}).encode()
    signed = card_webhook.Signed(str(int(time.time())), nonce, "unchecked-here")
    return await card_webhook.receive(new_uow(), COUNCIL, signed, body, window=WINDOW)


async def test_each_call_prunes_a_bounded_number_of_nonces_too_old_to_replay(council, sessions):
    now = datetime.now(UTC)
    kept_for = card_webhook.nonces_kept_for(WINDOW)
    expired = now - kept_for - timedelta(seconds=5)
    # Older than the window but still replayable: a call signed a window ahead of its receipt.
    replayable = now - timedelta(seconds=WINDOW + 60)
    rows = [
        *({"council_id": COUNCIL, "nonce": f"old-{i:04d}-nonce-000", "received_at": expired} for i in range(150)),
        *({"council_id": COUNCIL, "nonce": f"recent-{i}-nonce-0000", "received_at": replayable} for i in range(3)),
        *({"council_id": "eastmere", "nonce": f"old-{i:04d}-nonce-000", "received_at": expired} for i in range(20)),
    ]
    async with sessions() as session, session.begin():
        await session.execute(insert(card_webhook_nonces), rows)

    assert (await _receive(council, uuid.uuid4().hex)).new
    cutoff = now - kept_for
    assert await _nonces(sessions, COUNCIL, before=cutoff) == 150 - card_webhook.PRUNED_PER_CALL
    assert await _receive(council, uuid.uuid4().hex, "N2")
    assert await _nonces(sessions, COUNCIL, before=cutoff) == 0
    # The replayable ones and the two just used are kept; another council's are its own calls' to prune.
    assert await _nonces(sessions, COUNCIL) == 3 + 2
    assert await _nonces(sessions, "eastmere") == 20
    with pytest.raises(card_webhook.Replayed):
        await _receive(council, "recent-0-nonce-0000", "N3")


@pytest.mark.parametrize("ahead", [-WINDOW, 0, WINDOW])
def test_a_pruned_nonce_could_no_longer_pass_the_signature_check(ahead):
    """A call accepted at receipt (its timestamp up to a window either side), replayed after its nonce
    was pruned, is refused as too old whatever its timestamp was."""
    received = 1_800_000_000
    timestamp, nonce, body = str(received + ahead), "n" * 16, b"{}"
    signed = signature(SECRET.encode(), timestamp, nonce, body)
    card_webhook.check_signature(
        SECRET, card_webhook.Signed(timestamp, nonce, signed), body, WINDOW, datetime.fromtimestamp(received, UTC)
    )
    pruned_at = received + card_webhook.nonces_kept_for(WINDOW).total_seconds()
    with pytest.raises(SignatureRefused):
        card_webhook.check_signature(
            SECRET, card_webhook.Signed(timestamp, nonce, signed), body, WINDOW, datetime.fromtimestamp(pruned_at, UTC)
        )


async def test_the_prune_reads_the_oldest_nonces_by_index_not_every_nonce_kept(sessions):
    # A council taking webhook calls all day keeps tens of thousands of nonces; each call prunes a few.
    # Without an index by receipt each prune read them all. The plan is checked, never a clock.
    now = datetime.now(UTC)
    rows = [
        {"council_id": COUNCIL, "nonce": f"n-{i:06d}", "received_at": now - timedelta(seconds=i)} for i in range(20000)
    ]
    statements: list = []
    async with sessions() as session, session.begin():
        if session.bind.dialect.name != "postgresql":
            return  # SQLite: one way to read it
        await session.execute(insert(card_webhook_nonces), rows)
        await session.execute(text("ANALYZE card_webhook_nonces"))
        connection = await session.connection()
        event.listen(connection.sync_connection, "before_cursor_execute", lambda *a: statements.append(a[2:4]))
        await webhook_nonces.prune(session, COUNCIL, now - timedelta(hours=5), card_webhook.PRUNED_PER_CALL)
        statement, parameters = statements[0]
        driver = (await connection.get_raw_connection()).driver_connection
        plan = "\n".join(row[0] for row in await driver.fetch(f"EXPLAIN {statement}", *parameters))
    assert "ix_card_webhook_nonces_received" in plan, plan
