"""The local stack's card step: a finance officer uploads the card provider's statement. A file that
names a card account the council never opened is refused whole, each bad line named; then, when the
demo person has a direct payment agreement, a statement for their card is imported (a purchase, a
flagged one), imported again to no effect, and the month reconciled."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from pbshared.platform.tokens import DEV_SECRET, mint
from tools.wording_demo import money, outcome

HEADER = "transaction_id,card_account,occurred_at,amount,type,merchant_name,merchant_category_code,balance"


def _headers(role: str) -> dict[str, str]:
    token = mint(role=role, council_id="wyvernshire", secret=os.environ.get("PB_JWT_SECRET", DEV_SECRET))
    return {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}


def card_of(url: str, person_id: str | None) -> str | None:
    """The demo person's card account, if their budget has a direct payment part."""
    if person_id is None:
        return None
    found = httpx.get(f"{url}/people/{person_id}/direct-payments", headers=_headers("social_worker"))
    agreements = found.json() if found.status_code == 200 else []
    return agreements[0]["card_account_ref"] if agreements else None


def _upload(url: str, lines: list[str]) -> httpx.Response:
    return httpx.post(f"{url}/card-imports", content="\n".join([HEADER, *lines]), headers=_headers("finance_officer"))


def demonstrate_card_statements(url: str, person_id: str | None, say: Callable[[str], None]) -> bool:
    """True if the refusal and (when there is a card) the import and reconciliation behaved."""
    card_account = card_of(url, person_id)
    say("\nLedger cards: the provider's statement checked whole, imported once, reconciled:")
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = now.isoformat().replace("+00:00", "Z")
    refused = _upload(url, [f"X1,NO-SUCH-CARD,{stamp},-5.00,purchase,Shop,5411,1.00", "X2,NO-SUCH-CARD,soon,5,load,,,"])
    named = sorted({f"line {e['loc'][2]} {e['loc'][3]}" for e in refused.json().get("errors", [])})
    say(f"  a statement with a bad line: {outcome(refused.status_code)} ({', '.join(named)})")
    ok = refused.status_code == 422
    if card_account is None:
        say("  no direct payment card in the demo: nothing to import")
        return ok
    lines = [
        f"DEMO-P1,{card_account},{stamp},-12.50,purchase,Wyvern Buses,4131,0.00",
        f"DEMO-P2,{card_account},{stamp},-5.00,purchase,Lucky Bet,7995,-5.00",
    ]
    first = _upload(url, lines)
    job = first.json()
    deadline = time.monotonic() + 10
    while job.get("status") == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        job = httpx.get(f"{url}{first.headers['Location']}", headers=_headers("auditor")).json()
    again = _upload(url, lines).json()
    totals = job.get("totals", {})
    say(
        f"  imported {totals.get('received')} transactions: {totals.get('new')} new, {totals.get('flagged')} flagged "
        "for a finance officer to check (a gambling merchant); "
        f"uploaded again: {'the same job, nothing added' if again.get('job_id') == job.get('job_id') else 'CHANGED'}"
    )
    day = now.date().isoformat()
    done = httpx.post(
        f"{url}/reconciliations",
        json={"period_from": day, "period_to": day, "card_accounts": [card_account]},
        headers=_headers("finance_officer"),
    ).json()
    for account in done.get("accounts", []):
        explained = ", ".join(f"{line['explanation']} {money(line['pence'])}" for line in account["lines"])
        say(
            f"  reconciled {account['card_account']}: provider minus ledger "
            f"{money(account['difference_pence'])} = {explained}"
        )
    if not done.get("accounts"):
        say(f"  reconciled {card_account}: the provider and the ledger agree")
    return ok and job.get("status") == "finished"
