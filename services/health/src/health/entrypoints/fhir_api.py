"""FHIR R4 at the boundary with the NHS: a Patient and a discharge notification in, a CarePlan out,
and the CapabilityStatement. Refusals are OperationOutcomes naming each problem; nothing is stored
on any. The shapes: docs/domain/health.md."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse

from health.domain import fhir_out
from health.domain.fhir_in import NHS_NUMBER_SYSTEM, FhirProblem, InvalidFhir, read_discharge, read_patient
from health.entrypoints.clock import Today
from health.service_layer import care_plans, reablement, referrals
from pbshared.identifiers.nhs_number import InvalidNhsNumber, normalise_nhs_number
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow

router = APIRouter(prefix="/fhir", tags=["FHIR"])

FHIR_JSON = "application/fhir+json"
_SENDERS = frozenset({Role.health_partner})

ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/fhir/metadata"): frozenset(Role) - {Role.operator},
    ("POST", "/fhir/Patient"): _SENDERS,
    ("POST", "/fhir/Bundle"): _SENDERS,
    ("GET", "/fhir/CarePlan"): frozenset({Role.health_partner}),
}

_FHIR_BODY = {
    "requestBody": {"required": True, "content": {FHIR_JSON: {"schema": {"type": "object"}}, "application/json": {}}}
}


def _fhir(content: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(content, status_code=status_code, media_type=FHIR_JSON, headers=headers)


def _refused(problems: list[FhirProblem], status_code: int = 422) -> JSONResponse:
    return _fhir(fhir_out.operation_outcome(problems), status_code)


async def _body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise InvalidFhir([FhirProblem("Resource", "structure", "the body is not JSON")]) from None


@router.get("/metadata")
async def metadata(request: Request, principal: CurrentPrincipal, today: Today) -> JSONResponse:
    """The CapabilityStatement: which resources and interactions this server supports."""
    return _fhir(fhir_out.capability_statement(str(request.base_url).rstrip("/") + "/fhir", today))


@router.post("/Patient", openapi_extra=_FHIR_BODY, status_code=status.HTTP_201_CREATED)
async def post_patient(request: Request, principal: CurrentPrincipal, uow: Uow) -> JSONResponse:
    """A UK Core Patient: matched by NHS number or proposed to RAS to register (patient.referred)."""
    try:
        patient = read_patient(await _body(request))
    except InvalidFhir as invalid:
        return _refused(invalid.problems)
    referral = await referrals.refer_patient(uow, principal.council_id, patient)
    # What we did with it is ours, not a FHIR resource: plain JSON.
    return JSONResponse(
        {"referral_id": str(referral.referral_id), "person_id": str(referral.person_id), "matched": referral.matched},
        status.HTTP_201_CREATED,
    )


@router.post("/Bundle", openapi_extra=_FHIR_BODY, status_code=status.HTTP_201_CREATED)
async def post_discharge(request: Request, principal: CurrentPrincipal, uow: Uow) -> JSONResponse:
    """A hospital discharge notification: starts a free reablement episode and schedules the needs
    assessment (reablement_episode.started); the same notification again starts nothing new."""
    try:
        discharge = read_discharge(await _body(request))
    except InvalidFhir as invalid:
        return _refused(invalid.problems)
    episode, new = await reablement.start_from_discharge(uow, principal.council_id, discharge)
    body = {
        "episode_id": str(episode.episode_id),
        "person_id": str(episode.person_id),
        "start_date": episode.start_date.isoformat(),
        "free_until": episode.free_until.isoformat(),
        "assessment_due_date": episode.assessment_due_date.isoformat(),
    }
    location = {"Location": f"/reablement-episodes/{episode.episode_id}"}
    return JSONResponse(body, status.HTTP_201_CREATED if new else status.HTTP_200_OK, location)


@router.get("/CarePlan")
async def search_care_plans(
    principal: CurrentPrincipal,
    session: Session,
    today: Today,
    patient_identifier: str = Query(
        alias="patient.identifier", max_length=80, description=f"{NHS_NUMBER_SYSTEM}|NHS number"
    ),
) -> JSONResponse:
    """The current personal budget and care plan of a person of the partner's area (a searchset
    Bundle, empty for anyone else)."""
    system, _, value = patient_identifier.rpartition("|")
    problems = []
    if system not in ("", NHS_NUMBER_SYSTEM):
        problems.append(FhirProblem("patient.identifier", "not-supported", f"search by {NHS_NUMBER_SYSTEM} only"))
    try:
        nhs_number = normalise_nhs_number(value)
    except InvalidNhsNumber as error:
        problems.append(FhirProblem("patient.identifier", "value", str(error)))
    if problems:
        return _refused(problems, status.HTTP_400_BAD_REQUEST)
    plans = await care_plans.care_plans_for_partner(session, principal.council_id, principal.subject, nhs_number, today)
    return _fhir(fhir_out.search_set(plans))
