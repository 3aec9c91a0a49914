"""Crawl throughput and incremental cost on a generated mirror of cyber.gouv.fr (issue 8, items 1-2).

    .venv/bin/python bench/crawl_throughput.py [--articles 3000] [--bench-seconds 20] [--profile]

The mirror, written to a temporary folder, is the anssi site as the fixture mirror
(tests/sites/anssi) has it: 3,000 article pages (--articles) made from a real article page (title,
"Publié le …" line, tags, lead, body paragraphs of varied text), the /actualites/
listing in DSFR cards, 12 per page, paginated with ?page=N, the RSS and Atom feeds
(the 20 latest items, links on cyber.sites.beta.gouv.fr as on the real feeds), a
sitemap with lastmod dates, and robots.txt. tests/support/sites.py serves it on
127.0.0.1 (a threading server, backlog 128), every 200 with an ETag and a
Last-Modified, answering 304 to a matching conditional GET, and logging every request.

1. Throughput: `crawler.runner.crawl` (the real child process, spider and storage
   pipeline) into a fresh SQLite database (`summitwatch db upgrade`, `baseline load`),
   AutoThrottle and download delay off, 16 requests per domain. Pages per second are
   stored article pages over the whole crawl (child process start to end, entry points
   and listing pages included); peak RSS is the crawl child's (getrusage of the
   waited-for children of a wrapper process that runs only the crawl).
   Reference: a bare Scrapy spider (bench/bare_spider.py) on the same served mirror in
   the same run: the listing and the sitemap, every article fetched once, title and body
   read with CSS selectors, the same concurrency, no storage. Second row: `scrapy bench`
   (Scrapy's own server and link-following spider, no parsing, no storage) for
   --bench-seconds, which says little about our own cost. (Our spider follows at most
   200 listing pages, its guard against endless listings; the sitemap brings the rest.)
   --profile crawls the mirror once more into a fresh database with the crawl child
   under pyinstrument (`pip install pyinstrument`) and prints where its time goes.
2. Incremental cost: the same mirror crawled again, nothing changed; then 10 new
   articles at the head of the listing, the feeds and the sitemap (the site
   regenerated as a CMS would, so every listing page shifts), crawled again. Requests
   are counted in the server's log. The reference is the least a crawler must ask:
   the entry points (robots.txt, listing page 1, the feeds, the sitemap), then those
   plus the 10 new articles (the listing pages leading to them: page 1, itself an
   entry point, which also holds known articles, so pagination stops there).

Figures are printed (and as BENCH lines for bench/run_all.py), never asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import report, timer, without_settings  # noqa: E402
from tests.support.sites import FixtureSite  # noqa: E402

FIXTURE = ROOT / "tests" / "sites" / "anssi"
TEMPLATE = FIXTURE / "actualites" / "feuille-de-route-2026-2027-de-linesia-lanssi-mobilisee" / "index.html"
TEMPLATE_SLUG = "feuille-de-route-2026-2027-de-linesia-lanssi-mobilisee"
TEMPLATE_TITLE = (
    "Feuille de route 2026-2027 de l'INESIA : l'ANSSI mobilisée sur la sécurité des systèmes d'IA"
)
CANONICAL = "https://cyber.gouv.fr"
FEED_HOST = "http://cyber.sites.beta.gouv.fr"  # the real feeds link there (sources.md)
PER_PAGE = 12
FEED_ITEMS = 20
NEW_ARTICLES = 10
PARIS = ZoneInfo("Europe/Paris")
NEWEST = datetime(2026, 3, 5, 9, 30, tzinfo=PARIS)
ARTICLE_PREFIX = "/actualites/"
ENTRY_POINTS = ("/robots.txt", "/actualites/", "/actualites/rss/", "/actualites/atom/", "/sitemap.xml")

WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
SUBJECTS = [
    "CERT-FR",
    "Rançongiciels",
    "Intelligence artificielle",
    "NIS 2",
    "Cloud de confiance",
    "Cryptographie post-quantique",
    "Collectivités territoriales",
    "Santé",
    "Jeux olympiques",
    "Qualification",
    "Messagerie sécurisée",
    "Systèmes industriels",
]
ACTIONS = [
    "l'ANSSI publie un guide de bonnes pratiques",
    "vulnérabilités critiques activement exploitées",
    "lancement d'un appel à projets",
    "retour d'expérience d'un exercice de crise",
    "de nouvelles recommandations de sécurité",
    "le rapport annuel est disponible",
    "l'ANSSI et ses partenaires publient un cadre d'évaluation",
    "une campagne de sensibilisation nationale",
    "publication d'un référentiel d'exigences",
    "premières qualifications délivrées",
]
TAGS = [
    "Intelligence artificielle",
    "CERT-FR",
    "Collectivités",
    "NIS 2",
    "Recrutement",
    "Évaluation",
    "INESIA",
    "Cryptographie",
    "Santé",
    "Industrie",
]
SENTENCES = [
    "L'Agence nationale de la sécurité des systèmes d'information publie ce jour un document destiné aux "
    "opérateurs d'importance vitale et aux entités essentielles.",
    "Face à la recrudescence des attaques par rançongiciel visant les communes et les intercommunalités, "
    "l'ANSSI rappelle les mesures de sauvegarde hors ligne et de cloisonnement des réseaux.",
    "Le CERT-FR a constaté l'exploitation active de plusieurs vulnérabilités affectant des équipements de "
    "bordure largement déployés dans les administrations et les entreprises.",
    "Les correctifs publiés par l'éditeur doivent être appliqués sans délai ; à défaut, l'équipement doit "
    "être isolé du réseau et ses journaux conservés pour analyse.",
    "Annoncé le 31 janvier 2025 en amont du Sommet pour l'action sur l'IA, l'INESIA fédère l'ANSSI, Inria, "
    "le LNE et le PEReN sous le pilotage conjoint du SGDSN et de la DGE.",
    "La méthodologie d'évaluation de la cybersécurité des systèmes d'IA sera testée sur des cas d'usage réels "
    "avant la fin de l'année.",
    "Les campagnes d'évaluation conjointes portent sur des agents d'IA et sur la robustesse des modèles face "
    "à l'injection de requêtes et à l'empoisonnement de données.",
    "La transposition de la directive NIS 2 étend les obligations de cybersécurité à plusieurs milliers "
    "d'entités publiques et privées.",
    "Un accompagnement est proposé aux collectivités : diagnostic, parcours de cybersécurité et mise en "
    "relation avec des prestataires qualifiés.",
    "Le guide détaille les mesures d'hygiène informatique prioritaires : inventaire, mises à jour, "
    "authentification multifacteur, journalisation et sauvegardes.",
    "L'exercice a réuni plus de deux cents participants issus des ministères, des opérateurs et des "
    "collectivités, autour d'un scénario de crise d'ampleur nationale.",
    "Les enseignements tirés de l'exercice portent sur la coordination interministérielle, la communication "
    "de crise et la continuité d'activité.",
    "L'institut représente la France au sein du réseau international des instituts de sécurité de l'IA, aux "
    "côtés du Royaume-Uni, du Canada, du Japon et de Singapour.",
    "La migration vers une cryptographie résistante aux ordinateurs quantiques doit être planifiée dès "
    "maintenant pour les données à longue durée de confidentialité.",
    "Les produits qualifiés figurent au catalogue publié sur le site de l'Agence, avec leur niveau de "
    "qualification et la date d'expiration de leur certificat.",
    "« La sécurité numérique est l'affaire de tous », souligne le directeur général de l'ANSSI, qui appelle "
    "les dirigeants à en faire une priorité stratégique.",
    "Les établissements de santé font l'objet d'une campagne d'hameçonnage ciblée ; les messages usurpent "
    "l'identité d'organismes publics.",
    "Le référentiel précise les exigences applicables aux prestataires de services de confiance et les "
    "modalités de leur évaluation par un centre agréé.",
]
HEADINGS = [
    "Les principales recommandations",
    "Un accompagnement renforcé",
    "Calendrier",
    "Une coopération internationale renforcée",
    "Ce qu'il faut retenir",
]


# -- the generated site ------------------------------------------------------------------


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower().replace("'", "")).strip("-")


class Article:
    """Article number `n` (1 is the oldest); its text is a function of `n` alone."""

    def __init__(self, n: int) -> None:
        rng = random.Random(n)
        self.n = n
        self.title = f"{rng.choice(SUBJECTS)} : {rng.choice(ACTIONS)} (n° {n})"
        self.slug = slugify(self.title)
        self.path = f"{ARTICLE_PREFIX}{self.slug}/"
        self.published = NEWEST - timedelta(hours=7 * (100_000 - n))
        self.tags = rng.sample(TAGS, rng.randint(1, 3))
        self.lead = " ".join(rng.sample(SENTENCES, 2))
        self.sections = [
            (rng.choice(HEADINGS), rng.sample(SENTENCES, rng.randint(2, 4))) for _ in range(rng.randint(2, 3))
        ]

    @property
    def teaser(self) -> str:
        return self.lead[:160].rsplit(" ", 1)[0] + " […]"

    def day_text(self, weekday: bool = True) -> str:
        d = self.published
        day = f"{d.day} {MONTHS[d.month - 1]} {d.year}"
        return f"{WEEKDAYS[d.weekday()]} {day}" if weekday else day


class Site:
    """Writes the mirror: pages under `folder`, plus its `_routes.json` (Last-Modified per URL)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        page = TEMPLATE.read_text(encoding="utf-8")
        start = page.index('<div class="fr-col-12 fr-col-md-9">') + len('<div class="fr-col-12 fr-col-md-9">')
        end = page.index("</div>\n      </div>\n    </div>\n  </main>")
        self.article_head = page[:start]
        self.article_tail = page[end:]
        listing = (FIXTURE / "actualites" / "index.html").read_text(encoding="utf-8")
        grid = '<div class="fr-grid-row fr-grid-row--gutters fr-mb-6w">'
        self.listing_head, _, rest = listing.partition(grid)
        self.listing_head += grid + "\n"
        nav_start = rest.index('      <nav role="navigation" class="fr-pagination')
        self.listing_tail = rest[rest.index("</nav>", nav_start) + len("</nav>") :]

    def write(self, numbers: list[int]) -> list[Article]:
        """Articles with these numbers, newest first, and every page that lists them."""
        if self.folder.exists():
            shutil.rmtree(self.folder)
        (self.folder / "actualites").mkdir(parents=True)
        articles = [Article(n) for n in sorted(numbers, reverse=True)]
        newest = articles[0].published
        routes: dict[str, dict[str, str]] = {}
        for article in articles:
            target = self.folder / article.path.strip("/")
            target.mkdir()
            (target / "index.html").write_text(self.article_page(article), encoding="utf-8")
            routes[article.path] = {"last_modified": article.published.isoformat()}
        pages = (len(articles) + PER_PAGE - 1) // PER_PAGE
        for p in range(1, pages + 1):
            name = "index.html" if p == 1 else f"index.page-{p}.html"
            html = self.listing_page(articles[(p - 1) * PER_PAGE : p * PER_PAGE], p, pages)
            (self.folder / "actualites" / name).write_text(html, encoding="utf-8")
        for kind, text in (
            ("rss", self.rss(articles[:FEED_ITEMS])),
            ("atom", self.atom(articles[:FEED_ITEMS])),
        ):
            (self.folder / "actualites" / kind).mkdir()
            (self.folder / "actualites" / kind / "index.xml").write_text(text, encoding="utf-8")
        (self.folder / "sitemap.xml").write_text(self.sitemap(articles), encoding="utf-8")
        shutil.copy(FIXTURE / "robots.txt", self.folder / "robots.txt")
        for path in ENTRY_POINTS[1:]:
            routes[path] = {"last_modified": newest.isoformat()}
        (self.folder / "_routes.json").write_text(json.dumps(routes), encoding="utf-8")
        return articles

    def article_page(self, a: Article) -> str:
        head = self.article_head.replace(escape(TEMPLATE_TITLE, quote=False), escape(a.title, quote=False))
        head = head.replace(TEMPLATE_TITLE, a.title).replace(TEMPLATE_SLUG, a.slug)
        head = re.sub(
            r'<meta name="description" content="[^"]*">',
            f'<meta name="description" content="{escape(a.teaser)}">',
            head,
        )
        tags = "".join(
            f'\n          <li><a class="fr-tag fr-tag--sm" href="/actualites/?tag={slugify(t)}">{escape(t)}</a></li>'
            for t in a.tags
        )
        sections = "".join(
            f"\n          <h2>{escape(h)}</h2>" + "".join(f"\n          <p>{escape(s)}</p>" for s in ss)
            for h, ss in a.sections
        )
        main = (
            f"\n        <h1>{escape(a.title)}</h1>"
            f'\n        <p class="fr-text--sm fr-mb-3v">Publié le {a.day_text()}</p>'
            f'\n        <ul class="fr-tags-group">{tags}\n        </ul>'
            f'\n        <p class="fr-text--lead">{escape(a.lead)}</p>'
            f'\n        <div class="block-paragraph">{sections}\n        </div>\n        '
        )
        return head + main + self.article_tail

    def listing_page(self, articles: list[Article], page: int, pages: int) -> str:
        cards = []
        for k, a in enumerate(articles):
            # Both card styles of the fixture: a teaser and a dated card detail, or the date as the description.
            if k % 2 == 0:
                body = (
                    f'            <p class="fr-card__desc">{escape(a.teaser)}</p>\n'
                    f'            <div class="fr-card__start"><ul class="fr-tags-group"><li><p class="fr-tag fr-tag--sm">{escape(a.tags[0])}</p></li></ul></div>\n'
                    '            <div class="fr-card__end">\n'
                    f'              <p class="fr-card__detail fr-icon-calendar-line">Publié le {a.day_text(weekday=False)}</p>\n'
                    "            </div>\n"
                )
            else:
                body = (
                    f'            <p class="fr-card__desc">Publié le {a.published:%d/%m/%Y}</p>\n'
                    f'            <div class="fr-card__start"><ul class="fr-tags-group"><li><p class="fr-tag fr-tag--sm">{escape(a.tags[0])}</p></li></ul></div>\n'
                )
            href = f"{CANONICAL}{a.path}" if k % 3 == 0 else a.path  # the fixture mixes both
            cards.append(
                '      <div class="fr-col-12 fr-col-md-6 fr-col-lg-4">\n'
                '        <div class="fr-card fr-enlarge-link">\n'
                '          <div class="fr-card__body">\n'
                '            <div class="fr-card__content">\n'
                f'            <h3 class="fr-card__title"><a href="{href}">{escape(a.title)}</a></h3>\n'
                f"{body}"
                "            </div>\n"
                "          </div>\n"
                "        </div>\n"
                "      </div>\n"
            )
        head = self.listing_head.replace("Page 1/3", f"Page {page}/{pages}")
        if page > 1:
            head = head.replace(
                '<link rel="canonical" href="https://cyber.gouv.fr/actualites/">',
                f'<link rel="canonical" href="https://cyber.gouv.fr/actualites/?page={page}">',
            )
        return head + "".join(cards) + "      </div>\n" + self.pagination(page, pages) + self.listing_tail

    @staticmethod
    def pagination(page: int, pages: int) -> str:
        """DSFR pagination: first, previous, a window of pages, next, last."""

        def href(p: int) -> str:
            return "/actualites/" if p == 1 else f"/actualites/?page={p}"

        items = []
        if page > 1:
            items.append(
                f'<li><a class="fr-pagination__link fr-pagination__link--first" href="{href(1)}">Première page</a></li>'
            )
            items.append(
                f'<li><a class="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" href="{href(page - 1)}">Page précédente</a></li>'
            )
        for p in range(max(1, page - 2), min(pages, page + 2) + 1):
            current = ' aria-current="page"' if p == page else ""
            items.append(
                f'<li><a class="fr-pagination__link" href="{href(p)}"{current} title="Page {p}">{p}</a></li>'
            )
        if page < pages:
            items.append(
                f'<li><a class="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" href="?page={page + 1}">Page suivante</a></li>'
            )
            items.append(
                f'<li><a class="fr-pagination__link fr-pagination__link--last" href="{href(pages)}">Dernière page</a></li>'
            )
        lis = "".join(f"\n          {i}" for i in items)
        return (
            '      <nav role="navigation" class="fr-pagination fr-mb-6w" aria-label="Pagination">\n'
            f'        <ul class="fr-pagination__list">{lis}\n        </ul>\n      </nav>'
        )

    @staticmethod
    def rss(articles: list[Article]) -> str:
        items = "".join(
            "\n    <item>"
            f"\n      <title>{escape(a.title, quote=False)}</title>"
            f"\n      <link>{FEED_HOST}{a.path}</link>"
            f"\n      <description>{escape(a.teaser, quote=False)}</description>"
            f"\n      <pubDate>{format_datetime(a.published)}</pubDate>"
            f"\n      <guid>{FEED_HOST}{a.path}</guid>"
            "\n    </item>"
            for a in articles
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">\n'
            "  <channel>\n    <title>Les actualités</title>\n"
            f"    <link>{FEED_HOST}/actualites/</link>\n    <description>Les actualités de l'ANSSI</description>\n"
            f'    <atom:link href="{FEED_HOST}/actualites/rss/" rel="self"/>\n    <language>fr</language>\n'
            f"    <lastBuildDate>{format_datetime(articles[0].published)}</lastBuildDate>{items}\n  </channel>\n</rss>\n"
        )

    @staticmethod
    def atom(articles: list[Article]) -> str:
        entries = "".join(
            "\n  <entry>"
            f"\n    <title>{escape(a.title, quote=False)}</title>"
            f'\n    <link href="{FEED_HOST}{a.path}" rel="alternate"/>'
            f"\n    <published>{a.published.isoformat()}</published>"
            f"\n    <updated>{a.published.isoformat()}</updated>"
            f"\n    <id>{FEED_HOST}{a.path}</id>"
            f'\n    <summary type="html">{escape(a.teaser, quote=False)}</summary>'
            "\n  </entry>"
            for a in articles
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">\n'
            f'  <title>Les actualités</title>\n  <link href="{FEED_HOST}/actualites/" rel="alternate"/>\n'
            f'  <link href="{FEED_HOST}/actualites/atom/" rel="self"/>\n  <id>{FEED_HOST}/actualites/</id>\n'
            f"  <updated>{articles[0].published.isoformat()}</updated>\n"
            f"  <subtitle>Les actualités de l'ANSSI</subtitle>{entries}\n</feed>\n"
        )

    @staticmethod
    def sitemap(articles: list[Article]) -> str:
        urls = "".join(
            f"\n  <url>\n    <loc>{CANONICAL}{a.path}</loc>\n    <lastmod>{a.published:%Y-%m-%d}</lastmod>\n  </url>"
            for a in articles
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"  <url>\n    <loc>{CANONICAL}/actualites/</loc>\n    <lastmod>{articles[0].published:%Y-%m-%d}</lastmod>\n  </url>"
            f"{urls}\n</urlset>\n"
        )


