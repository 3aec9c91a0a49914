"""How a run ended, in one word and one line: the health the digest and `sources list` show."""

from __future__ import annotations

from collections.abc import Mapping


def run_status(counts: Mapping[str, int], entry_ok: bool, problems: list[str]) -> tuple[str, str | None]:
    """`failed` when no listing, feed or sitemap could be read; `partial` with errors; else `ok`."""
    errors = int(counts.get("errors", 0))
    if not entry_ok:
        reason = "; ".join(problems[:5]) or "no listing, feed or sitemap answered"
        return "failed", f"no entry point could be read: {reason}"
    if errors:
        return "partial", f"{errors} error(s): " + "; ".join(problems[:5])
    if problems:
        return "ok", "; ".join(problems[:5])
    return "ok", None
