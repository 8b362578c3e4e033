"""The outcome letter: rendered from the council's template as a printable page and a PDF; the figures
read back from the PDF are the assessment's."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader

from pbshared.platform.auth import Role
from pbshared.platform.tables import person_copies
from pbshared.testing.harness import auth
from tests.api.test_charging_assessments import person_in, record

pytestmark = pytest.mark.integration


def gbp(pence: int) -> str:
    return f"£{pence // 100}.{pence % 100:02d}"


async def test_the_pdf_letter_states_the_assessments_figures(api):
    charging = await api("charging")
    person_id = await person_in(charging)
    assessment = (await record(charging, person_id, housing_costs_pence=1234, own_capital_pence=1_500_000)).json()
    url = f"/financial-assessments/{assessment['assessment_id']}/letter"
    response = await charging.client.get(url, params={"format": "pdf"}, headers=auth(Role.finance_officer))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())

    assert f"you will pay {gbp(assessment['weekly_charge_pence'])} a week" in flat
    assert "From 2 June 2025" in flat
    for step in assessment["result"]["steps"]:
        assert f"{step['label']} {gbp(step['pence'])}" in flat, step
    assert "Ada Lovelace" in flat and assessment["assessment_id"] in flat
    assert "national figures for 2025/26" in flat


async def test_the_html_letter_is_a_printable_page_that_escapes_what_it_is_told(api):
    charging = await api("charging")
    person_id = await person_in(charging)
    async with charging.sessions() as session, session.begin():
        await session.execute(person_copies.update().values(given_name="<script>Ada</script>"))
    assessment = (await record(charging, person_id)).json()
    url = f"/financial-assessments/{assessment['assessment_id']}/letter"
    response = await charging.client.get(url, headers=auth(Role.auditor))
    assert "<script>" not in response.text and "&lt;script&gt;Ada" in response.text
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "@media print" in response.text
    assert f"{gbp(assessment['weekly_charge_pence'])} a week" in response.text


async def test_a_letter_for_an_unknown_or_another_councils_assessment_is_not_found(api):
    charging = await api("charging")
    person_id = await person_in(charging)
    assessment = (await record(charging, person_id)).json()
    url = f"/financial-assessments/{assessment['assessment_id']}/letter"
    other = await charging.client.get(url, headers=auth(Role.finance_officer, "eastmere"))
    assert other.status_code == 404
    missing = await charging.client.get(f"/financial-assessments/{uuid.uuid4()}/letter", headers=auth(Role.admin))
    assert missing.status_code == 404
