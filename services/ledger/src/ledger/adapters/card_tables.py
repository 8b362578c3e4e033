"""The card side of the ledger: what the card provider told us, and what finance decided about it.

The money itself is in the ledger's transfers; these tables keep the statement (merchant, category,
the balance the provider reported) that reconciliation, flags and reports need beside it.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from ledger.adapters.tables import metadata

card_transactions = Table(
    "card_transactions",
    metadata,
    Column("council_id", String(64), nullable=False),
    Column("transaction_id", String(64), nullable=False, comment="The provider's id: what makes imports idempotent."),
    Column("card_account", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("type", String(24), nullable=False),
    Column("amount_pence", BigInteger, nullable=False, comment="Signed as the provider signs it: + into the card."),
    Column("merchant_name", String(200), nullable=True),
    Column("merchant_category_code", Integer, nullable=True),
    Column("balance_pence", BigInteger, nullable=False, comment="The balance the provider reported after it."),
    Column("category", String(64), nullable=True, comment="Spending category by the council's rules."),
    Column(
        "flag", String(32), nullable=True, comment="Why finance should follow it up (ledger.domain.spending_rules)."
    ),
    Column("card_effect_pence", BigInteger, nullable=False, comment="What the ledger posted to the card account."),
    Column("overspend_pence", BigInteger, nullable=False, comment="Spent beyond the card's ledger balance."),
    Column("source", String(16), nullable=False, comment="file or webhook"),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("council_id", "transaction_id", name="pk_card_transactions"),
    Index("ix_card_transactions_account", "council_id", "card_account", "occurred_at"),
)

# A statement file's checked lines while its import job posts them: a job killed half way carries
# on from here, so an upload is never needed twice. Emptied when the job finishes.
card_statement_lines = Table(
    "card_statement_lines",
    metadata,
    Column("import_id", Uuid, nullable=False),
    Column("line", Integer, nullable=False),
    Column("transaction_id", String(64), nullable=False),
    Column("card_account", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("type", String(24), nullable=False),
    Column("amount_pence", BigInteger, nullable=False),
    Column("merchant_name", String(200), nullable=True),
    Column("merchant_category_code", Integer, nullable=True),
    Column("balance_pence", BigInteger, nullable=False),
    PrimaryKeyConstraint("import_id", "line", name="pk_card_statement_lines"),
)

# Each webhook call's nonce, so a call replayed inside the signature window is refused.
card_webhook_nonces = Table(
    "card_webhook_nonces",
    metadata,
    Column("council_id", String(64), nullable=False),
    Column("nonce", String(128), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("council_id", "nonce", name="pk_card_webhook_nonces"),
    # Each webhook call prunes a few of its council's oldest (ledger.adapters.webhook_nonces).
    Index("ix_card_webhook_nonces_received", "council_id", "received_at"),
)

reconciliations = Table(
    "reconciliations",
    metadata,
    Column("reconciliation_id", Uuid, nullable=False, comment="One run over many accounts."),
    Column("council_id", String(64), nullable=False),
    Column("card_account", String(64), nullable=False),
    Column("period_from", Date, nullable=False),
    Column("period_to", Date, nullable=False),
    Column("ledger_opening_pence", BigInteger, nullable=False),
    Column("ledger_closing_pence", BigInteger, nullable=False),
    Column("provider_opening_pence", BigInteger, nullable=False),
    Column("provider_closing_pence", BigInteger, nullable=False),
    Column("difference_pence", BigInteger, nullable=False),
    Column("lines", JSON, nullable=False, comment="Each difference and the transaction that explains it."),
    Column("reconciled_by", String(200), nullable=False),
    Column("reconciled_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("reconciliation_id", "card_account", name="pk_reconciliations"),
    Index("ix_reconciliations_account", "council_id", "card_account", "period_to"),
)

recoveries = Table(
    "recoveries",
    metadata,
    Column("recovery_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("card_account", String(64), nullable=False),
    Column("as_of", Date, nullable=False, comment="The day the surplus was measured."),
    Column("balance_pence", BigInteger, nullable=False),
    Column("threshold_pence", BigInteger, nullable=False, comment="Weeks of net payments the person keeps."),
    Column("amount_pence", BigInteger, nullable=False),
    Column("status", String(16), nullable=False, comment="proposed, approved or rejected"),
    Column("reason", String(500), nullable=True, comment="Why it was rejected."),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("revision", Integer, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("council_id", "card_account", "as_of", name="uq_recoveries_account_day"),
)

card_audits = Table(
    "card_audits",
    metadata,
    Column("council_id", String(64), nullable=False),
    Column("card_account", String(64), nullable=False),
    Column("audited_on", Date, nullable=False),
    Column("audited_by", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("council_id", "card_account", "audited_on", name="pk_card_audits"),
)
