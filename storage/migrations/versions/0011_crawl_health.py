"""Crawl health: runs keep their health word and reasons, refused and outside-pattern counts; refusals.

Revision ID: 0011_crawl_health
Revises: 0010_events
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_crawl_health"
down_revision = "0010_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("crawl_runs", sa.Column("refused", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "crawl_runs", sa.Column("outside_patterns", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("crawl_runs", sa.Column("health", sa.String(length=16), nullable=True))
    op.add_column(
        "crawl_runs", sa.Column("health_reasons", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
    )
    op.create_table(
        "page_refusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_page_refusals_source_id_sources")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_page_refusals_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_sha256"],
            ["snapshots.sha256"],
            name=op.f("fk_page_refusals_snapshot_sha256_snapshots"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_refusals")),
    )
    op.create_index(op.f("ix_page_refusals_source_id"), "page_refusals", ["source_id"])
    op.create_index(op.f("ix_page_refusals_run_id"), "page_refusals", ["run_id"])
    op.create_index(op.f("ix_page_refusals_url"), "page_refusals", ["url"])
    op.create_index(op.f("ix_page_refusals_refused_at"), "page_refusals", ["refused_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_page_refusals_refused_at"), table_name="page_refusals")
    op.drop_index(op.f("ix_page_refusals_url"), table_name="page_refusals")
    op.drop_index(op.f("ix_page_refusals_run_id"), table_name="page_refusals")
    op.drop_index(op.f("ix_page_refusals_source_id"), table_name="page_refusals")
    op.drop_table("page_refusals")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("health_reasons")
        batch.drop_column("health")
        batch.drop_column("outside_patterns")
        batch.drop_column("refused")
