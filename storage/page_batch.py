"""What a batch of crawled pages already has in the database, read with one query per table.

Stored one by one, each page asked the database five times (its snapshot, its
publication twice, the source ids, its validators) and flushed three times; a batch
asks once per table, then works on the session's objects, written together at the
commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import FetchValidator, Publication, Snapshot, Source
from storage.publications import source_ids


@dataclass
class BatchRows:
    """Rows a batch may meet again: grown as the batch adds its own."""

    sources: dict[str, int]
    publications: dict[str, Publication]
    snapshots: set[str]
    validators: dict[str, FetchValidator]
    _site_names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session, urls: set[str], shas: set[str], validator_urls: set[str]) -> BatchRows:
        publications = {}
        if urls:
            query = select(Publication).where(Publication.url.in_(urls))
            publications = {p.url: p for p in session.scalars(query)}
        snapshots: set[str] = set()
        if shas:
            snapshots = set(session.scalars(select(Snapshot.sha256).where(Snapshot.sha256.in_(shas))))
        validators = {}
        if validator_urls:
            query = select(FetchValidator).where(FetchValidator.url.in_(validator_urls))
            validators = {v.url: v for v in session.scalars(query)}
        return cls(source_ids(session), publications, snapshots, validators)

    def site_names(self, session: Session, slug: str) -> tuple[str, ...]:
        """A source's names, as a generic title would repeat them (read once per batch)."""
        if slug not in self._site_names:
            source = session.scalar(select(Source).where(Source.slug == slug))
            names: tuple[str, ...] = ()
            if source is not None:
                short = source.name.split("(")[0].split(",")[0].strip()
                names = (source.name, short, source.slug)
            self._site_names[slug] = names
        return self._site_names[slug]
