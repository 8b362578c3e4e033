"""An index of the webhook's used nonces by when each was received: every webhook call prunes a few of
its council's oldest, and without it each prune read every nonce the council had kept.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_card_webhook_nonces_received", "card_webhook_nonces", ["council_id", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_card_webhook_nonces_received", table_name="card_webhook_nonces")
