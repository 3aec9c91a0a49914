"""The tracker's commands: `match`, `review`, `evidence explain`, `tracker evaluate`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storage.baseline import read_commitments
from storage.dateprecision import dated
from storage.db import session_scope
from storage.evidence import get_evidence
from storage.web_queries import open_proposals
from summitwatch.cli.alerts import check_alerts, send_after
from summitwatch.cli.output import Format, console, emit, fail, parse_since, row_id, words
from summitwatch.cli.reviewer import BY_HELP, reviewer_name
from tracker.accuracy import ACCURACY, figures_of, write_figures
from tracker.evaluate import Evaluation, cross_validate, evaluate
from tracker.event_holdout import held_out_figures
from tracker.event_model import (
    EVENT_MODEL,
    cross_validate_events,
    events_in_sample,
    reports_of,
    train_events,
)
from tracker.explain import explain
from tracker.holdout import HOLDOUT_PERCENT, split
from tracker.labelled import CLASSES, LabelError, Labelled, check_slugs, read_labelled
from tracker.matching import Matcher, with_models
from tracker.model import LINK_MODEL, MODELS_DIR, SIGNAL_MODEL, Models
from tracker.pipeline import match_pending
from tracker.profiles import build_profiles
from tracker.training import TrainingError, train
from tracker.workflow import apply_all, review_proposal

review_app = typer.Typer(help="Open status proposals: list them, accept or reject each.")
tracker_app = typer.Typer(
    help="The matcher itself: train it on, and measure it against, real labelled publications.",
    no_args_is_help=True,
)
BY = typer.Option(None, "--by", help=BY_HELP)


def match_command(
    since: str | None = typer.Option(
        None, "--since", help="Only publications published or changed since (YYYY-MM-DD)."
    ),
    rematch: bool = typer.Option(False, "--rematch", help="Match again even what is up to date."),
) -> None:
    """Link new or changed publications to the commitments they speak of, then send the alerts."""
    channels = check_alerts(register=True)  # a malformed alert URL stops us before a long match
    with Progress(
        TextColumn("matching"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("match", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = match_pending(since=parse_since(since), rematch=rematch, progress=step)
    console.print(f"matched: {report.line()}", highlight=False)
    if report.proposals:
        console.print("open proposals: `summitwatch review`", highlight=False)
    send_after("matching", channels)


def _proposal_lines(p: dict[str, Any]) -> list[str]:
    pub = p["publication"]
    return [
        f"[bold]#{p['id']}[/] {escape(p['commitment'])}: {p['current_status']} -> [bold]{p['proposed_status']}[/]"
        f"  (signal {p['signal']}, score {p['score']:.2f})",
        f"  {escape(pub['title'])} — {pub['source']}, {(pub['published_at'] or 'undated')[:10]}",
        f"  {escape(pub['url'])}",
        f"  \u201c{escape(p['excerpt'])}\u201d" + (f"  [cue: {escape(p['cue'])}]" if p.get("cue") else ""),
    ]


@review_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    list_only: bool = typer.Option(False, "--list", help="Only list; do not ask."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
    by: str | None = BY,
) -> None:
    """List the open proposals; at a terminal, ask for a decision on each."""
    if ctx.invoked_subcommand is not None:
        return
    with session_scope() as session:
        proposals = open_proposals(session, limit=1000)
    if fmt is not Format.table:
        emit(proposals, fmt, [("id", "id"), ("commitment", "commitment"), ("proposed", "proposed_status")])
        return
    if not proposals:
        console.print("no open proposals")
        return
    console.print(words("open_proposals_n", n=len(proposals)))
    interactive = not list_only and sys.stdin.isatty()
    for proposal in proposals:
        for line in _proposal_lines(proposal):
            console.print(line, highlight=False)
        if not interactive:
            continue
        answer = typer.prompt("[a]ccept, [r]eject, [s]kip, [q]uit", default="s").strip().lower()[:1]
        if answer == "q":
            break
        if answer in ("a", "r"):
            by = reviewer_name(by)
            note = typer.prompt("note", default="", show_default=False) or None
            _decide(proposal["id"], answer == "a", by, note)
        console.print()
    if not interactive:
        console.print("decide with `summitwatch review accept ID` or `summitwatch review reject ID`")


def _decide(evidence_id: int, accept: bool, by: str | None, note: str | None) -> None:
    with session_scope() as session:
        get_evidence(session, evidence_id)  # an id that names nothing is said before a missing --by
    by = reviewer_name(by)
    channels = check_alerts(register=True) if accept else []
    with session_scope() as session:
        change = review_proposal(session, evidence_id, accept=accept, reviewer=by, note=note)
    if not accept:
        console.print(f"#{evidence_id} rejected (by {by})")
    elif change is None:
        console.print(f"#{evidence_id} accepted; the commitment already had that status")
    else:
        console.print(f"#{evidence_id} accepted: {change.old_status} -> {change.new_status} (by {by})")
        send_after("the decision", channels)


@review_app.command("accept")
def review_accept(
    evidence_id: int = row_id("Evidence id, as `summitwatch review` lists it."),
    note: str | None = typer.Option(None, "--note", help="Why."),
    by: str | None = BY,
) -> None:
    """Accept a proposal: the commitment's status moves."""
    _decide(evidence_id, True, by, note)


