"""Financial assessments: inputs, whole result and effective date, one row per assessment.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "financial_assessments",
        sa.Column("assessment_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("budget_id", sa.Uuid(), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column(
            "assessed_on",
            sa.Date(),
            nullable=False,
            comment="Day of the last full assessment (kept by recalculations).",
        ),
        sa.Column("weekly_charge_pence", sa.BigInteger(), nullable=False),
        sa.Column("circumstances", sa.JSON(), nullable=False, comment="What the assessment was told, as submitted."),
        sa.Column("result", sa.JSON(), nullable=False, comment="Every step of the calculation and the figures used."),
        sa.Column("ended_on", sa.Date(), nullable=True, comment="Last day charged, when the care ended."),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_financial_assessments_person", "financial_assessments", ["council_id", "person_id", "effective_date"]
    )


def downgrade() -> None:
    op.drop_index("ix_financial_assessments_person", table_name="financial_assessments")
    op.drop_table("financial_assessments")
