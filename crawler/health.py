"""A run's verdict: its status (ok / partial / failed) and the source's health, with every reason.

Health words are `ok`, `degraded` and `failing`, the same everywhere (CLI, web, digest,
`status`, API). Each reason is a full sentence naming what to look at: the entry
point and its answer, the share of pages the site's selectors missed, the refused
URLs, the articles no pattern covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.ledger import RunLedger
from crawler.sources import SourceConfig
from crawler.urls import path_of, same_site

SHOWN = 5  # URLs named per reason (the counts stay exact)


@dataclass(frozen=True)
class Verdict:
    status: str  # ok | partial | failed
    health: str  # ok | degraded | failing
    reasons: list[str]
    summary: str | None  # the run's error_summary line
    outside: list[str]  # stored articles no configured pattern covers


def _named(urls: list[str]) -> str:
    shown = ", ".join(urls[:SHOWN])
    return shown + (f" and {len(urls) - SHOWN} more" if len(urls) > SHOWN else "")


def outside_patterns(source: SourceConfig, stored_urls: list[str]) -> list[str]:
    """Stored articles of the source that neither `articles` nor `sitemap_filter` covers."""
    return sorted({u for u in stored_urls if same_site(u, source) and not source.in_patterns(path_of(u))})


def _entry_reasons(ledger: RunLedger) -> list[str]:
    reasons = [f"configured {p.kind} {p.url} failed: {p.detail}" for p in ledger.configured_failures()]
    if ledger.feed_failed():
        for p in ledger.entries.values():
            if p.kind == "feed" and not p.configured and p.state == "ok":
                reasons.append(
                    f"feed {p.url}, announced by {p.found_by}, was read instead ({p.detail}): "
                    "add it to `feeds` in sources.toml"
                )
    return reasons


def assess(ledger: RunLedger, source: SourceConfig, stored_urls: list[str]) -> Verdict:
    """Judge a closing run from what it saw; `stored_urls` are every URL stored for the source."""
    counts = ledger.counts
    errors = int(counts.get("errors", 0))
    stored = int(counts.get("new", 0)) + int(counts.get("updated", 0))
    reasons = _entry_reasons(ledger)
    failing = not ledger.any_entry_ok
    extracted, misses = int(counts.get("extracted", 0)), int(counts.get("selector_misses", 0))
    if source.has_selectors and extracted and misses * 2 > extracted:
        reasons.append(
            f"the site's selectors found no text on {misses} of {extracted} pages (generic extraction "
            "used instead): its markup may have changed; update [selectors] in sources.toml"
        )
    if ledger.refused:
        named = _named([f"{url} ({why})" for url, why in ledger.refused])
        reasons.append(f"{counts['refused']} refetched page(s) refused, the stored version kept: {named}")
    if ledger.missed() and stored == 0:
        failing = True
        reasons.append(
            f"stored nothing although its feeds and sitemaps listed {len(ledger.listed_unknown)} "
            f"unknown item(s), {ledger.missed()} of which could not be read"
        )
    outside = outside_patterns(source, stored_urls)
    if outside:
        reasons.append(
            f"{len(outside)} article(s) found outside the configured patterns, e.g. {_named(outside)}: "
            "add their paths to `articles` in sources.toml"
        )
    if ledger.page_errors:
        named = "; ".join(ledger.page_errors[:SHOWN])
        more = len(ledger.page_errors) - SHOWN
        reasons.append(
            f"{len(ledger.page_errors)} page(s) failed: {named}" + (f" and {more} more" if more > 0 else "")
        )
    why = "; ".join(ledger.problems[:SHOWN]) or "no listing, feed or sitemap answered"
    if not ledger.any_entry_ok:
        named = bool(ledger.configured_failures())
        reasons.insert(0, "no listing, feed or sitemap could be read" + ("" if named else f": {why}"))
    health = "failing" if failing else ("degraded" if reasons else "ok")
    if failing:
        status = "failed"
        summary = f"no entry point could be read: {why}" if not ledger.any_entry_ok else reasons[0]
    elif errors:
        status, summary = "partial", f"{errors} error(s): " + "; ".join(ledger.problems[:SHOWN])
    else:
        status, summary = "ok", ("; ".join(ledger.problems[:SHOWN]) or None)
    return Verdict(status, health, reasons, summary, outside)
