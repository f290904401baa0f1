"""The headless commands: analyze, replay, incidents, and the demo without a screen."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence

import click

from warroom.analysis import analyze as run_analysis
from warroom.analysis import render_table
from warroom.cli.common import Context, pass_context, read_mention_file
from warroom.clock import FrozenClock, ScaledClock, SystemClock
from warroom.engine import Engine
from warroom.incident import IncidentState
from warroom.model import LineProblem, Mention
from warroom.replay import paced_batches
from warroom.sentiment import Scorer
from warroom.signals import Signals
from warroom.store import IncidentLocked, IncidentLog, IncidentNotFound, IncidentStore, slugify


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object on stdout.")
def analyze(file: str, as_json: bool) -> None:
    """Sentiment timeline, level changes and trending terms of a JSON Lines FILE (- for stdin)."""
    problems: list[LineProblem] = []
    result = run_analysis(read_mention_file(file, problems), problems=problems)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        click.echo(render_table(result))


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--speed", type=float, default=None, help="Times real time (default: at once).")
@click.option("--incident", "incident_name", help="Incident to write into (default: from FILE).")
@click.option("--tui", is_flag=True, help="Open the console on the replay.")
@click.option("--brand", default="brand", show_default=True, help="The brand's name (console).")
@pass_context
def replay(
    context: Context,
    file: str,
    speed: float | None,
    incident_name: str | None,
    tui: bool,
    brand: str,
) -> None:
    """Feed a JSON Lines FILE through the engine into an incident, headless, with progress."""
    if speed is not None and speed <= 0:
        raise click.BadParameter("must be positive", param_hint="--speed")
    problems: list[LineProblem] = []
    mentions = list(read_mention_file(file, problems))
    name = incident_name or f"replay {file if file != '-' else 'stdin'}"
    if tui:
        from warroom.tui.launch import run_console  # deferred: headless commands skip Textual

        try:
            run_console(
                context.data_dir, mentions=mentions, speed=speed or 30.0, name=name, brand=brand
            )
        except IncidentLocked as error:  # another console works this brand's log
            raise click.ClickException(str(error)) from error
        return
    log, existing = _open_or_create(context.store(), name)
    # Without a speed, time follows the file: events are stamped with the mentions' event time.
    start = mentions[0].created_at if mentions else SystemClock().now()
    clock = ScaledClock(start, speed) if speed else FrozenClock(start)
    engine = Engine(clock=clock, signals=Signals(), scorer=Scorer())
    engine.attach(log, resume=existing)
    engine.listeners.append(_print_level_changes)
    try:
        with click.progressbar(length=len(mentions), label="replaying", file=sys.stderr) as bar:
            asyncio.run(_feed(engine, mentions, speed, bar.update))
        engine.finish()
    finally:
        engine.close()
    click.echo(
        f"{engine.stats.ingested} mentions into incident {log.meta.slug!r} "
        f"({engine.stats.duplicates} duplicates, {len(problems)} lines skipped); "
        f"level {engine.level}",
        err=True,
    )


async def _feed(engine: Engine, mentions: Sequence[Mention], speed: float | None, progress) -> None:
    if mentions and isinstance(engine.clock, ScaledClock):
        # Paced from now: time spent opening (or resuming) the incident must not put the clock
        # ahead, or ticks would judge minutes before their mentions are fed.
        engine.clock.restart(mentions[0].created_at)
    async for batch in paced_batches(mentions, speed):
        if isinstance(engine.clock, FrozenClock):
            engine.clock.set(max(engine.clock.now(), *(m.created_at for m in batch)))
        engine.ingest(batch)
        if speed is not None:
            engine.tick()
        progress(len(batch))


def _print_level_changes(update) -> None:
    for change in update.level_changes:
        click.echo(f"{change.at:%Y-%m-%d %H:%M}Z  {change.level.upper():8}  {change.reason}")


def _open_or_create(store: IncidentStore, name: str) -> tuple[IncidentLog, bool]:
    """The incident of that name, continued if it exists (True), else new (False)."""
    slug = slugify(name)
    clock = SystemClock()
    try:
        return store.open(slug, clock=clock), True
    except IncidentNotFound:
        return store.create(name, clock=clock), False
    except IncidentLocked as error:
        raise click.ClickException(str(error)) from error


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


@click.command()
@click.option("--headless", is_flag=True, help="No console: print the level changes.")
@click.option("--speed", type=float, default=30.0, show_default=True, help="Times real time.")
@pass_context
def demo(context: Context, headless: bool, speed: float) -> None:
    """Rehearse on the bundled scenario (a DRILL): a fictional brand's bad afternoon."""
    from warroom import demo_scenario

    mentions = demo_scenario.load()
    if not headless:
        from warroom.tui.launch import run_demo  # deferred: headless runs skip Textual

        try:
            run_demo(context.data_dir, speed=speed)
        except IncidentLocked as error:  # another console is running the drill
            raise click.ClickException(str(error)) from error
        return
    engine = Engine(clock=SystemClock(), signals=Signals(), scorer=Scorer())
    engine.listeners.append(_print_level_changes)
    engine.ingest(mentions)
    engine.finish()
    click.echo(
        f"{engine.stats.ingested} mentions from the demo scenario; final level {engine.level}",
        err=True,
    )
