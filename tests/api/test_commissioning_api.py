"""The commissioning API: a commissioner uploads a cohort of past assessments (every bad line named,
nothing stored), then reads its calibration, winners and losers and a model comparison as JSON, as
CSV for a spreadsheet, and as charts. The cohort is synthetic with a known answer."""

from __future__ import annotations

import csv
import io

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.councils import load_second_council

pytestmark = pytest.mark.integration

COMMISSIONER = auth(Role.commissioner)
CSV = {"Content-Type": "text/csv"}


def synthetic_cohort() -> str:
    """Older people: GBP 5.00 a week a point (GBP 260.00 a year), GBP 10 either side of the line at
    each of five points, and two GBP 100 away (the outliers). Learning disability: exactly GBP 6.00."""
    lines = ["reference,client_group,points,actual_weekly_cost"]
    for points in (10, 20, 30, 40, 50):
        lines += [f"OP-{points}+,older_people,{points},{points * 5 + 10}.00"]
        lines += [f"OP-{points}-,older_people,{points},{points * 5 - 10}.00"]
    lines += ["OP-far+,older_people,50,350.00", "OP-far-,older_people,50,150.00"]
    lines += [f"LD-{points},learning_disability,{points},£{points * 6}.00" for points in (15, 40, 60)]
    return "\r\n".join(lines) + "\r\n"


async def upload(service, body: str, name: str = "2025-26 reviews", headers=COMMISSIONER):
    return await service.client.post(f"/cohorts?name={name}", content=body.encode(), headers={**headers, **CSV})


async def uploaded(service, body: str | None = None) -> str:
    response = await upload(service, body or synthetic_cohort())
    assert response.status_code == 201, response.text
    return response.json()["cohort_id"]


async def report(service, path: str, headers=COMMISSIONER):
    return await service.client.get(path, headers=headers)


def by_group(response) -> dict[str, dict]:
    assert response.status_code == 200, response.text
    return {g["client_group"]: g for g in response.json()["groups"]}


def read_csv(response) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_a_cohort_is_stored_and_listed(api):
    service = await api("ras")
    response = await upload(service, synthetic_cohort())
    assert response.status_code == 201, response.text
    assert (response.json()["name"], response.json()["row_count"]) == ("2025-26 reviews", 15)
    listed = (await service.client.get("/cohorts", headers=auth(Role.auditor))).json()
    assert [c["cohort_id"] for c in listed] == [response.json()["cohort_id"]]


async def test_every_bad_line_is_named_with_its_column_and_rule_and_nothing_is_stored(api):
    service = await api("ras")
    body = (
        "reference,client_group,points,actual_weekly_cost\n"
        "A-1,older_people,10,50.00\n"
        "A-2,dragons,10,50.00\n"
        "A-3,older_people,-4,50.00\n"
        "A-4,older_people,10,12.345\n"
        "A-1,older_people,10,50.00\n"
        "A-6,older_people,10\n"
    )
    response = await upload(service, body)
    assert response.status_code == 422, response.text
    found = {(tuple(p["loc"]), p["msg"].split(";")[0]) for p in response.json()["errors"]}
    assert {loc for loc, _ in found} == {
        ("body", "line", 3, "client_group"),
        ("body", "line", 4, "points"),
        ("body", "line", 5, "actual_weekly_cost"),
        ("body", "line", 6, "reference"),
        ("body", "line", 7, "reference"),
    }
    assert "dragons" not in response.text and "12.345" not in response.text
    assert (await service.client.get("/cohorts", headers=COMMISSIONER)).json() == []


async def test_a_file_with_a_wrong_header_or_no_rows_is_refused(api):
    service = await api("ras")
    wrong = await upload(service, "reference,group,points,actual_weekly_cost\nA,older_people,1,1.00\n")
    locations = [tuple(p["loc"]) for p in wrong.json()["errors"]]
    assert ("body", "line", 1, "client_group") in locations and ("body", "line", 1, "column 2") in locations
    empty = await upload(service, "reference,client_group,points,actual_weekly_cost\n")
    assert [tuple(p["loc"]) for p in empty.json()["errors"]] == [("body", "file")]
    json_body = await service.client.post("/cohorts?name=x", json={"rows": []}, headers=COMMISSIONER)
    assert json_body.status_code == 415


