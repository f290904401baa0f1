"""Snapshots of the main screen, calm and in crisis, at 120x35 and 80x24."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui_support import CALM_AT, CRISIS_AT, drill_at, quiet_app, work_the_crisis


def _app(data_dir: Path, demo_scored: list, crisis: bool):
    session = drill_at(data_dir, demo_scored, CRISIS_AT if crisis else CALM_AT, operator="dana")
    if crisis:
        work_the_crisis(session)
    return quiet_app(session)


@pytest.mark.parametrize("size", [(120, 35), (80, 24)], ids=["120x35", "80x24"])
@pytest.mark.parametrize("crisis", [False, True], ids=["calm", "crisis"])
def test_main_screen(snap_compare, data_dir: Path, demo_scored: list, size, crisis) -> None:
    """The main screen looks as it did when last reviewed."""
    assert snap_compare(_app(data_dir, demo_scored, crisis), terminal_size=size)
