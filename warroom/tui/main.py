"""The `warroom` command: the headless commands plus those that open a console.

It lives with the console because it composes both faces; the headless package (warroom.cli)
never imports it. `python -m warroom.tui` runs it too.
"""

from __future__ import annotations

import io
import sys

from warroom.cli import main
from warroom.tui.cli import CONSOLE_COMMANDS

for _command in CONSOLE_COMMANDS:
    main.add_command(_command)


def run() -> None:
    """The console script's entry point."""
    # Text from the internet can hold what the terminal's encoding cannot (lone surrogates):
    # it is escaped as in the files we write, never a UnicodeEncodeError halfway through.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    main()
