"""The `warroom` command: one group, each command in a module of its own."""

from __future__ import annotations

import importlib

import click

from warroom.cli.common import Context

# (module, command attribute): registered only if the module is present, so a half-built
# feature cannot break the commands that work.
_COMMANDS = (
    ("warroom.cli.core", "analyze"),
    ("warroom.cli.core", "replay"),
    ("warroom.cli.core", "incidents"),
    ("warroom.cli.core", "demo"),
    ("warroom.cli.console", "watch"),
    ("warroom.cli.playbook", "playbook"),
    ("warroom.cli.config", "init"),
    ("warroom.cli.config", "fetch"),
    ("warroom.cli.review_console", "review"),
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
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        command = getattr(module, attribute, None)
        if isinstance(command, click.Command) and command.name not in main.commands:
            main.add_command(command, attribute)


_register()
