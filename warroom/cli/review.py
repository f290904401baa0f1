"""After the incident: `warroom report` (the post-mortem) and `warroom export` (the raw log)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
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
from warroom.review.text import zone_hint


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
    "--tz",
    "tz_name",
    metavar="ZONE",
    help="Zone for the local times, a zoneinfo name such as Europe/Paris (default: this"
    " machine's); shown beside UTC when it differs from it.",
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
    except (ValueError, KeyError, OSError):
        raise click.BadParameter(
            f"{tz_name!r} is not a time zone{zone_hint(tz_name or '')}; give a zoneinfo name"
            " such as Europe/Paris, America/New_York or UTC",
            param_hint="--tz",
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


# A mention's own fields, in the order of the canonical mention (README: Mentions).
MENTION_FIELDS = (
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
# One column per field: the stored record's, the mention's lifted out, then its score.
MENTION_COLUMNS = ("seq", "received_at", *MENTION_FIELDS, "ours", "compound", "label")
# An event's own fields; its data follows, one `data.<field>` column per field.
EVENT_COLUMNS = ("seq", "kind", "at", "author", "id")
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text from the internet opened in a spreadsheet must not run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    """A value as one CSV cell: a list or an object as JSON text, true/false as in JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return spreadsheet_safe(value)


def mention_row(record: dict[str, Any]) -> dict[str, Any]:
    """A stored mention record as one CSV row of MENTION_COLUMNS."""
    data = record["data"]
    mention = data.get("mention") or {}
    row = {"seq": record["seq"], "received_at": record["at"]}
    row.update({name: mention.get(name) for name in MENTION_FIELDS})
    row["ours"] = mention.get("ours") is True  # the brand's own post
    row.update(compound=data.get("compound"), label=data.get("label"))
    return {name: _cell(value) for name, value in row.items()}


def event_row(record: dict[str, Any]) -> dict[str, Any]:
    """An event record as one CSV row: its own fields, then its data's, flattened with dotted
    names (`data.evidence.reason`); a list stays one cell of JSON."""
    row = {name: record.get(name) for name in EVENT_COLUMNS}
    row.update(_flatten(record["data"], "data"))
    return {name: _cell(value) for name, value in row.items()}


def _flatten(value: dict[str, Any], prefix: str) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            cells.update(_flatten(item, f"{prefix}.{key}"))
        else:
            cells[f"{prefix}.{key}"] = item
    return cells


def _write_jsonl(handle: IO[str], records: Iterable[dict[str, Any]]) -> int:
    count = 0
    for record in records:
        handle.write(json.dumps(record) + "\n")  # ASCII: lone surrogates stay valid
        count += 1
    return count


def _write_csv(handle: IO[str], columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> int:
    writer = csv.DictWriter(handle, list(columns))  # RFC 4180: CRLF, quotes only where needed
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


@click.command()
@click.argument("incident")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default=None,
    help="JSON Lines, one stored record a line, or CSV, one column per field"
    " (default: from -o's suffix, else jsonl).",
)
@click.option(
    "--only",
    type=click.Choice(["mentions", "events", "all"]),
    default="mentions",
    show_default=True,
    help="The mentions with their scores (what a spreadsheet or another tool wants); the"
    " events (notes, checks, levels, drafts...); or both in log order (JSON Lines only).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout)."
)
@pass_context
def export(context: Context, incident: str, fmt: str | None, only: str, output: str | None) -> None:
    """Export INCIDENT's mentions (the default) or its events, as JSON Lines or CSV."""
    if fmt is None:
        fmt = "csv" if output and output.lower().endswith(".csv") else "jsonl"
    if fmt == "csv" and only == "all":
        raise click.BadParameter(
            "a CSV holds one kind of record: export --only mentions and --only events"
            " to two files, or use --format jsonl",
            param_hint="--only",
        )
    with _incident(context, incident) as log, _output(output) as handle:
        records = (
            event.to_dict()
            for event in log.events(include_mentions=only != "events")
            if only == "all" or (event.kind is EventKind.MENTION) == (only == "mentions")
        )
        if fmt == "jsonl":
            count = _write_jsonl(handle, records)
        elif only == "mentions":
            count = _write_csv(handle, MENTION_COLUMNS, map(mention_row, records))
        else:
            rows = [event_row(record) for record in records]  # events are few: columns first
            columns = dict.fromkeys(name for row in rows for name in row)
            count = _write_csv(handle, {**dict.fromkeys(EVENT_COLUMNS), **columns}, rows)
    what = "records" if only == "all" else only
    click.echo(f"exported {count} {what} of {incident!r} as {fmt}", err=True)
