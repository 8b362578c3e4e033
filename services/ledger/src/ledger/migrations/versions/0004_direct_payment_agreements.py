"""Direct payment agreements: their effective-dated series, the person's contributions and NHS funding
decisions, and what each payment run paid (items per cycle, and the payment file's lines).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dp_agreements",
        sa.Column("agreement_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("budget_id", sa.Uuid(), nullable=False),
        sa.Column("budget_revision", sa.Integer(), nullable=False, comment="The highest budget revision applied."),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
        sa.Column("first_payment_date", sa.Date(), nullable=False),
        sa.Column("cycle_weeks", sa.Integer(), nullable=False),
        sa.Column("contribution_paid_in", sa.Boolean(), nullable=False),
        sa.Column("set_up_costs_pence", sa.BigInteger(), nullable=False),
        sa.Column("opening_float_pence", sa.BigInteger(), nullable=False),
        sa.Column("card_account_ref", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("council_id", "budget_id", name="uq_dp_agreements_budget"),
    )
    op.create_index("ix_dp_agreements_person", "dp_agreements", ["council_id", "person_id"])
    op.create_table(
        "dp_series",
        sa.Column("row_id", sa.Uuid(), primary_key=True),
        sa.Column("agreement_id", sa.Uuid(), sa.ForeignKey("dp_agreements.agreement_id"), nullable=False),
        sa.Column("series", sa.String(16), nullable=False, comment="gross (pence a week) or suspended (1 or 0)."),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column(
            "sequence", sa.Integer(), nullable=False, comment="The agreement revision that wrote it: later wins."
        ),
    )
    op.create_index("ix_dp_series_agreement", "dp_series", ["agreement_id"])
    op.create_table(
        "dp_contributions",
        sa.Column("row_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("weekly_pence", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dp_contributions_person", "dp_contributions", ["council_id", "person_id"])
    op.create_table(
        "dp_funding",
        sa.Column("row_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sa.String(32), nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("nhs_share_percent", sa.Numeric(5, 2), nullable=True),
        sa.Column("nhs_weekly_pence", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dp_funding_person", "dp_funding", ["council_id", "person_id"])
    op.create_table(
        "dp_payment_items",
        sa.Column("item_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), sa.ForeignKey("dp_agreements.agreement_id"), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("cycle_start", sa.Date(), nullable=False),
        sa.Column("funder", sa.String(16), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.UniqueConstraint("agreement_id", "run_date", "cycle_start", "funder", name="uq_dp_payment_items"),
    )
    op.create_table(
        "dp_payments",
        sa.Column("payment_id", sa.Uuid(), primary_key=True, comment="The ledger transfer's id."),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), sa.ForeignKey("dp_agreements.agreement_id"), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("card_account_ref", sa.String(64), nullable=False),
        sa.Column("funder", sa.String(16), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.UniqueConstraint("agreement_id", "run_date", "funder", name="uq_dp_payments"),
    )
    op.create_index("ix_dp_payments_run", "dp_payments", ["council_id", "run_id"])


def downgrade() -> None:
    op.drop_index("ix_dp_payments_run", table_name="dp_payments")
    op.drop_table("dp_payments")
    op.drop_table("dp_payment_items")
    op.drop_index("ix_dp_funding_person", table_name="dp_funding")
    op.drop_table("dp_funding")
    op.drop_index("ix_dp_contributions_person", table_name="dp_contributions")
    op.drop_table("dp_contributions")
    op.drop_index("ix_dp_series_agreement", table_name="dp_series")
    op.drop_table("dp_series")
    op.drop_index("ix_dp_agreements_person", table_name="dp_agreements")
    op.drop_table("dp_agreements")
