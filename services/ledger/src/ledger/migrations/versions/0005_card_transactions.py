"""The card side of the ledger: card transactions from statements and the webhook, staged
statement lines, webhook nonces, reconciliations, recoveries and audits.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_transactions",
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column(
            "transaction_id", sa.String(64), nullable=False, comment="The provider's id: what makes imports idempotent."
        ),
        sa.Column("card_account", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column(
            "amount_pence", sa.BigInteger(), nullable=False, comment="Signed as the provider signs it: + into the card."
        ),
        sa.Column("merchant_name", sa.String(200), nullable=True),
        sa.Column("merchant_category_code", sa.Integer(), nullable=True),
        sa.Column(
            "balance_pence", sa.BigInteger(), nullable=False, comment="The balance the provider reported after it."
        ),
        sa.Column("category", sa.String(64), nullable=True, comment="Spending category by the council's rules."),
        sa.Column(
            "flag",
            sa.String(32),
            nullable=True,
            comment="Why finance should follow it up (ledger.domain.spending_rules).",
        ),
        sa.Column(
            "card_effect_pence", sa.BigInteger(), nullable=False, comment="What the ledger posted to the card account."
        ),
        sa.Column(
            "overspend_pence", sa.BigInteger(), nullable=False, comment="Spent beyond the card's ledger balance."
        ),
        sa.Column("source", sa.String(16), nullable=False, comment="file or webhook"),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("council_id", "transaction_id", name="pk_card_transactions"),
    )
    op.create_index("ix_card_transactions_account", "card_transactions", ["council_id", "card_account", "occurred_at"])
    op.create_table(
        "card_statement_lines",
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(64), nullable=False),
        sa.Column("card_account", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("merchant_name", sa.String(200), nullable=True),
        sa.Column("merchant_category_code", sa.Integer(), nullable=True),
        sa.Column("balance_pence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("import_id", "line", name="pk_card_statement_lines"),
    )
    op.create_table(
        "card_webhook_nonces",
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("council_id", "nonce", name="pk_card_webhook_nonces"),
    )
    op.create_table(
        "reconciliations",
        sa.Column("reconciliation_id", sa.Uuid(), nullable=False, comment="One run over many accounts."),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("card_account", sa.String(64), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("ledger_opening_pence", sa.BigInteger(), nullable=False),
        sa.Column("ledger_closing_pence", sa.BigInteger(), nullable=False),
        sa.Column("provider_opening_pence", sa.BigInteger(), nullable=False),
        sa.Column("provider_closing_pence", sa.BigInteger(), nullable=False),
        sa.Column("difference_pence", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False, comment="Each difference and the transaction that explains it."),
        sa.Column("reconciled_by", sa.String(200), nullable=False),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reconciliation_id", "card_account", name="pk_reconciliations"),
    )
    op.create_index("ix_reconciliations_account", "reconciliations", ["council_id", "card_account", "period_to"])
    op.create_table(
        "recoveries",
        sa.Column("recovery_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("card_account", sa.String(64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False, comment="The day the surplus was measured."),
        sa.Column("balance_pence", sa.BigInteger(), nullable=False),
        sa.Column(
            "threshold_pence", sa.BigInteger(), nullable=False, comment="Weeks of net payments the person keeps."
        ),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="proposed, approved or rejected"),
        sa.Column("reason", sa.String(500), nullable=True, comment="Why it was rejected."),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("council_id", "card_account", "as_of", name="uq_recoveries_account_day"),
    )
    op.create_table(
        "card_audits",
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("card_account", sa.String(64), nullable=False),
        sa.Column("audited_on", sa.Date(), nullable=False),
        sa.Column("audited_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("council_id", "card_account", "audited_on", name="pk_card_audits"),
    )


def downgrade() -> None:
    op.drop_table("card_audits")
    op.drop_table("recoveries")
    op.drop_index("ix_reconciliations_account", table_name="reconciliations")
    op.drop_table("reconciliations")
    op.drop_table("card_webhook_nonces")
    op.drop_table("card_statement_lines")
    op.drop_index("ix_card_transactions_account", table_name="card_transactions")
    op.drop_table("card_transactions")
