"""`warroom watch`: the console on the live sources of a watch config."""

from __future__ import annotations

from pathlib import Path

import click

from warroom.cli.common import Context, pass_context
from warroom.cli.config import _config_or_exit
from warroom.playbook import PlaybookInvalid, PlaybookNotFound, find_playbook, load_playbook
from warroom.store import IncidentLocked


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def watch(context: Context, config_path: Path | None) -> None:
    """Open the console on the configured sources (warroom.yaml; `warroom init` writes one)."""
    ctx = click.get_current_context()
    config = _config_or_exit(ctx, config_path)
    try:
        playbook = load_playbook(find_playbook(config.playbook))
    except (PlaybookNotFound, PlaybookInvalid) as error:
        raise click.ClickException(f"playbook {config.playbook!r}: {error}") from error
    from warroom.tui.launch import watch_app  # deferred: headless commands skip Textual

    try:
        app = watch_app(config, context.data_dir, playbook=playbook)
    except IncidentLocked as error:
        raise click.ClickException(str(error)) from error
    app.run()
