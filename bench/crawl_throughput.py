"""Crawl throughput and incremental cost on a generated mirror of cyber.gouv.fr.

5,000 article pages in the anssi site's real markup (taken from the fixture mirror),
listing pages of ten with pagination, RSS and Atom feeds, a sitemap and robots.txt,
served on 127.0.0.1 with ETag / Last-Modified. The real spider and pipeline crawl it
into SQLite with throttling off and concurrency raised. Reference: `scrapy bench`,
run by this script. Then two recrawls: nothing changed, and 10 new articles.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import report, timer  # noqa: E402
from tests.support.sites import FixtureSite  # noqa: E402

FIXTURE = ROOT / "tests" / "sites" / "anssi"
TEMPLATE_SLUG = "feuille-de-route-2026-2027-de-linesia-lanssi-mobilisee"
TEMPLATE_TITLE = (
    "Feuille de route 2026-2027 de l'INESIA : l'ANSSI mobilisée sur la sécurité des systèmes d'IA"
)
ARTICLES = 5_000
PER_PAGE = 10
START = datetime(2026, 3, 1, 10, 0)


def slug(i: int) -> str:
    return f"note-technique-{i:05d}-securite-des-systemes-dinformation"


def title(i: int) -> str:
    return f"Note technique n°{i} : recommandations de sécurité pour les systèmes d'information"


def card(i: int) -> str:
    day = START - timedelta(hours=i)
    return f"""      <div class="fr-col-12 fr-col-md-6 fr-col-lg-4">
        <div class="fr-card fr-enlarge-link">
          <div class="fr-card__body">
            <div class="fr-card__content">
            <h3 class="fr-card__title"><a href="/actualites/{slug(i)}/">{escape(title(i))}</a></h3>
            <p class="fr-card__desc">Publié le {day:%d/%m/%Y}</p>
            </div>
          </div>
        </div>
      </div>
"""


def build(folder: Path, newest: int, count: int) -> None:
    """Articles newest..newest-count+1 (numbers descend with age), listings, feeds, sitemap."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "actualites").mkdir(parents=True)
    shutil.copy(FIXTURE / "robots.txt", folder / "robots.txt")
    article = (FIXTURE / "actualites" / TEMPLATE_SLUG / "index.html").read_text(encoding="utf-8")
    article = article.replace(escape(TEMPLATE_TITLE, quote=False), "{TITLE}").replace(
        TEMPLATE_TITLE, "{TITLE}"
    )
    numbers = list(range(newest, newest - count, -1))
    for i in numbers:
        page = folder / "actualites" / slug(i)
        page.mkdir()
        text = article.replace(TEMPLATE_SLUG, slug(i)).replace("{TITLE}", escape(title(i), quote=False))
        (page / "index.html").write_text(text, encoding="utf-8")
    listing = (FIXTURE / "actualites" / "index.html").read_text(encoding="utf-8")
    head, _, rest = listing.partition('<div class="fr-grid-row fr-grid-row--gutters fr-mb-6w">')
    _, _, tail = rest.partition('<nav role="navigation" class="fr-pagination')
    tail = tail.split("</nav>", 1)[1]
    pages = (len(numbers) + PER_PAGE - 1) // PER_PAGE
    for p in range(1, pages + 1):
        cards = "".join(card(i) for i in numbers[(p - 1) * PER_PAGE : p * PER_PAGE])
        nav = '<nav role="navigation" class="fr-pagination fr-mb-6w" aria-label="Pagination"><ul class="fr-pagination__list">'
        if p < pages:
            nav += f'<li><a class="fr-pagination__link fr-pagination__link--next" href="/actualites/?page={p + 1}">Page suivante</a></li>'
        nav += "</ul></nav>"
        html = f'{head}<div class="fr-grid-row fr-grid-row--gutters fr-mb-6w">\n{cards}</div>\n{nav}{tail}'
        name = "index.html" if p == 1 else f"index.page-{p}.html"
        (folder / "actualites" / name).write_text(html, encoding="utf-8")
    recent = numbers[:20]
    items = "".join(
        f"<item><title>{escape(title(i))}</title><link>https://cyber.gouv.fr/actualites/{slug(i)}/</link>"
        f"<pubDate>{(START - timedelta(hours=i)):%a, %d %b %Y %H:%M:%S} +0100</pubDate>"
        f"<guid>https://cyber.gouv.fr/actualites/{slug(i)}/</guid></item>"
        for i in recent
    )
    (folder / "actualites" / "rss").mkdir()
    (folder / "actualites" / "rss" / "index.xml").write_text(
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Les actualités</title>'
        f"<link>https://cyber.gouv.fr/actualites/</link><description>ANSSI</description>{items}</channel></rss>",
        encoding="utf-8",
    )
    entries = "".join(
        f"<entry><title>{escape(title(i))}</title><link href='https://cyber.gouv.fr/actualites/{slug(i)}/'/>"
        f"<id>https://cyber.gouv.fr/actualites/{slug(i)}/</id><updated>{(START - timedelta(hours=i)):%Y-%m-%dT%H:%M:%S}+01:00</updated></entry>"
        for i in recent
    )
    (folder / "actualites" / "atom").mkdir()
    (folder / "actualites" / "atom" / "index.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>ANSSI</title>'
        f"<id>https://cyber.gouv.fr/actualites/</id><updated>2026-03-01T10:00:00+01:00</updated>{entries}</feed>",
        encoding="utf-8",
    )
    urls = "".join(f"<url><loc>https://cyber.gouv.fr/actualites/{slug(i)}/</loc></url>" for i in numbers)
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>https://cyber.gouv.fr/actualites/</loc></url>{urls}</urlset>",
        encoding="utf-8",
    )


