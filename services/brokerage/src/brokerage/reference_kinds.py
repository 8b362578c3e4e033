"""The kinds of council reference data brokerage holds, each validated completely by its model on load."""

from brokerage.domain.reference.dps_rules import DpsRules
from brokerage.domain.reference.localities import Localities
from pbshared.platform.refdata import ReferenceKind

DPS_RULES = ReferenceKind(
    name="dps_rules",
    model=DpsRules,
    description="Lots, ceilings per lot and area, bidding windows, weights, rating floor, acceptance, re-adverts.",
)
LOCALITIES = ReferenceKind(
    name="localities",
    model=Localities,
    description="The council's areas, each a set of postcode districts.",
)

BROKERAGE_REFERENCE_KINDS = [DPS_RULES, LOCALITIES]
