"""CSRF tokens, cross-site refusal, rate limits, security headers, and the review token check.

CSRF is a signed double submit: a random id in an HttpOnly, SameSite=Lax cookie, and
in each form the id signed (itsdangerous, timed, salted per form). A POST passes only
with both, matching, fresh, and not announced as cross-site by `Origin` or
`Sec-Fetch-Site`. Nothing is kept on the server, so any worker can check any form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "sw_csrf"
REVIEW_COOKIE = "sw_review"
CSRF_MAX_AGE = 2 * 3600
REVIEW_MAX_AGE = 8 * 3600

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# Swagger UI is the one page with scripts; its assets are served by the app (web.api_docs).
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class CsrfError(PermissionError):
    """A state-changing request without a valid form token, or sent from another site."""


class ReviewDenied(PermissionError):
    """No review token configured, or the one given is wrong."""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Csrf:
    """Issues and checks form tokens bound to the browser's CSRF cookie."""

    def __init__(self, key: str, allowed_origins: set[str], secure_cookies: bool) -> None:
        self.serializer = URLSafeTimedSerializer(key, salt="summitwatch.csrf")
        self.allowed_origins = allowed_origins
        self.secure_cookies = secure_cookies

    def client_id(self, request: Request) -> str:
        """The browser's CSRF id; a new one is made (and set by the middleware) when absent."""
        known = getattr(request.state, "csrf_id", None)
        if known:
            return str(known)
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if len(cookie) == 43 and cookie.replace("-", "").replace("_", "").isalnum():
            request.state.csrf_id = cookie
        else:
            request.state.csrf_id = secrets.token_urlsafe(32)
            request.state.csrf_new = True
        return str(request.state.csrf_id)

    def token(self, request: Request, form: str) -> str:
        return str(self.serializer.dumps([self.client_id(request), form]))

    def check(self, request: Request, token: str | None, form: str) -> None:
        """Raise CsrfError unless the request is same-site and carries a fresh token for `form`."""
        fetch_site = request.headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site not in ("same-origin", "none"):
            raise CsrfError(f"cross-site request refused (Sec-Fetch-Site: {fetch_site})")
        origin = request.headers.get("origin")
        if origin is not None and origin != "null":
            own = _origin(str(request.base_url))
            if origin.lower() not in self.allowed_origins | {own}:
                raise CsrfError(f"cross-site request refused (Origin: {origin[:100]})")
        elif origin == "null":
            # What browsers send for a form posted under `Referrer-Policy: no-referrer`: the
            # pages therefore use `same-origin`, which keeps the real origin on our own POSTs.
            raise CsrfError("cross-site request refused (Origin: null)")
        cookie = request.cookies.get(CSRF_COOKIE)
        if not cookie or not token:
            raise CsrfError("missing form token: reload the page and submit the form again")
        try:
            client, purpose = self.serializer.loads(token, max_age=CSRF_MAX_AGE)
        except (BadSignature, ValueError, TypeError) as exc:
            raise CsrfError("invalid or expired form token: reload the page and try again") from exc
        if purpose != form or not hmac.compare_digest(str(client), cookie):
            raise CsrfError("form token does not match this browser: reload the page and try again")


class RateLimiter:
    """At most `limit` hits per key in any `window` seconds (sliding window, in process memory).

    Per process: behind several workers the limit applies per worker, which still
    bounds abuse; a shared store would be needed for exact global limits.
    """

    def __init__(self, limit: int, window: float = 3600.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Count one attempt for `key`; False when it goes over the limit (and is not counted)."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) >= self.max_keys:
                self._prune(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]


def review_token_matches(configured: str | None, supplied: str | None) -> bool:
    """Constant-time comparison; always False when no token is configured."""
    if not configured or not supplied:
        return False
    return hmac.compare_digest(supplied.encode("utf-8"), configured.encode("utf-8"))


class ReviewSession:
    """A signed, timed cookie proving the review token was given once (bound to that token)."""

    def __init__(self, key: str) -> None:
        self.serializer = URLSafeTimedSerializer(key, salt="summitwatch.review")

    @staticmethod
    def _fingerprint(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]

    def issue(self, token: str) -> str:
        return str(self.serializer.dumps(self._fingerprint(token)))

    def valid(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        try:
            fingerprint = self.serializer.loads(cookie, max_age=REVIEW_MAX_AGE)
        except BadSignature:
            return False
        return hmac.compare_digest(str(fingerprint), self._fingerprint(token))


SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null` with
    # our own form posts, which the CSRF check must refuse.
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "interest-cohort=(), camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


class SecurityHeaders:
    """ASGI middleware: the headers every answer gets, and the CSRF cookie when a page made a new id.

    Plain ASGI rather than `BaseHTTPMiddleware`, which costs a task and a stream per request.
    """

    def __init__(self, app: ASGIApp, csrf: Csrf) -> None:
        self.app = app
        self.csrf = csrf

    def _cookie(self, csrf_id: str) -> str:
        carrier = Response()
        carrier.set_cookie(
            CSRF_COOKIE,
            csrf_id,
            max_age=CSRF_MAX_AGE * 12,
            httponly=True,
            samesite="lax",
            secure=self.csrf.secure_cookies,
            path="/",
        )
        return carrier.headers["set-cookie"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # shared with `request.state` below
        policy = DOCS_CSP if scope["path"] == "/api/docs" else PAGE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if state.get("csrf_new"):
                    headers.append("set-cookie", self._cookie(str(state["csrf_id"])))
            await send(message)

        await self.app(scope, receive, send_with_headers)
