"""The drill's lifecycle: over once its incident is closed, run again with `demo --reset`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.tui_support import CRISIS_AT, drill_at
from warroom.demo import scenario as demo_scenario
from warroom.incident.session import InProcessScoring
from warroom.tui.launch import DEMO_LEAD, demo_app, drill_over, replay_feeder
from warroom.tui.main import main


def closed_drill(data_dir: Path, scored: list) -> str:
    """The drill worked to its end as the console does: declared, closed, not rotated."""
    session = drill_at(data_dir, scored, CRISIS_AT)
    session.rotate_on_close = False  # as demo_app runs it
    session.declare("Firmware 4.2")
    slug = session.log.meta.slug
    session.close("rolled back")
    session.shutdown()
    return slug


def test_a_fresh_data_dir_has_no_drill_over(data_dir: Path) -> None:
    """Before any drill, nothing is over."""
    assert drill_over(data_dir) is None


def test_demo_says_the_drill_is_over_and_how_to_run_it_again(
    data_dir: Path, demo_scored: list
) -> None:
    """After the drill's incident is closed, `warroom demo` names it and `--reset`."""
    slug = closed_drill(data_dir, demo_scored)
    result = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "The drill is over" in result.output
    assert f"warroom review {slug}" in result.output
    assert "warroom demo --reset" in result.output


class Watching:
    """Just enough of the app for the replay feeder."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.told: list[str] = []

    def notify(self, message: str, **_: object) -> None:
        self.told.append(message)


async def test_reset_starts_a_fresh_drill_that_learns_its_calm_history(
    data_dir: Path, demo_scored: list
) -> None:
    """`--reset` opens a new drill log; its calm history is learned as the first run does."""
    slug = closed_drill(data_dir, demo_scored)
    app = demo_app(data_dir, scoring=InProcessScoring(), reset=True)
    session = app.session
    assert session.log.meta.slug != slug and not session.state.declared
    assert session.rotate_on_close is False
    start = demo_scenario.TRIGGER_AT - DEMO_LEAD
    calm = [s.mention for s in demo_scored if s.mention.created_at < start]
    await replay_feeder(calm, start, 30.0)(Watching(session))  # type: ignore[arg-type]
    session.tick()
    gauge = session.engine.signals.gauge()
    assert gauge.baseline_negative_share is not None, gauge.reason
    assert drill_over(data_dir) is None  # the fresh drill is the newest, and open
    session.shutdown()
