"""Every ledger route in the role table, called with a token of another council (Eastmere, set up with
the same reference data) by every role that may call it: nothing of Wyvernshire's is returned (an id
of Wyvernshire's is as absent as one that never existed: 404; a list holds none of it) and nothing of
Wyvernshire's changes. A route added to the table later fails here until it is called too."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert

from ledger.domain.webhook_signature import signature
from pbshared.platform.auth import Role
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.platform.tables import person_copies
from pbshared.testing.harness import auth, wait_for
from tests.councils import SAMPLE_COUNCIL, loader_of

from .test_ledger_card_imports import CSV, FINANCE, STATEMENT, ledger_with_cards
from .test_ledger_monitoring import pay
from .test_ledger_payments import START, set_up

pytestmark = pytest.mark.integration

OTHER = "eastmere"
OTHER_SECRET = "another-secret-0123456789"  # Eastmere's webhook secret (ledger_with_cards)
PERIOD = {"period_from": "2026-04-01", "period_to": "2026-04-30"}


async def _wyvernshire(service) -> dict[str, str]:
    """Wyvernshire's ledger with something behind every route: a person, an agreement paid by a run, a
    card statement imported (a flagged purchase), a reconciliation, a recovery proposed, an audit."""
    person_id, agreement = await set_up(service, 10_000)
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(person_copies).values(
                person_id=person_id, council_id="wyvernshire", council_person_id="WY-ISO-1", given_name="Ada",
                family_name="Lovelace", date_of_birth=date(1941, 12, 10), postcode="SK1 3XE",
                client_group="older_people", revision=1, updated_at=datetime.now(UTC),
            )
        )  # fmt: skip
    client = service.client
    run = await client.post("/payment-runs", json={"run_date": START.isoformat()}, headers=FINANCE)
    imported = await client.post("/card-imports", content=STATEMENT, headers={**FINANCE, **CSV})
    for started in (run, imported):
        assert started.status_code == 202, started.text
        await _finished(client, started.headers["Location"], FINANCE)
    await pay(service, "CARD-1", 90_000, date(2026, 3, 2), "iso-load")
    reconciled = await client.post("/reconciliations", json=PERIOD, headers=FINANCE)
    proposed = await client.post("/recoveries/proposals", json={"as_of": "2026-04-30"}, headers=FINANCE)
    audited = await client.post(
        "/card-audits", json={"card_account": "CARD-1", "audited_on": "2026-04-20"}, headers=FINANCE
    )
    assert (reconciled.status_code, proposed.status_code, audited.status_code) == (201, 201, 201), proposed.text
    assert proposed.json(), "a recovery to be reached for"
    return {
        "person_id": str(person_id),
        "agreement_id": str(agreement.agreement_id),
        "card_account_ref": agreement.card_account_ref,
        "card": "CARD-1",
        "run_job_id": run.json()["job_id"],
        "import_job_id": imported.json()["job_id"],
        "reconciliation_id": reconciled.json()["reconciliation_id"],
        "recovery_id": proposed.json()[0]["recovery_id"],
    }


async def _finished(client, location: str, headers: dict[str, str]) -> dict:
    async def done() -> bool:
        return (await client.get(location, headers=headers)).json()["status"] == "finished"

    await wait_for(done, 10, f"{location} finished")
    return (await client.get(location, headers=headers)).json()


async def _set_up_the_other_council(service) -> None:
    for document in read_council_directory(SAMPLE_COUNCIL):
        if document["kind"] in service.app.state.reference_kinds:
            document = {**document, "council_id": OTHER}
            response = await service.client.post(
                "/reference-datasets", json=document, headers=auth(loader_of(document), OTHER)
            )
            assert response.status_code in (200, 201), response.text


async def _what_wyvernshire_sees(client, ids: dict[str, str]) -> list[Any]:
    """Wyvernshire's own reading of everything the other council's calls might have touched."""
    finance = FINANCE
    reads = [
        f"/direct-payments/{ids['agreement_id']}?on=2026-04-06",
        f"/people/{ids['person_id']}/direct-payments",
        f"/people/{ids['person_id']}",
        f"/jobs/{ids['run_job_id']}",
        f"/card-imports/{ids['import_job_id']}",
        f"/reconciliations/{ids['reconciliation_id']}",
        "/recoveries",
        "/arrears?as_of=2026-04-30",
        "/card-audits/due?as_of=2027-04-30",
        "/card-transactions/flagged?period_from=2026-04-01&period_to=2026-04-30",
        f"/payment-runs/{START}/payment-file",
        f"/payment-runs/{START}/preview",
        "/reference-datasets",
        *(f"/ledger-reports/{r}?period_from=2026-01-01&period_to=2026-12-31" for r in ("balances", "payments")),
        *(f"/ledger-reports/{r}?period_from=2026-01-01&period_to=2026-12-31" for r in ("spending", "recoveries")),
    ]
    seen = []
    for path in reads:
        response = await client.get(path, headers=finance)
        assert response.status_code == 200, (path, response.text)
        seen.append((path, response.text))
    return seen


Call = Callable[[Any, dict[str, str], dict[str, str]], Awaitable[Any]]


def _get(template: str, **params: str) -> Call:
    async def call(client, headers, ids):
        return await client.get(template.format(**ids), params=params, headers=headers)

    return call


def _post(template: str, body: dict[str, Any], method: str = "POST") -> Call:
    async def call(client, headers, ids):
        return await client.request(method, template.format(**ids), json=body, headers=headers)

    return call


async def _import(client, headers, ids):
    return await client.post("/card-imports", content=STATEMENT, headers={**headers, **CSV})


async def _webhook(client, headers, ids):
    record = {
        "transaction_id": "ISO-1", "card_account": ids["card"], "occurred_at": "2026-04-10T10:00:00Z",
        "amount": "-5.00", "type": "purchase", "merchant_name": "Shop", "merchant_category_code": "5411",
        "balance": "0.00",
    }  # fmt: skip
    body = json.dumps(record).encode()
    timestamp, nonce = str(int(datetime.now(UTC).timestamp())), uuid.uuid4().hex
    signed = {
        "Content-Type": "application/json",
        "Card-Timestamp": timestamp,
        "Card-Nonce": nonce,
        "Card-Signature": signature(OTHER_SECRET.encode(), timestamp, nonce, body),
    }
    return await client.post("/card-transactions/webhook", content=body, headers={**headers, **signed})


async def _reports(client, headers, ids):
    """Every report, as one response: the first that is not a 200, or the last."""
    for report in ("balances", "payments", "spending", "recoveries"):
        response = await client.get(
            f"/ledger-reports/{report}",
            params={"period_from": "2026-01-01", "period_to": "2026-12-31"},
            headers=headers,
        )
        if response.status_code != 200 or any(v in response.text for v in ids.values()):
            return response
    return response


async def _dataset_for_wyvernshire(client, headers, ids):
    """A new version of Wyvernshire's card fees, sent by the other council."""
    [fees] = [d for d in read_council_directory(SAMPLE_COUNCIL) if d["kind"] == "card_fee_schedule"]
    return await client.post("/reference-datasets", json={**fees, "version": fees["version"] + 1}, headers=headers)


