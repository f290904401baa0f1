"""`warroom init` (a starter watch config) and `warroom fetch` (sources to JSON Lines)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import IO

import aiohttp
import click

from warroom.cli.common import Context
from warroom.clock import SystemClock
from warroom.incident.log import default_data_dir
from warroom.live.config import (
    CONFIG_NAME,
    ConfigInvalid,
    WatchConfig,
    find_config,
    load_config,
    user_config_path,
)
from warroom.live.sources.base import CursorStore, Source, SourceState, SourceStatus, describe_error
from warroom.live.watch import build_sources, client_session
from warroom.model import Mention

STARTER = """\
# warroom.yaml: what warroom watches, where from, and whom it tells.
# Secrets are never written here: name the environment variable that holds them
# (token_env: MASTODON_TOKEN). Check it with `warroom fetch --once`.

brand: Acme                      # your brand's name (also matched as a keyword)
operator: null                   # who runs the console (default: $USER)
playbook: default                # the playbook an incident starts with

topics:
  brand:
    keywords: [acme]
    hashtags: [acme]             # '#' optional
    handles: []                  # e.g. "@acme@mastodon.social"
  competitors:
    Globex:
      keywords: [globex]
      hashtags: [globex]

sources:
  - name: mastodon               # hashtag timelines need no account
    kind: mastodon
    base_url: https://mastodon.social
    tags: [acme]
    interval: 60                 # seconds between polls
    # token_env: MASTODON_TOKEN  # a token adds status search and live streaming

  # - name: inbox                # other tools POST canonical mentions here
  #   kind: webhook
  #   host: 127.0.0.1
  #   port: 8765
  #   token_env: WARROOM_WEBHOOK_TOKEN

  # - name: export               # a JSON Lines file, followed as it grows (- for stdin)
  #   kind: jsonl
  #   path: mentions.jsonl

notifications: []
  # - kind: slack                # or json: the event as JSON
  #   url_env: WARROOM_SLACK_URL
  #   events: [level_changed, declared]

lexicon: {}                      # brand words VADER does not know: word: -4 .. 4
  # bricked: -3

detector: {}                     # window_minutes, sensitivity, min_volume, cooldown_minutes
"""


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", is_flag=True, help="Write to the user config dir, not ./warroom.yaml.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path | None, user: bool, force: bool) -> None:
    """Write a commented starter warroom.yaml."""
    target = path or (user_config_path() if user else Path.cwd() / CONFIG_NAME)
    if target.exists() and not force:
        raise click.ClickException(f"{target} already exists; use --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".tmp")
    partial.write_text(STARTER, encoding="utf-8")
    os.replace(partial, target)
    click.echo(f"wrote {target}: set your brand, topics and sources, then `warroom fetch --once`")


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The watch config (default: ./warroom.yaml, then the user config dir).",
)
@click.option("--source", "source_names", multiple=True, help="Only this source (repeatable).")
@click.option("--once", is_flag=True, help="One round per source, then exit.")
@click.option(
    "--data-dir", type=click.Path(file_okay=False), help="Where cursors are kept (WARROOM_DATA)."
)
@click.option("--stop-after", type=float, hidden=True, help="Stop following after N seconds.")
@click.pass_context
def fetch(
    ctx: click.Context,
    config_path: Path | None,
    source_names: tuple[str, ...],
    once: bool,
    data_dir: str | None,
    stop_after: float | None,
) -> None:
    """Print the sources' new mentions as JSON Lines; problems go to stderr."""
    config = config_or_exit(ctx, config_path)
    chosen = config.sources
    if source_names:
        try:
            chosen = [config.source(name) for name in source_names]
        except KeyError as error:
            click.echo(f"warroom fetch: {error.args[0]}", err=True)
            ctx.exit(2)
    if not chosen:
        click.echo(f"warroom fetch: {config.path}: no sources configured", err=True)
        ctx.exit(2)
    group = ctx.find_object(Context)
    folder = Path(data_dir) if data_dir else (group.data_dir if group else default_data_dir())
    runner = Fetcher(config, [s.name for s in chosen], CursorStore(folder / "cursors"))
    if once:
        ctx.exit(asyncio.run(runner.once()))
    ctx.exit(asyncio.run(runner.follow(stop_after)))


