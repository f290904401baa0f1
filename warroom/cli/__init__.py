"""The `warroom` command: one group, each command in a module of its own."""

from __future__ import annotations

import importlib

import click

from warroom.cli.common import Context

# The commands that open a console live with the console (warroom.tui.cli), so nothing here
# depends on the TUI; they import Textual only when a console actually opens.
_COMMANDS = (
    ("warroom.cli.core", "analyze"),
    ("warroom.tui.cli", "replay"),
    ("warroom.cli.core", "incidents"),
    ("warroom.tui.cli", "demo"),
    ("warroom.tui.cli", "watch"),
    ("warroom.cli.playbook", "playbook"),
    ("warroom.cli.config", "init"),
    ("warroom.cli.config", "fetch"),
    ("warroom.tui.cli", "review"),
    ("warroom.cli.review", "report"),
    ("warroom.cli.review", "export"),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    envvar="WARROOM_DATA",
    help="Where incidents are kept (default: the user data directory; env WARROOM_DATA).",
)
@click.pass_context
def main(ctx: click.Context, data_dir: str | None) -> None:
    """warroom: a terminal console for a brand's social-media crisis team."""
    ctx.obj = Context(data_dir)


def _register() -> None:
    for module_name, attribute in _COMMANDS:
        command = getattr(importlib.import_module(module_name), attribute)
        main.add_command(command, attribute)


_register()
