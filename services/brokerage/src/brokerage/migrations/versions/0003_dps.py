"""Providers on the DPS, packages and their invitations, sealed bids, placements and durable timers.

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
        "packages",
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("budget_id", sa.Uuid(), nullable=True),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("units_per_week", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("carers_per_visit", sa.Integer(), nullable=False),
        sa.Column("visit_pattern", sa.Text(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("latest_start_date", sa.Date(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("ceiling_pence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ranking", sa.JSON(), nullable=True),
        sa.Column("awarded_bid_id", sa.Uuid(), nullable=True),
        sa.Column("accept_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalation_reason", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("package_id"),
        sa.UniqueConstraint("budget_id", "lot", name="uq_packages_budget_lot"),
    )
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_packages_council_id"), ["council_id"], unique=False)

    op.create_table(
        "providers",
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("cqc_location_id", sa.String(length=20), nullable=True),
        sa.Column("rating", sa.String(length=32), nullable=False),
        sa.Column("capacity_hours_per_week", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("committed_hours_per_week", sa.Numeric(precision=9, scale=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("applied_for", sa.JSON(), nullable=False),
        sa.Column("admitted_to", sa.JSON(), nullable=False),
        sa.Column("refusals", sa.JSON(), nullable=False),
        sa.Column("accepted_packages", sa.Integer(), nullable=False),
        sa.Column("handed_back_packages", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("council_id", "provider_id"),
    )
    op.create_table(
        "timers",
        sa.Column("timer_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("timer_id"),
        sa.UniqueConstraint("kind", "package_id", "key", name="uq_timers_once"),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index("ix_timers_due", ["fired_at", "due_at"], unique=False)

    op.create_table(
        "bids",
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("rate_pence", sa.Integer(), nullable=False),
        sa.Column("earliest_start", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.package_id"],
        ),
        sa.PrimaryKeyConstraint("bid_id"),
        sa.UniqueConstraint("package_id", "round", "provider_id", name="uq_bids_one_per_provider_per_round"),
    )
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.create_index("ix_bids_provider", ["council_id", "provider_id"], unique=False)

    op.create_table(
        "invitations",
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.package_id"],
        ),
        sa.PrimaryKeyConstraint("package_id", "round", "provider_id"),
    )
    op.create_table(
        "placements",
        sa.Column("placement_id", sa.Uuid(), nullable=False),
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("cqc_location_id", sa.String(length=20), nullable=True),
        sa.Column("rate_pence", sa.Integer(), nullable=False),
        sa.Column("units_per_week", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.package_id"],
        ),
        sa.PrimaryKeyConstraint("placement_id"),
        sa.UniqueConstraint("package_id"),
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placements_council_id"), ["council_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placements_council_id"))

    op.drop_table("placements")
    op.drop_table("invitations")
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.drop_index("ix_bids_provider")

    op.drop_table("bids")
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index("ix_timers_due")

    op.drop_table("timers")
    op.drop_table("providers")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_packages_council_id"))

    op.drop_table("packages")