def config_or_exit(ctx: click.Context, explicit: Path | None) -> WatchConfig:
    path = find_config(explicit)
    if path is None:
        click.echo(
            f"warroom: no {CONFIG_NAME} here or in {user_config_path().parent}: "
            "run `warroom init` or pass --config FILE",
            err=True,
        )
        ctx.exit(2)
    try:
        return load_config(path)
    except ConfigInvalid as invalid:
        for error in invalid.errors:
            click.echo(str(error), err=True)
        ctx.exit(2)
    raise AssertionError("unreachable")


class Fetcher:
    """Builds the chosen sources and runs them once or until stopped, printing JSON Lines."""

    def __init__(
        self,
        config: WatchConfig,
        names: list[str],
        cursors: CursorStore,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
    ) -> None:
        self.config = config
        self.names = names
        self.cursors = cursors
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._reported: dict[str, int] = {}
        self._last: dict[str, tuple[SourceStatus, str]] = {}
        self._running: dict[str, Source] = {}

    def build(self, session: aiohttp.ClientSession, follow: bool) -> list[Source]:
        """The chosen sources; in follow mode their state changes are printed."""
        return build_sources(
            self.config,
            self.names,
            session=session,
            cursors=self.cursors,
            clock=SystemClock(),
            on_state=self.state_changed if follow else None,
        )

    def print_mentions(self, mentions: list[Mention]) -> None:
        """One canonical JSON object a line on stdout."""
        for mention in mentions:
            self.out.write(mention.to_json() + "\n")
        self.out.flush()

    def say(self, line: str) -> None:
        """One line on stderr; control characters from the network shown escaped, never run."""
        safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
        self.err.write(safe + "\n")
        self.err.flush()

    def print_problems(self, source: Source) -> None:
        """Skipped items, once each."""
        start = self._reported.get(source.name, 0)
        for problem in source.problems[start:]:
            self.say(f"skipped: {problem}")
        self._reported[source.name] = len(source.problems)

    def state_changed(self, state: SourceState) -> None:
        """Print a state when it changes (not the routine polling), after any skipped items."""
        if state.name in self._running:
            self.print_problems(self._running[state.name])
        if state.status in (SourceStatus.POLLING, SourceStatus.STARTING):
            return
        # "connected (3 new)" after every poll would drown the rest: only transitions print.
        detail = "" if state.status is SourceStatus.CONNECTED else state.detail
        key = (state.status, detail)
        if self._last.get(state.name) != key:
            self._last[state.name] = key
            self.say(state.describe())

    async def once(self) -> int:
        """One round of each source: 0 if any worked, 1 if all failed."""
        async with client_session() as session:
            sources = self.build(session, follow=False)
            outcomes = await asyncio.gather(*(self._one(source) for source in sources))
        tried = [ok for ok in outcomes if ok is not None]
        return 1 if tried and not any(tried) else 0

    async def _one(self, source: Source) -> bool | None:
        if getattr(source, "push", False):
            self.say(f"{source.name}: skipped: a {source.kind} source receives, run without --once")
            return None
        try:
            mentions = await source.fetch_once()
        except Exception as error:  # one failing source never stops the others
            message = describe_error(error)
            if source.base_url and "://" not in message:
                message += f" ({source.base_url})"
            self.print_problems(source)
            self.say(f"{source.name}: {message}")
            return False
        finally:
            close = getattr(source, "close", None)
            if callable(close):
                close()
        self.print_mentions(mentions)
        self.print_problems(source)
        return True

    async def follow(self, stop_after: float | None = None) -> int:
        """Run every source until Ctrl-C (or `stop_after` seconds)."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop.set)
        if stop_after is not None:
            loop.call_later(stop_after, stop.set)
        async with client_session() as session:
            sources = self.build(session, follow=True)
            self._running = {source.name: source for source in sources}

            async def emit(mentions: list[Mention]) -> None:
                self.print_mentions(mentions)

            await asyncio.gather(*(source.run(emit, stop) for source in sources))
            for source in sources:
                self.print_problems(source)
        return 0
