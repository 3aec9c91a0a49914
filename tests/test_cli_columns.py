"""`commitments list` and `sources list` in an 80-column terminal: nothing wider, no word cut."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from storage.db import session_scope
from storage.models import Commitment, CrawlRun, Source
from storage.status import set_status

REASON = (
    "the listing page https://cyber.gouv.fr/actualites answered 503 Service Unavailable three times; "
    "its articles may be missing until the next crawl"
)


def seed(db_url: str) -> None:
    with session_scope(db_url) as session:
        by_slug = {c.slug: c for c in session.scalars(select(Commitment))}
        set_status(session, by_slug["roost"], "partially_achieved", changed_by="reviewer")
        anssi = session.scalars(select(Source).where(Source.slug == "anssi")).one()
        at = datetime(2026, 3, 5, 10, 12, tzinfo=UTC)
        session.add(
            CrawlRun(
                source_id=anssi.id,
                started_at=at,
                finished_at=at,
                status="partial",
                new=3,
                errors=12,
                health="degraded",
                health_reasons=[REASON, "a second reason"],
            )
        )


def narrow(cli: Callable[..., Any], *args: str) -> list[str]:
    result = cli(*args, extra_env={"COLUMNS": "80"})
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    too_wide = [line for line in lines if len(line) > 80]
    assert not too_wide, too_wide
    return lines


def test_commitments_list_fits_80_columns_without_cutting_words(db: str, cli: Callable[..., Any]) -> None:
    seed(db)
    lines = narrow(cli, "commitments", "list")
    text = "\n".join(lines)
    slugs = [c.split(" ")[0] for c in lines if re.match(r"^[a-z0-9-]+\s{2,}", c)]
    assert slugs[0] == "slug" and "paris-statement-inclusive-sustainable-ai" in slugs
    assert len(slugs) == 30  # the heading and 29 slugs, each whole on one line
    assert re.search(r"^roost\s+partially_achieved", text, re.M)
    assert re.search(r"^inesia\s+not_rated\s+2026-12-31", text, re.M)
    assert "left out to fit 80 columns" in text and "commitments show SLUG" in text

    wide = cli("commitments", "list", extra_env={"COLUMNS": "160"}).stdout
    assert "Creation of INESIA," in wide and "theme" in wide  # room: the title and the rest too
    assert "left out" not in wide


def test_sources_list_fits_80_columns_and_cuts_a_reason_at_a_word(db: str, cli: Callable[..., Any]) -> None:
    seed(db)
    lines = narrow(cli, "sources", "list")
    row = next(line for line in lines if line.startswith("anssi"))
    assert re.match(r"anssi\s+degraded\s+\d+\s+2026-03-05 10:12\s+3\s+12$", row)
    reason = next(line for line in lines if line.startswith("anssi degraded: "))
    shown = reason.removeprefix("anssi degraded: ").removesuffix(" (+1 more)")
    assert shown.endswith(" …")
    words = shown.removesuffix(" …").split(" ")
    assert words == REASON.split(" ")[: len(words)]  # every word whole
    assert "(+1 more)" in reason


def test_commitments_stats_fits_80_columns(db: str, cli: Callable[..., Any]) -> None:
    seed(db)
    lines = narrow(cli, "commitments", "stats")
    text = "\n".join(lines)
    assert re.search(r"^governance\s+6\s+n/a \(0/0\)\s+\d+\s+6 not rated\s*$", text, re.M)
    assert re.search(r"^safety\s+5\s+0% \(0/1\)\s+0\s+4 not rated, 1 partially achieved", text, re.M)  # roost
