"""The kinds of council reference data the ledger holds, each validated completely by its model on load."""

from ledger.domain import spending_rules
from ledger.domain.reference import CARD_FEES_KIND, POLICY_KIND, CardFeeSchedule, DirectPaymentPolicy
from pbshared.platform.refdata import ReferenceKind

LEDGER_REFERENCE_KINDS = [
    ReferenceKind(
        name=POLICY_KIND,
        model=DirectPaymentPolicy,
        description="Direct payments: payment cycle, gross or net, opening float, recovery threshold, "
        "review schedule, cash allowance, who bears card fees.",
    ),
    ReferenceKind(
        name=CARD_FEES_KIND,
        model=CardFeeSchedule,
        description="The card scheme's fees: per load, per payment, per card purchase, per cash withdrawal, monthly.",
    ),
]

# The card side's: how card spending is categorised and which categories are flagged.
CARD_REFERENCE_KINDS = [
    ReferenceKind(
        name=spending_rules.KIND,
        model=spending_rules.SpendingRules,
        description="Card spending categories by merchant code and payee, and those the council does not allow.",
    )
]
