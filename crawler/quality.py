"""Is a fetched page an article at all? Challenge, maintenance and garbage pages are not.

A page that fails here is never stored: a new URL is only counted, a stored one keeps
its good version and the refusal is recorded with the bytes that were served.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from parsel import Selector

from crawler.extract.article import Extracted

_CHALLENGE = re.compile(
    r"just a moment|checking your browser|enable javascript and cookies|cf-chl|captcha|"
    r"__cf_chl|challenge-platform|ddos protection|access denied|veuillez activer javascript",
    re.IGNORECASE,
)
_NEEDS_JS = re.compile(
    r"enable javascript|activer (?:le )?javascript|javascript (?:is )?(?:required|disabled)|"
    r"<noscript>[^<]{0,200}javascript",
    re.IGNORECASE,
)
_MAINTENANCE = re.compile(
    r"\b(?:site|page|service)s? (?:en|sous) maintenance|en cours de maintenance|maintenance en cours|"
    r"op[ée]ration de maintenance|under maintenance|down for maintenance|maintenance mode|"
    r"temporairement (?:indisponible|inaccessible)|temporarily unavailable|service (?:indisponible|unavailable)|"
    r"nous revenons (?:tr[eè]s )?(?:vite|bient[ôo]t)|we['’]ll be back|be right back|revenez plus tard",
    re.IGNORECASE,
)
_LONG_ARTICLE = 600
_TEXT_SAMPLE = 6000


def looks_like_challenge(page_html: str, extracted: Extracted | None = None) -> bool:
    """An anti-bot page: challenge markers and no article to speak of.

    Strong markers (Cloudflare, captcha) count unless a real article is there; a mere
    "enable JavaScript" counts only when nothing article-like was found.
    """
    if extracted is not None and extracted.is_article and len(extracted.body) > _LONG_ARTICLE:
        return False
    head = page_html[:20000]
    if _CHALLENGE.search(head):
        return True
    return (extracted is None or not extracted.is_article) and bool(_NEEDS_JS.search(head))


def looks_like_maintenance(extracted: Extracted, page_html: str, parsed: Selector | None = None) -> bool:
    """A "site en maintenance" page: said in a title or heading, or on a page with little else.

    An article that merely mentions an outage in a long text is not one. `parsed`: the page
    already parsed, if it was.
    """
    sel = parsed if parsed is not None else Selector(text=page_html[:200_000])
    headings = [extracted.title or "", *sel.css("title::text, h1 ::text").getall()[:6]]
    if any(_MAINTENANCE.search(h) for h in headings):
        return True
    return len(extracted.body) < _LONG_ARTICLE and bool(_MAINTENANCE.search(extracted.body))


# C0 controls no text encoding produces (tab, LF and CR are text).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
# Characters counted as garbage besides controls and symbols: none; these symbols are text.
_TEXT_SYMBOLS = "\n\t€$£%+=<>|~^`°§©®™•·–—"
# ASCII garbage: controls other than LF and tab, and DEL (every ASCII symbol is in _TEXT_SYMBOLS).
_ASCII_ODD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def binary_share(raw: bytes) -> float:
    """The share of bytes that no text encoding would produce (NUL, other C0 controls)."""
    sample = raw[:_TEXT_SAMPLE]
    if not sample:
        return 0.0
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample)


@lru_cache(maxsize=4096)
def _odd(char: str) -> bool:
    category = unicodedata.category(char)
    return char == "\ufffd" or (category[0] in {"C", "S"} and char not in _TEXT_SYMBOLS)


def garbage_share(text: str) -> float:
    """The share of characters that are neither letters, digits, spaces nor punctuation.

    Counted with two regular expressions and a cache of the non-ASCII characters seen:
    testing each character's Unicode category in Python was a tenth of a crawl.
    """
    sample = text[:_TEXT_SAMPLE]
    if not sample:
        return 0.0
    odd = len(_ASCII_ODD.findall(sample)) + sum(1 for char in _NON_ASCII.findall(sample) if _odd(char))
    return odd / len(sample)


def page_problem(
    raw: bytes,
    page_html: str,
    extracted: Extracted,
    parsed: Selector | None = None,
    *,
    bytes_checked: bool = False,
) -> str | None:
    """Why this page must not be stored as an article, or None when it may be.

    `bytes_checked`: the caller already found the page's bytes and its first characters
    readable (the spider's `not_text`), with the same thresholds: not counted twice.
    """
    if not bytes_checked and binary_share(raw) > 0.02:
        return "binary content, not a web page"
    if (not bytes_checked and garbage_share(page_html) > 0.15) or garbage_share(extracted.body) > 0.15:
        return "garbage: mostly unreadable characters"
    if looks_like_challenge(page_html, extracted):
        return "anti-bot challenge page"
    if looks_like_maintenance(extracted, page_html, parsed):
        return "maintenance page"
    if not extracted.is_article:
        return "no article text found"
    return None
