"""Local HTTP servers for the fixture mirrors under ``tests/sites/``.

Each mirror (``tests/sites/anssi``, ``tests/sites/elysee``, ``tests/sites/cesia`` and the
redesigned ``tests/sites/drift/<name>``) is a folder of static files laid out by URL
path. :class:`FixtureSite` serves one mirror at the root of its own server on
127.0.0.1, so the paths are the real sites' paths and the spiders only swap the host
(``base_url``). Standard library only.

Path resolution (the URL path is percent-decoded first; ``..`` and any segment starting
with ``_`` answer 404):

* ``/`` -> ``index.html``
* ``/a/b/`` (trailing slash) -> ``a/b/index.html``, else ``a/b/index.xml``
* ``/a/b`` (no trailing slash) -> ``a/b`` if it is a file, else ``a/b.html``,
  else ``a/b/index.html``
* the query ``?page=N`` (the only query supported; any other query answers 404) inserts
  ``.page-N`` before the extension of the candidates above:
  ``/actualites/?page=2`` -> ``actualites/index.page-2.html``;
  ``/emmanuel-macron/discours?page=2`` -> ``emmanuel-macron/discours.page-2.html``,
  else ``emmanuel-macron/discours/index.page-2.html``. ``?page=1`` falls back to the
  page without query when no ``.page-1`` file exists.

``_routes.json`` at the mirror root maps a URL path (decoded, without query; an entry
whose key carries the query, e.g. ``"/x/?page=2"``, wins over the plain one) to options:

* ``"file"``: serve this file (relative to the mirror root) instead of the resolved one;
* ``"status"``: answer this status (a small HTML body; no file needed);
* ``"delay"``: seconds to wait before answering (a slow page);
* ``"content_type"``: override the guessed content type;
* ``"last_modified"``: ISO 8601 date or datetime of the file (default 2026-01-01,
  2026-04-01 for files served from a variant, so a variant always looks newer);
* ``"location"``: with a 3xx ``status``, the ``Location`` header;
* ``"headers"``: extra response headers, e.g. ``{"Content-Encoding": "gzip"}`` to serve a
  gzipped file as a compressed response (a decompression bomb).

Variants: ``_variants/<name>/`` holds alternative versions of files, laid out like the
root (and optionally its own ``_routes.json``, merged over the root's). After
``use_variant(name)`` every candidate path is looked up in the variant first, then in
the root.

Content types: ``.html`` text/html; ``.txt`` text/plain; ``.json`` application/json;
``.xml`` application/rss+xml when the file (or, for ``index.xml``, its folder) is named
``rss``, ``feed`` or ``*-feed``, application/atom+xml when named ``atom``, else
application/xml; all with ``charset=utf-8``.

Every 200 carries ``ETag`` (the quoted sha256 of the bytes) and ``Last-Modified``;
a matching ``If-None-Match`` (or, without it, an ``If-Modified-Since`` not older than
``Last-Modified``) answers ``304 Not Modified`` without a body. ``HEAD`` is supported,
other methods answer 405. Every request is logged in :attr:`FixtureSite.requests`.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["FixtureSite", "RequestRecord", "DEFAULT_LAST_MODIFIED", "VARIANT_LAST_MODIFIED"]

DEFAULT_LAST_MODIFIED = datetime(2026, 1, 1, tzinfo=UTC)
VARIANT_LAST_MODIFIED = datetime(2026, 4, 1, tzinfo=UTC)

_TEXT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".json": "application/json",
    ".css": "text/css",
    ".js": "text/javascript",
}


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it."""

    method: str
    path: str  # raw path with its query string, as sent
    status: int
    headers: dict[str, str]
    time: float  # time.time() when the request arrived


@dataclass
class _Resolved:
    status: int
    file: Path | None = None
    from_variant: bool = False
    delay: float = 0.0
    content_type: str | None = None
    last_modified: datetime | None = None
    location: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xml":
        name = path.stem.lower()
        if name == "index":
            name = path.parent.name.lower()
        if name == "atom":
            kind = "application/atom+xml"
        elif name in {"rss", "feed"} or name.endswith("-feed"):
            kind = "application/rss+xml"
        else:
            kind = "application/xml"
    else:
        kind = _TEXT_TYPES.get(suffix, "application/octet-stream")
    return f"{kind}; charset=utf-8"


