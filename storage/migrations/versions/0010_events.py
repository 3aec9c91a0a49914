"""Events: publications that report the same happening, grouped.

Revision ID: 0010_events
Revises: 0009_delivery_faults
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_events"
down_revision = "0009_delivery_faults"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("first_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_first_published_at"), "events", ["first_published_at"])
    op.create_table(
        "event_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_members_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_event_members_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_members")),
        sa.UniqueConstraint("publication_id", name=op.f("uq_event_members_publication_id")),
    )
    op.create_index(op.f("ix_event_members_event_id"), "event_members", ["event_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_event_members_event_id"), table_name="event_members")
    op.drop_table("event_members")
    op.drop_index(op.f("ix_events_first_published_at"), table_name="events")
    op.drop_table("events")
