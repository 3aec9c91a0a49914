"""Rendering pages: one Jinja2 environment (autoescape always on) and the helpers every page gets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from storage.db import Session, session_scope
from summitwatch.config import Settings
from web.i18n import LANGUAGES, STATUS_COLOURS, Translator, days_since, pick_language

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _finalize(value: Any) -> Any:
    """Scraped text may hold control characters: invalid in XML (the feed), useless in HTML."""
    if isinstance(value, Markup):  # macro output: built from values already finalized
        return value
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def make_environment() -> Environment:
    """Templates autoescape always (HTML and the Atom XML alike)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@contextmanager
def db(request: Request) -> Iterator[Session]:
    """A session on the app's database, committed on success."""
    with session_scope(settings_of(request).effective_database_url) as session:
        yield session


def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def link_factory(request: Request, lang: str) -> Any:
    """`link('/path', key=value)`: a path with its non-empty parameters, keeping an explicit ?lang=."""
    explicit = request.query_params.get("lang") in LANGUAGES

    def link(path: str, **params: Any) -> str:
        items = [(k, v) for k, v in params.items() if v not in (None, "", [])]
        if explicit and "lang" not in params:
            items.append(("lang", lang))
        return path + ("?" + urlencode(items, doseq=True) if items else "")

    return link


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    lang: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render `template` with the page helpers; the language is negotiated unless given."""
    lang = lang or language(request)
    other = "en" if lang == "fr" else "fr"
    env: Environment = request.app.state.jinja
    csrf = request.app.state.csrf
    values: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "t": Translator(lang),
        "colours": STATUS_COLOURS,
        "link": link_factory(request, lang),
        "switch_url": str(request.url.include_query_params(lang=other).path)
        + "?"
        + str(request.url.include_query_params(lang=other).query),
        "other_lang": other,
        "csrf": lambda form: csrf.token(request, form),
        "days_since": lambda value: days_since(value, datetime.now(UTC).date()),
        "path": request.url.path,
    }
    values.update(context or {})
    body = env.get_template(template).render(values)
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    response.headers.setdefault("Content-Language", lang)
    response.headers.setdefault("Vary", "Accept-Language, Cookie")
    return response