# -- runs ----------------------------------------------------------------------------------


def measured(code: str, env: dict[str, str]) -> tuple[dict[str, object], float]:
    """Run `code` in a wrapper process; its last stdout line is JSON. Returns it and the
    peak RSS (MB) of the wrapper's waited-for children (the crawl child, scrapy bench)."""
    wrapper = (
        f"import json, resource\n{code}\n"
        "out['children_rss_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper], env=env, capture_output=True, text=True, cwd=ROOT, timeout=170
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"wrapper failed (exit {done.returncode})")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out, float(out.pop("children_rss_mb"))


def crawl(env: dict[str, str], base_url: str) -> tuple[dict[str, object], float]:
    code = (
        "import dataclasses, time\n"
        "from crawler.runner import crawl\n"
        "t0 = time.perf_counter()\n"
        f"result = crawl(['anssi'], base_url={base_url!r})[0]\n"
        "out = dataclasses.asdict(result)\n"
        "out['wall'] = time.perf_counter() - t0\n"
        "out['line'] = result.line()\n"
    )
    return measured(code, env)


def bare_spider(base_url: str, concurrency: int) -> tuple[dict[str, object], float]:
    """The bare spider's figures (bench/bare_spider.py) and its peak RSS (MB)."""
    script = str(ROOT / "bench" / "bare_spider.py")
    code = (
        "import json, subprocess, sys\n"
        f"done = subprocess.run([sys.executable, {script!r}, {base_url!r}, '--concurrency', '{concurrency}'],"
        " capture_output=True, text=True, check=True)\n"
        "out = json.loads(done.stdout.strip().splitlines()[-1])\n"
    )
    env = without_settings()
    return measured(code, env)


