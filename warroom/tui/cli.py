"""The commands that open a console: demo, replay, watch and review (headless modes included).

Textual is imported inside each command, only when a console opens, so the headless paths
(`demo --headless`, `replay` without `--tui`) run without it.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from warroom.cli.common import Context, pass_context, read_mention_file
from warroom.cli.config import config_or_exit
from warroom.clock import SystemClock
from warroom.detection.sentiment import Scorer
from warroom.detection.signals import Signals
from warroom.incident.engine import Engine, EngineUpdate
from warroom.model import LineProblem
from warroom.offline.replay import feed_engine, open_or_create, peek, replay_clock
from warroom.playbook import (
    PlaybookInvalid,
    PlaybookNotFound,
    find_playbook,
    load_playbook,
    user_playbooks_dir,
)

# A progress line on stderr every this many mentions (the total is not known while streaming).
PROGRESS_EVERY = 100_000

if TYPE_CHECKING:
    from warroom.live.config import WatchConfig
    from warroom.live.team.link import TeamSettings


def print_level_changes(update: EngineUpdate) -> None:
    """One line a level change, for headless runs."""
    for change in update.level_changes:
        click.echo(f"{change.at:%Y-%m-%d %H:%M}Z  {change.level.upper():8}  {change.reason}")


def wall_option(function: Any) -> Any:
    """--wall: open the console on the wall screen, for the big screen in the room."""
    return click.option(
        "--wall",
        is_flag=True,
        help="Open on the wall screen: the level and figures in large type (Escape: the panes).",
    )(function)


def team_options(function: Any) -> Any:
    """--team, --team-name, --operator and --role: the options of a console that can join."""
    options = [
        click.option(
            "--team",
            "team",
            is_flag=True,
            help="Share the incident with the team (WARROOM_TEAM_URL; set, it is enough).",
        ),
        click.option(
            "--team-name", default=None, help="The team (default: the config's, else default)."
        ),
        click.option("--operator", default=None, help="Who you are (default: config, else $USER)."),
        click.option(
            "--role", default=None, help="Your role, one of the playbook's (e.g. social)."
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def wanted_team(
    flag: bool, name: str | None, config: WatchConfig | None = None
) -> TeamSettings | None:
    """Team settings when team mode is asked for (flag, config, or the URL in the environment)."""
    from warroom.live.team.link import URL_ENV, team_settings

    url_env = config.team.url_env if config is not None and config.team else URL_ENV
    configured = config.team.name if config is not None and config.team else None
    if not (flag or (config is not None and config.team) or os.environ.get(url_env)):
        return None
    return team_settings(name or configured, url_env=url_env)


@click.command()
@click.option("--headless", is_flag=True, help="No console: print the level changes.")
@click.option("--speed", type=float, default=30.0, show_default=True, help="Times real time.")
@click.option("--reset", is_flag=True, help="Run the drill again from the start (a fresh log).")
@wall_option
@team_options
@pass_context
def demo(
    context: Context,
    headless: bool,
    speed: float,
    reset: bool,
    wall: bool,
    team: bool,
    team_name: str | None,
    operator: str | None,
    role: str | None,
) -> None:
    """Rehearse on the bundled scenario (a DRILL): a fictional brand's bad afternoon.

    With --team, everyone on the team works the same drill: one console plays it."""
    from warroom.demo import scenario as demo_scenario

    if headless and wall:
        raise click.UsageError("--wall opens the console; --headless has none")
    if not headless:
        settings = wanted_team(team, team_name)
        if settings is not None:
            from warroom.tui.launch import team_demo_app

            app = team_demo_app(
                context.data_dir, settings, speed=speed, operator=operator, role=role, wall=wall
            )
            app.run()
            return
        from warroom.tui.launch import drill_over, run_demo

        over = None if reset else drill_over(context.data_dir)
        if over is not None:
            click.echo(
                f"The drill is over: its incident was closed (review it with: warroom review "
                f"{over}). Run it again with: warroom demo --reset"
            )
            return
        run_demo(context.data_dir, speed=speed, reset=reset, wall=wall)
        return
    engine = Engine(clock=SystemClock(), signals=Signals(), scorer=Scorer())
    engine.listeners.append(print_level_changes)
    engine.ingest(demo_scenario.load())
    engine.finish()
    click.echo(
        f"{engine.stats.ingested} mentions from the demo scenario; final level {engine.level}",
        err=True,
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--speed", type=float, default=None, help="Times real time (default: at once).")
@click.option("--incident", "incident_name", help="Incident to write into (default: from FILE).")
@click.option("--tui", is_flag=True, help="Open the console on the replay.")
@click.option("--brand", default="brand", show_default=True, help="The brand's name (console).")
@wall_option
@pass_context
def replay(
    context: Context,
    file: str,
    speed: float | None,
    incident_name: str | None,
    tui: bool,
    brand: str,
    wall: bool,
) -> None:
    """Feed a JSON Lines FILE through the engine into an incident, headless, with progress."""
    if speed is not None and speed <= 0:
        raise click.BadParameter("must be positive", param_hint="--speed")
    problems: list[LineProblem] = []
    # Read as it is fed: a file of any size costs one batch of memory.
    first, mentions = peek(read_mention_file(file, problems))
    name = incident_name or f"replay {file if file != '-' else 'stdin'}"
    if tui or wall:  # the wall is a console: --wall implies --tui
        from warroom.tui.launch import run_console

        run_console(
            context.data_dir,
            mentions=mentions,
            speed=speed or 30.0,
            name=name,
            brand=brand,
            wall=wall,
        )
        return
    log, existing = open_or_create(context.store(), name)
    engine = Engine(clock=replay_clock(first, speed), signals=Signals(), scorer=Scorer())
    engine.attach(log, resume=existing)
    engine.listeners.append(print_level_changes)
    fed = 0

    def progress(count: int) -> None:
        nonlocal fed
        before, fed = fed, fed + count
        if before // PROGRESS_EVERY != fed // PROGRESS_EVERY:
            click.echo(f"replaying: {fed:,} mentions", err=True)

    try:
        asyncio.run(feed_engine(engine, mentions, speed, progress))
        engine.finish()
    finally:
        engine.close()
    click.echo(
        f"{engine.stats.ingested} mentions into incident {log.meta.slug!r} "
        f"({engine.stats.duplicates} duplicates, {len(problems)} lines skipped); "
        f"level {engine.level}",
        err=True,
    )


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@wall_option
@team_options
@pass_context
def watch(
    context: Context,
    config_path: Path | None,
    wall: bool,
    team: bool,
    team_name: str | None,
    operator: str | None,
    role: str | None,
) -> None:
    """Open the console on the configured sources (warroom.yaml; `warroom init` writes one)."""
    config = config_or_exit(click.get_current_context(), config_path)
    try:
        playbook = load_playbook(find_playbook(config.playbook))
    except (PlaybookNotFound, PlaybookInvalid) as error:
        raise click.ClickException(f"playbook {config.playbook!r}: {error}") from error
    settings = wanted_team(team, team_name, config)
    if settings is not None:
        from warroom.tui.launch import team_watch_app

        app = team_watch_app(
            config,
            context.data_dir,
            settings,
            playbook=playbook,
            operator=operator,
            role=role,
            wall=wall,
        )
        app.run()
        return
    from warroom.tui.launch import watch_app

    watch_app(config, context.data_dir, playbook=playbook, wall=wall).run()


@click.command()
@click.argument("incident")
@pass_context
def review(context: Context, incident: str) -> None:
    """Open INCIDENT read-only: its timeline, chart and checklist at any minute."""
    try:
        log = context.store().open(incident, clock=SystemClock(), writable=False)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot read incident {incident!r}: {error}") from error
    try:
        from warroom.tui.review.app import ReviewApp

        app = ReviewApp(log, user_dir=user_playbooks_dir(context.data_dir))
    except BaseException:
        log.close()
        raise
    app.run()


CONSOLE_COMMANDS = (demo, replay, watch, review)
