"""Reading FHIR R4 messages from the NHS: a Patient, and a hospital discharge notification (a Bundle).

fhir.resources checks each resource against the FHIR R4 model (its R4B package: FHIR 4.3, which
reads R4 resources); these functions then apply our rules at the boundary (UK Core's NHS number
identifier, checked by Modulus 11; the fields we need to register a person and start reablement).
Every problem is collected, each with the FHIRPath of its element, and none echoes the value sent.
The shapes we accept are in docs/domain/health.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.patient import Patient
from pydantic import ValidationError

from pbshared.identifiers.nhs_number import InvalidNhsNumber, normalise_nhs_number
from pbshared.identifiers.postcode import normalise_postcode

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
# Inpatient and emergency encounters are the ones a person is discharged from (HL7 v3 ActCode).
HOSPITAL_CLASSES = frozenset({"IMP", "ACUTE", "NONAC", "EMER", "SS"})


@dataclass(frozen=True)
class FhirProblem:
    """One issue of an OperationOutcome: where (FHIRPath), the issue type code, and what is wrong."""

    expression: str
    code: str
    message: str


class InvalidFhir(Exception):
    def __init__(self, problems: list[FhirProblem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class PatientDetails:
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    postcode: str


@dataclass(frozen=True)
class DischargeNotification:
    discharge_id: str
    discharge_date: date
    disposition: str
    patient: PatientDetails


def _path(root: str, loc: tuple[Any, ...]) -> str:
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _without_value(message: str, value: Any) -> str:
    """Some model messages quote what was sent; the answer never echoes a value back."""
    if isinstance(value, str | int | float) and len(str(value)) >= 2:
        for shown in (repr(value), str(value)):
            message = message.replace(shown, "the value")
    return message


def _model_problems(root: str, error: ValidationError) -> list[FhirProblem]:
    codes = {"missing": "required", "extra_forbidden": "structure"}
    return [
        FhirProblem(
            _path(root, tuple(e["loc"])), codes.get(e["type"], "value"), _without_value(e["msg"], e.get("input"))
        )
        for e in error.errors()
    ]


def _resource_type_problem(body: Any, expected: str) -> list[FhirProblem]:
    if not isinstance(body, dict):
        return [FhirProblem(expected, "structure", "a FHIR resource is a JSON object")]
    if body.get("resourceType") != expected:
        return [FhirProblem(f"{expected}.resourceType", "invalid", f"must be {expected}")]
    return []


def _nhs_number(identifiers: list[tuple[Any, Any]], root: str) -> tuple[str | None, list[FhirProblem]]:
    """The NHS number among a Patient's identifiers (system, value): exactly one, Modulus 11 valid."""
    numbers = [(i, value) for i, (system, value) in enumerate(identifiers) if system == NHS_NUMBER_SYSTEM]
    if len(numbers) != 1:
        message = f"exactly one identifier with system {NHS_NUMBER_SYSTEM}"
        return None, [FhirProblem(f"{root}.identifier", "required", message)]
    index, value = numbers[0]
    try:
        return normalise_nhs_number(value if isinstance(value, str) else ""), []
    except InvalidNhsNumber as error:
        return None, [FhirProblem(f"{root}.identifier[{index}].value", "value", str(error))]


def _raw_nhs_number_problems(resource: Any, root: str, found: list[FhirProblem]) -> list[FhirProblem]:
    """When the model refused a Patient, the NHS number rule is still checked on what was sent, so
    every problem is listed at once (where the model has not already named the element)."""
    identifiers = resource.get("identifier") if isinstance(resource, dict) else None
    if not isinstance(identifiers, list) or not all(isinstance(i, dict) for i in identifiers):
        return []
    _, problems = _nhs_number([(i.get("system"), i.get("value")) for i in identifiers], root)
    named = {p.expression for p in found}
    return [p for p in problems if not any(n.startswith(p.expression) for n in named)]


def _patient_details(patient: Patient, root: str) -> tuple[PatientDetails | None, list[FhirProblem]]:
    nhs_number, problems = _nhs_number([(i.system, i.value) for i in patient.identifier or []], root)
    names = [n for n in patient.name or [] if n.use in (None, "official", "usual")]
    family = names[0].family if names else None
    given = (names[0].given or [None])[0] if names else None
    if not family or not given:
        problems.append(FhirProblem(f"{root}.name", "required", "a name with family and at least one given name"))
    if patient.birthDate is None:
        problems.append(FhirProblem(f"{root}.birthDate", "required", "the date of birth is required"))
    postcodes = [(i, a.postalCode) for i, a in enumerate(patient.address or []) if a.postalCode]
    postcode = None
    if not postcodes:
        problems.append(FhirProblem(f"{root}.address", "required", "an address with a postalCode"))
    else:
        index, raw = postcodes[0]
        try:
            postcode = normalise_postcode(raw)
        except ValueError as error:
            problems.append(FhirProblem(f"{root}.address[{index}].postalCode", "value", str(error)))
    if problems:
        return None, problems
    assert nhs_number and family and given and postcode and patient.birthDate
    return PatientDetails(nhs_number, given[:100], family[:100], patient.birthDate, postcode), []


