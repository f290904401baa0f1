"""Steps checked by events (`on: declared`, ...), and closing with due steps still open."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui_support import CRISIS_AT, drill_at, quiet_app
from warroom.clock import FrozenClock
from warroom.incident.session import CONSOLE_AUTHOR
from warroom.model import EventKind
from warroom.playbook import PlaybookInvalid, bundled_dir, parse_playbook
from warroom.tui.screens.incident import CloseScreen

DEFAULT = (bundled_dir() / "default.yaml").read_text()


def with_on(step_id: str, event: str, text: str = DEFAULT) -> str:
    """The default playbook with `on: event` added to one step."""
    head = f"  - id: {step_id}\n"
    return text.replace(head, f"{head}    on: {event}\n", 1)


def test_declaring_checks_the_declare_step_as_the_console(
    data_dir: Path, demo_scored: list
) -> None:
    """The bundled 'Declare the incident' step is checked by the declaration, by warroom."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    assert "open-incident" not in session.state.checks
    session.declare("Firmware 4.2")
    check = session.state.checks["open-incident"]
    assert check.by == CONSOLE_AUTHOR and check.at == CRISIS_AT
    (event,) = [e for e in session.state.timeline if e.kind is EventKind.STEP_CHECKED]
    assert event.data["auto"] == "declared"


def test_closing_checks_on_closed_steps_before_the_close(data_dir: Path, demo_scored: list) -> None:
    """A step with `on: closed` is checked just before the CLOSED event, in the closed log."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.playbook = parse_playbook(with_on("post-mortem", "closed"))
    session.declare("Firmware 4.2")
    slug = session.log.meta.slug
    session.close("rolled back")
    with session.store.open(slug, clock=FrozenClock(CRISIS_AT), writable=False) as log:
        kinds = [(event.kind, event.data.get("step")) for event in log.events()]
    assert kinds[-2:] == [(EventKind.STEP_CHECKED, "post-mortem"), (EventKind.CLOSED, None)]


def test_brand_posted_checks_its_step_only_during_an_incident(
    data_dir: Path, demo_scored: list
) -> None:
    """The hook checks `on: brand_posted` steps once declared, once; before, nothing."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    assert session.auto_check("brand_posted") == []
    session.declare("Firmware 4.2")
    (event,) = session.auto_check("brand_posted")
    assert event.data["step"] == "holding-statement" and event.author == CONSOLE_AUTHOR
    assert session.auto_check("brand_posted") == []  # already checked


def test_an_unknown_event_is_an_error_with_its_place() -> None:
    """`on: declard` names file, line and column, and suggests the event meant."""
    with pytest.raises(PlaybookInvalid) as raised:
        parse_playbook(with_on("confirm-signal", "declard"), "default.yaml")
    message = str(raised.value)
    assert "default.yaml:" in message and "steps[0].on" in message
    assert "unknown event 'declard'" in message and "declared" in message


def test_open_due_steps_are_those_past_their_deadline(data_dir: Path, demo_scored: list) -> None:
    """At T+0 nothing is due; at T+20 the unchecked steps due by then are listed."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("Firmware 4.2")
    assert session.open_due_steps() == []
    clock = session.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(20 * 60)
    due = [step.id for step in session.open_due_steps()]
    assert "confirm-signal" in due and "open-incident" not in due  # checked by the declaration


async def test_closing_with_due_steps_open_lists_them_and_asks_again(
    data_dir: Path, demo_scored: list
) -> None:
    """The close screen lists the open due steps; the first Enter asks, the second closes."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("Firmware 4.2")
    clock = session.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(20 * 60)
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        app.action_close_incident()
        await pilot.pause(0.1)
        screen = app.screen
        assert isinstance(screen, CloseScreen)
        listed = str(screen.query_one("#close-open-steps").render())
        assert "still open" in listed and "Confirm the signal is real" in listed
        await pilot.press(*"rolled back", "enter")
        await pilot.pause(0.1)
        assert app.screen is screen and session.state.closed_at is None
        assert "Enter again closes anyway" in str(screen.query_one("#close-help").render())
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert session.closed_slugs


async def test_closing_with_nothing_due_closes_at_once(data_dir: Path, demo_scored: list) -> None:
    """With every due step done (none due yet), one Enter closes."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("Firmware 4.2")
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        app.action_close_incident()
        await pilot.pause(0.1)
        assert not app.screen.query("#close-open-steps")
        await pilot.press(*"rolled back", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert session.closed_slugs


def test_publishing_an_apology_checks_its_steps(data_dir: Path, demo_scored: list) -> None:
    """A draft marked published is a brand post; from an apology template, an apology too."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("Firmware 4.2")
    event = session.publish("apology", "We're sorry.", "x", "https://x.example/1")
    assert event.data["published"] is True and event.data["link"] == "https://x.example/1"
    assert {"holding-statement", "apologise"} <= set(session.state.checks)
    assert session.state.checks["apologise"].by == CONSOLE_AUTHOR
