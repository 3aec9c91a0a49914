"""A site's own markup, as `sources.toml` gives it: CSS selectors per field, tried in order."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SiteSelectors:
    """Each list is tried in order; CSS selectors (parsel), `::attr(x)` and `::text` allowed."""

    title: tuple[str, ...] = ()
    date: tuple[str, ...] = ()  # elements (or ::attr) whose texts, joined, make the date line
    body: tuple[str, ...] = ()  # each entry: all matches joined, in document order
    drop: tuple[str, ...] = ()  # removed from the body before its text is taken
    tags: tuple[str, ...] = ()
    boilerplate: tuple[re.Pattern[str], ...] = ()