async def test_a_large_cohort_arriving_in_many_chunks_is_read_line_by_line(api):
    service = await api("ras")
    rows = "".join(f"R-{i},older_people,{i % 90 + 1},£{(i % 90 + 1) * 5}.00\n" for i in range(3000))
    data = ("reference,client_group,points,actual_weekly_cost\n" + rows).encode()
    assert any(data[end - 1] == "£".encode()[0] for end in range(997, len(data), 997)), "no £ split by a chunk"

    async def chunks():  # chunk boundaries fall inside lines, and inside a two-byte £
        for start in range(0, len(data), 997):
            yield data[start : start + 997]

    response = await service.client.post("/cohorts?name=big", content=chunks(), headers={**COMMISSIONER, **CSV})
    assert response.status_code == 201, response.text
    assert response.json()["row_count"] == 3000


async def test_calibration_finds_the_known_price_fit_and_outliers(api):
    service = await api("ras")
    cohort = await uploaded(service)
    response = await report(service, f"/cohorts/{cohort}/calibration")
    groups = by_group(response)
    older, ld = groups["older_people"], groups["learning_disability"]
    assert (older["annual_pence_per_point"], older["weekly_pence_per_point"]) == (26000, 500)
    assert (ld["annual_pence_per_point"], ld["r_squared"]) == (31200, 1.0)
    assert sorted(o["reference"] for o in older["outliers"]) == ["OP-far+", "OP-far-"]
    far = next(r for r in older["residuals"] if r["reference"] == "OP-far-")
    assert (far["residual_pence"], far["outlier"]) == (-520000, True)


async def test_calibration_as_csv_has_pounds_and_escapes_formulas(api):
    service = await api("ras")
    body = synthetic_cohort() + "=HYPERLINK(1),learning_disability,20,120.00\r\n"
    cohort = await uploaded(service, body)
    response = await report(service, f"/cohorts/{cohort}/calibration?format=csv")
    rows = read_csv(response)
    far = next(r for r in rows if r["reference"] == "OP-far-")
    money = (far["actual_annual_cost"], far["fitted_annual_cost"], far["residual"])
    assert money == ("7800.00", "13000.00", "-5200.00")
    assert far["price_per_point_a_year"] == "260.00" and far["outlier"] == "yes"
    assert "'=HYPERLINK(1)" in [r["reference"] for r in rows]
    accept_csv = {**COMMISSIONER, "Accept": "text/csv"}
    by_accept = await report(service, f"/cohorts/{cohort}/calibration", accept_csv)
    assert by_accept.content == response.content


async def test_winners_and_losers_against_a_model_version(api):
    service = await api("ras")
    # Model version 1 prices older people at GBP 220.00 a point a year, learning disability 300.00.
    body = "reference,client_group,points,actual_weekly_cost\n"
    body += "loses,older_people,10,50.00\ngains,older_people,20,80.00\nld,learning_disability,10,50.00\n"
    cohort = await uploaded(service, body)
    response = await report(service, f"/cohorts/{cohort}/winners-and-losers?model_version=1")
    groups = by_group(response)
    older = groups["older_people"]
    assert (older["winners"], older["losers"], older["gained_weekly_pence"], older["lost_weekly_pence"]) == (
        1,
        1,
        462,
        769,
    )
    assert (groups["learning_disability"]["winners"], groups["learning_disability"]["net_weekly_pence"]) == (1, 769)
    rows = read_csv(await report(service, f"/cohorts/{cohort}/winners-and-losers?model_version=1&format=csv"))
    loses = next(r for r in rows if r["reference"] == "loses")
    assert (loses["current_weekly_cost"], loses["proposed_weekly_budget"], loses["difference"]) == (
        "50.00",
        "42.31",
        "-7.69",
    )
    assert loses["outcome"] == "loses"


