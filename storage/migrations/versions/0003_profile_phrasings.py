"""Commitments keep the press's phrasings of them, a weaker kind of name for the matcher.

Revision ID: 0003_profile_phrasings
Revises: 0002_date_precision
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_profile_phrasings"
down_revision = "0002_date_precision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server default fills existing rows; no batch rebuild on SQLite (dropping the table there
    # would cascade to evidence). `baseline load` writes the real values.
    op.add_column("commitments", sa.Column("phrasings", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    op.drop_column("commitments", "phrasings")
