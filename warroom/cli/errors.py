"""One mapping from warroom's errors to what the command line prints and exits with."""

from __future__ import annotations

from typing import Any

import click

from warroom.errors import WarroomError
from warroom.live.config import ConfigInvalid
from warroom.playbook import PlaybookInvalid


class CommandFailed(click.ClickException):
    """A WarroomError as click shows it: `Error: <message>` on stderr, exit status 1."""


class InputInvalid(CommandFailed):
    """Input the person must fix before anything can run: exit status 2, as click's usage."""

    exit_code = 2


def message_for(error: WarroomError) -> str:
    """The one-line (or one line per located error) message for an error."""
    if isinstance(error, PlaybookInvalid):
        count = len(error.errors)
        return f"{count} error(s); fix them or run 'warroom playbook validate':\n{error}"
    return str(error)


def failure_for(error: WarroomError) -> CommandFailed:
    """The click exception that reports `error`."""
    kind = InputInvalid if isinstance(error, ConfigInvalid) else CommandFailed
    return kind(message_for(error))


class WarroomGroup(click.Group):
    """The `warroom` group: any WarroomError a command lets through becomes one clear message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WarroomError as error:
            raise failure_for(error) from error
