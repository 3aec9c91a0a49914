"""Search: a stored tsvector with its GIN index on PostgreSQL (title weighted above body).

The expression index of 0001 made PostgreSQL recompute `to_tsvector` for every row it
tested or ranked (~0.13 ms a publication); the stored column is computed once, when a
publication is written. SQLite keeps its FTS5 table (ranking and snippets read it).

Revision ID: 0013_search_index
Revises: 0011_crawl_health
"""

from __future__ import annotations

from alembic import op

revision = "0013_search_index"
down_revision = "0012_status_rule"
branch_labels = None
depends_on = None

UPGRADE = [
    "ALTER TABLE publications ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('french', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('french', coalesce(body, '')), 'B')) STORED",
    "CREATE INDEX ix_publications_search_vector ON publications USING gin (search_vector)",
    "DROP INDEX IF EXISTS ix_publications_fts",
]
DOWNGRADE = [
    "CREATE INDEX ix_publications_fts ON publications USING gin "
    "(to_tsvector('french', coalesce(title, '') || ' ' || coalesce(body, '')))",
    "DROP INDEX IF EXISTS ix_publications_search_vector",
    "ALTER TABLE publications DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