ABSENT, LISTED, MADE = "404", "lists none of it", "its own, none of it"
NOT_YOURS = "403: refused as another council's, not for the role"
REVISION_1 = {"revision": 1, "from_date": "2026-04-20"}
# Per route: how the other council calls it (with Wyvernshire's ids and card references wherever the
# route takes one), and what must come back.
ROUTES: dict[tuple[str, str], tuple[Call, str]] = {
    ("GET", "/direct-payments/{agreement_id}"): (_get("/direct-payments/{agreement_id}"), ABSENT),
    ("PUT", "/direct-payments/{agreement_id}/card-account"): (
        _post("/direct-payments/{agreement_id}/card-account", {"revision": 1, "card_account_ref": "CARD-9"}, "PUT"),
        ABSENT,
    ),
    ("POST", "/direct-payments/{agreement_id}/suspend"): (
        _post("/direct-payments/{agreement_id}/suspend", REVISION_1),
        ABSENT,
    ),
    ("POST", "/direct-payments/{agreement_id}/resume"): (
        _post("/direct-payments/{agreement_id}/resume", REVISION_1),
        ABSENT,
    ),
    ("POST", "/direct-payments/{agreement_id}/end"): (
        _post("/direct-payments/{agreement_id}/end", {"revision": 1, "end_date": "2026-04-30", "reason": "deceased"}),
        ABSENT,
    ),
    ("GET", "/people/{person_id}/direct-payments"): (_get("/people/{person_id}/direct-payments"), LISTED),
    ("GET", "/people/{person_id}"): (_get("/people/{person_id}"), ABSENT),
    ("GET", "/people"): (_get("/people", council_person_id="WY-ISO-1"), LISTED),
    ("GET", "/jobs/{job_id}"): (_get("/jobs/{run_job_id}"), ABSENT),
    ("GET", "/card-imports/{job_id}"): (_get("/card-imports/{import_job_id}"), ABSENT),
    ("GET", "/reconciliations/{reconciliation_id}"): (_get("/reconciliations/{reconciliation_id}"), ABSENT),
    ("POST", "/recoveries/{recovery_id}/decision"): (
        _post("/recoveries/{recovery_id}/decision", {"approve": True, "revision": 1}),
        ABSENT,
    ),
    ("POST", "/card-audits"): (_post("/card-audits", {"card_account": "{card}", "audited_on": "2026-04-21"}), MADE),
    ("GET", "/card-audits/due"): (_get("/card-audits/due", as_of="2027-04-30"), LISTED),
    ("GET", "/arrears"): (_get("/arrears", as_of="2026-04-30"), LISTED),
    ("GET", "/recoveries"): (_get("/recoveries"), LISTED),
    ("POST", "/recoveries/proposals"): (_post("/recoveries/proposals", {"as_of": "2026-04-30"}), MADE),
    ("GET", "/card-transactions/flagged"): (_get("/card-transactions/flagged", **PERIOD), LISTED),
    ("POST", "/card-transactions/webhook"): (_webhook, MADE),
    ("POST", "/card-imports"): (_import, MADE),
    ("POST", "/reconciliations"): (_post("/reconciliations", {**PERIOD, "card_accounts": ["{card}"]}), MADE),
    ("GET", "/ledger-reports/{report}"): (_reports, LISTED),
    ("POST", "/payment-runs"): (_post("/payment-runs", {"run_date": START.isoformat()}), MADE),
    ("GET", "/payment-runs/{run_date}/preview"): (_get(f"/payment-runs/{START}/preview"), LISTED),
    ("GET", "/payment-runs/{run_date}/payment-file"): (_get(f"/payment-runs/{START}/payment-file"), LISTED),
    ("GET", "/reference-datasets"): (_get("/reference-datasets"), LISTED),
    ("GET", "/reference-datasets/{kind}/effective"): (
        _get("/reference-datasets/direct_payment_policy/effective"),
        LISTED,
    ),
    ("POST", "/reference-datasets"): (_dataset_for_wyvernshire, NOT_YOURS),
}  # fmt: skip


