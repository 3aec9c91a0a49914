"""The publication page: its text, the commitments it is evidence for, its versions and a word diff."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from storage.publication_page import publication_page
from web.render import db, render
from web.word_diff import word_diff

router = APIRouter(include_in_schema=False)


def _version(value: str | None, default: int, last: int) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    return min(max(number, 1), last)


@router.get("/publication", response_class=HTMLResponse)
def publication(request: Request) -> HTMLResponse:
    """`?url=` the publication's URL; `from` and `to` pick the versions to compare (default: the
    one before the current text, and the current text)."""
    url = (request.query_params.get("url") or "").strip()[:2048]
    with db(request) as session:
        page = publication_page(session, url)  # NotFound → the 404 page
    versions = page["versions"]
    last = len(versions)
    diff = None
    chosen = {"from": last, "to": last}
    if last > 1:
        chosen["from"] = _version(request.query_params.get("from"), last - 1, last)
        chosen["to"] = _version(request.query_params.get("to"), last, last)
        old, new = versions[chosen["from"] - 1], versions[chosen["to"] - 1]
        diff = {
            "title": word_diff(old["title"], new["title"]),
            "body": word_diff(old["body"], new["body"]),
        }
    paragraphs = [p.strip() for p in page["body"].split("\n") if p.strip()]
    return render(
        request,
        "publication.html",
        {"p": page, "paragraphs": paragraphs, "diff": diff, "chosen": chosen},
    )
