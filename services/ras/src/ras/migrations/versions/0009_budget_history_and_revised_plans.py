"""Budget history with amounts on each decision; revised plans awaiting approval.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_DECISION_AMOUNTS = [
    sa.Column("budget_revision", sa.Integer(), nullable=True),
    sa.Column("weekly_pence", sa.BigInteger(), nullable=True),
    sa.Column("one_off_pence", sa.BigInteger(), nullable=True),
    sa.Column("annual_pence", sa.BigInteger(), nullable=True),
    sa.Column("effective_from", sa.Date(), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table("budgets") as batch:
        batch.add_column(sa.Column("proposal", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("proposal_status", sa.String(40), nullable=True))
    with op.batch_alter_table("budget_decisions") as batch:
        for column in _DECISION_AMOUNTS:
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("budget_decisions") as batch:
        for column in reversed(_DECISION_AMOUNTS):
            batch.drop_column(column.name)
    with op.batch_alter_table("budgets") as batch:
        batch.drop_column("proposal_status")
        batch.drop_column("proposal")
