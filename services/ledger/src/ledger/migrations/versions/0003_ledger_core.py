"""The double-entry core: accounts with running counters, immutable transfers; and the jobs table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import MetaData

from pbshared.platform.jobs import jobs_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("account_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(200), nullable=False, comment="kind or kind:reference, unique within a council."),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "never_below_zero",
            sa.Boolean(),
            nullable=False,
            comment="Debits never exceed credits (card accounts).",
        ),
        sa.Column("debits_posted", sa.BigInteger(), nullable=False),
        sa.Column("credits_posted", sa.BigInteger(), nullable=False),
        sa.Column("debits_pending", sa.BigInteger(), nullable=False),
        sa.Column("credits_pending", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("council_id", "code", name="uq_ledger_accounts_council_code"),
        sa.CheckConstraint(
            "NOT never_below_zero OR credits_posted >= debits_posted + debits_pending",
            name="ck_ledger_accounts_never_below_zero",
        ),
    )
    op.create_table(
        "ledger_transfers",
        sa.Column("transfer_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("debit_account_id", sa.Uuid(), sa.ForeignKey("ledger_accounts.account_id"), nullable=False),
        sa.Column("credit_account_id", sa.Uuid(), sa.ForeignKey("ledger_accounts.account_id"), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False, comment="The day the money moves, for balances at a date."),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("pending_id", sa.Uuid(), sa.ForeignKey("ledger_transfers.transfer_id"), nullable=True),
        sa.Column("reverses_id", sa.Uuid(), sa.ForeignKey("ledger_transfers.transfer_id"), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("council_id", "idempotency_key", name="uq_ledger_transfers_council_key"),
        sa.UniqueConstraint("pending_id", name="uq_ledger_transfers_pending"),
        sa.UniqueConstraint("reverses_id", name="uq_ledger_transfers_reverses"),
        sa.CheckConstraint("amount_pence > 0", name="ck_ledger_transfers_amount_positive"),
        sa.CheckConstraint("debit_account_id <> credit_account_id", name="ck_ledger_transfers_two_accounts"),
    )
    op.create_index("ix_ledger_transfers_debit", "ledger_transfers", ["debit_account_id", "value_date"])
    op.create_index("ix_ledger_transfers_credit", "ledger_transfers", ["credit_account_id", "value_date"])
    op.create_index("ix_ledger_transfers_reference", "ledger_transfers", ["council_id", "reference"])
    # The table as pbshared.platform.jobs defines it in its first version.
    jobs_table(MetaData()).create(op.get_bind())


def downgrade() -> None:
    op.drop_table("jobs")
    op.drop_index("ix_ledger_transfers_reference", table_name="ledger_transfers")
    op.drop_index("ix_ledger_transfers_credit", table_name="ledger_transfers")
    op.drop_index("ix_ledger_transfers_debit", table_name="ledger_transfers")
    op.drop_table("ledger_transfers")
    op.drop_table("ledger_accounts")