def read_patient(body: Any) -> PatientDetails:
    """A UK Core Patient: NHS number, name, date of birth and postcode; InvalidFhir lists each problem."""
    problems = _resource_type_problem(body, "Patient")
    if problems:
        raise InvalidFhir(problems)
    try:
        patient = Patient.model_validate(body)
    except ValidationError as error:
        problems = _model_problems("Patient", error)
        raise InvalidFhir(problems + _raw_nhs_number_problems(body, "Patient", problems)) from None
    details, problems = _patient_details(patient, "Patient")
    if problems:
        raise InvalidFhir(problems)
    assert details is not None
    return details


def _entries_of(bundle: Bundle, resource_type: str) -> list[tuple[int, Any]]:
    return [
        (i, e) for i, e in enumerate(bundle.entry or []) if e.resource and e.resource.__resource_type__ == resource_type
    ]


def _discharge_problems(encounter: Encounter, root: str) -> list[FhirProblem]:
    problems = []
    if encounter.status != "finished":
        problems.append(FhirProblem(f"{root}.status", "business-rule", "a discharged encounter is finished"))
    if encounter.class_fhir.code not in HOSPITAL_CLASSES:
        problems.append(FhirProblem(f"{root}.class", "business-rule", "an inpatient or emergency encounter"))
    if encounter.period is None or encounter.period.end is None:
        problems.append(FhirProblem(f"{root}.period.end", "required", "the date and time of discharge"))
    disposition = encounter.hospitalization.dischargeDisposition if encounter.hospitalization else None
    if disposition is None or not (disposition.coding or disposition.text):
        problems.append(
            FhirProblem(
                f"{root}.hospitalization.dischargeDisposition", "required", "where the person was discharged to"
            )
        )
    return problems


def read_discharge(body: Any) -> DischargeNotification:
    """A discharge notification: a Bundle (message or collection) holding the finished hospital
    Encounter and the Patient it is about; InvalidFhir lists each problem."""
    problems = _resource_type_problem(body, "Bundle")
    if problems:
        raise InvalidFhir(problems)
    try:
        bundle = Bundle.model_validate(body)
    except ValidationError as error:
        problems = _model_problems("Bundle", error)
        for index, entry in enumerate(body.get("entry") if isinstance(body.get("entry"), list) else []):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
                problems += _raw_nhs_number_problems(resource, f"Bundle.entry[{index}].resource", problems)
        raise InvalidFhir(problems) from None
    if bundle.type not in ("message", "collection"):
        problems.append(
            FhirProblem("Bundle.type", "business-rule", "a discharge notification is a message or collection")
        )
    patients, encounters = _entries_of(bundle, "Patient"), _entries_of(bundle, "Encounter")
    for found, name in ((patients, "Patient"), (encounters, "Encounter")):
        if len(found) != 1:
            problems.append(FhirProblem("Bundle.entry", "required", f"exactly one {name}"))
    if problems:
        raise InvalidFhir(problems)
    (p_index, p_entry), (e_index, e_entry) = patients[0], encounters[0]
    encounter: Encounter = e_entry.resource
    e_root = f"Bundle.entry[{e_index}].resource"
    problems = _discharge_problems(encounter, e_root)
    subject = encounter.subject.reference if encounter.subject else None
    patient_refs = {
        r for r in (p_entry.fullUrl, f"Patient/{p_entry.resource.id}" if p_entry.resource.id else None) if r
    }
    if subject not in patient_refs:
        problems.append(FhirProblem(f"{e_root}.subject", "invalid", "must refer to the Patient in the Bundle"))
    identifiers = [i.value for i in encounter.identifier or [] if i.value] or (
        [bundle.identifier.value] if bundle.identifier and bundle.identifier.value else []
    )
    if not identifiers:
        problems.append(FhirProblem(f"{e_root}.identifier", "required", "the hospital's identifier of the encounter"))
    details, patient_problems = _patient_details(p_entry.resource, f"Bundle.entry[{p_index}].resource")
    problems += patient_problems
    if problems:
        raise InvalidFhir(problems)
    assert details is not None and encounter.period and encounter.period.end
    disposition = encounter.hospitalization.dischargeDisposition
    code = disposition.coding[0].code if disposition.coding and disposition.coding[0].code else disposition.text
    return DischargeNotification(str(identifiers[0])[:128], encounter.period.end.date(), str(code)[:64], details)
