"""Card transactions in: a finance officer uploads the provider's statement file (an import job), and
the provider's system delivers records one at a time through its signed webhook."""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status
from pydantic import BaseModel

from ledger.adapters.tables import jobs
from ledger.config import LedgerSettings
from ledger.domain.card_statement import StatementRefused
from ledger.domain.webhook_signature import SignatureRefused
from ledger.entrypoints.runs_api import JobOut
from ledger.service_layer import card_import, card_webhook
from pbshared.errors import NotFound
from pbshared.platform.auth import Role, RouteKey
from pbshared.platform.deps import Session, Settings, Uow
from pbshared.platform.errors import FieldProblem, Problem
from pbshared.platform.jobs import find_job, run_detached
from pbshared.platform.refdata.router import KnownCouncilPrincipal

router = APIRouter(tags=["card transactions"])

IMPORTS = "/card-imports"
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", IMPORTS): frozenset({Role.finance_officer}),
    ("GET", IMPORTS + "/{job_id}"): frozenset({Role.finance_officer, Role.auditor}),
    ("POST", "/card-transactions/webhook"): frozenset({Role.card_provider}),
}
UPLOAD_PATHS = (IMPORTS,)


_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string", "description": "Columns: docs/ledger-card-files.md"}}},
    }
}


def refused_statement(refused: StatementRefused) -> Problem:
    problems = [FieldProblem(["body", "line", p.line, p.field], p.rule) for p in refused.problems]
    detail = f"nothing was stored: {refused.bad_lines} bad line(s)"
    if refused.bad_lines > len({p.line for p in refused.problems}):
        detail += f", the first {StatementRefused.MAX_REPORTED} problems listed"
    return Problem(422, "Invalid card statement", detail, problems)


@router.post(IMPORTS, status_code=status.HTTP_202_ACCEPTED, response_model=JobOut, openapi_extra=_CSV_BODY)
async def import_statement(request: Request, principal: KnownCouncilPrincipal, uow: Uow, response: Response) -> JobOut:
    """Upload the card provider's statement (text/csv). Every line is checked first; any bad line
    refuses the file whole (422, each bad line named) and nothing is stored. Then the import runs on
    as a job: `Location: /card-imports/{job_id}` shows its progress. The same file again returns
    the same job and changes nothing."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ("text/csv", "text/plain"):
        raise Problem(415, "Unsupported media type", "send the statement as text/csv")
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as file:
        async for chunk in request.stream():  # spooled to disk past 8 MB: a large file is never held whole
            file.write(chunk)
        file.seek(0)
        try:
            job = await card_import.stage_statement(uow, principal.council_id, file, principal.subject)  # type: ignore[arg-type]
        except StatementRefused as refused:
            raise refused_statement(refused) from None
    if not job.finished:
        run_detached(request.app, lambda new_uow: card_import.run_import_in_background(new_uow, job))
    response.headers["Location"] = f"{IMPORTS}/{job.job_id}"
    return JobOut.of(job)


@router.get(IMPORTS + "/{job_id}", response_model=JobOut)
async def import_progress(job_id: uuid.UUID, principal: KnownCouncilPrincipal, session: Session) -> JobOut:
    """An import's progress (done of total) and its totals so far: new, already imported, flagged."""
    job = await find_job(session, jobs, principal.council_id, job_id)
    if job is None or job.kind != card_import.KIND:  # another council's job is as absent as none
        raise NotFound.about("job_id", "no such import", where="path")
    return JobOut.of(job)


class DeliveredOut(BaseModel):
    transaction_id: str
    already_imported: bool
    flagged: bool


SignatureHeader = Annotated[str, Header(description='docs/ledger-card-files.md, "Webhook"')]


@router.post("/card-transactions/webhook", response_model=DeliveredOut)
async def webhook(
    request: Request,
    principal: KnownCouncilPrincipal,
    uow: Uow,
    settings: Settings,
    card_timestamp: SignatureHeader,
    card_nonce: SignatureHeader,
    card_signature: SignatureHeader,
    response: Response,
) -> DeliveredOut:
    """One card transaction from the card provider, signed (HMAC-SHA256 with the council's secret).
    Refused: unsigned (422), wrongly signed or too old (401), replayed (409). A transaction already
    imported with the same fields changes nothing (200); with other fields it is refused (409)."""
    body = await request.body()
    signed = card_webhook.Signed(card_timestamp, card_nonce, card_signature)
    assert isinstance(settings, LedgerSettings)
    secret = settings.card_webhook_secrets.get(principal.council_id)
    try:
        card_webhook.check_signature(
            secret.get_secret_value() if secret else None,
            signed,
            body,
            settings.card_webhook_window_seconds,
            datetime.fromtimestamp(time.time(), UTC),
        )
    except SignatureRefused as refused:
        raise Problem(401, "Webhook call refused", refused.reason) from None
    try:
        delivered = await card_webhook.receive(
            uow, principal.council_id, signed, body, window=settings.card_webhook_window_seconds
        )
    except card_webhook.RecordRefused as refused:
        problems = [
            FieldProblem(["body", p.field] if p.field != "body" else ["body"], p.rule) for p in refused.problems
        ]
        raise Problem(422, "Invalid card transaction", "nothing was stored", problems) from None
    except card_webhook.Replayed:
        raise Problem(409, "Webhook call replayed", "Card-Nonce was used before: a replayed call is refused") from None
    if delivered.new:
        response.status_code = status.HTTP_201_CREATED
    return DeliveredOut(
        transaction_id=delivered.transaction_id, already_imported=not delivered.new, flagged=delivered.flagged
    )
