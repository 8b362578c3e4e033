"""Scored assessments.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("assessment_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_date", sa.Date(), nullable=False),
        sa.Column("ras_model_version", sa.Integer(), nullable=False),
        sa.Column("client_group", sa.String(40), nullable=False),
        sa.Column("assessment_type", sa.String(40), nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(60), nullable=False),
        sa.Column("eligible_needs", sa.Boolean(), nullable=False),
        sa.Column("outcomes_not_achieved", sa.JSON(), nullable=False),
        sa.Column("primary_support_reason", sa.String(60), nullable=False),
        sa.Column("accommodation_status", sa.String(60), nullable=False),
        sa.Column("has_unpaid_carer", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("carer_support", sa.JSON(), nullable=False),
        sa.Column("score", sa.JSON(), nullable=False),
        sa.Column("total_points", sa.Integer(), nullable=False),
        sa.Column("indicative_annual_pence", sa.BigInteger(), nullable=False),
        sa.Column("indicative_weekly_pence", sa.BigInteger(), nullable=False),
        sa.Column("assessed_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_assessments_person", "assessments", ["council_id", "person_id", "assessment_date"])


def downgrade() -> None:
    op.drop_index("ix_assessments_person", table_name="assessments")
    op.drop_table("assessments")
