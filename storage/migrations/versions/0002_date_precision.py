"""Publications keep how precisely they are dated (time, day, month, year).

Existing rows are backfilled: a date at Paris midnight was a day, anything else a time.

Revision ID: 0002_date_precision
Revises: 0001_initial
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0002_date_precision"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

PARIS = ZoneInfo("Europe/Paris")


def _precision(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return "day" if value.astimezone(PARIS).time() == time(0, 0) else "time"


CHECK = "date_precision IN ('time', 'day', 'month', 'year')"


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("publications", sa.Column("date_precision", sa.String(length=8), nullable=True))
    # No CHECK on SQLite: batch mode would rebuild the table and drop its full-text triggers, and
    # SQLite cannot drop a column that a CHECK names. The storage layer validates the value.
    if bind.dialect.name != "sqlite":
        op.create_check_constraint(op.f("ck_publications_date_precision"), "publications", CHECK)
    rows = bind.execute(sa.text("SELECT id, published_at FROM publications WHERE published_at IS NOT NULL"))
    updates = [{"id": row[0], "p": _precision(row[1])} for row in rows]
    if updates:
        bind.execute(sa.text("UPDATE publications SET date_precision = :p WHERE id = :id"), updates)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_publications_date_precision"), "publications", type_="check")
    op.drop_column("publications", "date_precision")
