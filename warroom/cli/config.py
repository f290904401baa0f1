"""`warroom init` (a starter watch config) and `warroom fetch` (sources to JSON Lines)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from warroom.cli.common import Context
from warroom.incident.log import default_data_dir

if TYPE_CHECKING:
    from warroom.live.config import WatchConfig

# The watch config and the sources are imported inside the commands that use them: they load
# aiohttp, which would cost every other command (and `warroom --help`) a tenth of a second.

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
    from warroom.live.config import CONFIG_NAME, user_config_path

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
    from warroom.live.fetcher import Fetcher
    from warroom.live.sources.base import CursorStore

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
    """The watch config, or its problems on stderr (file:line:column each) and exit 2."""
    from warroom.live.config import (
        CONFIG_NAME,
        ConfigInvalid,
        find_config,
        load_config,
        user_config_path,
    )

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
