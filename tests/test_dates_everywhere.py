"""A page that gives only a day shows that day everywhere; an undated one shows as undated.

"Publié le jeudi 12 février 2026" is stored as Paris midnight, 2026-02-11T23:00Z: the web
pages, the JSON API, the CSV export, the Atom feed and the CLI must all say the 12th. A
real server on 127.0.0.1 and the real CLI, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import feedparser
import httpx
from sqlalchemy import select

from storage.dateprecision import start_of_day
from storage.db import session_scope
from storage.models import Commitment, Evidence
from storage.publications import PublicationInput, upsert_publication
from storage.status import set_status
from tests.support.webserver import WebServer

DAY_URL = "https://www.elysee.fr/emmanuel-macron/2026/02/12/inesia-feuille-de-route"
UNDATED_URL = "https://cyber.gouv.fr/actualites/article-sans-date/"


def _seed(db_url: str) -> None:
    with session_scope(db_url) as session:
        inesia = session.scalar(select(Commitment).where(Commitment.slug == "inesia"))
        assert inesia is not None
        made = []
        for url, published, precision, title in (
            (DAY_URL, start_of_day(date(2026, 2, 12)), "day", "Feuille de route de l'INESIA"),
            (UNDATED_URL, None, None, "Une page sans date sur l'INESIA"),
        ):
            _, pub = upsert_publication(
                session,
                PublicationInput(
                    url=url,
                    source="elysee" if "elysee" in url else "anssi",
                    title=title,
                    body=f"{title}. Publié le jeudi 12 février 2026." if published else title,
                    published_at=published,
                    date_precision=precision,
                    language="fr",
                ),
            )
            evidence = Evidence(
                commitment_id=inesia.id,
                publication_id=pub.id,
                score=0.9,
                signal="progress",
                excerpt=f"{title}.",
                matched_terms=["INESIA"],
            )
            session.add(evidence)
            made.append(evidence)
        session.flush()
        assert made[0].publication.published_at.isoformat() == "2026-02-11T23:00:00+00:00"
        set_status(session, inesia, "in_progress", "Ana", evidence=made[0])


def test_a_day_stays_that_day_on_the_web_api_csv_and_atom(web_server: WebServer) -> None:
    _seed(web_server.db_url)
    page = httpx.get(web_server.url + "/commitments/inesia?lang=fr").text
    assert "12 février 2026" in page and "11 février 2026" not in page
    assert "depuis le 12 février 2026" in page  # the status holds from the evidence's day
    assert "non daté" in page  # the undated page: never the day it was crawled
    dashboard = httpx.get(web_server.url + "/?lang=fr").text
    assert "11 février 2026" not in dashboard

    api = httpx.get(web_server.url + "/api/v1/commitments/inesia").json()
    day = next(e for e in api["evidence"] if e["publication"]["url"] == DAY_URL)
    assert day["publication"]["published_at"] == "2026-02-12"
    assert day["publication"]["date_precision"] == "day"
    undated = next(e for e in api["evidence"] if e["publication"]["url"] == UNDATED_URL)
    assert undated["publication"]["published_at"] is None
    assert api["status_since"] == "2026-02-12"
    assert api["history"][-1]["changed_at"] == "2026-02-12"
    assert api["history"][-1]["changed_by"] == "Ana"

    rows = list(csv.DictReader(io.StringIO(httpx.get(web_server.url + "/api/v1/evidence.csv").text)))
    assert next(r for r in rows if r["publication_url"] == DAY_URL)["published_at"] == "2026-02-12"

    feed = feedparser.parse(httpx.get(web_server.url + "/feeds/evidence.atom").content)
    entries = {e.link: e for e in feed.entries if e.get("link") in (DAY_URL, UNDATED_URL)}
    assert entries[DAY_URL].published == "2026-02-12T00:00:00+01:00"
    assert entries[DAY_URL].updated == "2026-02-12T00:00:00+01:00"
    assert "published" not in entries[UNDATED_URL]  # undated: no made-up publication date


def test_a_day_stays_that_day_in_the_cli(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    _seed(db)
    listed = json.loads(cli("publications", "list", "--format", "json").stdout)
    assert {p["url"]: p["published_at"] for p in listed}[DAY_URL] == "2026-02-12"
    table = cli("publications", "list").stdout
    assert "2026-02-12" in table and "2026-02-11" not in table
    assert "undated" in table  # the page without a date, never the day it was crawled
    csv_out = cli("evidence", "list", "--commitment", "inesia", "--format", "csv").stdout
    assert "2026-02-12" in csv_out and "2026-02-11" not in csv_out
    shown = cli("commitments", "show", "inesia").stdout
    assert "2026-02-12" in shown and "2026-02-11" not in shown
