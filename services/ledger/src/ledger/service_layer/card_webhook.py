"""One card transaction delivered by the card provider's webhook (docs/ledger-card-files.md, "Webhook").

The call's signature is checked before anything else is read; its nonce is then claimed in the same
transaction as the posting, so a call replayed inside the signature window is refused (and a call
that failed half way can be sent again: its nonce was rolled back with it). The record goes through
the same checks and the same posting as a statement line; a transaction already imported with the
same fields changes nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ledger.adapters import webhook_nonces
from ledger.adapters.card_tables import card_webhook_nonces
from ledger.domain.card_statement import RecordProblem, parse_record
from ledger.domain.webhook_signature import SignatureRefused, verify
from ledger.service_layer.card_posting import RulesByDay, post_page, value_date
from pbshared.contract.events.ledger import CardTransactionsImported, ImportSource
from pbshared.platform.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Signed:
    timestamp: str | None
    nonce: str | None
    signature: str | None


@dataclass(frozen=True)
class Delivered:
    transaction_id: str
    new: bool
    flagged: bool


class RecordRefused(Exception):
    """The body is not a valid card transaction: each problem names the field and the rule."""

    def __init__(self, problems: list[RecordProblem]):
        super().__init__("the record is not a valid card transaction")
        self.problems = problems


class Replayed(Exception):
    """The call's nonce was used before: a replay inside the signature window."""


def check_signature(secret: str | None, signed: Signed, body: bytes, window: int, now: datetime) -> None:
    if not secret:
        raise SignatureRefused("no webhook secret is set for this council: every call is refused")
    verify(secret.encode(), signed.timestamp, signed.nonce, signed.signature, body, int(now.timestamp()), window)


# A nonce is kept while a call carrying it could still pass the signature check: its timestamp may be up
# to one window ahead of when we received it and is accepted up to one window after that; the margin
# covers clocks differing between the ledger's replicas. Each call prunes at most this many older ones.
CLOCK_MARGIN_SECONDS = 300
PRUNED_PER_CALL = 100


def nonces_kept_for(window: int) -> timedelta:
    return timedelta(seconds=2 * window + CLOCK_MARGIN_SECONDS)


async def receive(uow: UnitOfWork, council_id: str, signed: Signed, body: bytes, *, window: int) -> Delivered:
    """Post one signed record (the signature already checked, within `window` seconds); RecordRefused,
    Replayed or Conflict if not. The council's nonces too old to be replayed are pruned on the way."""
    record_fields = _fields(body)
    record, problems = parse_record(record_fields)
    if record is None:
        raise RecordRefused(problems)
    async with uow:
        try:
            async with uow.session.begin_nested():
                values = {"council_id": council_id, "nonce": signed.nonce, "received_at": datetime.now(UTC)}
                await uow.session.execute(insert(card_webhook_nonces).values(**values))
        except IntegrityError:
            raise Replayed() from None
        await webhook_nonces.prune(
            uow.session, council_id, values["received_at"] - nonces_kept_for(window), PRUNED_PER_CALL
        )
        totals = await post_page(uow, council_id, [record], "webhook", RulesByDay())
        if totals.new:
            day = value_date(record)
            import_id = uuid.uuid5(uuid.NAMESPACE_URL, f"card-webhook:{council_id}:{record.transaction_id}")
            await uow.publish(
                CardTransactionsImported(
                    import_id=import_id,
                    source=ImportSource.webhook,
                    records_received=1,
                    records_new=1,
                    accounts=1,
                    flagged=totals.flagged,
                    first_transaction_date=day,
                    last_transaction_date=day,
                ),
                council_id=council_id,
                subject_id=str(import_id),
            )
        await uow.commit()
    return Delivered(record.transaction_id, bool(totals.new), bool(totals.flagged))


def _fields(body: bytes) -> dict[str, str]:
    try:
        document = json.loads(body)
    except ValueError:
        raise RecordRefused([RecordProblem("body", "must be a JSON object of the statement's columns")]) from None
    if not isinstance(document, dict) or not all(isinstance(v, str | None) for v in document.values()):
        raise RecordRefused([RecordProblem("body", "must be a JSON object whose values are text, one per column")])
    return {k: v for k, v in document.items() if isinstance(v, str)}
