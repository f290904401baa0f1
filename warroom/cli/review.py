"""After the incident: `warroom report` (the post-mortem) and `warroom export` (the raw log)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from warroom.cli.common import Context, pass_context
from warroom.clock import SystemClock
from warroom.incident.log import IncidentLog
from warroom.model import EventKind
from warroom.playbook import (
    find_playbook,
    load_playbook,
    user_playbooks_dir,
)
from warroom.review.document import build_review, local_zone, render_markdown
from warroom.review.html import render_html

MENTION_COLUMNS = (
    "id",
    "source",
    "created_at",
    "author",
    "url",
    "lang",
    "reach",
    "engagement",
    "topic",
    "text",
)
CSV_COLUMNS = ("seq", "kind", "at", "author", *MENTION_COLUMNS, "compound", "label", "data")


@contextmanager
def _incident(context: Context, slug: str) -> Iterator[IncidentLog]:
    """The incident opened read-only (works while a console holds it), or a one-line error."""
    log = context.store().open(slug, clock=SystemClock(), writable=False)
    with log:
        yield log


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    """The file to write (whole or not at all), or stdout."""
    if path is None or path == "-":
        yield sys.stdout
        return
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        handle = temporary.open("w", encoding="utf-8", errors="backslashreplace", newline="")
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from error
    try:
        with handle:
            yield handle
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


@click.command()
@click.argument("incident")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"]),
    default=None,
    help="Markdown or HTML (default: from -o's suffix, else md).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout)."
)
@click.option(
    "--tz", "tz_name", help="Zone for local times, e.g. Europe/Paris (default: this machine's)."
)
@click.option(
    "--playbook", "playbook_name", help="Playbook to judge steps by (default: the incident's)."
)
@click.option("--no-cache", is_flag=True, help="Rebuild the per-minute aggregates, write no cache.")
@pass_context
def report(
    context: Context,
    incident: str,
    fmt: str | None,
    output: str | None,
    tz_name: str | None,
    playbook_name: str | None,
    no_cache: bool,
) -> None:
    """Write the post-mortem of INCIDENT: times, intervals, steps, chart, questions."""
    if fmt is None:
        fmt = "html" if output and output.lower().endswith((".html", ".htm")) else "md"
    try:
        zone = local_zone(tz_name)
    except (ValueError, KeyError) as error:
        raise click.BadParameter(
            f"unknown time zone {tz_name!r} ({error})", param_hint="--tz"
        ) from None
    user_dir = user_playbooks_dir(context.data_dir)
    playbook = None
    if playbook_name:
        playbook = load_playbook(find_playbook(playbook_name, user_dir))
    with _incident(context, incident) as log:
        review = build_review(log, playbook=playbook, cache=not no_cache, user_dir=user_dir)
    for problem in review.problems:
        click.echo(f"warning: {problem}", err=True)
    text = render_html(review, zone) if fmt == "html" else render_markdown(review, zone)
    with _output(output) as handle:
        handle.write(text)
    if output:
        click.echo(f"wrote {fmt} post-mortem of {incident!r} to {output}", err=True)


def _csv_row(record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {k: record.get(k) for k in ("seq", "kind", "at", "author")}
    data = record["data"]
    if record["kind"] == str(EventKind.MENTION):
        row.update({k: data["mention"].get(k) for k in MENTION_COLUMNS})
        row["compound"], row["label"] = data.get("compound"), data.get("label")
    else:
        row["data"] = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return {key: spreadsheet_safe(value) for key, value in row.items()}


def spreadsheet_safe(value: Any) -> Any:
    """Text from the internet opened in a spreadsheet must not run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@click.command()
@click.argument("incident")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), required=True)
@click.option(
    "--only",
    type=click.Choice(["all", "mentions", "events"]),
    default="all",
    show_default=True,
    help="Mentions, the team's and the detector's events, or both in log order.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout)."
)
@pass_context
def export(context: Context, incident: str, fmt: str, only: str, output: str | None) -> None:
    """Export INCIDENT's log (mentions and events, in log order) as JSON Lines or CSV."""
    count = 0
    with _incident(context, incident) as log, _output(output) as handle:
        events = log.events(include_mentions=only != "events")
        writer = csv.DictWriter(handle, CSV_COLUMNS) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for event in events:
            if only == "mentions" and event.kind is not EventKind.MENTION:
                continue
            record = event.to_dict()
            if writer is not None:
                writer.writerow(_csv_row(record))
            else:
                handle.write(json.dumps(record) + "\n")  # ASCII: lone surrogates stay valid
            count += 1
    click.echo(f"exported {count} records of {incident!r} as {fmt}", err=True)
