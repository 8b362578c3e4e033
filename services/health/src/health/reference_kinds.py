"""The kinds of council reference data health holds."""

from health.domain.rules import KIND, HealthRules
from pbshared.platform.refdata import ReferenceKind

HEALTH_RULES = ReferenceKind(
    name=KIND,
    model=HealthRules,
    description="Free reablement weeks, when the needs assessment after it is due, and the ICBs with the "
    "postcode districts they cover.",
)

HEALTH_REFERENCE_KINDS = [HEALTH_RULES]
