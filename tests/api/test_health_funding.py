"""NHS funding decisions through the health API: each start and end published, each update guarded by
the revision it read; and reablement episodes ended by the council or by their free period running out."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from health.adapters.tables import funding_decisions
from health.service_layer.reablement import end_lapsed
from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import auth
from tests.api.health_support import FHIR_JSON, agreed, count, discharge, handled, published, registered

pytestmark = pytest.mark.integration

WORKER = auth(Role.social_worker)


async def decide(service, person_id: uuid.UUID, basis: str, **fields):
    body = {"person_id": str(person_id), "basis": basis, "start_date": "2026-04-06", **fields}
    return await service.client.post("/funding-decisions", json=body, headers=WORKER)


@pytest.mark.parametrize(
    ("basis", "share", "published_share"),
    [
        ("continuing_healthcare", {}, (None, None)),
        ("joint_funding", {"nhs_share_percent": "40.5"}, ("40.50", None)),
        ("joint_funding", {"nhs_weekly_pence": 12000}, (None, 12000)),
        ("section_117_aftercare", {}, (None, None)),
        ("personal_health_budget", {"budget_id": str(uuid.uuid4())}, (None, None)),
    ],
)
async def test_each_funding_decision_and_its_end_are_published(api, basis, share, published_share):
    health = await api("health")
    person_id = await registered(health)
    response = await decide(health, person_id, basis, icb_code="QWN", **share)
    assert response.status_code == 201, response.text
    decision = response.json()
    ended = await health.client.post(
        f"/funding-decisions/{decision['decision_id']}/end",
        json={"revision": decision["revision"], "end_date": "2026-10-01"},
        headers=WORKER,
    )
    assert ended.status_code == 200, ended.text
    events = await published(health, "funding_responsibility.changed")
    assert [(e["change"], e["effective_date"], e["basis"]) for e in events] == [
        ("started", "2026-04-06", basis),
        ("ended", "2026-10-01", basis),
    ]
    started = events[0]
    share_out = (started["nhs_share_percent"], started["nhs_weekly_pence"])
    assert (share_out[0] and f"{float(share_out[0]):.2f}", share_out[1]) == published_share
    assert {e["decision_id"] for e in events} == {decision["decision_id"]}
    assert started["icb_code"] == "QWN" and started["person_id"] == str(person_id)


@pytest.mark.parametrize(
    ("basis", "share", "field"),
    [
        ("joint_funding", {}, "nhs_share_percent"),
        ("joint_funding", {"nhs_share_percent": "50", "nhs_weekly_pence": 100}, "nhs_weekly_pence"),
        ("continuing_healthcare", {"nhs_share_percent": "50"}, "nhs_share_percent"),
        ("section_117_aftercare", {"nhs_weekly_pence": 100}, "nhs_weekly_pence"),
    ],
)
async def test_a_share_that_does_not_fit_the_basis_is_refused_and_nothing_is_stored(api, basis, share, field):
    health = await api("health")
    person_id = await registered(health)
    response = await decide(health, person_id, basis, **share)
    assert response.status_code in (409, 422), response.text
    assert [e["loc"][-1] for e in response.json()["errors"]] == [field]
    assert await count(health, funding_decisions) == await count(health, outbox) == 0


async def test_bad_fields_are_each_named_and_never_echoed(api):
    health = await api("health")
    body = {"person_id": "nobody", "basis": "lottery", "start_date": "someday", "nhs_share_percent": "140"}
    response = await health.client.post("/funding-decisions", json=body, headers=WORKER)
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} == {
        "person_id",
        "basis",
        "start_date",
        "nhs_share_percent",
    }
    for value in ("nobody", "lottery", "someday"):
        assert value not in response.text


async def test_a_decision_for_an_unknown_person_or_another_councils_is_not_found(api):
    health = await api("health")
    theirs = await registered(health, council_id="eastmere")
    for person_id in (uuid.uuid4(), theirs):
        response = await decide(health, person_id, "continuing_healthcare")
        assert response.status_code == 404, response.text
    assert await count(health, funding_decisions) == 0


async def test_a_decision_naming_someone_elses_budget_is_refused_and_nothing_is_stored(api):
    health = await api("health")
    person_id, neighbour = await registered(health), await registered(health)
    theirs = await registered(health, council_id="eastmere")
    budgets = {who: uuid.uuid4() for who in (person_id, neighbour, theirs)}
    for who, budget_id in budgets.items():
        await handled(health, agreed(who, budget_id), who, council_id="eastmere" if who == theirs else "wyvernshire")

    answers = [
        await decide(health, person_id, "personal_health_budget", budget_id=str(budgets[other]))
        for other in (neighbour, theirs)
    ]

    for answer in answers:  # another council's budget answers as this council's neighbour's does
        assert answer.status_code == 422, answer.text
        assert [(e["loc"][-1], e["msg"]) for e in answer.json()["errors"]] == [
            ("budget_id", "is not a budget of this person")
        ]
    assert await count(health, funding_decisions) == await count(health, outbox) == 0
    own = await decide(health, person_id, "personal_health_budget", budget_id=str(budgets[person_id]))
    not_yet_here = await decide(health, person_id, "personal_health_budget", budget_id=str(uuid.uuid4()))
    assert (own.status_code, not_yet_here.status_code) == (201, 201)


async def test_a_stale_end_is_refused_and_an_ended_decision_stays_ended(api):
    health = await api("health")
    decision = (await decide(health, await registered(health), "section_117_aftercare")).json()
    path = f"/funding-decisions/{decision['decision_id']}/end"
    stale = await health.client.post(path, json={"revision": 2, "end_date": "2026-10-01"}, headers=WORKER)
    assert stale.status_code == 409 and stale.json()["errors"][0]["loc"][-1] == "revision"
    before = await health.client.post(path, json={"revision": 1, "end_date": "2026-04-06"}, headers=WORKER)
    assert before.status_code == 409 and before.json()["errors"][0]["loc"][-1] == "end_date"
    assert (
        await health.client.post(path, json={"revision": 1, "end_date": "2026-10-01"}, headers=WORKER)
    ).status_code == 200
    again = await health.client.post(path, json={"revision": 1, "end_date": "2026-11-01"}, headers=WORKER)
    assert again.status_code == 409
    assert len(await published(health, "funding_responsibility.changed")) == 2
    read = await health.client.get(f"/funding-decisions/{decision['decision_id']}", headers=auth(Role.finance_officer))
    assert read.json()["end_date"] == "2026-10-01" and read.json()["revision"] == 2


async def test_the_council_ends_reablement_early_guarded_by_revision(api):
    health = await api("health")
    partner = {**auth(Role.health_partner, subject="QWN"), **FHIR_JSON}
    episode = (await health.client.post("/fhir/Bundle", json=discharge(), headers=partner)).json()
    path = f"/reablement-episodes/{episode['episode_id']}/end"
    body = {"revision": 1, "end_date": "2026-01-20", "reason": "no_longer_needed"}
    assert (await health.client.post(path, json={**body, "revision": 3}, headers=WORKER)).status_code == 409
    late = await health.client.post(path, json={**body, "end_date": "2026-03-01"}, headers=WORKER)
    assert late.status_code == 409 and late.json()["errors"][0]["loc"][-1] == "end_date"
    ended = await health.client.post(path, json=body, headers=WORKER)
    assert ended.status_code == 200, ended.text
    assert (ended.json()["end_reason"], ended.json()["revision"]) == ("no_longer_needed", 2)
    events = await published(health, "reablement_episode.ended")
    # Ended early: the assessment is due at once.
    assert [(e["end_date"], e["reason"], e["assessment_due_date"]) for e in events] == [
        ("2026-01-20", "no_longer_needed", "2026-01-20")
    ]


async def test_an_episode_ends_by_itself_the_day_after_its_free_period_once(api):
    health = await api("health")
    partner = {**auth(Role.health_partner, subject="QWN"), **FHIR_JSON}
    episode = (await health.client.post("/fhir/Bundle", json=discharge(), headers=partner)).json()

    def new_uow() -> UnitOfWork:
        return UnitOfWork(health.sessions, "health")

    assert await end_lapsed(new_uow, date(2026, 2, 15)) == 0  # the last free day
    assert await end_lapsed(new_uow, date(2026, 2, 16)) == 1
    assert await end_lapsed(new_uow, date(2026, 2, 17)) == 0  # once
    events = await published(health, "reablement_episode.ended")
    assert [(e["end_date"], e["reason"], e["assessment_due_date"]) for e in events] == [
        ("2026-02-15", "period_ended", "2026-02-08")
    ]
    read = await health.client.get(f"/reablement-episodes/{episode['episode_id']}", headers=WORKER)
    assert read.json()["end_reason"] == "period_ended"
