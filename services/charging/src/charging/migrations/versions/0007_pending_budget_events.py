"""Budget events that came before the person's first financial assessment, kept until it is recorded.

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
        "pending_budget_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="costed (agreed or revised) or ended"),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pending_budget_events_person", "pending_budget_events", ["council_id", "person_id"])


def downgrade() -> None:
    op.drop_index("ix_pending_budget_events_person", table_name="pending_budget_events")
    op.drop_table("pending_budget_events")
