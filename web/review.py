"""Review pages: the tracker's open proposals, accepted or rejected with a note.

Closed unless `SUMMITWATCH_REVIEW_TOKEN` is set. The token comes in the
`X-Review-Token` header (scripts), a `review_token` form field, or once through the
login form, which then leaves a signed, token-bound cookie (HttpOnly, SameSite=Strict)
so the secret never sits in a page or a URL. Comparisons are constant-time.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from storage.db import Session
from storage.models import MAX_ID
from storage.queries import NotFound
from storage.web_queries import open_proposals
from tracker.workflow import ReviewError, review_proposal
from web.i18n import Translator
from web.render import db, language, render, settings_of
from web.security import REVIEW_COOKIE, REVIEW_MAX_AGE, review_token_matches

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
REVIEWER = "web reviewer"  # when neither the form nor the tracker.reviewer setting names one

TextField = Annotated[str, Form(max_length=10_000)]


def _configured(request: Request) -> str | None:
    token = settings_of(request).review_token
    value = token.get_secret_value() if token is not None else ""
    return value or None


def _authorised(request: Request, form_token: str | None = None) -> bool:
    configured = _configured(request)
    if configured is None:
        return False
    if review_token_matches(configured, request.headers.get("x-review-token")):
        return True
    if review_token_matches(configured, form_token):
        return True
    return bool(request.app.state.review_session.valid(request.cookies.get(REVIEW_COOKIE), configured))


def _closed(request: Request) -> HTMLResponse:
    t = Translator(language(request))
    return render(
        request,
        "message.html",
        {
            "title": t("review_title"),
            "lines": [t("review_disabled")],
            "kind": "error",
            "action_url": None,
            "action_text": "",
        },
        status_code=403,
        headers=NO_STORE,
    )


def _login(request: Request, error: str | None = None, status_code: int = 401) -> HTMLResponse:
    return render(request, "review_login.html", {"error": error}, status_code=status_code, headers=NO_STORE)


def decide(session: Session, evidence_id: int, accept: bool, reviewer: str, note: str | None) -> None:
    """Hand the decision to the tracker's workflow, the one place that applies it (as `summitwatch review`)."""
    review_proposal(session, evidence_id, accept=accept, reviewer=reviewer, note=note)


def _refused(request: Request, status_code: int, text: str) -> HTMLResponse:
    t = Translator(language(request))
    return render(
        request,
        "message.html",
        {
            "title": t("error_title"),
            "lines": [text],
            "kind": "error",
            "action_url": "/review",
            "action_text": t("review_title"),
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request) -> HTMLResponse:
    if _configured(request) is None:
        return _closed(request)
    if not _authorised(request):
        return _login(request)
    with db(request) as session:
        proposals = open_proposals(session)
    done = request.query_params.get("done") == "1"
    reviewer = settings_of(request).tracker.reviewer or ""
    context = {"proposals": proposals, "done": done, "reviewer": reviewer}
    return render(request, "review.html", context, headers=NO_STORE)


@router.post("/review/login", response_class=HTMLResponse)
def review_login(request: Request, review_token: TextField = "", csrf_token: TextField = "") -> Response:
    request.app.state.csrf.check(request, csrf_token, "review-login")
    configured = _configured(request)
    if configured is None:
        return _closed(request)
    if not review_token_matches(configured, review_token):
        return _login(request, Translator(language(request))("review_bad_token"))
    response = RedirectResponse("/review", status_code=303)
    response.set_cookie(
        REVIEW_COOKIE,
        request.app.state.review_session.issue(configured),
        max_age=REVIEW_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).base_url.startswith("https://"),
        path="/review",
    )
    return response


@router.post("/review/logout")
def review_logout(request: Request, csrf_token: TextField = "") -> Response:
    request.app.state.csrf.check(request, csrf_token, "review-logout")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(REVIEW_COOKIE, path="/review")
    return response


@router.post("/review/{evidence_id}", response_class=HTMLResponse)
def review_decide(
    request: Request,
    evidence_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    decision: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    reviewer: Annotated[str, Form(max_length=200)] = "",
    review_token: TextField = "",
    csrf_token: TextField = "",
) -> Response:
    """Accept (the proposed status applies) or reject (the link stops counting) one proposal."""
    request.app.state.csrf.check(request, csrf_token, "review")
    if _configured(request) is None:
        return _closed(request)
    if not _authorised(request, review_token or None):
        return _login(request, Translator(language(request))("review_bad_token"))
    if decision not in ("accept", "reject"):
        return _refused(request, 400, "decision must be accept or reject")
    with db(request) as session:
        try:
            decide(
                session,
                evidence_id,
                accept=decision == "accept",
                reviewer=reviewer.strip() or settings_of(request).tracker.reviewer or REVIEWER,
                note=note.strip() or None,
            )
        except NotFound as exc:
            session.rollback()
            return _refused(request, 404, str(exc))
        except ReviewError as exc:  # already decided (another reviewer, a second click), or nothing to apply
            session.rollback()
            return _refused(request, 409, str(exc))
    return RedirectResponse("/review?done=1", status_code=303)
