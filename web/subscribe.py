"""Subscription pages: subscribe, confirm, manage, unsubscribe, and RFC 8058 one-click.

GET never changes anything (mail scanners follow links): each emailed link opens a
page whose button POSTs, with a CSRF token. The one exception is the one-click
endpoint, which mail providers POST to without any page (RFC 8058); its signed
token is its authority.

Subscribe answers the same bytes whatever the address's state (new, pending, active,
unsubscribed): the page depends only on the request, never on what is stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from digests.subscriptions import (
    SubscriptionError,
    TokenError,
    confirm,
    manage_url,
    normalise_email,
    subscribe,
    subscriber_from_token,
    unsubscribe,
    unsubscribe_url,
    update_preferences,
)
from storage.models import THEMES
from storage.web_queries import commitment_titles, filter_options
from web.i18n import LANGUAGES, Translator
from web.render import db, language, render

router = APIRouter(include_in_schema=False)

MAX_EMAIL = 254  # RFC 5321 path limit
MAX_TOKEN = 2048
NO_STORE = {"Cache-Control": "no-store"}

TextField = Annotated[str, Form(max_length=10_000)]
ListField = Annotated[list[str] | None, Form()]
TokenQuery = Annotated[str, Query(max_length=MAX_TOKEN)]


def _choices(request: Request) -> dict[str, Any]:
    with db(request) as session:
        return {
            "all_themes": THEMES,
            "all_commitments": commitment_titles(session),
            "all_sources": [s for s in filter_options(session)["sources"] if s["slug"] != "manual"],
        }


def _clean_filters(
    choices: dict[str, Any],
    themes: list[str] | None,
    commitments: list[str] | None,
    sources: list[str] | None,
) -> tuple[list[str], list[str], list[str]]:
    """Keep only known values (a tampered form cannot store junk filters)."""
    known_commitments = {c["slug"] for c in choices["all_commitments"]}
    known_sources = {s["slug"] for s in choices["all_sources"]}
    return (
        sorted({t for t in themes or [] if t in THEMES}),
        sorted({c for c in commitments or [] if c in known_commitments}),
        sorted({s for s in sources or [] if s in known_sources}),
    )


def _message(
    request: Request,
    title_key: str,
    lines: list[str],
    status_code: int = 200,
    lang: str | None = None,
    kind: str = "info",
    action: tuple[str, str] | None = None,
) -> HTMLResponse:
    t = Translator(lang or language(request))
    return render(
        request,
        "message.html",
        {
            "title": t(title_key),
            "lines": lines,
            "kind": kind,
            "action_url": action[0] if action else None,
            "action_text": action[1] if action else "",
        },
        status_code=status_code,
        lang=lang,
        headers=NO_STORE,
    )


def _bad_link(request: Request, lang: str | None = None) -> HTMLResponse:
    t = Translator(lang or language(request))
    return _message(request, "bad_link_title", [t("bad_link")], status_code=400, lang=lang, kind="error")


def _form(request: Request, values: dict[str, Any], error: str | None, status_code: int) -> HTMLResponse:
    context = {"values": values, "error": error, **_choices(request)}
    return render(request, "subscribe.html", context, status_code=status_code, headers=NO_STORE)


# --- subscribe ------------------------------------------------------------------------


@router.get("/subscribe", response_class=HTMLResponse)
def subscribe_form(request: Request) -> HTMLResponse:
    lang = language(request)
    values = {"email": "", "language": lang, "themes": [], "commitments": [], "sources": []}
    return _form(request, values, None, 200)


@router.post("/subscribe", response_class=HTMLResponse)
def subscribe_submit(
    request: Request,
    email: TextField = "",
    language_choice: Annotated[str, Form(alias="language", max_length=10)] = "fr",
    themes: ListField = None,
    commitments: ListField = None,
    sources: ListField = None,
    csrf_token: TextField = "",
) -> HTMLResponse:
    """Check the form, count the attempt, send the confirmation mail; always the same answer."""
    request.app.state.csrf.check(request, csrf_token, "subscribe")
    t = Translator(language(request))
    client = request.client.host if request.client else "unknown"
    if not request.app.state.limit_client.hit(client):
        return _message(request, "too_many_title", [t("too_many")], status_code=429, kind="error")
    lang = language_choice if language_choice in LANGUAGES else "fr"
    choices = _choices(request)
    themes_ok, commitments_ok, sources_ok = _clean_filters(choices, themes, commitments, sources)
    values = {
        "email": email[:MAX_EMAIL],
        "language": lang,
        "themes": themes_ok,
        "commitments": commitments_ok,
        "sources": sources_ok,
    }
    raw = email.strip()
    if not raw or len(raw) > MAX_EMAIL or any(ch in raw for ch in "\r\n\x00"):
        reason = "too long" if len(raw) > MAX_EMAIL else "empty" if not raw else "forbidden characters"
        return _form(request, values, f"{t('bad_email')} ({reason})", 400)
    try:
        address = normalise_email(raw)
    except SubscriptionError as exc:
        return _form(request, values, f"{t('bad_email')}: {exc}", 400)
    if not request.app.state.limit_email.hit(address):
        return _message(request, "too_many_title", [t("too_many")], status_code=429, kind="error")
    with db(request) as session:
        try:
            subscribe(
                session,
                address,
                language=lang,
                themes=themes_ok,
                commitments=commitments_ok,
                sources=sources_ok,
            )
        except SubscriptionError as exc:
            session.rollback()
            return _form(request, values, f"{t('bad_email')}: {exc}", 400)
    return _message(request, "check_inbox_title", [t("check_inbox")])


# --- confirm --------------------------------------------------------------------------


@router.get("/confirm", response_class=HTMLResponse)
def confirm_page(request: Request, token: TokenQuery = "") -> HTMLResponse:
    """The emailed link lands here; the button POSTs (a scanner's GET confirms nothing)."""
    if not token:
        return _bad_link(request)
    return render(request, "confirm.html", {"token": token}, headers=NO_STORE)


@router.post("/confirm", response_class=HTMLResponse)
def confirm_submit(request: Request, token: TextField = "", csrf_token: TextField = "") -> HTMLResponse:
    request.app.state.csrf.check(request, csrf_token, "confirm")
    with db(request) as session:
        try:
            subscriber = confirm(session, token)
        except TokenError:
            session.rollback()
            return _bad_link(request)
        lang = subscriber.language if request.query_params.get("lang") not in LANGUAGES else None
        t = Translator(lang or language(request))
        return _message(
            request,
            "confirmed_title",
            [t("confirmed")],
            lang=lang,
            action=(manage_url(subscriber), t("manage_link")),
        )


# --- manage ---------------------------------------------------------------------------


def _preferences(subscriber: Any) -> dict[str, Any]:
    prefs = subscriber.preferences
    return {
        "email": subscriber.email,
        "language": subscriber.language,
        "themes": list(prefs.themes) if prefs else [],
        "commitments": list(prefs.commitments) if prefs else [],
        "sources": list(prefs.sources) if prefs else [],
        "send_empty": bool(prefs.send_empty) if prefs else True,
    }


@router.get("/manage", response_class=HTMLResponse)
def manage_page(request: Request, token: TokenQuery = "") -> HTMLResponse:
    with db(request) as session:
        try:
            subscriber = subscriber_from_token(session, token, "manage")
        except TokenError:
            session.rollback()
            return _bad_link(request)
        values = _preferences(subscriber)
        unsubscribe_link = unsubscribe_url(subscriber)
    lang = values["language"] if request.query_params.get("lang") not in LANGUAGES else None
    return render(
        request,
        "manage.html",
        {
            "token": token,
            "values": values,
            "saved": False,
            "unsubscribe_link": unsubscribe_link,
            **_choices(request),
        },
        lang=lang,
        headers=NO_STORE,
    )


@router.post("/manage", response_class=HTMLResponse)
def manage_submit(
    request: Request,
    token: TextField = "",
    csrf_token: TextField = "",
    language_choice: Annotated[str, Form(alias="language", max_length=10)] = "fr",
    themes: ListField = None,
    commitments: ListField = None,
    sources: ListField = None,
    send_empty: Annotated[str | None, Form(max_length=10)] = None,
) -> HTMLResponse:
    request.app.state.csrf.check(request, csrf_token, "manage")
    if language_choice not in LANGUAGES:
        return _message(
            request, "error_title", [f"unknown language {language_choice[:10]!r}"], 400, kind="error"
        )
    choices = _choices(request)
    themes_ok, commitments_ok, sources_ok = _clean_filters(choices, themes, commitments, sources)
    with db(request) as session:
        try:
            subscriber = update_preferences(
                session,
                token,
                language=language_choice,
                themes=themes_ok,
                commitments=commitments_ok,
                sources=sources_ok,
                send_empty=send_empty is not None,
            )
        except TokenError:
            session.rollback()
            return _bad_link(request)
        except SubscriptionError as exc:
            session.rollback()
            return _message(request, "error_title", [str(exc)], 400, kind="error")
        values = _preferences(subscriber)
        unsubscribe_link = unsubscribe_url(subscriber)
    return render(
        request,
        "manage.html",
        {"token": token, "values": values, "saved": True, "unsubscribe_link": unsubscribe_link, **choices},
        lang=values["language"],
        headers=NO_STORE,
    )


# --- unsubscribe ----------------------------------------------------------------------


@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: TokenQuery = "") -> HTMLResponse:
    with db(request) as session:
        try:
            subscriber = subscriber_from_token(session, token, "unsubscribe")
        except TokenError:
            session.rollback()
            return _bad_link(request)
        lang = subscriber.language if request.query_params.get("lang") not in LANGUAGES else None
    return render(request, "unsubscribe.html", {"token": token}, lang=lang, headers=NO_STORE)


@router.post("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_submit(request: Request, token: TextField = "", csrf_token: TextField = "") -> HTMLResponse:
    request.app.state.csrf.check(request, csrf_token, "unsubscribe")
    with db(request) as session:
        try:
            subscriber = unsubscribe(session, token)
        except TokenError:
            session.rollback()
            return _bad_link(request)
        lang = subscriber.language if request.query_params.get("lang") not in LANGUAGES else None
    t = Translator(lang or language(request))
    return _message(
        request,
        "unsubscribed_title",
        [t("unsubscribed"), t("resubscribe")],
        lang=lang,
        action=("/subscribe", t("nav_subscribe")),
    )


@router.post("/unsubscribe/one-click")
def unsubscribe_one_click(request: Request, token: TokenQuery = "") -> Response:
    """RFC 8058: the mail provider POSTs `List-Unsubscribe=One-Click`; 200 and nothing to visit."""
    with db(request) as session:
        try:
            unsubscribe(session, token)
        except TokenError:
            session.rollback()
            return PlainTextResponse("invalid or expired unsubscribe link", status_code=400, headers=NO_STORE)
    return PlainTextResponse("unsubscribed", headers=NO_STORE)
