"""The headless commands that read and list: analyze, and incidents as an aligned table."""

from __future__ import annotations

import json
import shutil
import sys
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from warroom.cli.common import Context, pass_context, read_mention_file
from warroom.cli.config import config_or_exit
from warroom.clock import SystemClock
from warroom.incident.log import IncidentStore
from warroom.incident.state import IncidentState
from warroom.model import LineProblem, format_time
from warroom.offline.analyze import analyze as run_analysis
from warroom.offline.analyze import render_table


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object on stdout.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A watch config: its brand, handles (our own posts), lexicon and detector rule.",
)
@click.pass_context
def analyze(ctx: click.Context, file: str, as_json: bool, config_path: Path | None) -> None:
    """Sentiment timeline, level changes and trending terms of a JSON Lines FILE (- for stdin)."""
    problems: list[LineProblem] = []
    settings: dict[str, Any] = {}
    if config_path is not None:
        from warroom.live.watch import detector_rule  # loads aiohttp: only when asked for

        config = config_or_exit(ctx, config_path)
        settings = {
            "rule": detector_rule(config),
            "lexicon": config.lexicon,
            "brand": config.brand,
            "handles": config.topics.brand_handles,
        }
    result = run_analysis(read_mention_file(file, problems), problems=problems, **settings)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        click.echo(render_table(result))


@dataclass(frozen=True)
class IncidentLine:
    """One stored incident as `warroom incidents` lists it."""

    slug: str
    name: str
    status: str
    drill: bool
    started: datetime
    ended: datetime | None
    duration: timedelta
    peak: str
    mentions: int

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "status": self.status,
            "drill": self.drill,
            "started_at": format_time(self.started),
            "ended_at": format_time(self.ended) if self.ended else None,
            "duration_seconds": int(self.duration.total_seconds()),
            "peak_level": self.peak,
            "mentions": self.mentions,
        }


HEADINGS = ("INCIDENT", "STATUS", "STARTED (UTC)", "DURATION", "PEAK", "MENTIONS", "NAME")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array, an object each.")
@pass_context
def incidents(context: Context, as_json: bool) -> None:
    """The stored incidents, one line each: status, start, duration, peak level, mentions, name.

    On a terminal a long name is cut to fit its width; piped, names are printed whole.
    """
    store = context.store()
    lines = _incident_lines(store)
    if as_json:
        click.echo(json.dumps([line.to_json() for line in lines], ensure_ascii=False))
        return
    if not lines:
        click.echo(f"no incidents in {store.root}")
        return
    for row in incident_table(lines, terminal_width()):
        click.echo(row)


def _incident_lines(store: IncidentStore) -> list[IncidentLine]:
    clock = SystemClock()
    lines = []
    for summary in store.summaries():
        meta = summary.meta
        with store.open(meta.slug, clock=clock, writable=False) as log:
            state = IncidentState.from_events(log.events(), name=meta.name)
        status = "closed" if state.closed_at else ("declared" if state.declared else "watching")
        start = state.declared_at or meta.created_at
        # A drill runs on the scenario's time: its last event, not today, ends an open one.
        end = state.closed_at or (state.last_at if meta.drill else None)
        lines.append(
            IncidentLine(
                meta.slug,
                state.name or meta.name,
                status,
                meta.drill,
                start,
                state.closed_at,
                (end or clock.now()) - start,
                str(state.peak_level),
                summary.mentions,
            )
        )
    return lines


def terminal_width() -> int | None:
    """The terminal's width when stdout is one (COLUMNS first, as ls does), else None."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def incident_table(lines: list[IncidentLine], width: int | None) -> list[str]:
    """A header and one aligned row per incident, the name last (cut with … to `width`)."""
    rows = [
        (
            line.slug,
            line.status + (" DRILL" if line.drill else ""),
            f"{line.started.astimezone(UTC):%Y-%m-%d %H:%M}",
            _duration(line.duration),
            line.peak,
            f"{line.mentions:,}",
            printable(line.name),
        )
        for line in lines
    ]
    widths = [max(len(row[i]) for row in [HEADINGS, *rows]) for i in range(len(HEADINGS) - 1)]
    right = {3, 5}  # durations and counts line up on their last digit
    out = []
    for row in [HEADINGS, *rows]:
        cells = [
            cell.rjust(size) if i in right else cell.ljust(size)
            for i, (cell, size) in enumerate(zip(row, widths, strict=False))
        ]
        text = "  ".join(cells) + "  "
        room = None if width is None else max(width - len(text), 12)  # wrapping beats nothing
        out.append(text + fit(row[-1], room))
    return out


def _duration(span: timedelta) -> str:
    """1h 05m; past two days, 3d 04h."""
    minutes = max(0, int(span.total_seconds() // 60))
    hours = minutes // 60
    if hours >= 48:
        return f"{hours // 24}d {hours % 24:02d}h"
    return f"{hours}h {minutes % 60:02d}m"


def printable(text: str) -> str:
    """A name typed by someone, safe for a terminal: control and format characters (escape
    sequences, bidi overrides, line breaks) become spaces."""
    return "".join(
        " " if unicodedata.category(char)[0] in "CZ" and char != " " else char for char in text
    )


def fit(text: str, room: int | None) -> str:
    """`text` cut to `room` terminal columns with a final …; wide characters count two."""
    if room is None or _columns(text) <= room:
        return text
    out, used = [], 1  # the … takes one column
    for char in text:
        size = _columns(char)
        if used + size > room:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"


def _columns(text: str) -> int:
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )
