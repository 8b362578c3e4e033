"""The kinds of council reference data RAS holds, each validated completely by its model on load."""

from pbshared.platform.refdata.kinds import ReferenceKind
from ras.domain.reference.budget_rules import BudgetRules
from ras.domain.reference.client_level_data import ClientLevelDataCodes
from ras.domain.reference.ras_model import RasModel
from ras.domain.reference.rate_card import RateCard

RAS_MODEL = ReferenceKind(
    name="ras_model",
    model=RasModel,
    description="The RAS questionnaire (domains, questions, options and points), carer reduction, points to money.",
)
RATE_CARD = ReferenceKind(
    name="rate_card",
    model=RateCard,
    description="Commissioned and direct payment rates per unit, by service type.",
)
BUDGET_RULES = ReferenceKind(
    name="budget_rules",
    model=BudgetRules,
    description="Tolerance, panel threshold, approval limits, reviews, contingency, protection, envelope.",
)

CLIENT_LEVEL_DATA_CODES = ReferenceKind(
    name="client_level_data_codes",
    model=ClientLevelDataCodes,
    description="The Client Level Data codes requests, assessments and reviews are recorded with.",
)

RAS_REFERENCE_KINDS = [RAS_MODEL, RATE_CARD, BUDGET_RULES, CLIENT_LEVEL_DATA_CODES]