def _parse_date(value: str) -> datetime:
    """ISO 8601 date or datetime -> aware UTC datetime (naive means UTC)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0)


def _with_page(candidate: str, page: int) -> str:
    """Insert ``.page-N`` before the extension of a candidate file name."""
    head, _, name = candidate.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    paged = f"{stem}.page-{page}.{ext}" if dot else f"{name}.page-{page}"
    return f"{head}/{paged}" if head else paged


def _etag_matches(header: str, etag: str) -> bool:
    for part in header.split(","):
        tag = part.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


class _Server(ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: FixtureSite) -> None:
        self.site = site
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (timeout tests) is normal here; anything else is printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "FixtureSite/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _not_allowed(self) -> None:
        arrived = time.time()
        body = b"Method Not Allowed\n"
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.site._log(self.command, self.path, 405, self.headers, arrived)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def _answer(self, *, head: bool) -> None:
        site = self.server.site
        arrived = time.time()
        failure = site._failure_for(self.path)
        if failure is not None:
            status, delay = failure
            if delay > 0:
                site._stopping.wait(delay)
            self._send_simple(status, head)
            site._log(self.command, self.path, status, self.headers, arrived)
            return
        resolved = site._resolve(self.path)
        if resolved.delay > 0:
            site._stopping.wait(resolved.delay)
        status = self._send_resolved(resolved, head)
        site._log(self.command, self.path, status, self.headers, arrived)

    def _send_simple(self, status: int, head: bool, extra: dict[str, str] | None = None) -> None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        body = (
            f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{status} {phrase}'
            f"</title></head><body><h1>{status} {phrase}</h1></body></html>\n"
        ).encode()
        self.send_response(status)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_resolved(self, resolved: _Resolved, head: bool) -> int:
        if resolved.file is None:
            extra = {"Location": resolved.location} if resolved.location else None
            self._send_simple(resolved.status, head, extra)
            return resolved.status
        data = resolved.file.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest() + '"'
        last_modified = resolved.last_modified or (
            VARIANT_LAST_MODIFIED if resolved.from_variant else DEFAULT_LAST_MODIFIED
        )
        common = {
            "ETag": etag,
            "Last-Modified": email.utils.format_datetime(last_modified, usegmt=True),
            "Cache-Control": "no-cache",
        }
        if resolved.status == 200 and self._not_modified(etag, last_modified):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in common.items():
                self.send_header(name, value)
            self.end_headers()
            return 304
        self.send_response(resolved.status)
        for name, value in common.items():
            self.send_header(name, value)
        self.send_header("Content-Type", resolved.content_type or _content_type(resolved.file))
        for name, value in resolved.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)
        return resolved.status

    def _not_modified(self, etag: str, last_modified: datetime) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return _etag_matches(if_none_match, etag)
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = email.utils.parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return since >= last_modified
        return False


class FixtureSite:
    """One mirror served on a local port; a context manager.

    >>> with FixtureSite(sites_root() / "anssi") as site:  # doctest: +SKIP
    ...     httpx.get(site.base_url + "/actualites/")
    """

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"fixture site folder not found: {self.root}")
        self.host = host
        self.port = port
        self.base_url = ""
        self.variant: str | None = None
        self._routes: dict[str, dict[str, Any]] = self._load_routes(self.root)
        self._variant_routes: dict[str, dict[str, Any]] = {}
        self._failure: tuple[int, float] | None = None
        self._fail_after: tuple[str, int, int, float] | None = None  # prefix, served, status, delay
        self._lock = threading.Lock()
        self._log_records: list[RequestRecord] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> FixtureSite:
        """Bind and serve in a background thread; sets :attr:`base_url`."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fixture-site-{self.root.name}-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (slow or failing requests still waiting are released)."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, path: str) -> str:
        """Absolute URL on this server for a root-relative path."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- behaviour switches --------------------------------------------------------------

    def use_variant(self, name: str | None) -> None:
        """Overlay ``_variants/<name>/`` over the root; ``None`` goes back to the plain mirror."""
        if name is None:
            with self._lock:
                self.variant = None
                self._variant_routes = {}
            return
        folder = self.root / "_variants" / name
        if not folder.is_dir():
            raise ValueError(f"no variant {name!r} in {self.root} (expected {folder})")
        routes = self._load_routes(folder)
        with self._lock:
            self.variant = name
            self._variant_routes = routes

    def fail_all(self, status: int | None = 500, delay: float = 0.0) -> None:
        """Make every request wait ``delay`` seconds then answer ``status``; ``None`` restores.

        A long ``delay`` makes the site hang (for timeout tests); :meth:`stop` releases it.
        """
        with self._lock:
            self._failure = None if status is None else (int(status), float(delay))
            if status is None:
                self._fail_after = None

    def fail_after(self, prefix: str, served: int, status: int = 503, delay: float = 0.0) -> None:
        """Answer the first ``served`` requests under ``prefix`` from now on, then fail the later
        ones there as :meth:`fail_all` does (a site that dies in the middle of a crawl)."""
        with self._lock:
            self._fail_after = (prefix, int(served), int(status), float(delay))

    def _failure_for(self, path: str) -> tuple[int, float] | None:
        with self._lock:
            if self._failure is not None or self._fail_after is None:
                return self._failure
            prefix, served, status, delay = self._fail_after
            if not path.startswith(prefix):
                return None
            if served > 0:
                self._fail_after = (prefix, served - 1, status, delay)
                return None
            return status, delay

    # -- request log -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests served so far, oldest first."""
        with self._lock:
            return list(self._log_records)

    def count(self, prefix: str = "", statuses: set[int] | None = None) -> int:
        """Requests whose path (with query) starts with ``prefix`` and, if given, whose status is in ``statuses``."""
        with self._lock:
            return sum(
                1
                for r in self._log_records
                if r.path.startswith(prefix) and (statuses is None or r.status in statuses)
            )

    def reset_log(self) -> None:
        with self._lock:
            self._log_records.clear()

    def _log(self, method: str, path: str, status: int, headers: Any, arrived: float) -> None:
        record = RequestRecord(
            method=method,
            path=path,
            status=status,
            headers=dict(headers.items()),
            time=arrived,
        )
        with self._lock:
            self._log_records.append(record)

    # -- resolution -----------------------------------------------------------------------

    @staticmethod
    def _load_routes(folder: Path) -> dict[str, dict[str, Any]]:
        file = folder / "_routes.json"
        if not file.is_file():
            return {}
        data = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{file}: expected a JSON object of path -> options")
        return {unquote(k): v for k, v in data.items() if not k.startswith("_")}

    def _route_for(self, path: str, query: str) -> tuple[dict[str, Any], bool]:
        """Options for a path; the bool says whether they came from the variant."""
        with self._lock:
            variant_routes = self._variant_routes
        keys = [f"{path}?{query}", path] if query else [path]
        for routes, from_variant in ((variant_routes, True), (self._routes, False)):
            for key in keys:
                if key in routes:
                    return routes[key], from_variant
        return {}, False

    def _lookup(self, relative: str) -> tuple[Path, bool] | None:
        """Find a file, variant first; never outside the mirror, never ``_``-prefixed."""
        parts = [p for p in relative.split("/") if p]
        if not parts or any(p.startswith("_") or p in {".", ".."} for p in parts):
            return None
        with self._lock:
            variant = self.variant
        bases: list[tuple[Path, bool]] = []
        if variant is not None:
            bases.append((self.root / "_variants" / variant, True))
        bases.append((self.root, False))
        for base, from_variant in bases:
            candidate = base.joinpath(*parts)
            if candidate.is_file():
                return candidate, from_variant
        return None

    def _candidates(self, path: str, page: int | None) -> list[str]:
        clean = path.lstrip("/")
        if clean == "" or path.endswith("/"):
            folder = clean.rstrip("/")
            prefix = f"{folder}/" if folder else ""
            plain = [f"{prefix}index.html", f"{prefix}index.xml"]
        else:
            plain = [clean, f"{clean}.html", f"{clean}/index.html"]
        if page is None:
            return plain
        paged = [_with_page(c, page) for c in plain]
        if page == 1:
            paged += plain
        return paged

    def _resolve(self, raw_path: str) -> _Resolved:
        split = urlsplit(raw_path)
        path = unquote(split.path) or "/"
        query = split.query
        page: int | None = None
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if len(pairs) != 1 or pairs[0][0] != "page" or not pairs[0][1].isdigit():
                return _Resolved(404)
            page = int(pairs[0][1])
            if page < 1:
                return _Resolved(404)
        if any(seg.startswith("_") or seg == ".." for seg in path.split("/")):
            return _Resolved(404)
        options, route_from_variant = self._route_for(path, query)
        delay = float(options.get("delay", 0.0))
        last_modified = _parse_date(options["last_modified"]) if options.get("last_modified") else None
        status = int(options.get("status", 200))
        if status != 200 and "file" not in options:
            return _Resolved(status, delay=delay, location=options.get("location"))
        found: tuple[Path, bool] | None = None
        if "file" in options:
            found = self._lookup(str(options["file"]))
        else:
            for candidate in self._candidates(path, page):
                found = self._lookup(candidate)
                if found is not None:
                    break
        if found is None:
            return _Resolved(404, delay=delay)
        file, from_variant = found
        if from_variant and not route_from_variant:
            last_modified = None  # a root date never applies to a variant's file
        return _Resolved(
            status,
            file=file,
            from_variant=from_variant,
            delay=delay,
            content_type=options.get("content_type"),
            last_modified=last_modified,
            headers=dict(options.get("headers", {})),
        )
