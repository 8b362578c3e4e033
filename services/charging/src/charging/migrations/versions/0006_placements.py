"""Care brokerage placed: each placement as it is from each effective date, for the cost of care.

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
        "placements",
        sa.Column("placement_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("lot", sa.String(64), nullable=False),
        sa.Column("weekly_cost_pence", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), primary_key=True),
        sa.Column("ends_on", sa.Date(), nullable=True, comment="First day nothing is delivered."),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_placements_person", "placements", ["council_id", "person_id"])


def downgrade() -> None:
    op.drop_index("ix_placements_person", table_name="placements")
    op.drop_table("placements")
