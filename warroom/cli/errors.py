"""One mapping from warroom's errors to what the command line prints and exits with."""

from __future__ import annotations

from typing import Any

import click

from warroom.errors import WarroomError


class CommandFailed(click.ClickException):
    """A WarroomError as click shows it: `Error: <message>` on stderr, exit status 1."""


class InputInvalid(CommandFailed):
    """Input the person must fix before anything can run: exit status 2, as click's usage."""

    exit_code = 2


def failure_for(error: WarroomError) -> CommandFailed:
    """The click exception that reports `error`: its explanation and its exit status."""
    kind = InputInvalid if error.exit_status == InputInvalid.exit_code else CommandFailed
    return kind(error.explain())


class WarroomGroup(click.Group):
    """The `warroom` group: any WarroomError a command lets through becomes one clear message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WarroomError as error:
            raise failure_for(error) from error