def crawl(env: dict[str, str], base_url: str, full: bool = False) -> tuple[float, float, str]:
    """Seconds, the crawl child's peak RSS (MB) and its summary line."""
    code = (
        "import resource, sys\n"
        "from crawler.runner import crawl\n"
        f"results = crawl(['anssi'], base_url={base_url!r}, full={full!r})\n"
        "print('SUMMARY', '; '.join(r.line() for r in results))\n"
        "print('RSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    with timer() as took:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
    summary = next(
        (line[8:] for line in done.stdout.splitlines() if line.startswith("SUMMARY ")), done.stdout[-300:]
    )
    rss = next((float(line[4:]) for line in done.stdout.splitlines() if line.startswith("RSS ")), 0.0)
    return took["seconds"], rss, summary


def scrapy_bench() -> float:
    """Pages per second of `scrapy bench` (its own local server and link-following spider)."""
    scrapy = Path(sys.executable).with_name("scrapy")
    done = subprocess.run(
        [str(scrapy), "bench", "-s", "CLOSESPIDER_TIMEOUT=20", "-s", "LOG_LEVEL=INFO"],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    rates = [float(m) for m in re.findall(r"Crawled \d+ pages \(at (\d+) pages/min\)", done.stderr)]
    rates = [r for r in rates if r > 0]
    return (sum(rates) / len(rates)) / 60 if rates else 0.0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "site"
        build(folder, ARTICLES, ARTICLES)
        env = {
            **os.environ,
            "SUMMITWATCH_DATA_DIR": str(Path(tmp) / "data"),
            "SUMMITWATCH_CRAWLER__AUTOTHROTTLE": "false",
            "SUMMITWATCH_CRAWLER__DOWNLOAD_DELAY": "0",
            "SUMMITWATCH_CRAWLER__CONCURRENCY_PER_DOMAIN": "16",
            "SUMMITWATCH_CRAWLER__RETRY_TIMES": "1",
        }
        env.pop("SUMMITWATCH_DATABASE_URL", None)
        cli = [sys.executable, "-m", "summitwatch"]
        for step in (["db", "upgrade"], ["baseline", "load"]):
            subprocess.run(cli + step, env=env, check=True, capture_output=True, cwd=ROOT)
        site = FixtureSite(folder).start()
        try:
            seconds, rss, summary = crawl(env, site.base_url)
            pages = site.count("/actualites/note-technique-", statuses={200})
            print(f"first crawl: {summary}; {pages} article pages in {seconds:.1f} s")
            reference = scrapy_bench()
            report(
                "crawl: pages per second",
                pages / seconds,
                reference or None,
                "pages/s",
                target="≥ 0.6 of scrapy bench",
            )
            report("crawl: peak RSS", rss, None, "MB", target="< 250 MB", higher_is_better=False)

            site.reset_log()
            _, _, summary = crawl(env, site.base_url)
            unchanged = site.requests
            not_modified = sum(1 for r in unchanged if r.status == 304)
            print(
                f"recrawl, nothing changed: {summary}; {len(unchanged)} requests ({not_modified} answered 304)"
            )
            print("  " + ", ".join(sorted({r.path for r in unchanged}))[:600])
            report(
                "incremental: requests when nothing changed",
                len(unchanged),
                None,
                "requests",
                target="entry points only",
                higher_is_better=False,
            )

            build(folder, ARTICLES + 10, ARTICLES + 10)
            site.reset_log()
            _, _, summary = crawl(env, site.base_url)
            after = site.requests
            articles = sum(1 for r in after if r.path.startswith("/actualites/note-technique-"))
            print(f"recrawl, 10 new: {summary}; {len(after)} requests, {articles} article pages")
            report(
                "incremental: requests with 10 new articles",
                len(after),
                None,
                "requests",
                target="entry points + 10 articles + their listings",
                higher_is_better=False,
            )
        finally:
            site.stop()


if __name__ == "__main__":
    main()
