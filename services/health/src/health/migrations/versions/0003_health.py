"""Patients referred by the NHS, reablement episodes, NHS funding decisions and the budgets read model.

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
        "budgets",
        sa.Column("budget_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("budget_revision", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("budget_id"),
    )
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.create_index("ix_budgets_person", ["council_id", "person_id"], unique=False)

    op.create_table(
        "funding_decisions",
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("nhs_share_percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("nhs_weekly_pence", sa.Integer(), nullable=True),
        sa.Column("budget_id", sa.Uuid(), nullable=True),
        sa.Column("icb_code", sa.String(length=16), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("decision_id"),
    )
    with op.batch_alter_table("funding_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_funding_decisions_person", ["council_id", "person_id"], unique=False)

    op.create_table(
        "patients",
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("nhs_number", sa.String(length=10), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("first_referral_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("council_id", "nhs_number"),
    )
    op.create_table(
        "reablement_episodes",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("council_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("discharge_id", sa.String(length=128), nullable=False),
        sa.Column("discharge_date", sa.Date(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("free_until", sa.Date(), nullable=False),
        sa.Column("assessment_due_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("episode_id"),
        sa.UniqueConstraint("council_id", "discharge_id", name="uq_reablement_episodes_discharge"),
    )
    with op.batch_alter_table("reablement_episodes", schema=None) as batch_op:
        batch_op.create_index("ix_reablement_episodes_open", ["end_date", "free_until"], unique=False)
        batch_op.create_index("ix_reablement_episodes_person", ["council_id", "person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reablement_episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_reablement_episodes_person")
        batch_op.drop_index("ix_reablement_episodes_open")

    op.drop_table("reablement_episodes")
    op.drop_table("patients")
    with op.batch_alter_table("funding_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_funding_decisions_person")

    op.drop_table("funding_decisions")
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.drop_index("ix_budgets_person")

    op.drop_table("budgets")
