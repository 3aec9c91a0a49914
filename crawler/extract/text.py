"""Body text: HTML cleaned by nh3 into paragraphs, boilerplate lines dropped; trafilatura as fallback."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

_BLOCKS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "br",
    "div",
    "section",
    "tr",
    "figcaption",
}
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(sorted(_BLOCKS)) + r")\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")

# Lines that are page furniture, not text (sources.md: Élysée speeches and dossiers, CeSIA).
BOILERPLATE = [
    re.compile(r"^(?:\d{1,2}(?:er)? \w+ \d{4} - )?Seul le prononcé fait foi\.?$", re.IGNORECASE),
    re.compile(r"^Télécharger le \.?pdf", re.IGNORECASE),
    re.compile(r"^Fait partie du dossier\s*:", re.IGNORECASE),
    re.compile(r"^S[’']inscrire à (?:notre|la) newsletter", re.IGNORECASE),
    re.compile(r"^(?:Partager|Imprimer)(?: sur \w+)?$", re.IGNORECASE),
]
_SPEAKER = re.compile(r"^(?:[A-ZÀ-Ý][\w'’-]+ ){1,3}[A-ZÀ-ÝŒ'’-]{2,}(?: [A-ZÀ-ÝŒ'’-]{2,})*$")


def html_to_text(fragment: str) -> str:
    """Paragraph text of an HTML fragment: scripts and styles dropped by nh3, one block per line."""
    cleaned = nh3.clean(fragment, tags=_BLOCKS, attributes={}, strip_comments=True)
    with_breaks = _BLOCK_TAG.sub("\n", cleaned)
    text = html.unescape(_ANY_TAG.sub("", with_breaks))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return unicodedata.normalize("NFC", "\n".join(line for line in lines if line))


def strip_boilerplate(text: str, title: str | None = None, extra: list[re.Pattern[str]] | None = None) -> str:
    """Drop furniture lines; near the top also the repeated title and a speaker in capitals."""
    patterns = BOILERPLATE + (extra or [])
    kept: list[str] = []
    folded_title = " ".join((title or "").split()).casefold()
    for index, line in enumerate(text.splitlines()):
        if any(p.search(line) for p in patterns):
            continue
        near_top = index < 6
        if near_top and folded_title and line.casefold() == folded_title:
            continue
        if near_top and len(line) < 60 and _SPEAKER.match(line):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def trafilatura_text(page_html: str, url: str | None = None) -> str:
    """The main text as trafilatura finds it (empty when it finds none).

    Imported on first use (a quarter of a second of the crawl child's start): pages whose
    own markup gives a long body never need it.
    """
    import lxml_html_clean  # noqa: F401  (trafilatura's HTML cleaning needs it importable)
    import trafilatura

    result = trafilatura.extract(
        page_html,
        url=url,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
    )
    if not result:
        result = trafilatura.extract(page_html, url=url, include_comments=False, favor_recall=True)
    return unicodedata.normalize("NFC", result or "").strip()