async def test_model_comparison_reports_the_difference_by_client_group(api):
    service = await api("ras")
    cohort = await uploaded(service)
    response = await report(service, f"/cohorts/{cohort}/model-comparison?current=1&proposed=2")
    groups = by_group(response)
    # Version 2 raises older people's price from 220.00 to 230.00 a point a year (4.5%) and
    # learning disability's from 300.00 to 310.00 (3.3%).
    assert (groups["older_people"]["compared"], groups["older_people"]["difference_percent"]) == (12, "4.5")
    assert groups["learning_disability"]["difference_percent"] == "3.3"
    rows = read_csv(
        await service.client.get(
            f"/cohorts/{cohort}/model-comparison?current=1&proposed=2&format=csv", headers=COMMISSIONER
        )
    )
    assert {r["client_group"]: r["difference_percent"] for r in rows} == {
        "learning_disability": "3.3",
        "older_people": "4.5",
    }
    missing = await report(service, f"/cohorts/{cohort}/model-comparison?current=1&proposed=9")
    assert missing.status_code == 404
    assert [p["loc"] for p in missing.json()["errors"]] == [["query", "proposed"]]


async def test_the_calibration_chart_draws_each_group_with_its_fitted_line(api):
    service = await api("ras")
    cohort = await uploaded(service)
    response = await report(service, f"/cohorts/{cohort}/calibration/chart")
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    svg = response.text
    for group in ("older_people", "learning_disability"):
        assert f'id="points-{group}"' in svg and f'id="fit-{group}"' in svg
    assert "RAS points" in svg and "Actual weekly cost (£)" in svg
    png = await report(service, f"/cohorts/{cohort}/calibration/chart?format=png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG\r\n\x1a\n")


async def test_the_gains_and_losses_chart_shows_the_distribution_by_group(api):
    service = await api("ras")
    cohort = await uploaded(service)
    response = await service.client.get(
        f"/cohorts/{cohort}/winners-and-losers/chart?model_version=1", headers=COMMISSIONER
    )
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    svg = response.text
    assert 'id="changes-older_people-0"' in svg and 'id="changes-learning_disability-0"' in svg
    assert "Proposed budget less current cost (£ a week)" in svg and "People" in svg


async def test_another_councils_commissioner_never_sees_a_cohort(api):
    service = await api("ras")
    await load_second_council(service)
    cohort = await uploaded(service)
    eastmere = auth(Role.commissioner, "eastmere")
    assert (await service.client.get("/cohorts", headers=eastmere)).json() == []
    response = await service.client.get(f"/cohorts/{cohort}/calibration", headers=eastmere)
    assert response.status_code == 404


async def test_a_group_the_model_cannot_price_or_the_fit_cannot_use_is_named(api):
    service = await api("ras")
    # The sample council's models price no carers; one carer row is too few to fit.
    cohort = await uploaded(service, synthetic_cohort() + "CA-1,carer,12,60.00\r\n")
    fit = await report(service, f"/cohorts/{cohort}/calibration")
    assert fit.status_code == 422
    assert [p["loc"] for p in fit.json()["errors"]] == [["cohort", "client_group", "carer"]]
    gains = await report(service, f"/cohorts/{cohort}/winners-and-losers?model_version=1")
    assert gains.status_code == 422
    assert [p["loc"] for p in gains.json()["errors"]] == [["cohort", "client_group"]]
    groups = by_group(await report(service, f"/cohorts/{cohort}/model-comparison?current=1&proposed=2"))
    assert groups["carer"]["compared"] == 0
    assert [n["reference"] for n in groups["carer"]["not_comparable"]] == ["CA-1"]


async def test_a_cohort_larger_than_a_json_body_may_be_is_taken_up_to_the_upload_limit(api):
    """A cohort is a file: its route takes PB_MAX_UPLOAD_BODY_BYTES, every other route keeps the
    smaller limit for JSON bodies."""
    service = await api("ras", max_request_body_bytes=64 * 1024, max_upload_body_bytes=1024 * 1024)
    rows = "".join(f"R-{i},older_people,{i % 90 + 1},£{(i % 90 + 1) * 5}.00\n" for i in range(3000))
    data = ("reference,client_group,points,actual_weekly_cost\n" + rows).encode()
    assert 64 * 1024 < len(data) < 1024 * 1024
    response = await service.client.post("/cohorts?name=big", content=data, headers={**COMMISSIONER, **CSV})
    assert response.status_code == 201, response.text
    too_big = await service.client.post("/cohorts?name=huge", content=data * 12, headers={**COMMISSIONER, **CSV})
    assert too_big.status_code == 413
    person = b'{"given_name": "' + b"x" * len(data) + b'"}'
    refused = await service.client.post(
        "/people", content=person, headers={**auth(Role.social_worker), "Content-Type": "application/json"}
    )
    assert refused.status_code == 413, "a JSON route keeps the smaller limit"
