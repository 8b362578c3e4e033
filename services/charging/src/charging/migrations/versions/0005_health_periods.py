"""What the NHS decided: funding decisions and reablement episodes, one row each.

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
        "health_periods",
        sa.Column("source_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sa.String(32), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True, comment="First day it no longer applies."),
        sa.Column(
            "free_until", sa.Date(), nullable=True, comment="Reablement: the last free day the health service gave."
        ),
        sa.Column("nhs_share_percent", sa.Numeric(5, 2), nullable=True),
        sa.Column("nhs_weekly_pence", sa.BigInteger(), nullable=True),
        sa.Column("budget_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_health_periods_person", "health_periods", ["council_id", "person_id"])


def downgrade() -> None:
    op.drop_index("ix_health_periods_person", table_name="health_periods")
    op.drop_table("health_periods")
