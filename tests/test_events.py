"""Events: real reports of one happening grouped into one item, on both backends, by CLI and API.

The publications are real ones from the labelled corpus (tests/data/labelled/real), chosen by
their `story` key; the figures the tracker reports about grouping come from cross-validation.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import httpx
import pytest

from storage.baseline import read_commitments
from storage.db import session_scope
from storage.importer import import_jsonl
from tests.conftest import CliResult
from tests.support.webserver import WebServer
from tracker import facts
from tracker.amounts import amounts
from tracker.event_grouping import refusal_reasons, regroup
from tracker.event_holdout import held_out_figures, split
from tracker.event_model import cross_validate_events, load_event_model, reports_of
from tracker.event_vetoes import veto
from tracker.events import Grouper, Report, report_of
from tracker.labelled import Labelled, read_labelled
from tracker.matching import Matcher
from tracker.pipeline import match_pending
from tracker.profiles import build_profiles

REAL = Path(__file__).parent / "data" / "labelled" / "real"
STORIES = ("roost-launch-2025-02-10", "coalition-sustainable-ai-launch-2025-02-11")


def _rows(stories: tuple[str, ...]) -> list[Labelled]:
    return [r for r in read_labelled(REAL) if r.story in stories and r.document.published_at is not None]


def _jsonl(rows: list[Labelled], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            data = {
                k: row.raw[k] for k in ("url", "title", "published_at", "body", "language") if row.raw.get(k)
            }
            out.write(json.dumps({**data, "source": "cesia"}, ensure_ascii=False) + "\n")
    return path


def test_shipped_model_groups_real_reports_of_two_launches_apart() -> None:
    rows = _rows(STORIES)
    matcher = Matcher(build_profiles(read_commitments()), None)
    model = load_event_model()
    assert model is not None
    events = Grouper(model).group(reports_of(matcher, rows))
    story = {r.url: r.story for r in rows}
    mixed = [e for e in events if len({story[m.key] for m in e.members}) > 1]
    assert not mixed, [[m.title for m in e.members] for e in mixed]
    biggest = Counter({e.first.key: len(e.members) for e in events}).most_common(1)[0][1]
    assert biggest >= 4, "at least four reports of one launch read as one event"


@pytest.fixture(scope="module")
def real_reports() -> tuple[list[Labelled], list[Report], Matcher]:
    """The real corpus as grouping reads it, matched once for the tests below."""
    rows = read_labelled(REAL)
    matcher = Matcher(build_profiles(read_commitments()), None)
    return rows, reports_of(matcher, rows), matcher


@pytest.mark.slow
def test_grouping_holds_its_line_under_grouped_cross_validation(real_reports) -> None:
    """The figures the README gives, by grouped 5-fold CV, the pair model trained on each fold's
    training stories. The fast path: the corpus is matched once (the fixture) and each fold's
    pair features are computed once, so this takes seconds, not minutes. The floor is today's
    level minus a margin; the issue's target is 0.9 / 0.8."""
    rows, reports, matcher = real_reports
    figures = cross_validate_events(matcher, rows, 5, reports=reports)
    # Measured 0.794 / 0.838 with the amount veto and the fixed threshold (0.771 / 0.835 with
    # per-fold thresholds; 0.741 / 0.838 before the look-back veto).
    assert figures.counts.precision >= 0.77 and figures.counts.recall >= 0.8, figures.line()


def test_same_facts_read_alike_across_languages() -> None:
    """The US/UK refusal of 11 February 2025 as real headlines wrote it in five languages."""
    heads = [
        "Washington et Londres snobent la France en rejetant la déclaration du sommet sur l’IA",
        "USA und UK unterschreiben Abschlusserklärung des KI-Gipfels nicht",
        "VS en GB weigeren verklaring AI-top Parijs te ondertekenen",
        "EEUU y Reino Unido rechazan acuerdo global sobre IA en cumbre de París",
        "Reino Unido e EUA não assinam declaração sobre IA em Paris",
        "L'absence américaine et britannique met en lumière les divisions",
    ]
    for head in heads:
        assert facts.countries(head) >= {"US", "GB"}, head
    assert facts.mentioned_days("Le 9 septembre 2025, le gouvernement") == {(2025, 9, 9)}
    assert facts.mentioned_days("on February 11, 2025 in Paris") == {(2025, 2, 11)}
    assert facts.looks_back("How Paris AI summit was a quiet success")
    assert not facts.looks_back("US and UK decline to sign Paris AI summit declaration")


def test_amounts_read_alike_and_different_amounts_veto_a_link() -> None:
    """The same amount however a language writes it; two amounts in one currency that never
    agree forbid a link (the €150 bn EU AI Champions against the €200 bn InvestAI), while a
    missing amount or another currency (a conversion) forbids nothing."""
    for text in (
        "EU launches €200bn AI plan",
        "200 milliards d'euros pour l'IA",
        "200 Mrd. Euro",
        "200.000 millones de euros",
    ):
        assert amounts(text) == {"EUR 200bn"}, text
    assert amounts("$400 million for Current AI") == {"USD 0.4bn"}
    assert amounts("60 pays signent, 2025") == set()

    def report(key: str, title: str) -> Report:
        return report_of(key, title, "", None, None, "en", {"eu-investai": "pos"})

    invest = report("a", "EU launches €200bn AI investment plan at Paris summit")
    champions = report("b", "European companies pledge €150bn in the EU AI Champions initiative")
    why = veto(invest, champions)
    assert why is not None and "EUR 150bn" in why and "EUR 200bn" in why
    assert veto(invest, report("c", "InvestAI: la Commission mobilise 200 milliards d'euros")) is None
    assert veto(invest, report("d", "InvestAI, the EU plan for AI")) is None
    assert veto(invest, report("e", "EU plan worth $208 billion")) is None
    assert (
        veto(invest, report("f", "Was the €200bn InvestAI a success?")) == "one looks back, the other reports"
    )


