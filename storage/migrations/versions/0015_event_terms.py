"""Events: each member keeps the terms grouping weighs, so a regroup reads only a window.

Revision ID: 0015_event_terms
Revises: 0014_evidence_page_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_event_terms"
down_revision = "0014_evidence_page_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("event_members", sa.Column("terms", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event_members") as batch:
        batch.drop_column("terms")
