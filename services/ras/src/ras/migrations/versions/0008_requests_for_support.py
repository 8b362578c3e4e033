"""Requests for support.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("request_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("client_status", sa.String(20), nullable=False),
        sa.Column("route_of_access", sa.String(40), nullable=False),
        sa.Column("request_date", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(60), nullable=False),
        sa.Column("no_further_action_reason", sa.String(60), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_requests_person", "requests", ["council_id", "person_id", "request_date"])


def downgrade() -> None:
    op.drop_index("ix_requests_person", table_name="requests")
    op.drop_table("requests")
