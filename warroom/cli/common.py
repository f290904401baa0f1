"""What every command shares: the data directory, reading mention files, one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import click

from warroom.clock import SystemClock
from warroom.incident.log import IncidentStore, default_data_dir
from warroom.model import LineProblem, Mention, bounded_lines, read_mentions


class Context:
    """Options of the `warroom` group, passed to every command."""

    def __init__(self, data_dir: str | None) -> None:
        self.data_dir = default_data_dir(data_dir)

    def store(self) -> IncidentStore:
        return IncidentStore(self.data_dir)


pass_context = click.make_pass_decorator(Context, ensure=True)


def read_mention_file(
    path: str, problems: list[LineProblem], now: datetime | None = None
) -> Iterator[Mention]:
    """Mentions from a JSON Lines file or stdin (`-`); bad lines go to stderr and `problems`.

    Lines are read with a length bound, so one huge line costs no more memory than a normal
    one; a mention dated more than a day past `now` (default: the system clock) is skipped.
    """
    if now is None:
        now = SystemClock().now()

    def report(problem: LineProblem) -> None:
        problems.append(problem)
        click.echo(f"skipped {problem}", err=True)

    if path == "-":
        yield from read_mentions(bounded_lines(sys.stdin), "<stdin>", report, now)
        return
    file = Path(path)
    try:
        handle = file.open(encoding="utf-8", errors="replace")
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from error
    with handle:
        yield from read_mentions(bounded_lines(handle), str(file), report, now)
