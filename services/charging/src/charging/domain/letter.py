"""The outcome letter a council sends after a financial assessment: its template is council data.

Payload of the `charging_letter` reference kind (versioned and effective-dated like every council
dataset): a Jinja2 template of the letter's body in HTML, rendered in a sandbox with every value
escaped, to a printable page and a PDF (docs/domain/charging.md, "The outcome letter").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, field_validator

from charging.domain.money import pounds
from charging.domain.recorded import FinancialAssessment


class ChargingLetter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    council_name: str = Field(min_length=1, max_length=200)
    signatory: str = Field(min_length=1, max_length=200, description="who signs the letter, e.g. a team")
    template: str = Field(
        min_length=1,
        max_length=50_000,
        description="Jinja2 HTML for the letter's body (the tags a PDF can show: h1-h3, p, b, i, br, "
        "table, ul); the names it may use are listed in docs/domain/charging.md",
    )

    @field_validator("template")
    @classmethod
    def _parses(cls, template: str) -> str:
        try:
            SandboxedEnvironment().parse(template)
        except TemplateSyntaxError as error:
            raise ValueError(f"not a valid Jinja2 template (line {error.lineno})") from None
        return template


def _gbp(pence: int) -> str:
    return f"£{pounds(pence)}"


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def letter_context(
    letter: ChargingLetter, assessment: FinancialAssessment, person: dict[str, Any], today: date
) -> dict[str, Any]:
    """What a template may use: the person, the charge and every step, each amount as GBP text."""
    result = assessment.result
    return {
        "council_name": letter.council_name,
        "signatory": letter.signatory,
        "today": _long_date(today),
        "person": {
            "name": f"{person['given_name']} {person['family_name']}",
            "reference": person["council_person_id"],
            "postcode": person["postcode"],
        },
        "assessment_id": str(assessment.assessment_id),
        "weekly_charge": _gbp(assessment.weekly_charge_pence),
        "effective_date": _long_date(assessment.effective_date),
        "collected_by": str(assessment.collected_by),
        "full_cost_payer": result["full_cost_payer"],
        "free_reason": result["free_reason"],
        "part_free_reason": result.get("part_free_reason"),
        "steps": [
            {"label": s["label"], "amount": _gbp(s["pence"]), "treatment": s["treatment"], "reason": s["reason"]}
            for s in result["steps"]
        ],
        "figures_year": result["figures_year"],
        "figures_version": result["figures_version"],
        "policy_version": result["policy_version"],
        "provisional": result["provisional"],
        "arrangement_fee_one_off": _gbp(result["arrangement_fee_one_off_pence"]),
        "arrangement_fee_weekly": _gbp(result["arrangement_fee_weekly_pence"]),
    }
