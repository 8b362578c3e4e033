"""FHIR R4 resources we send: OperationOutcome for refusals, the CapabilityStatement, and a person's
personal budget as a CarePlan whose activities are the planned services, each with its funder.

Each is built through fhir.resources, so what leaves is a valid R4 resource.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.operationoutcome import OperationOutcome

from health.domain.fhir_in import NHS_NUMBER_SYSTEM, FhirProblem
from health.domain.funding import FundingDecision
from pbshared.contract.events.health import FundingBasis

# Our extension on a CarePlan activity: who pays for it (council, NHS, or both with the NHS share).
FUNDER_EXTENSION = "https://personal-budgets.example.org/fhir/StructureDefinition/funder"
WEEKLY_COST_EXTENSION = "https://personal-budgets.example.org/fhir/StructureDefinition/weekly-cost"


def operation_outcome(problems: list[FhirProblem]) -> dict[str, Any]:
    issues = [
        {"severity": "error", "code": p.code, "diagnostics": p.message, "expression": [p.expression]} for p in problems
    ]
    return OperationOutcome(issue=issues).model_dump(mode="json", exclude_none=True)


def capability_statement(base_url: str, published: date) -> dict[str, Any]:
    def resource(kind: str, interactions: list[str], profile: str | None = None, search: list[str] = ()) -> dict:
        entry: dict[str, Any] = {"type": kind, "interaction": [{"code": i} for i in interactions]}
        if profile:
            entry["supportedProfile"] = [profile]
        if search:
            entry["searchParam"] = [{"name": name, "type": "token"} for name in search]
        return entry

    statement = CapabilityStatement(
        status="active",
        date=published.isoformat(),
        kind="instance",
        fhirVersion="4.0.1",
        format=["application/fhir+json"],
        software={"name": "personal budgets: health"},
        implementation={"description": "The council's boundary with the NHS", "url": base_url},
        rest=[
            {
                "mode": "server",
                "documentation": "Bearer token with the health_partner role; people of the partner's area only.",
                "resource": [
                    resource("Patient", ["create"], "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"),
                    resource("Bundle", ["create"]),
                    resource("CarePlan", ["search-type"], search=["patient.identifier"]),
                ],
            }
        ],
    )
    return statement.model_dump(mode="json", exclude_none=True)


def _pounds(pence: int) -> Decimal:
    """Pence to pounds, exactly (money is never a float)."""
    return Decimal(pence) / 100


def _share_text(decision: FundingDecision) -> str:
    if decision.nhs_share_percent is not None:
        return f"NHS {decision.nhs_share_percent.normalize():f}%"
    assert decision.nhs_weekly_pence is not None
    return f"NHS {_pounds(decision.nhs_weekly_pence):.2f} GBP a week"


def funder_of(decisions: list[FundingDecision]) -> tuple[str, str]:
    """(code, text) of who pays for the package, from the NHS decisions in force."""
    bases = {d.basis: d for d in decisions}
    if FundingBasis.continuing_healthcare in bases:
        return "nhs", "NHS continuing healthcare"
    if FundingBasis.personal_health_budget in bases:
        return "nhs", "NHS personal health budget"
    if FundingBasis.section_117_aftercare in bases:
        return "joint", "Council and NHS: section 117 aftercare, free to the person"
    if FundingBasis.joint_funding in bases:
        return "joint", f"Council and NHS jointly ({_share_text(bases[FundingBasis.joint_funding])})"
    return "council", "Council"


def care_plan(
    details: dict[str, Any], nhs_number: str, decisions: list[FundingDecision], ended_on: date | None
) -> dict[str, Any]:
    """The budget (the whole `personal_budget.*` details) as a CarePlan: one activity per planned service."""
    code, text = funder_of(decisions)
    funder = {"url": FUNDER_EXTENSION, "valueCodeableConcept": {"coding": [{"code": code}], "text": text}}
    activities = [
        {
            "extension": [
                funder,
                {
                    "url": WEEKLY_COST_EXTENSION,
                    "valueMoney": {"value": _pounds(service["weekly_cost_pence"]), "currency": "GBP"},
                },
            ],
            "detail": {
                "status": "in-progress" if ended_on is None else "completed",
                "code": {"text": service["service_type"]},
                "description": f"{service['units_per_week']} {service['unit']}s a week, {service['delivery']}",
            },
        }
        for service in details.get("services", [])
    ]
    plan = CarePlan(
        id=str(details["budget_id"]),
        status="active" if ended_on is None else "completed",
        intent="plan",
        title="Personal budget and care plan",
        subject={"identifier": {"system": NHS_NUMBER_SYSTEM, "value": nhs_number}},
        period={"start": details["start_date"], **({"end": ended_on.isoformat()} if ended_on else {})},
        extension=[
            funder,
            {
                "url": WEEKLY_COST_EXTENSION,
                "valueMoney": {"value": _pounds(details["weekly_pence"]), "currency": "GBP"},
            },
        ],
        activity=activities or None,
    )
    return plan.model_dump(mode="json", exclude_none=True)


def search_set(resources: list[dict[str, Any]]) -> dict[str, Any]:
    bundle = Bundle(
        id=str(uuid.uuid4()),
        type="searchset",
        total=len(resources),
        entry=[{"resource": r} for r in resources] or None,
    )
    return bundle.model_dump(mode="json", exclude_none=True)
