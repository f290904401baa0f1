"""`python -m warroom.tui`: the `warroom` command."""

from warroom.tui.main import run

run()
