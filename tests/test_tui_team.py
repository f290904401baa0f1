"""Team mode in the console: two real apps on one real redis-server, and the team's parts of the
screen (notes signed with a role, the checklist's own-steps filter, the header's team marker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.conftest import T0
from tests.redis_server import RedisServer
from tests.team_support import until
from tests.tui_support import CALM_AT, CRISIS_AT, drill_at, quiet_app, screen_text, work_the_crisis
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.incident.session import InProcessScoring, Session
from warroom.live.team import replica as replica_module
from warroom.live.team.link import TeamLink, team_settings
from warroom.live.team.replica import join_team_incident
from warroom.model import EventKind, Label, Mention, Score, ScoredMention
from warroom.playbook import default_playbook
from warroom.tui.app import WarroomApp
from warroom.tui.launch import team_feeder
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.feed import MentionFeed
from warroom.tui.widgets.header import IncidentHeader, team_marker

Console = tuple[WarroomApp, Pilot[None]]


def timeline_text(app: WarroomApp) -> str:
    """The notes pane's timeline as one line of words (it wraps to the pane's width)."""
    lines = app.main_screen.query_one("#timeline").lines
    return " ".join(" ".join(str(line.text).split()) for line in lines)


def status_text(app: WarroomApp) -> str:
    return str(app.main_screen.query_one("#status", Static).render())


def header_text(app: WarroomApp) -> str:
    return str(app.main_screen.query_one(IncidentHeader).render())


async def team_app(server: RedisServer, folder: Path, operator: str, role: str) -> WarroomApp:
    """A quiet console (frozen clock, no ticks, no ingest) joined to the team's incident."""
    settings = team_settings("test", {"WARROOM_TEAM_URL": server.url})
    clock = FrozenClock(T0)
    session = Session(
        store=IncidentStore(folder),
        clock=clock,
        brand="acme",
        playbook=default_playbook(),
        scoring=InProcessScoring(),
        operator=operator,
        role=role,
    )
    link = TeamLink(settings, clock=clock)
    try:
        founded = await join_team_incident(session, link, name="Acme watch")
    finally:
        await link.close()
    feeder = team_feeder(settings, role=role, founded=founded, ingest=None)
    return WarroomApp(session, feeder=feeder, tick_seconds=0)


@asynccontextmanager
async def two_consoles(
    server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Console, Console]]:
    """Dana (lead) and Lee (social), each on a data dir of their own, both seeing 2 on."""
    monkeypatch.setattr(replica_module, "ANNOUNCE_EVERY", 0.2)  # presence within a frame or two
    dana = await team_app(server, tmp_path / "dana", "dana", "lead")
    lee = await team_app(server, tmp_path / "lee", "lee", "social")
    async with (
        dana.run_test(size=(120, 35)) as dana_pilot,
        lee.run_test(size=(120, 35)) as lee_pilot,
    ):
        await until(lambda: all("team: 2 on" in status_text(a) for a in (dana, lee)))
        yield (dana, dana_pilot), (lee, lee_pilot)


