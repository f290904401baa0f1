"""Checks survive a playbook switch: mapped by id then title, counted per playbook, reviewed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.tui_support import CRISIS_AT, drill_at
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.incident.session import Session, plan_switch
from warroom.playbook import find_playbook, load_playbook, parse_playbook
from warroom.review.document import build_review
from warroom.tui.main import main
from warroom.tui.review.app import ReviewApp
from warroom.tui.review.screen import ReviewScreen

SIZE = (120, 35)


def switched_and_closed(data_dir: Path, scored: list) -> tuple[Session, str]:
    """Declared under default, two checks made, switched to misinformation, closed later."""
    session = drill_at(data_dir, scored, CRISIS_AT)
    session.declare("Firmware 4.2")  # checks open-incident (default only) by itself
    session.set_step("confirm-signal", True)  # default only
    session.set_step("brief-support", True)  # in both
    clock = session.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(30 * 60)
    session.switch_playbook(load_playbook(find_playbook("misinformation")))
    clock.advance(60 * 60)
    slug = session.log.meta.slug
    session.close("rolled back")
    return session, slug


def test_steps_map_by_id_then_by_title() -> None:
    """A check keeps its step when the new playbook has its id, else a step of the same title."""
    target = load_playbook(find_playbook("misinformation"))
    plan = plan_switch(
        {
            "brief-support": "Brief customer support",  # same id
            "old-internal": "Internal status update",  # another id, same title
            "confirm-signal": "Confirm the signal is real",  # nothing like it
        },
        target,
    )
    assert plan.mapped == {"brief-support": "brief-support", "old-internal": "internal-update"}
    assert plan.dropped == ["confirm-signal"]
    assert plan.dropped_titles() == ["Confirm the signal is real"]


def test_a_check_mapped_by_title_is_kept_under_its_new_id(
    data_dir: Path, demo_scored: list
) -> None:
    """The state carries the check (who, when) over to the new playbook's step."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("Firmware 4.2")
    session.set_step("first-internal-update", True)
    text = (find_playbook("misinformation")).read_text()
    renamed = parse_playbook(
        text.replace(
            "title: Internal status update\n", "title: Send the first internal status update\n", 1
        )
    )
    session.switch_playbook(renamed)
    check = session.state.checks["internal-update"]
    assert check.by == "tester" and check.at == CRISIS_AT
    assert [c.step for _, c in session.state.dropped_checks] == ["open-incident"]


def test_the_report_counts_the_checks_of_every_playbook_in_force(
    data_dir: Path, demo_scored: list
) -> None:
    """Checks dropped by the switch count under the first playbook, on time; per playbook too."""
    _, slug = switched_and_closed(data_dir, demo_scored)
    result = CliRunner().invoke(main, ["report", slug], catch_exceptions=False)
    output = result.output
    assert result.exit_code == 0
    assert "Confirm the signal is real (under default)" in output
    assert "Declare the incident and notify the comms lead (under default)" in output
    rows = [line for line in output.splitlines() if line.startswith("| default ")]
    assert rows and rows[0].split("|")[3].strip() == "2"  # on time: the two dropped checks
    assert any(line.startswith("| misinformation ") for line in output.splitlines())
    assert "Steps: 3 on time" in output  # brief-support, kept, and the two under default


async def test_review_shows_the_playbook_in_force_at_the_cursor(
    data_dir: Path, demo_scored: list
) -> None:
    """Before the switch the checklist is the first playbook's; after it, the second's."""
    _, slug = switched_and_closed(data_dir, demo_scored)
    store = IncidentStore(data_dir)
    with store.open(slug, clock=FrozenClock(CRISIS_AT), writable=False) as log:
        assert set(build_review(log).earlier) == {"default"}
    app = ReviewApp(store.open(slug, clock=FrozenClock(CRISIS_AT), writable=False))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        pane = screen.query_one("#review-checklist-pane")
        assert "default" in str(pane.border_title)
        screen.cursor = screen.data.minutes - 1
        await pilot.pause(0.1)
        assert "misinformation" in str(pane.border_title)
