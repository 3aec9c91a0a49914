"""`publications list | show | import | export`: what the crawls stored, read back and carried over."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

import typer
from rich.markup import escape
from rich.panel import Panel

from storage.db import session_scope
from storage.importer import import_jsonl
from storage.publication_detail import export_publications, publication_detail
from storage.queries import list_publications
from summitwatch.cli.output import Format, console, emit, err_console, fail, parse_since

publications_app = typer.Typer(help="Publications gathered from the sources.", no_args_is_help=True)

FORMAT = typer.Option(Format.table, "--format", "-f", help="Output format.")


@publications_app.command("list")
def publications_list(
    source: str | None = typer.Option(None, "--source", help="Source slug (anssi, elysee, cesia, manual)."),
    since: str | None = typer.Option(None, "--since", help="Published on or after (YYYY-MM-DD)."),
    search: str | None = typer.Option(None, "--search", help="Full-text search words."),
    limit: int = typer.Option(50, "--limit", min=1, max=100_000),
    fmt: Format = FORMAT,
) -> None:
    """List stored publications, newest first."""
    with session_scope() as session:
        rows = list_publications(session, source=source, since=parse_since(since), search=search, limit=limit)
    emit(
        rows,
        fmt,
        [
            ("published", lambda r: r["published_at"] or "undated"),
            ("source", "source"),
            ("title", "title"),
            ("url", "url"),
        ],
        title="Publications",
    )


def _facts(d: dict[str, Any]) -> str:
    snapshot = d["snapshot"]
    kept = (
        f"{snapshot['sha256']} ({snapshot.get('size', '?')} bytes, {snapshot.get('content_type') or '?'}, "
        f"fetched {snapshot.get('fetched_at')})"
        if snapshot and snapshot.get("kept")
        else (f"{snapshot['sha256']} (pruned)" if snapshot else "none (imported or from a feed)")
    )
    lines = [
        f"[bold]{escape(d['title'])}[/]",
        escape(d["url"]),
        "",
        f"source: {d['source']}   language: {d['language'] or '-'}",
        f"published: {d['published'] or 'undated'} (precision: {d['date_precision'] or '-'})"
        + (f"   modified: {d['modified']}" if d["modified"] else ""),
        f"fetched via: {d['fetched_via']}   extracted by: {d['extracted_by']}",
        f"first seen: {d['first_seen_at']}   last seen: {d['last_seen_at']}   changed: {d['changed_at']}",
        f"content hash: {d['content_hash']}",
        f"snapshot: {escape(kept)}",
        f"tags: {escape(', '.join(d['tags'])) or '-'}",
    ]
    if d["summary"]:
        lines.append(f"summary: {escape(d['summary'])}")
    return "\n".join(lines)


@publications_app.command("show")
def publications_show(
    url: str = typer.Argument(..., help="The publication's URL, as `publications list` shows it."),
    fmt: Format = FORMAT,
) -> None:
    """One publication: its text, dates and their precision, provenance, revisions, snapshot, evidence."""
    with session_scope() as session:
        detail = publication_detail(session, url)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(detail, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is Format.csv:
        raise fail("publications show prints a table or JSON (--format json)")
    console.print(Panel(_facts(detail), title="Publication", expand=False), soft_wrap=False)
    if detail["revision_list"]:
        emit(
            detail["revision_list"],
            Format.table,
            [
                ("replaced", "replaced_at"),
                ("title", "title"),
                ("chars", "chars"),
                ("snapshot", "snapshot_sha256"),
            ],
            title=f"Earlier versions ({detail['revisions']})",
        )
    if detail["refusals"]:
        emit(
            detail["refusals"],
            Format.table,
            [
                ("refused", "refused_at"),
                ("why", "reason"),
                ("snapshot of what was served", "snapshot_sha256"),
            ],
            title="Refetches refused (the stored version was kept)",
        )
    if detail["evidence"]:
        emit(
            detail["evidence"],
            Format.table,
            [
                ("commitment", "commitment"),
                ("signal", "signal"),
                ("score", "score"),
                ("review", "review_state"),
                ("excerpt", "excerpt"),
            ],
            title="Evidence",
        )
    console.rule("text")
    console.print(detail["body"] or "(no text)", highlight=False, markup=False)


@publications_app.command("import")
def publications_import(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Import publications from JSON Lines (url, source, title, published_at, body[, language, summary…])."""
    with session_scope() as session:
        report = import_jsonl(session, file)
    for error in report.errors:
        console.print(f"[red]skipped[/] {escape(error)}", highlight=False)
    console.print(
        f"{file}: {report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.errors)} skipped"
    )
    if report.errors and report.stored == 0:
        raise typer.Exit(1)


def _write(out: TextIO, source: str | None) -> int:
    count = 0
    with session_scope() as session:
        for line in export_publications(session, source):
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count


@publications_app.command("export")
def publications_export(
    file: str = typer.Argument(..., help="JSON Lines file to write; - for standard output."),
    source: str | None = typer.Option(None, "--source", help="Only this source's publications."),
) -> None:
    """Write every publication as JSON Lines, with the keys `publications import` reads."""
    if file == "-":
        count = _write(sys.stdout, source)
        sys.stdout.flush()
        err_console.print(f"exported {count} publications", highlight=False)
        return
    target = Path(file)
    if target.is_dir():
        raise fail(f"{file}: is a directory; give a file name, e.g. {Path(file) / 'publications.jsonl'}")
    if not target.parent.is_dir():
        raise fail(f"{file}: no such directory {target.parent}")
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            count = _write(handle, source)
        Path(temporary).replace(target)  # all or nothing: a failed export leaves no half file
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    console.print(f"exported {count} publications to {file}", highlight=False)