async def test_both_consoles_say_two_are_on(
    redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each status line names both people with their roles; each header says `team: 2 on`."""
    async with two_consoles(redis_server, tmp_path, monkeypatch) as ((dana, _), (lee, _)):
        for app in (dana, lee):
            assert "dana (lead), lee (social)" in status_text(app)
            assert "team: 2 on" in header_text(app)


async def test_a_note_written_on_one_console_shows_on_the_other_signed(
    redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dana types a note; Lee's notes pane shows it as `dana (lead): …`."""
    async with two_consoles(redis_server, tmp_path, monkeypatch) as ((dana, pilot), (lee, _)):
        await pilot.press("n", *"Legal is on the call", "enter")
        await until(lambda: "dana (lead): Legal is on the call" in timeline_text(lee))
        await until(lambda: "dana (lead): Legal is on the call" in timeline_text(dana))


async def test_a_step_checked_on_one_console_shows_checked_on_the_other(
    redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lee checks the first step; Dana's checklist shows it checked by lee, and her timeline
    says so with Lee's role."""
    async with two_consoles(redis_server, tmp_path, monkeypatch) as ((dana, _), (lee, pilot)):
        step = lee.session.playbook.steps[0]
        await pilot.press("3", "space")
        checklist = dana.main_screen.query_one(Checklist)
        await until(lambda: str(checklist.get_option(step.id).prompt).startswith("[✓]"))
        assert "  lee " in str(checklist.get_option(step.id).prompt)
        await until(lambda: "lee (social) · step checked" in timeline_text(dana))


async def test_a_mention_flagged_and_relabelled_by_a_teammate_shows_so_and_is_counted(
    redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dana flags a post the scorer read as praise and calls it negative: Lee's feed row shows
    the flag and the label, and Lee's gauge counts it negative, not positive."""
    async with two_consoles(redis_server, tmp_path, monkeypatch) as ((dana, pilot), (lee, _)):
        post = Mention(
            id="mastodon:1", source="mastodon", text="Great, another outage.", created_at=T0
        )
        dana.session.engine.ingest_scored([ScoredMention(post, Score(0.62, Label.POSITIVE))])
        feed = lee.main_screen.query_one(MentionFeed)
        await until(lambda: len(feed.rows) == 1)  # through the team's stream
        (row,) = feed.rows
        assert not row.flagged and row.label is Label.POSITIVE
        await pilot.press("1", "enter", "f", "minus", "escape")
        await until(lambda: row.flagged and row.label is Label.NEGATIVE)
        await until(lambda: "⚑" in screen_text(lee))
        (minute,) = lee.session.engine.signals.series()
        assert (minute.scored, minute.negative, minute.positive) == (1, 1, 0)
        await pilot.press("enter", "f", "plus", "escape")  # unflagged, and praise after all
        await until(lambda: not row.flagged and row.label is Label.POSITIVE)
        (minute,) = lee.session.engine.signals.series()
        assert (minute.scored, minute.negative, minute.positive) == (1, 0, 1)


async def test_o_shows_only_the_steps_of_my_role(data_dir: Path, demo_scored: list) -> None:
    """`o` on the checklist leaves the lead's steps only and says so in its title; `o` again
    shows every step."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.role = "lead"
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        checklist = app.main_screen.query_one(Checklist)
        every = [o.id for o in checklist._options if o.id]
        await pilot.press("3", "o")
        await pilot.pause(0.1)
        shown = [o.id for o in checklist._options if o.id]
        owners = {step.id: step.owner for step in session.playbook.steps}
        assert shown and all(owners[step] == "lead" for step in shown)
        assert len(shown) == sum(owner == "lead" for owner in owners.values())
        title = str(app.main_screen.query_one("#checklist-pane").border_title)
        assert "only lead's steps" in title
        await pilot.press("o")
        await pilot.pause(0.1)
        assert [o.id for o in checklist._options if o.id] == every
        assert "only" not in str(app.main_screen.query_one("#checklist-pane").border_title)


async def test_o_without_a_role_says_how_to_set_one(data_dir: Path, demo_scored: list) -> None:
    """A console started without a role keeps every step and tells the person why."""
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        checklist = app.main_screen.query_one(Checklist)
        every = [o.id for o in checklist._options if o.id]
        await pilot.press("3", "o")
        await pilot.pause(0.2)
        assert [o.id for o in checklist._options if o.id] == every
        assert "No role set" in screen_text(app)


async def test_the_footer_offers_only_mine_when_the_checklist_has_focus(
    data_dir: Path, demo_scored: list
) -> None:
    """The `o` key shows in the footer while the checklist has focus, not elsewhere."""
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(160, 35)) as pilot:
        await pilot.pause(0.1)
        assert "Only mine" not in screen_text(app).splitlines()[-1]
        await pilot.press("3")
        await pilot.pause(0.1)
        assert "Only mine" in screen_text(app).splitlines()[-1]


async def test_a_note_signed_with_a_role_shows_it(data_dir: Path, demo_scored: list) -> None:
    """A console with a role writes it into the note's data and shows `tester (lead):`."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    session.role = "lead"
    session.note("holding statement approved")
    notes = [e for e in session.state.timeline if e.kind is EventKind.NOTE]
    assert notes[-1].data["role"] == "lead"
    app = quiet_app(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause(0.1)
        assert "tester (lead): holding statement approved" in timeline_text(app)


async def test_the_team_marker_fits_80_columns_with_the_clock(
    data_dir: Path, demo_scored: list
) -> None:
    """At 80 columns the header keeps the level, the clock and the team marker; the incident's
    name gives way."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    work_the_crisis(session)
    app = quiet_app(session)
    app.main_screen.team_status = lambda: (
        "team: 3 on · dana (lead), lee (social), sam (legal) · ingest: dana · team link up"
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        header = screen_text(app).splitlines()[0]
        assert "CRISIS" in header and "T+00:15:00" in header
        assert header.rstrip().endswith("team: 3 on · ingest dana")
        assert "…" in header  # the incident's name was cut to make room


def test_the_team_marker_is_cleaned_and_says_when_the_link_is_down() -> None:
    """A teammate's name with escapes and markup is shown as characters; a down link is said."""
    status = (
        "team: 2 on · [b]eve\x1b[31m (lead) · ingest: [red]eve\x1b]0;x\x07 · "
        "team link down since 12:03 · 4 waiting"
    )
    marker = team_marker(status)
    assert marker == "team: 2 on · ingest [red]eve · link down"
    assert team_marker("something else") == ""
