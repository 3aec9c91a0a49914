"""One catalogue of words: complete for both languages, proper plurals, the same words on every surface."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import extract_from_dir

from digests.i18n import Translator as MailWords
from storage.models import SIGNALS, STATUSES, THEMES
from summitwatch.words import LANGUAGES, Words, known_ids
from tests.support.webserver import WebServer, seed_tracker
from web.i18n import Translator as PageWords

ROOT = Path(__file__).resolve().parent.parent
METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
    ("**/templates/**.atom", "jinja2"),
    ("**.py", "python"),
]
ATTRIBUTE_CALL = re.compile(r"\bt\.(?:label|plural)\(\s*['\"]([a-z_]+)['\"]")


def used_ids() -> set[str]:
    """What `pybabel extract -k t -k words` finds, and `t.label('…')` calls, in web, digests, summitwatch."""
    ids: set[str] = set()
    for package in ("web", "digests", "summitwatch"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / package, METHODS, keywords={"t": None, "words": None}
        ):
            ids.add(message if isinstance(message, str) else message[0])
        for path in (ROOT / package).rglob("*"):
            if path.suffix in (".html", ".txt", ".atom", ".py"):
                ids.update(ATTRIBUTE_CALL.findall(path.read_text(encoding="utf-8")))
    return ids


def test_every_word_the_code_uses_is_in_both_catalogues() -> None:
    used = used_ids()
    assert len(used) > 150  # the extraction really ran over the templates
    for lang in LANGUAGES:
        missing = sorted(used - known_ids(lang))
        assert not missing, f"{lang}: {missing}"
    assert known_ids("fr") == known_ids("en")
    for lang in LANGUAGES:
        words = Words(lang)
        for kind, values in (("status", STATUSES), ("signal", SIGNALS), ("theme", THEMES)):
            for value in values:
                assert f"{kind}.{value}" in known_ids(lang), (lang, kind, value)
        assert words.status("stalled") == {"fr": "à l'arrêt", "en": "stalled"}[lang]


@pytest.mark.parametrize(
    ("lang", "key", "n", "text"),
    [
        ("fr", "evidence_count", 0, "0 preuve"),
        ("fr", "evidence_count", 1, "1 preuve"),
        ("fr", "evidence_count", 2, "2 preuves"),
        ("fr", "evidence_count", 1500, "1\u202f500 preuves"),
        ("en", "evidence_count", 1, "1 piece of evidence"),
        ("en", "evidence_count", 0, "0 pieces of evidence"),
        ("en", "errors_n", 1, "1 error"),
        ("en", "errors_n", 2, "2 errors"),
        ("fr", "days_since", 1, "il y a 1 jour"),
        ("en", "days_since", 3, "3 days ago"),
        ("fr", "status_count.achieved", 2, "2 tenus"),
        ("fr", "status_count.not_rated", 1, "1 non évalué"),
    ],
)
def test_plurals(lang: str, key: str, n: int, text: str) -> None:
    assert Words(lang)(key, n=n) == text


def test_pages_mails_and_cli_share_the_words() -> None:
    for lang in LANGUAGES:
        page, mail = PageWords(lang), MailWords(lang)
        for status in STATUSES:
            assert page.status(status).lower() == mail.status(status).lower()  # a badge is capitalised
        for signal in SIGNALS:
            assert page.signal(signal) == mail.signal(signal)
        assert page.date("2025-02-17") == mail.short_date("2025-02-17")
    assert MailWords("fr").date("2025-02-17") == "lundi 17 février 2025"
    assert PageWords("en").date("2025-02-17T23:30:00+00:00") == "February 18, 2025"  # the day in Paris
    assert PageWords("fr").label("signal") == "Signal\u00a0:" and PageWords("en").label("signal") == "Signal:"
    assert PageWords("fr").actor("French government") == "Gouvernement français"
    assert PageWords("en").actor("French government") == "French government"
    assert PageWords("fr").actor("Not in the catalogue") == "Not in the catalogue"


def test_pages_read_well_in_both_languages(web_server: WebServer) -> None:
    seed_tracker(web_server.db_url)
    for path in ("/", "/commitments/inesia", "/sources", "/publications"):
        en = httpx.get(f"{web_server.url}{path}?lang=en", timeout=10).text
        fr = httpx.get(f"{web_server.url}{path}?lang=fr", timeout=10).text
        visible_en = re.sub(r"<[^>]+>", " ", en)
        assert " :" not in visible_en and "\u00a0:" not in visible_en, path  # no French colon in English
        for text in (visible_en, re.sub(r"<[^>]+>", " ", fr)):
            assert "(s)" not in text, path
    dashboard = httpx.get(web_server.url + "/?lang=fr", timeout=10).text
    actors = re.findall(r'<p class="actors">([^<]*)</p>', dashboard)
    assert any("Gouvernement français" in a for a in actors)
    assert not any("French government" in a for a in actors)
    assert (
        '<option value="French government" label="Gouvernement français">' in dashboard
    )  # filter by stored name
    assert "1 preuve<" in dashboard or "1 preuve " in dashboard  # current-ai has one piece of evidence
    typed = httpx.get(web_server.url + "/?lang=fr&actor=Gouvernement+fran", timeout=10).text
    assert 'href="/commitments/inesia?lang=fr"' in typed  # found through the translation
    assert 'href="/commitments/roost?lang=fr"' not in typed
    english = httpx.get(web_server.url + "/commitments/inesia?lang=en", timeout=10).text
    assert "Signal: mention" in english and "12 pieces of evidence" in english


def test_the_status_rules_reasons_read_in_the_readers_language() -> None:
    note = "first progress reported (progress: “a été créé”); Lancé le 11 février"
    assert (
        PageWords("fr").note(note)
        == "premier progrès signalé (avancée : « a été créé »); Lancé le 11 février"
    )
    assert MailWords("en").note(note) == note
    assert PageWords("fr").note("deadline passed (2025-05-31) with no progress reported") == (
        "échéance passée (2025-05-31) sans progrès signalé"
    )
    assert PageWords("fr").note("Une note écrite par un relecteur") == "Une note écrite par un relecteur"
    assert (
        PageWords("fr").publication_date("2026-02-02T23:00:00+00:00", "day") == "3 février 2026"
    )  # its own day
