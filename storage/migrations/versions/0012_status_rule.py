"""Status rule: commitments' criteria, when a status change was recorded, the evidence each digest carried.

`status_changes.changed_at` now means the date the status holds from (the evidence's
publication); `recorded_at` keeps when it was written down, backfilled from `changed_at`.

Revision ID: 0012_status_rule
Revises: 0011_crawl_health
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_status_rule"
down_revision = "0011_crawl_health"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "commitments", sa.Column("criteria", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )
    # A constant default lets SQLite add a NOT NULL column without rebuilding the table (and its CHECKs).
    epoch = sa.text("'1970-01-01 00:00:00+00:00'")
    recorded = sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=epoch)
    op.add_column("status_changes", recorded)
    op.execute("UPDATE status_changes SET recorded_at = changed_at")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("status_changes", "recorded_at", server_default=None)
    op.create_index(op.f("ix_status_changes_recorded_at"), "status_changes", ["recorded_at"])
    op.create_table(
        "digest_evidence",
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
            name=op.f("fk_digest_evidence_evidence_id_evidence"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["digests.id"],
            name=op.f("fk_digest_evidence_digest_id_digests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("evidence_id", name=op.f("pk_digest_evidence")),
    )
    op.create_index(op.f("ix_digest_evidence_digest_id"), "digest_evidence", ["digest_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_digest_evidence_digest_id"), table_name="digest_evidence")
    op.drop_table("digest_evidence")
    op.drop_index(op.f("ix_status_changes_recorded_at"), table_name="status_changes")
    op.drop_column("status_changes", "recorded_at")
    op.drop_column("commitments", "criteria")
