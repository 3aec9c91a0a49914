"""`summitwatch crawl`: run the spiders, one child process per source, and tell each source's health."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from crawler.runner import SourceResult, crawl
from crawler.sources import load_sources
from summitwatch.cli.output import console, fail, words


def _base_urls(values: list[str], slugs: list[str]) -> str | dict[str, str] | None:
    """`--base-url URL` for every source, or `--base-url SLUG=URL` per source."""
    if not values:
        return None
    per_source: dict[str, str] = {}
    shared: str | None = None
    for value in values:
        slug, sep, url = value.partition("=")
        if sep and not slug.startswith(("http://", "https://")):
            if slug not in slugs:
                raise fail(
                    f"--base-url {value}: {slug!r} is not among the sources crawled ({', '.join(slugs)})"
                )
            per_source[slug] = url
        else:
            shared = value
    for url in [shared, *per_source.values()]:
        if url is not None and not url.startswith(("http://", "https://")):
            raise fail(f"--base-url {url!r}: expected an http:// or https:// URL")
    if shared is not None:
        return {slug: per_source.get(slug, shared) for slug in slugs}
    return per_source


def crawl_command(
    sources: list[str] = typer.Argument(None, help="Source slugs (default: every configured source)."),
    base_url: list[str] = typer.Option(
        None, "--base-url", help="Crawl a mirror with the same paths: URL, or SLUG=URL (repeatable)."
    ),
    full: bool = typer.Option(False, "--full", help="Backfill everything reachable, not only what is new."),
    timeout: float = typer.Option(None, "--timeout", help="Seconds before a source's crawl is killed."),
) -> None:
    """Crawl sources (each in its own process); exit 1 when any source failed or is failing."""
    configured = load_sources()
    slugs = list(dict.fromkeys(sources or sorted(configured)))
    unknown = [s for s in slugs if s not in configured]
    if unknown:
        raise fail(f"unknown source(s) {', '.join(unknown)}; configured: {', '.join(sorted(configured))}")
    bases = _base_urls(base_url or [], slugs)

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks = {slug: bar.add_task(f"{slug}: waiting", start=False) for slug in slugs}

        def show(slug: str, event: dict[str, object]) -> None:
            task = tasks[slug]
            bar.start_task(task)
            if event.get("event") == "progress":
                bar.update(
                    task,
                    description=(
                        f"{slug}: {event.get('pages', 0)} pages, {event.get('new', 0)} new, "
                        f"{event.get('updated', 0)} updated, {words('errors_n', n=int(event.get('errors', 0)))}"
                    ),
                )
            elif event.get("event") == "finished":
                bar.update(task, description=f"{slug}: {event.get('status')}")

        results: list[SourceResult] = crawl(slugs, base_url=bases, full=full, progress=show, timeout=timeout)
    for result in results:
        style = {"ok": "green", "degraded": "yellow"}.get(result.health, "bold red")
        console.print(f"[{style}]{escape(result.line())}[/]", highlight=False, soft_wrap=True)
        for reason in result.health_reasons:
            console.print(f"  - {reason}", highlight=False, soft_wrap=True, markup=False)
    if not all(r.ok for r in results):
        raise typer.Exit(1)