def profile_crawl(env: dict[str, str], base_url: str, data_dir: Path) -> Path | str:
    """The crawl child alone, under pyinstrument, into a fresh database: its pstats file (or why not)."""
    env = {**env, "SUMMITWATCH_DATA_DIR": str(data_dir)}
    cli = [sys.executable, "-m", "summitwatch"]
    for step in (["db", "upgrade"], ["baseline", "load"]):
        subprocess.run(cli + step, env=env, check=True, capture_output=True, cwd=ROOT)
    out = data_dir / "crawl.pstats"
    done = subprocess.run(
        [sys.executable, "-m", "pyinstrument", "-r", "pstats", "-o", str(out), "-m", "crawler.child", "anssi"]
        + ["--base-url", base_url],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    if done.returncode != 0:
        return f"profile failed (is pyinstrument installed?): {done.stderr[-1500:]}"
    return out


# Stages of the crawl child, by the function that does each (cumulative wall time).
STAGES = {
    "whole child": "crawler/child.py:main",
    "Twisted reactor waiting (epoll)": "epollreactor.py:doPoll",
    "spider: article callback": "crawler/spiders/base.py:parse_article",
    "  extraction (selectors, dates, text)": "crawler/extract/article.py:extract_article",
    "    dates (site line, metadata, page text)": "crawler/extract/article.py:_dates",
    "    body (site selectors)": "crawler/extract/article.py:_site_body",
    "  trafilatura fallback": "trafilatura/core.py:extract",
    "  parsing the page (lxml, shared)": "parsel/selector.py:create_root_node",
    "  quality checks before storing": "crawler/quality.py:page_problem",
    "spider: listing pages": "crawler/spiders/entrypoints.py:parse_listing",
    "spider: sitemaps": "crawler/spiders/entrypoints.py:parse_sitemap",
    "storage pipeline (all items)": "crawler/pipelines.py:process_item",
    "  store_pages (a batch, one transaction)": "storage/crawls.py:store_pages",
    "    what the batch has stored (one query a table)": "storage/page_batch.py:read",
    "    snapshot (compress, sha256)": "storage/publications.py:store_snapshot",
    "    upsert publication": "storage/publications.py:upsert_publication",
    "    SQLite commit (the batch's inserts)": "sqlalchemy/orm/session.py:commit",
    "Scrapy downloader (HTTP)": "scrapy/core/downloader/__init__.py:_download",
    "Scrapy scraper (callbacks, item pipeline)": "scrapy/core/scraper.py:_scrape",
    "start-up imports": "<frozen importlib._bootstrap>:_find_and_load",
}


def where_time_goes(pstats_file: Path | str) -> str:
    """Cumulative wall time of each stage (a function's time counted once, recursion aside)."""
    if isinstance(pstats_file, str):
        return pstats_file
    import pstats

    stats = pstats.Stats(str(pstats_file)).stats  # type: ignore[attr-defined]
    total = 0.0
    rows = []
    for label, where in STAGES.items():
        path, _, name = where.rpartition(":")
        seconds = sum(
            cumulative
            for (file, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.items()
            if file.endswith(path) and function == name
        )
        if label == "whole child":
            total = seconds
        rows.append((label, seconds))
    return "\n".join(
        f"  {label:<45} {seconds:7.1f} s  {100 * seconds / total if total else 0:5.1f} %"
        for label, seconds in rows
        if seconds > 0
    )


def scrapy_bench(seconds: int) -> tuple[float, float, str]:
    """Responses per second of `scrapy bench`, its peak RSS (MB), and a summary."""
    scrapy = str(Path(sys.executable).with_name("scrapy"))
    code = (
        "import subprocess\n"
        f"done = subprocess.run([{scrapy!r}, 'bench', '-s', 'CLOSESPIDER_TIMEOUT={seconds}', '-s', 'LOG_LEVEL=INFO'],"
        " capture_output=True, text=True)\n"
        "out = {'log': done.stderr[-6000:], 'code': done.returncode}\n"
    )
    env = without_settings()
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with tempfile.TemporaryDirectory() as empty:  # no scrapy.cfg around: Scrapy's defaults
        env["PWD"] = empty
        out, rss = measured(f"import os\nos.chdir({empty!r})\n{code}", env)
    log = str(out["log"])
    count = re.search(r"'response_received_count': (\d+)", log)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    if not (count and elapsed):
        sys.stderr.write(log[-2000:])
        return 0.0, rss, "scrapy bench printed no stats"
    per_second = [int(m) / 60 for m in re.findall(r"Crawled \d+ pages \(at (\d+) pages/min\)", log)]
    per_second = [r for r in per_second if r > 0]
    rate = int(count.group(1)) / float(elapsed.group(1))
    summary = (
        f"scrapy bench: {count.group(1)} responses in {float(elapsed.group(1)):.1f} s = {rate:.0f}/s "
        f"(per-second log from {max(per_second, default=0):.0f}/s down to {min(per_second, default=0):.0f}/s), "
        f"peak RSS {rss:.0f} MB"
    )
    return rate, rss, summary


def describe(records: list, new_paths: set[str]) -> tuple[dict[str, int], str]:
    """Requests by kind, and a readable list of them."""
    kinds = {"entry points": 0, "listing pages 2+": 0, "new articles": 0, "other articles": 0, "other": 0}
    for r in records:
        path = r.path
        if path in ENTRY_POINTS:
            kinds["entry points"] += 1
        elif path.startswith("/actualites/?page="):
            kinds["listing pages 2+"] += 1
        elif path in new_paths:
            kinds["new articles"] += 1
        elif path.startswith(ARTICLE_PREFIX):
            kinds["other articles"] += 1
        else:
            kinds["other"] += 1
    shown = ", ".join(
        f"{r.path} {r.status}"
        for r in sorted(records, key=lambda r: (r.path not in ENTRY_POINTS, r.path))
        if r.path not in new_paths
    )
    return kinds, shown


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--bench-seconds", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="profile the crawl child (pyinstrument)")
    args = parser.parse_args()
    started = time.perf_counter()
    summary: list[str] = []

    with tempfile.TemporaryDirectory(prefix="sw-crawl-bench-") as tmp:
        folder = Path(tmp) / "site"
        site_files = Site(folder)
        first = 100_000 - args.articles + 1
        with timer() as took:
            articles = site_files.write(list(range(first, 100_001)))
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        pages = (len(articles) + PER_PAGE - 1) // PER_PAGE
        print(
            f"mirror: {len(articles):,} articles, {pages} listing pages of {PER_PAGE}, RSS + Atom "
            f"({FEED_ITEMS} items), sitemap, robots.txt; {size / 1e6:.0f} MB written in {took['seconds']:.1f} s"
        )

        env = without_settings()
        env.update(
            SUMMITWATCH_DATA_DIR=str(Path(tmp) / "data"),
            SUMMITWATCH_CRAWLER__AUTOTHROTTLE="false",
            SUMMITWATCH_CRAWLER__DOWNLOAD_DELAY="0",
            SUMMITWATCH_CRAWLER__CONCURRENCY_PER_DOMAIN="16",
            SUMMITWATCH_CRAWLER__RETRY_TIMES="1",
            SUMMITWATCH_CRAWLER__RETRY_BACKOFF="0.2",
        )
        cli = [sys.executable, "-m", "summitwatch"]
        for step in (["db", "upgrade"], ["baseline", "load"]):
            subprocess.run(cli + step, env=env, check=True, capture_output=True, cwd=ROOT)

        site = FixtureSite(folder).start()
        try:
            # 1. throughput
            result, crawl_rss = crawl(env, site.base_url)
            stored = int(result["new"])  # type: ignore[arg-type]
            duration = float(result["duration"])  # type: ignore[arg-type]
            served = site.requests
            ok = sum(1 for r in served if r.status == 200)
            print(f"first crawl: {result['line']}")
            print(
                f"  {len(served):,} requests ({ok:,} answered 200), {stored:,} articles stored in {duration:.1f} s: "
                f"{stored / duration:.0f} articles/s, {len(served) / duration:.0f} responses/s; crawl child peak RSS {crawl_rss:.0f} MB"
            )
            bare, bare_rss = bare_spider(site.base_url, 16)
            bare_rate = float(bare["per_second"])  # type: ignore[arg-type]
            print(
                f"bare Scrapy spider, same mirror: {bare['articles']:,} articles in {float(bare['seconds']):.1f} s "
                f"= {bare_rate:.0f}/s, peak RSS {bare_rss:.0f} MB"
            )
            rate, bench_rss, bench_summary = scrapy_bench(args.bench_seconds)
            print(bench_summary)
            ours = stored / duration
            ratio = ours / bare_rate if bare_rate else 0.0
            summary.append(
                f"throughput: {ours:.0f} articles/s = {ratio:.2f} × the bare spider ({bare_rate:.0f}/s), "
                f"{ours / rate if rate else 0:.2f} × scrapy bench ({rate:.0f}/s) — "
                f"target ≥ 0.7 × bare spider {'met' if ratio >= 0.7 else 'MISSED'}"
            )
            summary.append(
                f"peak RSS of the crawl child: {crawl_rss:.0f} MB (bare spider {bare_rss:.0f} MB, "
                f"scrapy bench {bench_rss:.0f} MB) — target < 250 MB {'met' if crawl_rss < 250 else 'MISSED'}"
            )
            report(
                f"crawl: pages per second ({len(articles):,} articles, SQLite) vs a bare Scrapy spider",
                ours,
                bare_rate or None,
                "pages/s",
                target="≥ 0.7 × the bare spider, same mirror, same run",
            )
            report(
                f"crawl: pages per second ({len(articles):,} articles, SQLite) vs scrapy bench",
                ours,
                rate or None,
                "pages/s",
                target="second reference (Scrapy's own server, no parsing)",
            )
            report(
                "crawl: peak RSS of the crawl child",
                crawl_rss,
                bare_rss or None,
                "MB",
                target="< 250 MB (reference: the bare spider)",
                higher_is_better=False,
            )
            if args.profile:
                profiled = profile_crawl(env, site.base_url, Path(tmp) / "profile-data")
                print("\nwhere the crawl child's time goes (pyinstrument, wall time under each stage):")
                print(where_time_goes(profiled))

            # 2a. nothing changed
            site.reset_log()
            result, _ = crawl(env, site.base_url)
            unchanged = site.requests
            kinds, shown = describe(unchanged, set())
            not_modified = sum(1 for r in unchanged if r.status == 304)
            print(f"recrawl, nothing changed: {result['line']}")
            print(f"  {len(unchanged)} requests, {not_modified} answered 304: {shown}")
            only_entry = {r.path for r in unchanged} <= set(ENTRY_POINTS)
            summary.append(
                f"recrawl, nothing changed: {len(unchanged)} requests ({not_modified} answered 304) — "
                f"target entry points only {'met' if only_entry else 'MISSED'}"
            )
            report(
                "incremental: requests, nothing changed",
                len(unchanged),
                len(ENTRY_POINTS),
                "requests",
                target="entry points only (robots, listing p1, 2 feeds, sitemap), 304 where possible",
                higher_is_better=False,
                not_modified=not_modified,
            )

            # 2b. ten new articles
            newest = [a.n for a in articles]
            added = list(range(100_001, 100_001 + NEW_ARTICLES))
            port = site.port
            site.stop()
            articles = site_files.write(newest + added)
            site = FixtureSite(folder, port=port).start()  # same host: the stored validators still apply
            new_paths = {a.path for a in articles[:NEW_ARTICLES]}
            result, _ = crawl(env, site.base_url)
            after = site.requests
            kinds, shown = describe(after, new_paths)
            fetched = {r.path for r in after if r.path in new_paths and r.status == 200}
            print(f"recrawl, {NEW_ARTICLES} new articles: {result['line']}")
            print(
                f"  {len(after)} requests: "
                + ", ".join(f"{v} {k}" for k, v in kinds.items() if v)
                + f"; {len(fetched)}/{NEW_ARTICLES} new articles fetched; besides them: {shown}"
            )
            expected = len(ENTRY_POINTS) + NEW_ARTICLES
            met = len(after) <= expected and len(fetched) == NEW_ARTICLES
            summary.append(
                f"recrawl, {NEW_ARTICLES} new articles: {len(after)} requests ("
                + ", ".join(f"{v} {k}" for k, v in kinds.items() if v)
                + f"), {result['new']} stored — target {expected} {'met' if met else 'MISSED'}"
            )
            report(
                f"incremental: requests, {NEW_ARTICLES} new articles",
                len(after),
                expected,
                "requests",
                target=f"entry points + the {NEW_ARTICLES} articles + listing pages leading to them",
                higher_is_better=False,
                new_stored=result["new"],
            )
        finally:
            site.stop()

    print(f"\nSummary ({time.perf_counter() - started:.0f} s in all)")
    for line in summary:
        print(f"  {line}")


if __name__ == "__main__":
    main()
