"""Support plans, the personal budgets they become, and every decision on them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("budget_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("route", sa.String(40), nullable=False),
        sa.Column("client_group", sa.String(40), nullable=False),
        sa.Column("funder", sa.String(40), nullable=False),
        sa.Column("weekly_pence", sa.BigInteger(), nullable=False),
        sa.Column("one_off_pence", sa.BigInteger(), nullable=False),
        sa.Column("annual_pence", sa.BigInteger(), nullable=False),
        sa.Column("indicative_weekly_pence", sa.BigInteger(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("justification", sa.String(4000), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("next_review_date", sa.Date(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("budget_revision", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_budgets_person", "budgets", ["council_id", "person_id"])
    op.create_table(
        "budget_decisions",
        sa.Column("decision_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("budget_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.String(40), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
    )
    op.create_index("ix_budget_decisions_person", "budget_decisions", ["council_id", "person_id", "decided_at"])


def downgrade() -> None:
    op.drop_index("ix_budget_decisions_person", table_name="budget_decisions")
    op.drop_table("budget_decisions")
    op.drop_index("ix_budgets_person", table_name="budgets")
    op.drop_table("budgets")
