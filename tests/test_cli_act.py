"""Acting without a console: note, check, declare and close from the command line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import T0
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.incident.state import IncidentState
from warroom.model import EventKind, Label, Mention, Score, ScoredMention
from warroom.tui.main import main


def run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def make_incident(data_dir: Path, name: str = "Firmware watch") -> str:
    log = IncidentStore(data_dir).create(name, clock=FrozenClock(T0), brand="acme")
    log.append(EventKind.PLAYBOOK_CHANGED, {"playbook": "default"}, author=None)
    log.close()
    return log.meta.slug


def state_of(data_dir: Path, slug: str) -> IncidentState:
    with IncidentStore(data_dir).open(slug, clock=FrozenClock(T0), writable=False) as log:
        return IncidentState.from_events(log.events())


def test_note_check_declare_close_land_in_the_open_incident(data_dir: Path) -> None:
    """Each command writes its event, with the operator as author, into the open incident."""
    slug = make_incident(data_dir)
    assert run(data_dir, "note", "legal is on the call").exit_code == 0
    assert run(data_dir, "check", "assess-impact").exit_code == 0
    assert run(data_dir, "declare", "Firmware 4.2").exit_code == 0
    state = state_of(data_dir, slug)
    assert state.declared_by == "tester" and state.name == "Firmware 4.2"
    assert "assess-impact" in state.checks
    assert run(data_dir, "check", "assess-impact", "--undo").exit_code == 0
    assert "assess-impact" not in state_of(data_dir, slug).checks
    assert run(data_dir, "close", "rolled back, apology out").exit_code == 0
    closed = state_of(data_dir, slug)
    assert closed.closed_at is not None and closed.summary == "rolled back, apology out"
    notes = [e.data["text"] for e in closed.timeline if e.kind is EventKind.NOTE]
    assert notes == ["legal is on the call"]


def test_an_unknown_step_suggests_the_right_one(data_dir: Path) -> None:
    """A typo in a step id: exit 1, a did-you-mean, nothing written."""
    slug = make_incident(data_dir)
    result = run(data_dir, "check", "assess")
    assert result.exit_code == 1 and "did you mean 'assess-impact'" in result.stderr
    assert state_of(data_dir, slug).checks == {}


def test_a_second_declaration_says_who_declared_and_when(data_dir: Path) -> None:
    """Declaring an incident already declared names the first declaration."""
    make_incident(data_dir)
    run(data_dir, "declare", "Firmware 4.2")
    result = run(data_dir, "declare", "Outage")
    assert result.exit_code == 1 and "already declared by tester" in result.stderr


def test_a_console_holding_the_incident_is_named(data_dir: Path) -> None:
    """While a console writes the incident, the command says which one holds it."""
    slug = make_incident(data_dir)
    holding = IncidentStore(data_dir).open(slug, clock=FrozenClock(T0))
    try:
        result = run(data_dir, "note", "from the CLI")
        assert result.exit_code == 1 and "open for writing by" in result.stderr
    finally:
        holding.close()


def test_no_open_incident_says_how_to_name_one(data_dir: Path) -> None:
    """Nothing open: the message says to use --incident."""
    result = run(data_dir, "note", "hello")
    assert result.exit_code == 1 and "--incident" in result.stderr


def test_on_a_drill_acts_are_stamped_where_the_drill_stopped(data_dir: Path) -> None:
    """A drill runs on its scenario's clock: a note, a check and a declaration from the command
    line land at the drill's last moment (its mentions included), not at today's date."""
    clock = FrozenClock(T0)
    log = IncidentStore(data_dir).create("Drill", clock=clock, brand="acme", drill=True)
    log.append(EventKind.PLAYBOOK_CHANGED, {"playbook": "default"}, author=None)
    clock.set(T0 + timedelta(minutes=42))
    log.append(EventKind.NOTE, {"text": "first reports"}, author="dana")
    clock.set(T0 + timedelta(minutes=45))
    log.append_mentions(
        [
            ScoredMention(
                Mention("t:1", "test", "down again", clock.now()), Score(-0.4, Label.NEGATIVE)
            )
        ]
    )
    log.close()
    for args in (
        ("note", "legal is on the call"),
        ("check", "assess-impact"),
        ("declare", "Outage"),
    ):
        assert run(data_dir, *args).exit_code == 0
    state = state_of(data_dir, log.meta.slug)
    stopped = T0 + timedelta(minutes=45)
    assert [e.at for e in state.timeline if e.author == "tester"] == [stopped] * 3
    assert state.declared_at == stopped
