"""Each commitment's criteria: what counts as progress, as done, as failure (French and English).

Kept in their own file (criteria.yaml, keyed by slug) beside the matching profiles, because
they are read by people (the commitment's page, `commitments show`), not by the matcher.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storage.baseline.reading import BaselineError, read_yaml

CRITERIA_FILE = Path(__file__).parent / "criteria.yaml"
KINDS = ("progress", "done", "failure")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Lines(_Strict):
    fr: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)


class Criteria(_Strict):
    progress: Lines
    done: Lines
    failure: Lines


class CriteriaFile(_Strict):
    version: Literal[1]
    criteria: dict[str, Criteria]


def read_criteria(path: Path = CRITERIA_FILE, slugs: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """slug → {"progress": {"fr": [...], "en": [...]}, "done": ..., "failure": ...}; BaselineError when wrong."""
    data, _lines = read_yaml(path)
    try:
        parsed = CriteriaFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BaselineError(f"{path}: {where}: {first['msg']}") from exc
    if slugs is not None:
        unknown = sorted(set(parsed.criteria) - slugs)
        if unknown:
            raise BaselineError(f"{path}: criteria for unknown commitments: {', '.join(unknown)}")
    return {slug: c.model_dump() for slug, c in parsed.criteria.items()}
