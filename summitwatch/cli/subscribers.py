"""`subscribers add|list|remove|export|forget`: the administrator's side of the list."""

from __future__ import annotations

import csv
import json
import sys

import typer

from digests.subscriptions import (
    SubscriptionError,
    add_confirmed,
    normalise_email,
    subscribe,
    unsubscribe_by_email,
)
from storage import subscribers as store
from storage.csv_cells import safe_cell
from storage.db import session_scope
from summitwatch.cli.output import Format, console, emit, fail

subscribers_app = typer.Typer(help="Digest subscribers (double opt-in).", no_args_is_help=True)


@subscribers_app.command("add")
def add(
    email: str = typer.Argument(..., help="The address."),
    lang: str = typer.Option("fr", "--lang", help="fr or en."),
    theme: list[str] = typer.Option([], "--theme", help="Only these themes (repeatable)."),
    commitment: list[str] = typer.Option([], "--commitment", help="Only these commitments (repeatable)."),
    source: list[str] = typer.Option([], "--source", help="Only these sources (repeatable)."),
    confirmed: bool = typer.Option(
        False, "--confirmed", help="Active at once, no confirmation mail (a list whose consent you hold)."
    ),
) -> None:
    """Subscribe an address: mails a confirmation link, or activates it with --confirmed."""
    try:
        address = normalise_email(email)
        with session_scope() as session:
            if not confirmed:
                subscribe(session, address, lang, theme, commitment, source)
                console.print(f"{address}: confirmation mail sent", highlight=False)
                return
            add_confirmed(session, address, lang, theme, commitment, source)
        console.print(f"{address}: active", highlight=False)
    except SubscriptionError as exc:
        raise fail(str(exc)) from None


@subscribers_app.command("list")
def list_(
    state: str | None = typer.Option(None, "--state", help="pending, active or unsubscribed."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
) -> None:
    """Subscribers, oldest first."""
    if state and state not in store.SUBSCRIBER_STATES:
        raise fail(f"--state must be one of {', '.join(store.SUBSCRIBER_STATES)}")
    with session_scope() as session:
        rows = [store.subscriber_dict(s) for s in store.list_subscribers(session, state)]
    emit(
        rows,
        fmt,
        [
            ("email", "email"),
            ("state", "state"),
            ("lang", "language"),
            ("themes", "themes"),
            ("commitments", "commitments"),
            ("sources", "sources"),
            ("bouncing", "bouncing"),
            ("since", "created_at"),
        ],
        title="subscribers",
    )


@subscribers_app.command("remove")
def remove(email: str = typer.Argument(..., help="The address.")) -> None:
    """Unsubscribe an address (kept, as unsubscribed; use `forget` to erase it)."""
    try:
        with session_scope() as session:
            subscriber = unsubscribe_by_email(session, email)
            if subscriber is None:
                raise fail(f"no subscriber with address {email!r}")
            address = subscriber.email
    except SubscriptionError as exc:
        raise fail(str(exc)) from None
    console.print(f"{address}: unsubscribed", highlight=False)


@subscribers_app.command("export")
def export(fmt: Format = typer.Option(Format.json, "--format", "-f", help="json or csv.")) -> None:
    """Every subscriber with consent times and preferences (for audits and moves)."""
    with session_scope() as session:
        rows = [store.subscriber_dict(s) for s in store.list_subscribers(session)]
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        keys = list(rows[0]) if rows else ["email"]
        writer.writerow(keys)
        for row in rows:
            writer.writerow(
                [
                    safe_cell(";".join(v) if isinstance(v, list) else "" if v is None else v)
                    for v in row.values()
                ]
            )
        return
    sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")


@subscribers_app.command("forget")
def forget(
    email: str = typer.Argument(..., help="The address."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Erase an address and its delivery history (GDPR erasure request)."""
    try:
        address = normalise_email(email)
    except SubscriptionError as exc:
        raise fail(str(exc)) from None
    if not yes and not typer.confirm(f"Erase {address} and its delivery history?"):
        raise typer.Exit(1)
    with session_scope() as session:
        found = store.forget(session, address)
    if not found:
        raise fail(f"no subscriber with address {address!r}")
    console.print(f"{address}: erased", highlight=False)
