"""Cohorts of past assessments, for calibrating the RAS.

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
        "cohorts",
        sa.Column("cohort_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_cohorts_council_id", "cohorts", ["council_id"])
    op.create_table(
        "cohort_rows",
        sa.Column("cohort_id", sa.Uuid(), sa.ForeignKey("cohorts.cohort_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("line", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("client_group", sa.String(40), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("actual_weekly_pence", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cohort_rows")
    op.drop_index("ix_cohorts_council_id", table_name="cohorts")
    op.drop_table("cohorts")
