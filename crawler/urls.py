"""Canonical URLs: one spelling per page, whatever road (listing, feed, sitemap, mirror) led to it.

Stored URLs always use the real public host over https, so a crawl of a local mirror
(`base_url`) stores exactly what a crawl of the real site would.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from crawler.sources import SourceConfig

TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_hsenc", "_hsmi"}
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _clean_query(query: str) -> str:
    pairs = [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlencode(pairs, quote_via=quote)


def normalise_path(path: str) -> str:
    """Percent-encoding made uniform: decoded once, re-encoded with upper-case hex."""
    return quote(unquote(path), safe=_PATH_SAFE) or "/"


def canonicalize(
    url: str, source: SourceConfig | None = None, *, base: str | None = None, mirror: str | None = None
) -> str:
    """The canonical form of `url` (resolved against `base`).

    Hosts of `source` (aliases, www./no-www, and the `mirror` base URL) become the
    canonical host over https; tracking parameters and the fragment are dropped.
    """
    if base:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "https"
    host = (parts.hostname or "").lower()
    netloc = (
        host
        if parts.port is None or (scheme, parts.port) in {("http", 80), ("https", 443)}
        else f"{host}:{parts.port}"
    )
    mirror_netloc = urlsplit(mirror).netloc.lower() if mirror else None
    path = parts.path
    if source is not None and mirror_netloc and netloc == mirror_netloc:
        prefix = urlsplit(mirror or "").path.rstrip("/")
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix) :] or "/"  # a mirror served under a path prefix
        scheme, netloc = "https", source.host
    elif source is not None and host in source.hosts():
        scheme, netloc = "https", source.host
    return urlunsplit((scheme, netloc, normalise_path(path), _clean_query(parts.query), ""))


def dedupe_key(url: str) -> str:
    """What makes two canonical URLs the same page: the trailing slash does not count."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def fetch_url(canonical: str, source: SourceConfig, base_url: str | None) -> str:
    """Where to fetch a canonical URL: on the mirror when `base_url` is set, else itself."""
    if not base_url:
        return canonical
    parts = urlsplit(canonical)
    if parts.netloc.lower() not in source.hosts():
        return canonical
    mirror = urlsplit(base_url)
    return urlunsplit((mirror.scheme, mirror.netloc, mirror.path.rstrip("/") + parts.path, parts.query, ""))


def path_of(url: str) -> str:
    """Path and query: what the source's article and sitemap regexes look at."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def same_site(url: str, source: SourceConfig) -> bool:
    return (urlsplit(url).hostname or "").lower() in source.hosts()
