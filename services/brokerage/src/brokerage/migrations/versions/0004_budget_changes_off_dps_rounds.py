"""Budget revisions on packages, reasons on bids, off-DPS placements, each round's outcome, and the
due-timer index in the order timers are claimed.

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
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_revision", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("needs_from_round", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.String(length=32), nullable=True))
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.alter_column("needs_from_round", server_default=None)
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("off_dps_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index("ix_timers_due")
        batch_op.create_index("ix_timers_due", ["fired_at", "due_at", "timer_id"], unique=False)
    op.create_table(
        "package_rounds",
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("advertised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bids_received", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["package_id"], ["packages.package_id"]),
        sa.PrimaryKeyConstraint("package_id", "round"),
    )
    with op.batch_alter_table("package_rounds", schema=None) as batch_op:
        batch_op.create_index("ix_package_rounds_council", ["council_id", "advertised_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("package_rounds", schema=None) as batch_op:
        batch_op.drop_index("ix_package_rounds_council")
    op.drop_table("package_rounds")
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index("ix_timers_due")
        batch_op.create_index("ix_timers_due", ["fired_at", "due_at"], unique=False)
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_column("off_dps_reason")
        batch_op.drop_column("provider_name")
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.drop_column("status_reason")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("awarded_at")
        batch_op.drop_column("needs_from_round")
        batch_op.drop_column("budget_revision")