@review_app.command("reject")
def review_reject(
    evidence_id: int = row_id("Evidence id, as `summitwatch review` lists it."),
    note: str | None = typer.Option(None, "--note", help="Why."),
    by: str | None = BY,
) -> None:
    """Reject a link: it stays rejected, also after a rematch."""
    _decide(evidence_id, False, by, note)


@review_app.command("accept-all")
def review_accept_all(
    note: str | None = typer.Option(None, "--note", help="Why, recorded with every change."),
    by: str | None = BY,
) -> None:
    """Accept every open proposal, oldest publication first: each status holds from its first evidence."""
    name = reviewer_name(by)
    channels = check_alerts(register=True)
    with session_scope() as session:
        changes = apply_all(session, name, note)
        lines = [
            f"{c.commitment.slug}: {c.old_status} -> {c.new_status} since {(dated(c.changed_at, None) or '')[:10]}"
            for c in changes
        ]
    for line in lines:
        console.print(line, highlight=False)
    console.print(f"{words('status_changes_n', n=len(lines))} recorded (by {name})", highlight=False)
    if lines:
        send_after("the decisions", channels)


def explain_command(
    url: str = typer.Argument(..., help="Publication URL."),
    slug: str = typer.Argument(..., help="Commitment slug."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json."),
) -> None:
    """Why a publication is, or is not, linked to a commitment."""
    with session_scope() as session:
        data = explain(session, url, slug)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    verdict = "linked" if data["linked"] else "not linked"
    console.print(f"[bold]{escape(data['title'])}[/]\n{escape(data['url'])}", highlight=False)
    console.print(
        f"{data['commitment']}: score {data['score']:.3f} (threshold {data['threshold']}) -> {verdict}"
        f"; language {data['language']}"
        + ("; background (published before the commitment)" if data["background"] else ""),
        highlight=False,
    )
    if not data["ai_context"]:
        console.print("the text never speaks of AI: no link whatever the score", highlight=False)
    if not data.get("spoken_of", True):
        console.print(
            "never named, and fewer than three of its keywords (none in the headline): no link whatever the score",
            highlight=False,
        )
    emit(
        data["terms"],
        Format.table,
        [("term", "term"), ("kind", "kind"), ("where", "field"), ("count", "count"), ("weight", "weight")],
        title="Terms that counted",
    )
    if data["proximity"]:
        console.print(
            f"proximity: {data['proximity']} sentence(s) where two of its terms meet", highlight=False
        )
    console.print(f"sentence kept: \u201c{escape(data['sentence'])}\u201d", highlight=False)
    if data["cue"]:
        turned = f", turned by \u201c{escape(data['cue_modifier'])}\u201d" if data.get("cue_modifier") else ""
        console.print(
            f"signal: {data['signal']}, set by the cue \u201c{escape(data['cue'])}\u201d"
            f" read as {data['cue_signal']}{turned}",
            highlight=False,
        )
    else:
        console.print(f"signal: {data['signal']} (no cue phrase in its sentences)", highlight=False)
    if data.get("prospect"):
        console.print(
            f"headline looks ahead (\u201c{escape(data['prospect'])}\u201d): the text names it before the event",
            highlight=False,
        )
    for scope, readings in (data.get("clauses") or {}).items():
        if readings:
            found = "; ".join(
                f"{r['reading']} \u201c{escape(r['cue'])}\u201d"
                + (f" ({escape(r['modifier'])})" if r["modifier"] else "")
                for r in readings[:6]
            )
            console.print(f"  {scope}: {found}", highlight=False)
    if data.get("link_parts"):
        parts = ", ".join(f"{name} {value:+.2f}" for name, value in data["link_parts"])
        console.print(f"link model, largest parts of the score: {parts}", highlight=False)
    stored = data["stored"]
    if stored:
        console.print(
            f"stored: #{stored['id']} score {stored['score']}, signal {stored['signal']}, {stored['review_state']}"
            + (f", proposes {stored['proposed_status']}" if stored["proposed_status"] else ""),
            highlight=False,
        )
    else:
        console.print("stored: no link recorded", highlight=False)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _print_evaluation(result: Evaluation, errors: int, how: str | None = None) -> None:
    rows = [{"commitment": slug, **c.as_dict()} for slug, c in sorted(result.per_commitment.items())]
    folds = len(result.folds)
    if how is None:
        how = (
            f"{folds}-fold grouped cross-validation, figures are the folds' mean"
            if folds
            else "shipped models"
        )
    emit(
        rows,
        Format.table,
        [
            ("commitment", "commitment"),
            ("tp", "tp"),
            ("fp", "fp"),
            ("fn", "fn"),
            ("P", "precision"),
            ("R", "recall"),
            ("F1", "f1"),
            ("signal", "signal_accuracy"),
        ],
        title=f"{result.publications} labelled publications ({result.negatives} negatives); {how}",
    )
    summary = result.summary()
    console.print(
        f"links: precision {_pct(summary['precision'])}, recall {_pct(summary['recall'])}, "
        f"F1 {_pct(summary['f1'])}; false links on negatives: {summary['negative_false_links']}",
        highlight=False,
    )
    recall = summary["class_recall"]
    console.print(
        f"signal accuracy {_pct(summary['signal_accuracy'])}; recall by class: "
        + ", ".join(f"{cls} {_pct(recall[cls])}" for cls in CLASSES),
        highlight=False,
    )
    matrix = [
        {"labelled": exp, **{f"read {got}": n for got, n in row.items()}}
        for exp, row in result.confusion.items()
    ]
    emit(
        matrix,
        Format.table,
        [("labelled", "labelled"), *((f"read {c}", f"read {c}") for c in CLASSES)],
        title="Signals of the links found (rows: the label; columns: the tracker's reading)",
    )
    if errors:
        console.print(
            f"worst {min(errors, len(result.mistakes))} of {len(result.mistakes)} errors"
            " (the held-out slice's are never listed):",
            highlight=False,
        )
        for m in result.worst(errors):
            console.print(
                f"  {m.kind:<24} {m.slug:<40} expected {m.expected or '-':<8} got {m.got or '-':<8}"
                f" score {m.score:.2f}  {escape(m.where)}",
                highlight=False,
            )
            console.print(
                f"      {escape(m.url)}" + (f"  [{escape(m.detail)}]" if m.detail else ""), highlight=False
            )


def _labelled(path: Path) -> list[Labelled]:
    rows = read_labelled(path)
    check_slugs(rows, {c.slug for c in read_commitments()})
    return rows


class Slice(StrEnum):
    """Which part of the labelled corpus `tracker evaluate` scores (tracker/holdout.py)."""

    all = "all"
    dev = "dev"
    holdout = "holdout"


SLICE_HELP = (
    "all: the whole corpus (the shipped figures); dev: the development part only, for tuning;"
    f" holdout: train on the development part, score the held-out {HOLDOUT_PERCENT}% of stories once"
    " (figures only, never its errors)."
)


def _measure(
    rows: list[Labelled], part: Slice, cv: int | None, threshold: float | None
) -> tuple[Evaluation, Any, str | None]:
    """The evaluation, the event grouping (or None) and how it was measured, for one slice."""
    dev, held = split(rows)
    matcher = Matcher(build_profiles(read_commitments()), threshold)
    base = Matcher(matcher.profiles.values(), threshold, Models())
    if part is Slice.holdout:
        if cv:
            raise LabelError(
                "the held-out slice is scored once, by a model trained on the development part: no --cv"
            )
        result = evaluate(with_models(base, train(base, dev), threshold), held)
        how = (
            f"held-out slice ({len({r.story for r in held})} stories), models trained on the other {len(dev)}"
        )
        return result, held_out_figures(rows, reports_of(matcher, rows)), how
    if part is Slice.dev:
        rows = dev
    if cv:
        result = cross_validate(
            rows, cv, lambda train_rows: with_models(base, train(base, train_rows), threshold)
        )
        return result, cross_validate_events(matcher, rows, cv), None
    return evaluate(matcher, rows), events_in_sample(matcher, rows), None


@tracker_app.command("evaluate")
def evaluate_command(
    path: Path = typer.Argument(..., help="A labelled .jsonl file, or a folder of them."),
    cv: int | None = typer.Option(
        None,
        "--cv",
        min=2,
        max=20,
        help="Grouped k-fold cross-validation: train on k-1 folds, score the rest.",
    ),
    part: Slice = typer.Option(Slice.all, "--slice", help=SLICE_HELP),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json."),
    errors: int = typer.Option(
        0, "--errors", min=0, help="List the N worst errors (0: none); never those of the held-out slice."
    ),
    min_f1: float | None = typer.Option(None, "--min-f1", min=0, max=1, help="Exit 1 when link F1 is lower."),
    min_signal: float | None = typer.Option(
        None, "--min-signal", min=0, max=1, help="Exit 1 when signal accuracy is lower."
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0, max=1, help="Try another link threshold."
    ),
    write_to: Path | None = typer.Option(
        None,
        "--write-figures",
        metavar="PATH",
        help="Write the headline figures and their targets as JSON to PATH; the methodology page"
        f" reads {ACCURACY.relative_to(ACCURACY.parents[2])}.",
        show_default=False,
    ),
) -> None:
    """Link precision, recall and F1, and signal accuracy, on labelled publications."""
    try:
        rows = _labelled(path)
        result, grouping, how = _measure(rows, part, cv, threshold)
    except (LabelError, TrainingError) as exc:
        raise fail(str(exc)) from None
    # The held-out slice is read by nobody: its mistakes are dropped before anything prints them.
    held = {row.where for row in split(rows)[1]}
    result.mistakes = [m for m in result.mistakes if m.where not in held]
    if fmt is Format.json:
        data = result.as_dict()
        data["slice"] = part.value
        data["events"] = grouping.as_dict() if grouping else None
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_evaluation(result, 0 if part is Slice.holdout else errors, how)
        if grouping is not None:
            how_grouped = "" if cv or part is Slice.holdout else " (shipped model, in sample)"
            console.print(grouping.line() + how_grouped, highlight=False)
    summary = result.summary()
    if write_to is not None:
        write_figures(
            figures_of(
                summary,
                publications=result.publications,
                negatives=result.negatives,
                folds=len(result.folds),
                corpus=path.name if path.is_absolute() else path.as_posix(),
                events=grouping.as_dict() if grouping else None,
            ),
            write_to,
        )
        if fmt is not Format.json:
            console.print(f"figures written to {escape(str(write_to))}", highlight=False)
    if min_f1 is not None and summary["f1"] < min_f1:
        raise fail(f"link F1 {summary['f1']:.3f} is below {min_f1}", code=1)
    if min_signal is not None and (summary["signal_accuracy"] or 0.0) < min_signal:
        raise fail(f"signal accuracy {summary['signal_accuracy']} is below {min_signal}", code=1)


@tracker_app.command("train")
def train_command(
    path: Path = typer.Argument(..., help="The real labelled corpus: a .jsonl file or a folder of them."),
    out: Path = typer.Option(MODELS_DIR, "--out", help="Folder the model files are written to."),
    signal_model: bool = typer.Option(
        False,
        "--signal-model",
        help="Also fit a signal model (the ordered clause rules read signals otherwise).",
    ),
) -> None:
    """Fit the link and signal models on real labelled publications and write them as JSON."""
    try:
        rows = _labelled(path)
        base = Matcher(build_profiles(read_commitments()), None, Models())
        models = train(base, rows, signal_model)
    except (LabelError, TrainingError) as exc:
        raise fail(str(exc)) from None
    assert models.link is not None
    written = [out / LINK_MODEL.name]
    models.link.save(written[0])
    if models.signal is not None:
        written.append(out / SIGNAL_MODEL.name)
        models.signal.save(written[1])
    elif (out / SIGNAL_MODEL.name).exists():
        (out / SIGNAL_MODEL.name).unlink()  # the rules read signals from now on
    console.print(
        f"trained on {len(rows)} publications: link model ({models.link.trained['examples']} candidates, "
        f"threshold {models.link.threshold})"
        + (
            f", signal model ({models.signal.trained['examples']} links)"
            if models.signal
            else "; signals: rules"
        ),
        highlight=False,
    )
    try:
        event_model = train_events(reports_of(base, rows), [row.story for row in rows])
    except TrainingError as exc:
        console.print(f"events: not trained ({exc})", highlight=False)
    else:
        written.append(out / EVENT_MODEL.name)
        event_model.save(written[-1])
        console.print(
            f"event model ({event_model.trained['pairs']} candidate pairs, "
            f"{event_model.trained['same_story']} of the same story)",
            highlight=False,
        )
    console.print("written: " + ", ".join(str(p) for p in written), highlight=False)
    console.print("the next `summitwatch match` rematches everything with them", highlight=False)
