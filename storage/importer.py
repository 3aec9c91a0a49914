"""`publications import`: JSON Lines in, one publication per line.

Every line is checked on its own: a bad line is reported with its number and
skipped, good lines are stored. A NUL character is refused (PostgreSQL cannot store
it); other control characters are removed when stored. Each line is written under its
own savepoint, so one the database refuses leaves the others in. Keys other than the
documented ones (such as a labelled set's `expected`) are ignored, so labelled files
import as they are. The optional `modified_at`, `fetched_via` and `extracted_by` that
`publications export` writes are kept, so an export imports back as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from storage.dateprecision import start_of_day
from storage.errors import describe
from storage.publications import PublicationInput, plain_text, source_ids, upsert_publication


class ImportLine(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    url: str = Field(pattern=r"^https?://[^\s\x00-\x1f\x7f-\x9f]+$", max_length=2048)
    source: str = Field(min_length=1)
    title: str = Field(min_length=1)
    published_at: datetime | None
    date_precision: str | None = Field(None, pattern=r"^(time|day|month|year)$")
    body: str = Field(min_length=1)
    language: str | None = Field(None, pattern=r"^[a-z]{2}$")
    summary: str | None = None
    tags: list[str] = Field(default_factory=list)
    modified_at: datetime | None = None
    fetched_via: str | None = Field(None, pattern=r"^(spider|feed|import|manual)$")
    extracted_by: str | None = Field(None, pattern=r"^[a-z_]{1,16}$")

    @field_validator("published_at", "modified_at", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        """A plain day ("2025-02-12") is that day in Paris, kept as a day (see `precision`)."""
        if isinstance(value, str) and _PLAIN_DAY.match(value.strip()):
            return start_of_day(date.fromisoformat(value.strip()))
        return value

    @field_validator("published_at", "modified_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2025-02-17T15:34:00+01:00, or a plain day")
        if value is not None:
            try:
                value.astimezone(UTC)
            except OverflowError:
                raise ValueError("out of range once in UTC") from None
        return value


def _nul_in(data: dict[str, Any]) -> str | None:
    """The first field of a line that holds a NUL character, if any (ignored keys do not count)."""
    for name in ImportLine.model_fields:
        value = data.get(name)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            return name
    return None


_PLAIN_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def line_precision(data: dict[str, Any], line: ImportLine) -> str | None:
    """What the line says of its date's precision: stated, a plain day, or a time."""
    if line.published_at is None:
        return None
    if line.date_precision:
        return line.date_precision
    raw = data.get("published_at")
    return "day" if isinstance(raw, str) and _PLAIN_DAY.match(raw.strip()) else "time"


@dataclass
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged


def parse_lines(lines: Iterable[str], known_sources: set[str]) -> Iterator[tuple[int, ImportLine | str]]:
    """Yield (line number, parsed line) or (line number, error message)."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield number, f"line {number}: not valid JSON: {exc.msg} (column {exc.colno})"
            continue
        if not isinstance(data, dict):
            yield number, f"line {number}: expected a JSON object, got {type(data).__name__}"
            continue
        nul = _nul_in(data)
        if nul is not None:
            yield number, f"line {number}: {nul}: contains a NUL character (\\u0000)"
            continue
        try:
            line = ImportLine.model_validate(data)
            line.date_precision = line_precision(data, line)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            yield number, f"line {number}: {where}: {first['msg']}"
            continue
        if line.source not in known_sources:
            yield number, f"line {number}: source: unknown source {line.source!r}"
            continue
        yield number, line


def import_jsonl(session: Session, path: Path, fetched_via: str = "import") -> ImportReport:
    """Store every good line of `path`; the caller commits."""
    report = ImportReport()
    sources = source_ids(session)
    seen: set[str] = set()
    with path.open(encoding="utf-8", errors="strict") as handle:
        try:
            parsed = list(parse_lines(handle, set(sources)))
        except UnicodeDecodeError as exc:
            report.errors.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
            return report
    for number, line in parsed:
        if isinstance(line, str):
            report.errors.append(line)
            continue
        if line.url in seen:
            report.errors.append(f"line {number}: url: appears twice in the file: {line.url}")
            continue
        seen.add(line.url)
        item = PublicationInput(
            url=line.url,
            source=line.source,
            title=plain_text(line.title),
            body=plain_text(line.body),
            published_at=line.published_at,
            date_precision=line.date_precision,
            modified_at=line.modified_at,
            language=line.language,
            summary=plain_text(line.summary) if line.summary else None,
            tags=line.tags,
            fetched_via=line.fetched_via or fetched_via,
            extracted_by=line.extracted_by or "import",
        )
        try:
            with session.begin_nested():
                outcome, _ = upsert_publication(session, item, sources)
        except (DataError, IntegrityError) as exc:
            report.errors.append(f"line {number}: not stored: {describe(exc)}")
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
