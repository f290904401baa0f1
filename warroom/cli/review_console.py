"""`warroom review`: a stored incident in the console, read-only, scrubbed minute by minute."""

from __future__ import annotations

import click

from warroom.cli.common import Context, pass_context
from warroom.clock import SystemClock
from warroom.playbook import user_playbooks_dir
from warroom.store import IncidentNotFound


@click.command()
@click.argument("incident")
@pass_context
def review(context: Context, incident: str) -> None:
    """Open INCIDENT read-only: its timeline, chart and checklist at any minute."""
    try:
        log = context.store().open(incident, clock=SystemClock(), writable=False)
    except IncidentNotFound as error:
        raise click.ClickException(str(error)) from error
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot read incident {incident!r}: {error}") from error
    try:
        from warroom.tui.review import ReviewApp  # deferred: the other commands skip Textual

        app = ReviewApp(log, user_dir=user_playbooks_dir(context.data_dir))
    except BaseException:
        log.close()
        raise
    app.run()
