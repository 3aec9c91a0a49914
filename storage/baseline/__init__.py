"""The baseline: the summit's commitments and the sources, as data in the repository.

`load()` validates the YAML files completely before writing anything, so a
mistake in them (a wrong field, a duplicate slug, a bad date) is reported with
its line and leaves the database as it was. Loading upserts: titles and keywords
follow the file, while evidence and status history are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.baseline.criteria import CRITERIA_FILE, read_criteria
from storage.baseline.reading import BaselineError, read_yaml
from storage.models import THEMES, Commitment, Source, utcnow

M = TypeVar("M", bound=BaseModel)

BASELINE_DIR = Path(__file__).parent
COMMITMENTS_FILE = BASELINE_DIR / "commitments.yaml"
SOURCES_FILE = BASELINE_DIR / "sources.yaml"

Theme = Literal["governance", "security", "safety", "public-interest", "investment", "sustainability"]
assert set(THEMES) == set(Theme.__args__)  # type: ignore[attr-defined]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Bilingual(_Strict):
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)


class TermLists(_Strict):
    """Terms per language: the baseline's own French and English, and the press's other languages."""

    fr: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)
    de: list[str] = Field(default_factory=list)
    es: list[str] = Field(default_factory=list)
    it: list[str] = Field(default_factory=list)
    pt: list[str] = Field(default_factory=list)
    nl: list[str] = Field(default_factory=list)
    no: list[str] = Field(default_factory=list)

    @field_validator("fr", "en", "de", "es", "it", "pt", "nl", "no")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip() for v in values]
        if any(not v for v in cleaned):
            raise ValueError("empty term")
        return cleaned


class CommitmentSpec(_Strict):
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100)
    title: Bilingual
    description: Bilingual
    actors: list[str] = Field(min_length=1)
    summit: str = Field(min_length=1, max_length=40)
    made_on: date
    deadline: date | None = None
    deadline_note: Bilingual | None = None
    theme: Theme
    source_url: str = Field(pattern=r"^https?://")
    aliases: TermLists
    keywords: TermLists
    # How the press names it when it does not use its name ("la déclaration du sommet", "the Paris declaration").
    phrasings: TermLists = TermLists()
    exclusions: TermLists = TermLists()

    @field_validator("made_on", "deadline", mode="before")
    @classmethod
    def _real_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError as exc:
                raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from exc
        return value

    def columns(self) -> dict[str, Any]:
        """The commitment's column values, as stored."""
        return {
            "title_fr": self.title.fr,
            "title_en": self.title.en,
            "description_fr": self.description.fr,
            "description_en": self.description.en,
            "actors": list(self.actors),
            "summit": self.summit,
            "made_on": self.made_on,
            "deadline": self.deadline,
            "deadline_note_fr": self.deadline_note.fr if self.deadline_note else None,
            "deadline_note_en": self.deadline_note.en if self.deadline_note else None,
            "theme": self.theme,
            "source_url": self.source_url,
            "aliases": self.aliases.model_dump(exclude_defaults=True) or {"fr": [], "en": []},
            "keywords": self.keywords.model_dump(exclude_defaults=True) or {"fr": [], "en": []},
            "phrasings": self.phrasings.model_dump(exclude_defaults=True),
            "exclusions": self.exclusions.model_dump(exclude_defaults=True) or {"fr": [], "en": []},
        }


class CommitmentsFile(_Strict):
    version: Literal[1]
    commitments: list[CommitmentSpec] = Field(min_length=1)


class SourceSpec(_Strict):
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)
    name: str = Field(min_length=1)
    homepage: str = Field(pattern=r"^https?://")
    language: Literal["fr", "en"] = "fr"
    enabled: bool = True

    def columns(self) -> dict[str, Any]:
        return self.model_dump(exclude={"slug"})


class SourcesFile(_Strict):
    version: Literal[1]
    sources: list[SourceSpec] = Field(min_length=1)


def _line_of(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1


def _validate(model: type[M], path: Path) -> tuple[M, dict[tuple[Any, ...], int]]:
    data, lines = read_yaml(path)
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field_name = ".".join(str(p) for p in loc)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise BaselineError(
            f"{path}: line {_line_of(loc, lines)}: {field_name}: {first['msg']}{more}"
        ) from exc


def _unique_slugs(items: list[Any], key: str, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.slug in seen:
            line = _line_of((key, index, "slug"), lines)
            raise BaselineError(
                f"{path}: line {line}: duplicate slug {item.slug!r} (first at item {seen[item.slug] + 1})"
            )
        seen[item.slug] = index


def read_commitments(path: Path = COMMITMENTS_FILE) -> list[CommitmentSpec]:
    parsed, lines = _validate(CommitmentsFile, path)
    _unique_slugs(parsed.commitments, "commitments", path, lines)
    for index, spec in enumerate(parsed.commitments):
        if spec.deadline is not None and spec.deadline < spec.made_on:
            line = _line_of(("commitments", index, "deadline"), lines)
            raise BaselineError(f"{path}: line {line}: {spec.slug}: deadline is before made_on")
    return parsed.commitments


def read_sources(path: Path = SOURCES_FILE) -> list[SourceSpec]:
    parsed, lines = _validate(SourcesFile, path)
    _unique_slugs(parsed.sources, "sources", path, lines)
    return parsed.sources


# --- upserting ----------------------------------------------------------------------


@dataclass
class LoadReport:
    """What a load changed; `changes` is 0 when the database already matched the files."""

    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0
    not_in_file: list[str] = field(default_factory=list)
    sources_created: list[str] = field(default_factory=list)
    sources_updated: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.created) + len(self.updated) + len(self.sources_created) + len(self.sources_updated)


def _apply(row: Any, values: dict[str, Any]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    return changed


def upsert(
    session: Session,
    commitments: list[CommitmentSpec],
    sources: list[SourceSpec],
    criteria: dict[str, dict[str, Any]] | None = None,
) -> LoadReport:
    """Bring the database in line with already validated specs (the caller commits)."""
    criteria = criteria or {}
    report = LoadReport()
    existing_sources = {s.slug: s for s in session.scalars(select(Source))}
    for source_spec in sources:
        row = existing_sources.get(source_spec.slug)
        if row is None:
            session.add(Source(slug=source_spec.slug, config={}, **source_spec.columns()))
            report.sources_created.append(source_spec.slug)
        elif _apply(row, source_spec.columns()):
            report.sources_updated.append(source_spec.slug)

    existing = {c.slug: c for c in session.scalars(select(Commitment))}
    for spec in commitments:
        commitment = existing.pop(spec.slug, None)
        values = {**spec.columns(), "criteria": criteria.get(spec.slug, {})}
        if commitment is None:
            session.add(Commitment(slug=spec.slug, status="not_rated", **values))
            report.created.append(spec.slug)
            continue
        changed = _apply(commitment, values)
        if changed:
            commitment.updated_at = utcnow()
            report.updated[spec.slug] = changed
        else:
            report.unchanged += 1
    report.not_in_file = sorted(existing)
    session.flush()
    return report


def load(
    session: Session,
    commitments_path: Path = COMMITMENTS_FILE,
    sources_path: Path = SOURCES_FILE,
    criteria_path: Path = CRITERIA_FILE,
) -> LoadReport:
    """Validate the files, then upsert them; raises BaselineError before any write."""
    commitments = read_commitments(commitments_path)
    sources = read_sources(sources_path)
    criteria = read_criteria(criteria_path) if criteria_path.is_file() else {}
    return upsert(session, commitments, sources, criteria)
