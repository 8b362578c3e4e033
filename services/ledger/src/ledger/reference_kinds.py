"""The kinds of council reference data the ledger's card side holds, each validated completely on load."""

from ledger.domain import monitoring, spending_rules
from pbshared.platform.refdata import ReferenceKind

CARD_SPENDING_RULES = ReferenceKind(
    name=spending_rules.KIND,
    model=spending_rules.SpendingRules,
    description="Card spending categories by merchant code and payee, those not allowed, and the cash allowance.",
)

DIRECT_PAYMENT_MONITORING = ReferenceKind(
    name=monitoring.KIND,
    model=monitoring.MonitoringPolicy,
    description="Surplus recovery threshold in weeks of net payments, and the audit schedule of card accounts.",
)

CARD_REFERENCE_KINDS = [CARD_SPENDING_RULES, DIRECT_PAYMENT_MONITORING]
