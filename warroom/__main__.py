"""The `warroom` command: the headless commands plus those that open a console."""

from __future__ import annotations

from warroom.cli import main
from warroom.tui.cli import CONSOLE_COMMANDS

for _command in CONSOLE_COMMANDS:
    main.add_command(_command)


def run() -> None:
    """The console script's entry point."""
    main()


if __name__ == "__main__":
    run()
