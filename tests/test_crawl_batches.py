"""The crawler stores pages in batches, one transaction each; a failing page loses only itself."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.crawls import store_pages
from storage.db import session_scope
from storage.models import FetchValidator, Publication, PublicationRevision, Snapshot
from storage.publications import PublicationInput


def page(i: int, source: str = "anssi") -> tuple[PublicationInput, bytes, str, None]:
    item = PublicationInput(
        url=f"https://cyber.gouv.fr/actualites/lot-{i}/",
        source=source,
        title=f"Article {i} sur l'INESIA",
        body=f"Le texte de l'article {i}, assez long pour un article. " * 5,
    )
    return item, f"<html>{i}</html>".encode(), "text/html", None


def test_a_batch_is_stored_with_each_outcome(db_url: str) -> None:
    results = store_pages([page(i) for i in range(5)], url=db_url)
    assert results == [("new", None)] * 5
    again = store_pages([page(0), page(1)], url=db_url)
    assert again == [("unchanged", None)] * 2
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Publication)) == 5
        assert session.scalar(select(func.count()).select_from(Snapshot)) == 5


def test_a_failing_page_loses_only_itself(db_url: str) -> None:
    pages = [page(1), page(2, source="no-such-source"), page(3)]
    results = store_pages(pages, url=db_url)
    assert results[0] == ("new", None) and results[2] == ("new", None)
    assert isinstance(results[1], Exception)
    with session_scope(db_url) as session:
        urls = set(session.scalars(select(Publication.url)))
    assert urls == {pages[0][0].url, pages[2][0].url}
    assert isinstance(store_pages([page(4, source="nope")], url=db_url)[0], Exception)


def test_one_batch_meeting_its_own_pages_again(db_url: str) -> None:
    """A batch reads what is stored once, up front: pages it adds itself must still count."""
    first, raw, kind, _ = page(7)
    changed = PublicationInput(url=first.url, source="anssi", title=first.title, body=first.body + " Ajout.")
    junk = PublicationInput(
        url=first.url, source="anssi", title="Site en maintenance", body="Revenez plus tard."
    )
    validators = (first.url, '"v1"', None)
    results = store_pages(
        [
            (first, raw, kind, validators),
            (first, raw, kind, validators),  # the same bytes again: one snapshot
            (changed, b"<html>7 bis</html>", kind, (first.url, '"v2"', None)),
            (junk, b"<html>maintenance</html>", kind, None),
        ],
        url=db_url,
    )
    assert [r[0] for r in results if not isinstance(r, Exception)] == [
        "new",
        "unchanged",
        "updated",
        "refused",
    ]
    with session_scope(db_url) as session:
        stored = session.scalars(select(Publication)).one()
        assert stored.body.endswith("Ajout.")
        assert session.scalar(select(func.count()).select_from(PublicationRevision)) == 1
        assert session.scalar(select(func.count()).select_from(Snapshot)) == 3
        assert session.get(FetchValidator, first.url).etag == '"v2"'  # type: ignore[union-attr]
