"""The headless `warroom` commands: one group, each command in a module of its own.

The commands that open a console live with the console (warroom.tui.cli); the entry point
(warroom.tui.main) adds them, so nothing here depends on the TUI.
"""

from __future__ import annotations

import click

from warroom.cli.act import check, close, declare, note
from warroom.cli.common import Context
from warroom.cli.config import fetch, init
from warroom.cli.core import analyze, incidents
from warroom.cli.errors import WarroomGroup
from warroom.cli.playbook import playbook
from warroom.cli.review import export, report
from warroom.cli.team import team


@click.group(cls=WarroomGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


for _command in (analyze, incidents, playbook, init, fetch, report, export):
    main.add_command(_command)
for _command in (note, check, declare, close, team):
    main.add_command(_command)
