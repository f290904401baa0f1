"""The headless commands that read and list: analyze and incidents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from warroom.cli.common import Context, pass_context, read_mention_file
from warroom.cli.config import config_or_exit
from warroom.clock import SystemClock
from warroom.incident.state import IncidentState
from warroom.model import LineProblem
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


@click.command()
@pass_context
def incidents(context: Context) -> None:
    """The stored incidents, one line each: status, start, duration, peak level, counts."""
    store = context.store()
    summaries = store.summaries()
    if not summaries:
        click.echo(f"no incidents in {store.root}")
        return
    clock = SystemClock()
    for summary in summaries:
        meta = summary.meta
        with store.open(meta.slug, clock=clock, writable=False) as log:
            state = IncidentState.from_events(log.events(), name=meta.name)
        status = "closed" if state.closed_at else ("declared" if state.declared else "watching")
        start = state.declared_at or meta.created_at
        # A drill runs on the scenario's time: its last event, not today, ends an open one.
        end = state.closed_at or (state.last_at if meta.drill else None) or clock.now()
        minutes = int((end - start).total_seconds() // 60)
        drill = " DRILL" if meta.drill else ""
        duration = f"{minutes // 60:3d}h{minutes % 60:02d}m"
        click.echo(
            f"{meta.slug:32} {status:9} {start:%Y-%m-%d %H:%M}Z {duration}"
            f"  peak {state.peak_level:8} {summary.mentions:7d} mentions{drill}"
            f"  {state.name or meta.name}"
        )