def _filled(call: Call, ids: dict[str, str]) -> Call:
    """The call with "{card}" in a JSON body replaced by Wyvernshire's card reference."""

    async def filled(client, headers, _ids):
        return await call(_Filling(client, ids), headers, ids)

    return filled


class _Filling:
    """A client whose JSON bodies have Wyvernshire's ids put in ("{card}" -> "CARD-1")."""

    def __init__(self, client, ids: dict[str, str]):
        self._client, self._ids = client, ids

    def _fill(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.format(**self._ids) if "{" in value else value
        if isinstance(value, list):
            return [self._fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self._fill(v) for k, v in value.items()}
        return value

    async def request(self, method, url, json=None, **kw):
        return await self._client.request(method, url, json=self._fill(json), **kw)

    async def get(self, url, **kw):
        return await self._client.get(url, **kw)

    async def post(self, url, json=None, **kw):
        return await self._client.post(url, json=self._fill(json), **kw)


async def test_no_ledger_route_reaches_another_councils_data(api) -> None:
    service = await ledger_with_cards(api, "CARD-1")
    await _set_up_the_other_council(service)
    ids = await _wyvernshire(service)
    policy = service.app.state.access_policy
    assert set(ROUTES) == set(policy.rows), "a ledger route is missing here (or gone from the role table)"
    before = await _what_wyvernshire_sees(service.client, ids)

    markers = set(ids.values())
    wrong = []
    for (method, path), (call, expected) in sorted(ROUTES.items()):
        for role in sorted(policy.allowed(method, path)):
            if role is Role.operator:  # sets councils up; sees no council's data
                continue
            response = await _filled(call, ids)(service.client, auth(role, OTHER), ids)
            where = f"{role} of {OTHER}: {method} {path} -> {response.status_code}"
            if expected == NOT_YOURS:
                if response.status_code != 403 or "own council" not in response.text:
                    wrong.append(f"{where}, expected a refusal naming the council: {response.text[:200]}")
            elif response.status_code >= 500 or response.status_code in (401, 403):
                wrong.append(f"{where}: {response.text[:200]}")
            elif expected == ABSENT and response.status_code != 404:
                wrong.append(f"{where}, expected 404")
            elif expected == LISTED and response.status_code != 200:
                wrong.append(f"{where}, expected 200: {response.text[:200]}")
            # A refusal may name what the caller itself sent; anything else of Wyvernshire's is a leak.
            sent = str(response.request.url) + response.request.content.decode(errors="replace")
            refused = response.status_code >= 400
            leaked = sorted(m for m in markers if m in response.text and not (refused and m in sent))
            if leaked:
                wrong.append(f"{where} shows {leaked}")
            if method == "POST" and path == "/payment-runs" and response.status_code == 202:
                job = await _finished(service.client, response.headers["Location"], auth(role, OTHER))
                if job["totals"]["payments"]:
                    wrong.append(f"{where}: paid {job['totals']['payments']}")
    assert not wrong, "\n".join(wrong)
    assert await _what_wyvernshire_sees(service.client, ids) == before