def test_a_vetoed_report_opens_its_own_event_and_says_why() -> None:
    """Two announcements on one day that differ by their amount stay apart, and the one that
    opened its own event names the event it did not join and the veto that forbade it."""
    model = load_event_model()
    assert model is not None
    day = datetime(2025, 2, 11, 12, tzinfo=UTC)

    def report(key: str, title: str) -> Report:
        return report_of(key, title, title, day, "day", "en", {"eu-investai": "pos"})

    invest = report("a", "EU launches €200bn InvestAI plan to fund AI gigafactories")
    champions = report("b", "EU launches €150bn InvestAI plan to fund AI gigafactories")
    grouper = Grouper(model)
    events = grouper.group([invest, champions])
    assert len(events) == 2
    reasons = refusal_reasons(grouper, champions)
    assert any("did not join" in k and "EUR 150bn / EUR 200bn" in k for k in reasons), reasons
    assert refusal_reasons(grouper, invest) == {}, "the first report was compared with nothing"


def test_undated_and_unlinked_reports_group_by_text_or_stay_alone(real_reports) -> None:
    """Without a date and without a commitment, reports of one happening still group by their
    text (the same headline facts), and a report of another happening stays apart."""
    rows, _, _ = real_reports
    model = load_event_model()
    assert model is not None
    chosen = [r for r in rows if r.story == "fluidstack-mou-signed-2025-02-10"][:4]
    other = next(r for r in rows if r.story == "ai-act-authorities-draft-2025-09-09")
    reports = [
        report_of(r.url, r.document.title, r.document.body, None, None, r.document.language, {})
        for r in [*chosen, other]
    ]
    events = Grouper(model).group(reports)
    where = {m.key: n for n, e in enumerate(events) for m in e.members}
    assert len({where[r.url] for r in chosen}) < len(chosen), "some undated reports of one story group"
    assert all(where[other.url] != where[r.url] for r in chosen), "another happening stays alone"
    assert Grouper(model).group(reports) == events  # the same texts, the same events


def _events(cli: Callable[..., CliResult], *args: str) -> list[dict]:
    done = cli("events", "list", "--format", "json", *args)
    assert done.code == 0, done.output
    return json.loads(done.stdout)


def test_events_from_a_match_by_cli_and_api(
    web_server: WebServer, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    rows = _rows(STORIES[:1])
    with session_scope(web_server.db_url) as session:
        report = import_jsonl(session, _jsonl(rows, tmp_path / "roost.jsonl"))
    assert report.new == len(rows)
    assert "events:" in match_pending().line()
    events = _events(cli, "--commitment", "roost")
    assert events, "the ROOST launch reports make at least one event"
    top = max(events, key=lambda e: len(e["publications"]))
    assert len(top["publications"]) >= 4
    assert "roost" in top["commitments"]
    assert {p["url"] for p in top["publications"]} <= {r.url for r in rows}
    # idempotent: a rematch and a regroup keep the same events, with the same ids
    match_pending(rematch=True)
    regroup()
    assert _events(cli, "--commitment", "roost") == events
    api = httpx.get(web_server.url + "/api/v1/events?commitment=roost&per_page=50", timeout=10).json()
    assert [e["id"] for e in api["items"]] == [e["id"] for e in events]
    explained = cli("events", "explain", str(top["id"]))
    assert explained.code == 0 and "opened the event" in explained.stdout and "joined at" in explained.stdout
    assert "link to #" in explained.stdout and "weighs" in explained.stdout  # which links, which facts
    # a confirmed event is never split, whatever the grouping reads later
    confirmed = cli("events", "confirm", str(top["id"]), "--by", "Ana")
    assert confirmed.code == 0 and "confirmed" in confirmed.stdout
    regroup()
    after = {e["id"]: e for e in _events(cli)}
    assert {p["url"] for p in after[top["id"]]["publications"]} >= {p["url"] for p in top["publications"]}
    assert after[top["id"]]["confirmed"] is True


def test_bad_event_arguments_are_one_error_line(db: str, cli: Callable[..., CliResult]) -> None:
    unknown = cli("events", "list", "--commitment", "no-such-thing")
    assert unknown.code == 2 and unknown.stderr.startswith("error:") and "no-such-thing" in unknown.stderr
    missing = cli("events", "explain", "99999999999999999999")
    assert missing.code == 2 and missing.stderr.startswith("error:")
    nobody = cli("events", "confirm", "1")
    assert nobody.code == 2 and "--by" in nobody.stderr


def test_held_out_figures_count_every_held_out_pair(real_reports) -> None:
    """The held-out figures group the held-out stories alone, with a model trained on the
    others: every same-story pair of the slice is counted, found or missed."""
    rows, reports, _ = real_reports
    figures = held_out_figures(rows, reports)
    _, held = split(rows)
    same = sum(1 for i, j in combinations(held, 2) if rows[i].story == rows[j].story)
    assert figures.publications == len(held)
    assert figures.counts.tp + figures.counts.fn == same and figures.counts.tp > 0
