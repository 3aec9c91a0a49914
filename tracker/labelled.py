"""Labelled publications, as ../shared/labelling.md defines them.

A labelled file is JSON Lines: `url`, `source`, `title`, `published_at`, `language`,
`body`, `links` (slug → signal), `maybe` (slugs tolerated either way) and `story` (the
happening it reports, so cross-validation never splits one story). The older key
`expected` ([{"slug", "signal"}]) is still read. An item with no link is a negative.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tracker.matching import Document

# The reader's three classes: the tracker's `progress` and `achieved` both count as `pos`.
CLASSES = ("pos", "setback", "mention")
SIGNAL_CLASS = {
    "progress": "pos",
    "achieved": "pos",
    "pos": "pos",
    "setback": "setback",
    "mention": "mention",
}


class LabelError(ValueError):
    """A labelled file that cannot be read; the message names the file and line."""


@dataclass
class Labelled:
    url: str
    document: Document
    expected: dict[str, str]  # slug → class (pos, setback, mention)
    where: str
    maybe: frozenset[str] = frozenset()
    story: str = ""
    note: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def negative(self) -> bool:
        return not self.expected


def signal_class(signal: str) -> str:
    """pos, setback or mention for a tracker signal or a label."""
    try:
        return SIGNAL_CLASS[signal]
    except KeyError:
        raise ValueError(f"unknown signal {signal!r} (known: {', '.join(SIGNAL_CLASS)})") from None


def _published(value: Any) -> tuple[datetime | date | None, str | None]:
    """The date and its precision: "2025-02" is a month, "2025-02-12" a day, with a time a time."""
    if not value:
        return None, None
    text = str(value).strip()
    if len(text) == 4:
        return date(int(text), 1, 1), "year"
    if len(text) == 7:
        return date(int(text[:4]), int(text[5:7]), 1), "month"
    if len(text) == 10:
        return date.fromisoformat(text), "day"
    return datetime.fromisoformat(text), "time"


def _expected(data: dict[str, Any]) -> dict[str, str]:
    if "links" in data:
        links = data["links"] or {}
        if not isinstance(links, dict):
            raise TypeError("links must be an object of slug → signal")
        return {slug: signal_class(signal) for slug, signal in links.items()}
    return {e["slug"]: signal_class(e.get("signal", "mention")) for e in data["expected"]}


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(path.glob("*.jsonl"))
        if not found:
            raise LabelError(f"{path}: no *.jsonl file in this folder")
        return found
    if not path.exists():
        raise LabelError(f"{path}: no such file or folder")
    return [path]


def read_labelled(path: Path) -> list[Labelled]:
    """Every labelled publication under `path` (a .jsonl file or a folder of them)."""
    rows: list[Labelled] = []
    for file in _files(path):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{file}:{number}"
            try:
                data = json.loads(line)
                published, precision = _published(data.get("published_at"))
                document = Document(
                    title=data["title"],
                    body=data.get("body") or "",
                    summary=data.get("summary"),
                    language=data.get("language"),
                    published_at=published,
                    date_precision=precision,
                )
                rows.append(
                    Labelled(
                        url=data["url"],
                        document=document,
                        expected=_expected(data),
                        where=where,
                        maybe=frozenset(data.get("maybe") or ()),
                        story=str(data.get("story") or f"{file.name}:{number}"),
                        note=data.get("note"),
                        raw=data,
                    )
                )
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise LabelError(f"{where}: {type(exc).__name__}: {exc}") from exc
    return rows


def check_slugs(rows: list[Labelled], known: set[str]) -> None:
    for row in rows:
        unknown = (set(row.expected) | set(row.maybe)) - known
        if unknown:
            raise LabelError(f"{row.where}: unknown commitment slug(s): {', '.join(sorted(unknown))}")
