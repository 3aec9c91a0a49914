"""The tracker's tables, as typed SQLAlchemy 2.0 models.

Timestamps are stored in UTC (`UTCDateTime` makes SQLite give them back aware);
JSON columns hold small lists and dicts only. The migrations in
`storage/migrations/` must create exactly this: `alembic check` runs in the tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

STATUSES = ("not_rated", "in_progress", "achieved", "partially_achieved", "stalled", "broken")
THEMES = ("governance", "security", "safety", "public-interest", "investment", "sustainability")
SIGNALS = ("mention", "progress", "achieved", "setback")
SUBSCRIBER_STATES = ("pending", "active", "unsubscribed")
DELIVERY_STATES = ("pending", "sending", "sent", "failed_retryable", "failed_permanent")
REVIEW_STATES = ("unreviewed", "accepted", "rejected")
RUN_STATUSES = ("running", "ok", "partial", "failed")
ALERT_KINDS = ("setback", "status_change", "source_failing")
ALERT_STATES = ("pending", "sending", "sent", "failed", "unconfirmed", "abandoned")
# The largest id a row can have: ids are INTEGER, 32 bits on PostgreSQL. A larger one names no
# row, and asking for it is an error on both backends (integer out of range, OverflowError).
MAX_ID = 2**31 - 1

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    homepage: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(8), default="fr")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    publications: Mapped[list[Publication]] = relationship(back_populates="source")
    crawl_runs: Mapped[list[CrawlRun]] = relationship(back_populates="source")


class Snapshot(Base):
    """Raw fetched bytes, zlib-compressed, addressed by the sha256 of the raw bytes."""

    __tablename__ = "snapshots"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Publication(Base):
    __tablename__ = "publications"
    __table_args__ = (
        Index("ix_publications_source_published", "source_id", "published_at"),
        # The date of a publication read by id from the index alone (migration 0014).
        Index("ix_publications_id_published", "id", "published_at"),
        CheckConstraint(_in("fetched_via", ("spider", "feed", "import", "manual")), name="fetched_via"),
        CheckConstraint(_in("date_precision", ("time", "day", "month", "year")), name="date_precision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # time | day | month | year: a page dated by a day shows that day everywhere (storage.dateprecision).
    date_precision: Mapped[str | None] = mapped_column(String(8))
    modified_at: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(8))
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(default=list)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    fetched_via: Mapped[str] = mapped_column(String(16), default="spider")
    extracted_by: Mapped[str] = mapped_column(String(16), default="selectors")
    snapshot_sha256: Mapped[str | None] = mapped_column(ForeignKey("snapshots.sha256", ondelete="SET NULL"))
    matched_hash: Mapped[str | None] = mapped_column(String(64))

    source: Mapped[Source] = relationship(back_populates="publications")
    revisions: Mapped[list[PublicationRevision]] = relationship(
        back_populates="publication", cascade="all, delete-orphan", order_by="PublicationRevision.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(back_populates="publication")


class PublicationRevision(Base):
    """An earlier version of a publication, kept when its content hash changed."""

    __tablename__ = "publication_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    modified_at: Mapped[datetime | None]
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    snapshot_sha256: Mapped[str | None] = mapped_column(ForeignKey("snapshots.sha256", ondelete="SET NULL"))
    seen_from: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    publication: Mapped[Publication] = relationship(back_populates="revisions")


class FetchValidator(Base):
    """Conditional-GET validators remembered per URL."""

    __tablename__ = "fetch_validators"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    mode: Mapped[str] = mapped_column(String(16), default="incremental")
    requests: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    fallback_extractions: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)  # refetched pages not stored over a good one
    outside_patterns: Mapped[int] = mapped_column(Integer, default=0)  # stored articles no pattern covers
    error_summary: Mapped[str | None] = mapped_column(Text)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # ok | degraded | failing, with every reason in full (storage.health); NULL on runs before 0011.
    health: Mapped[str | None] = mapped_column(String(16))
    health_reasons: Mapped[list[str]] = mapped_column(default=list)

    source: Mapped[Source] = relationship(back_populates="crawl_runs")


class PageRefusal(Base):
    """A refetched page that was not stored over the good version, and why; its bytes stay in `snapshots`."""

    __tablename__ = "page_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True)
    url: Mapped[str] = mapped_column(String(2048), index=True)
    reason: Mapped[str] = mapped_column(Text)
    snapshot_sha256: Mapped[str | None] = mapped_column(ForeignKey("snapshots.sha256", ondelete="SET NULL"))
    refused_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Commitment(Base):
    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("theme", THEMES), name="theme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title_fr: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    actors: Mapped[list[str]] = mapped_column(default=list)
    summit: Mapped[str] = mapped_column(String(40))
    made_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_note_fr: Mapped[str | None] = mapped_column(Text)
    deadline_note_en: Mapped[str | None] = mapped_column(Text)
    theme: Mapped[str] = mapped_column(String(40), index=True)
    source_url: Mapped[str] = mapped_column(String(2048))
    aliases: Mapped[dict[str, Any]] = mapped_column(default=dict)
    keywords: Mapped[dict[str, Any]] = mapped_column(default=dict)
    phrasings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    exclusions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What counts as progress, as done and as failure: {"progress": {"fr": [...], "en": [...]}, ...}.
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(32), default="not_rated", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    evidence: Mapped[list[Evidence]] = relationship(back_populates="commitment")
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="commitment", order_by="StatusChange.id"
    )

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_fr


class Evidence(Base):
    """A link between a publication and a commitment, with why it was made."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("commitment_id", "publication_id", name="uq_evidence_commitment_publication"),
        CheckConstraint(_in("signal", SIGNALS), name="signal"),
        CheckConstraint(_in("review_state", REVIEW_STATES), name="review_state"),
        # A commitment's kept evidence and its publications, read from the index alone (0014).
        Index(
            "ix_evidence_kept_commitment",
            "commitment_id",
            "publication_id",
            "id",
            sqlite_where=text("review_state != 'rejected'"),
            postgresql_where=text("review_state != 'rejected'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    signal: Mapped[str] = mapped_column(String(16), default="mention")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    matched_terms: Mapped[list[str]] = mapped_column(default=list)
    cue: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    background: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_status: Mapped[str | None] = mapped_column(String(32))
    review_state: Mapped[str] = mapped_column(String(16), default="unreviewed", index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="evidence")
    publication: Mapped[Publication] = relationship(back_populates="evidence")


class StatusChange(Base):
    """One step of a commitment's status history; the last row is its status."""

    __tablename__ = "status_changes"
    __table_args__ = (
        CheckConstraint(_in("new_status", STATUSES), name="new_status"),
        Index("ix_status_changes_commitment_changed", "commitment_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    old_status: Mapped[str] = mapped_column(String(32))
    new_status: Mapped[str] = mapped_column(String(32))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="SET NULL"))
    # The date the status holds from: the evidence's publication date (tracker.status_rule).
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    changed_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    # When the change was recorded (a review today of February's evidence), for the digests.
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    commitment: Mapped[Commitment] = relationship(back_populates="status_changes")
    evidence: Mapped[Evidence | None] = relationship()


class Subscriber(Base):
    __tablename__ = "subscribers"
    __table_args__ = (
        CheckConstraint(_in("state", SUBSCRIBER_STATES), name="state"),
        CheckConstraint(_in("language", ("fr", "en")), name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    language: Mapped[str] = mapped_column(String(2), default="fr")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    consent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    bouncing: Mapped[bool] = mapped_column(Boolean, default=False)
    last_bounce: Mapped[str | None] = mapped_column(Text)
    token_version: Mapped[int] = mapped_column(Integer, default=1)

    preferences: Mapped[SubscriberPreferences] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", uselist=False
    )


class SubscriberPreferences(Base):
    __tablename__ = "subscriber_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), unique=True)
    themes: Mapped[list[str]] = mapped_column(default=list)
    commitments: Mapped[list[str]] = mapped_column(default=list)
    sources: Mapped[list[str]] = mapped_column(default=list)
    send_empty: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(back_populates="preferences")


class Digest(Base):
    """One digest per period (e.g. '2025-W07')."""

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(40), unique=True)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="digest")


class DigestEvidence(Base):
    """A piece of evidence a digest carried: each goes out in one digest only, so no one reads it twice."""

    __tablename__ = "digest_evidence"

    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), index=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """The ledger row that makes sending a digest to one subscriber happen once."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("digest_id", "subscriber_id", name="uq_deliveries_digest_subscriber"),
        CheckConstraint(_in("state", DELIVERY_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), index=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_code: Mapped[int | None] = mapped_column(Integer)  # the SMTP reply code of the last failure
    next_attempt_at: Mapped[datetime | None]  # a deferred row is not due before this
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    digest: Mapped[Digest] = relationship(back_populates="deliveries")
    subscriber: Mapped[Subscriber] = relationship()


class Lock(Base):
    """A named lease: who holds it and until when (the cross-process job lock on SQLite)."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class JobRun(Base):
    """One execution of a scheduled job, for `scheduler jobs` and `status`."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    result: Mapped[str | None] = mapped_column(Text)
    holder: Mapped[str | None] = mapped_column(String(200))


class UsedToken(Base):
    """Single-use tokens already spent (confirmation links, form tokens): replay is refused."""

    __tablename__ = "used_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AlertChannel(Base):
    """An Apprise URL alerts went to, known by a hash of its identity (never the URL: it holds tokens)."""

    __tablename__ = "alert_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(500))
    service: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """The ledger row that makes one event reach one channel once.

    `subject` names the event within its kind: "<publication id>:<commitment id>" for a
    setback, the status_changes id, "<source slug>:<n>" for a source's n-th turn to failing.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "channel_id", name="uq_alerts_kind_subject_channel"),
        CheckConstraint(_in("kind", ALERT_KINDS), name="kind"),
        CheckConstraint(_in("state", ALERT_STATES), name="state"),
        Index("ix_alerts_channel_state", "channel_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[int] = mapped_column(ForeignKey("alert_channels.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    event_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel: Mapped[AlertChannel] = relationship()


class AlertObservation(Base):
    """What the alerts last saw of something that has no history of its own (a source's health)."""

    __tablename__ = "alert_observations"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(String(40))
    turns: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """One happening reported by several publications (tracker/events.py groups them).

    `confirmed` events were checked by a reviewer: regrouping keeps their members together.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    first_published_at: Mapped[datetime | None] = mapped_column(index=True)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[EventMember]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventMember.position"
    )


class EventMember(Base):
    """A publication's place in its event: one event per publication."""

    __tablename__ = "event_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), unique=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float)  # how it read like the event when it joined
    reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The names, numbers and countries grouping weighs (idf): a regroup of a window reads the
    # rest of the store's weights from here instead of its texts.
    terms: Mapped[list[str] | None] = mapped_column(default=None)

    event: Mapped[Event] = relationship(back_populates="members")
    publication: Mapped[Publication] = relationship()
