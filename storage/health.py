"""A source's health as every reader shows it: one word and its reasons, from the last crawl run.

The words are `ok`, `degraded` and `failing` (the crawler judges them when a run
closes); `never crawled` and `running` say there is no verdict yet. The CLI, the web
pages, the API, the digest and `status` all read them from here, so they never
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import CrawlRun

OK, DEGRADED, FAILING = "ok", "degraded", "failing"
HEALTH_WORDS = (OK, DEGRADED, FAILING)
NEVER_CRAWLED, RUNNING = "never crawled", "running"
_SEVERITY = {OK: 0, DEGRADED: 1, FAILING: 2}
_FROM_STATUS = {"ok": OK, "partial": DEGRADED, "failed": FAILING}  # runs closed before 0011


@dataclass(frozen=True)
class Health:
    word: str
    reasons: tuple[str, ...] = ()


def run_health(run: CrawlRun | None) -> Health:
    """The health a run left (a run from before reasons were kept: from its status and summary)."""
    if run is None:
        return Health(NEVER_CRAWLED)
    if run.status == "running":
        return Health(RUNNING)
    if run.health in HEALTH_WORDS:
        return Health(run.health, tuple(run.health_reasons or ()))
    word = _FROM_STATUS.get(run.status, FAILING)
    return Health(word, (run.error_summary,) if word != OK and run.error_summary else ())


def worst(healths: list[Health]) -> Health:
    """Over several runs (a week's): failing only if every run failed, else the worst other word.

    A source that failed on Monday and recovered on Tuesday is degraded for the week.
    """
    judged = [h for h in healths if h.word in HEALTH_WORDS]
    if not judged:
        return Health(NEVER_CRAWLED)
    if all(h.word == FAILING for h in judged):
        return judged[-1]
    if any(h.word != OK for h in judged):
        bad = [h for h in judged if h.word != OK]
        return Health(DEGRADED, bad[-1].reasons)
    return Health(OK)


def severity(word: str) -> int:
    return _SEVERITY.get(word, -1)
