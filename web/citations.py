"""Citations of a commitment or a piece of evidence: plain text, BibTeX and CSL-JSON.

A journalist quoting the tracker needs what it said and when: the status, since when,
the day it was read (as of), the title, the source and the URL. The facts come from
`storage.status_history`; the words from the reader's language.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from web.i18n import Translator

FORMATS = ("text", "bibtex", "csl-json")
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
SUFFIXES = {"text": "txt", "bibtex": "bib", "csl-json": "json"}
LANGIDS = {"fr": "french", "en": "english", "de": "german", "es": "spanish", "it": "italian"}


def _day(value: str | None) -> date | None:
    return datetime.fromisoformat(value).date() if value else None


def _quote(text: str, lang: str) -> str:
    return f"« {text} »" if lang == "fr" else f"\u201c{text}\u201d"


def commitment_text(facts: dict[str, Any], page_url: str, today: date, t: Translator) -> str:
    """One paragraph: who, what, status since when, as of when, source text, our page."""
    lang = t.lang
    status = t.status(facts["status"])
    if facts["status_since"]:
        status = t("cite_status_since", status=status, since=t.date(facts["status_since"]))
    return t(
        "cite_commitment",
        title=_quote(facts["title"][lang], lang),
        status=status,
        as_of=t.date(today),
        made_on=t.date(facts["made_on"]),
        source=facts["source_url"],
        url=page_url,
    )


def evidence_text(facts: dict[str, Any], commitment_url: str, today: date, t: Translator) -> str:
    """The publication as a reference, then what summitwatch reads in it and for which commitment."""
    lang = t.lang
    commitment = facts["commitment"]
    return t(
        "cite_evidence",
        source=facts["source_name"],
        title=_quote(facts["title"], lang),
        published=t.date(facts["published_at"]) if facts["published_at"] else t("undated"),
        url=facts["url"],
        signal=t.signal(facts["signal"]),
        commitment=_quote(commitment["title"][lang], lang),
        status=t.status(commitment["status"]),
        as_of=t.date(today),
        commitment_url=commitment_url,
    )


_BIBTEX_SPECIAL = re.compile(r"([\\{}%&#_$])")


def _bib(value: str) -> str:
    """A BibTeX field value: special characters escaped, braces kept balanced."""
    return _BIBTEX_SPECIAL.sub(
        lambda m: "\\textbackslash{}" if m.group(1) == "\\" else "\\" + m.group(1), value
    )


def _bibtex(kind: str, key: str, fields: list[tuple[str, str | None]]) -> str:
    lines = [f"@{kind}{{{key},"]
    lines += [f"  {name} = {{{_bib(value)}}}," for name, value in fields if value]
    return "\n".join(lines) + "\n}\n"


def evidence_bibtex(facts: dict[str, Any], commitment_url: str, today: date, t: Translator) -> str:
    """A biblatex @online entry for the publication; the note says what it is evidence of."""
    published = _day(facts["published_at"])
    key = f"{facts['source']}{published.year if published else ''}-ev{facts['id']}"
    note = t(
        "cite_note",
        signal=t.signal(facts["signal"]),
        commitment=facts["commitment"]["title"][t.lang],
        status=t.status(facts["commitment"]["status"]),
        as_of=today.isoformat(),
    )
    return _bibtex(
        "online",
        key,
        [
            ("title", facts["title"]),
            ("organization", facts["source_name"]),
            ("date", published.isoformat() if published else None),
            ("url", facts["url"]),
            ("urldate", today.isoformat()),
            ("langid", LANGIDS.get(facts["language"] or "")),
            ("note", f"{note} {commitment_url}"),
        ],
    )


def commitment_bibtex(facts: dict[str, Any], page_url: str, today: date, t: Translator) -> str:
    """A biblatex @online entry for the tracker's page on the commitment."""
    return _bibtex(
        "online",
        f"summitwatch-{facts['slug']}",
        [
            ("title", facts["title"][t.lang]),
            ("organization", "summitwatch"),
            ("date", today.isoformat()),
            ("url", page_url),
            ("urldate", today.isoformat()),
            ("note", commitment_text(facts, page_url, today, t)),
        ],
    )


def _parts(day: date | None) -> dict[str, Any] | None:
    return {"date-parts": [[day.year, day.month, day.day]]} if day else None


def evidence_csl(facts: dict[str, Any], commitment_url: str, today: date, t: Translator) -> str:
    """CSL-JSON (a list of one item), as Zotero and pandoc read it."""
    item: dict[str, Any] = {
        "id": f"summitwatch-evidence-{facts['id']}",
        "type": "webpage",
        "title": facts["title"],
        "container-title": facts["source_name"],
        "publisher": facts["source_name"],
        "URL": facts["url"],
        "accessed": _parts(today),
        "note": t(
            "cite_note",
            signal=t.signal(facts["signal"]),
            commitment=facts["commitment"]["title"][t.lang],
            status=t.status(facts["commitment"]["status"]),
            as_of=today.isoformat(),
        )
        + f" {commitment_url}",
    }
    if facts["published_at"]:
        item["issued"] = _parts(_day(facts["published_at"]))
    if facts["language"]:
        item["language"] = facts["language"]
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def commitment_csl(facts: dict[str, Any], page_url: str, today: date, t: Translator) -> str:
    item = {
        "id": f"summitwatch-{facts['slug']}",
        "type": "webpage",
        "title": facts["title"][t.lang],
        "container-title": "summitwatch",
        "URL": page_url,
        "issued": _parts(today),
        "accessed": _parts(today),
        "note": commitment_text(facts, page_url, today, t),
        "language": t.lang,
    }
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def cite(facts: dict[str, Any], fmt: str, url: str, today: date, t: Translator) -> str:
    """`facts` (a commitment's or an evidence's) in `fmt`; `url` is the commitment's page on this site."""
    if facts["kind"] == "commitment":
        writer = {"text": commitment_text, "bibtex": commitment_bibtex, "csl-json": commitment_csl}[fmt]
    else:
        writer = {"text": evidence_text, "bibtex": evidence_bibtex, "csl-json": evidence_csl}[fmt]
    return writer(facts, url, today, t)
