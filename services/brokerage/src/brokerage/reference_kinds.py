"""The kinds of council reference data brokerage holds, each validated completely by its model on load."""

from brokerage.domain.reference import dps_rules, localities
from pbshared.platform.refdata import ReferenceKind

DPS_RULES = ReferenceKind(
    name=dps_rules.KIND,
    model=dps_rules.DpsRules,
    description="Lots, ceilings per lot and area, bidding windows, weights, rating floor, acceptance, re-adverts.",
)
LOCALITIES = ReferenceKind(
    name=localities.KIND,
    model=localities.Localities,
    description="The council's areas, each a set of postcode districts.",
)

BROKERAGE_REFERENCE_KINDS = [DPS_RULES, LOCALITIES]
