"""A commitment's criteria as the pages and the API show them (kept out of web_queries, one read)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Commitment


def commitment_criteria(session: Session, slug: str) -> dict[str, Any]:
    """{"progress": {"fr": [...], "en": [...]}, "done": ..., "failure": ...}; {} when none are set."""
    criteria = session.scalar(select(Commitment.criteria).where(Commitment.slug == slug))
    return dict(criteria or {})
