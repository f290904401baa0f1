"""Hostile text through the real console: shown as its characters, never markup, never a crash."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.app import App
from textual.events import Paste
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._toast import Toast

from tests.tui_support import CALM_AT, CRISIS_AT, drill_at, quiet_app, screen_text
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.incident.session import Session
from warroom.live.sources.base import SourceState, SourceStatus
from warroom.model import EventKind, Mention
from warroom.playbook import Playbook, bundled_dir, parse_playbook, user_playbooks_dir
from warroom.tui.app import WarroomApp
from warroom.tui.review.app import ReviewApp
from warroom.tui.screens.draft import DraftScreen
from warroom.tui.screens.incident import CloseScreen
from warroom.tui.screens.mention import MentionScreen
from warroom.tui.widgets.feed import MentionFeed

MARKUP = "[bold red]x[/]"
CLOSER = "[/] and [@click=app.quit]quit[/]"
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07"


def hostile_playbook(step_title: str, template_title: str) -> Playbook:
    """The bundled default playbook with one step title and one template title replaced."""
    text = (bundled_dir() / "default.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Confirm the signal is real", f"title: {step_title!r}", 1)
    text = text.replace("title: Holding statement", f"title: {template_title!r}", 1)
    return parse_playbook(text, "default.yaml")


def toasts(app: App[None]) -> list[str]:
    """The text of every notification showing (a toast wraps: read it whole, not by line)."""
    return [str(toast.render()) for toast in app.screen.query(Toast)]


async def settle(pilot: Pilot, seconds: float = 0.2) -> None:
    """Let queued messages, notifications and redraws run."""
    await pilot.pause(seconds)


async def test_step_title_with_markup_shows_literally(data_dir: Path, demo_scored: list) -> None:
    """A playbook step titled with Rich markup shows its brackets in the checklist."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.switch_playbook(hostile_playbook(f"{MARKUP} Confirm", "Holding"))
    app = quiet_app(session)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        assert f"{MARKUP} Confirm" in screen_text(app)


async def test_incident_name_with_closing_tag_keeps_the_header(
    data_dir: Path, demo_scored: list
) -> None:
    """An incident named with a bare `[/]` and a click action shows those characters."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare(f"outage {CLOSER}")
    app = quiet_app(session)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        assert f"outage {CLOSER}" in screen_text(app)
        assert app.is_running


async def test_filter_query_with_markup_is_echoed_literally(
    data_dir: Path, demo_scored: list
) -> None:
    """Filtering on `[/]` neither crashes the console nor loses the brackets in the title."""
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await pilot.press("slash", *"[/] [b]", "enter")
        await settle(pilot)
        assert app.is_running
        assert 'filter: "[/]" "[b]"' in screen_text(app)


async def test_source_state_detail_is_not_markup(data_dir: Path, demo_scored: list) -> None:
    """A source's error message from the network shows on the status line as characters."""
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        detail = f"HTTP 500 {CLOSER} {ESCAPES}"
        app.set_source_state(SourceState("[b]rss", SourceStatus.FAILED, detail))
        app.main_screen.tick()
        await settle(pilot)
        shown = screen_text(app)
        assert f"[b]rss: failed (HTTP 500 {CLOSER}" in shown
        assert "\x1b" not in shown and "\x07" not in shown


async def test_error_notification_shows_markup_literally(data_dir: Path, demo_scored: list) -> None:
    """A failure whose message holds `[x]` and `[/]` is told as those characters."""
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(160, 45), notifications=True) as pilot:

        def fail() -> object:
            raise OSError(f"cannot write /data/[x]/notes {CLOSER}")

        app.record(fail)  # type: ignore[arg-type]
        await settle(pilot)
        assert toasts(app) == [f"Not saved: cannot write /data/[x]/notes {CLOSER}"]


async def test_worker_failure_notification_is_not_markup(data_dir: Path, demo_scored: list) -> None:
    """A feed worker failing with markup in its message is told literally, once."""

    async def feeder(app: WarroomApp) -> None:
        raise RuntimeError(f"bad feed {MARKUP} {CLOSER}")

    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = WarroomApp(session, feeder=feeder, tick_seconds=0)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert toasts(app) == [f"feeding mentions failed: bad feed {MARKUP} {CLOSER}"]


async def test_hostile_author_and_url_in_the_mention_screen(
    data_dir: Path, demo_scored: list
) -> None:
    """A 100,000-character author and a URL full of escapes open cleanly, cut and literal."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = quiet_app(session)
    mention = Mention(
        "demo:hostile-author",
        "[b]demo\x1b[31m",
        f"look {MARKUP}",
        CALM_AT,
        author="[i]" + "a" * 100_000,
        url=f"https://evil.test/{ESCAPES}[/]",
        lang="e\x1b[5mn",
        topic=f"topic {CLOSER}",
    )
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await session.ingest([mention])
        await settle(pilot, 0.3)
        feed = app.main_screen.query_one(MentionFeed)
        line = "".join(segment.text for segment in feed.render_line(0))
        assert "\x1b" not in line and "look [bold red]x[/]" in line
        await pilot.press("enter")
        assert isinstance(app.screen, MentionScreen)
        await settle(pilot)
        shown = screen_text(app)
        assert "[i]aaaa" in shown and "https://evil.test/[/]" in shown
        assert f"topic {CLOSER}" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        details = str(app.screen.query_one("#mention-details").render())
        assert len(details) < 2000, "a 100,000-character author is cut for display"


async def test_feed_columns_hold_no_escape_from_source_or_lang(
    data_dir: Path, demo_scored: list
) -> None:
    """A source name and a language tag from the internet reach the feed without escapes."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = quiet_app(session)
    mention = Mention(
        "demo:escape-columns", "\x1b[2Jx", "hola", CALM_AT + timedelta(seconds=1), lang="\x1b[5m"
    )
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await session.ingest([mention])
        await settle(pilot, 0.3)
        feed = app.main_screen.query_one(MentionFeed)
        row = feed.shown[0]
        assert row.item.mention.id == "demo:escape-columns"
        line = "".join(segment.text for segment in feed.render_line(0))
        assert "\x1b" not in line and "hola" in line


async def test_palette_shows_template_titles_literally(data_dir: Path, demo_scored: list) -> None:
    """The command palette lists a template titled with markup by its characters."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.switch_playbook(hostile_playbook("Confirm", f"draft me {CLOSER}"))
    app = quiet_app(session)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot, 0.1)
        await pilot.press(*"draft me")
        await settle(pilot, 0.5)
        assert f"draft: draft me {CLOSER}" in screen_text(app)


async def test_palette_shows_playbook_file_names_literally(
    data_dir: Path, demo_scored: list
) -> None:
    """A user playbook file named with markup is listed in the palette as its name."""
    folder = user_playbooks_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "[b]evil.yaml").write_text("name: x\n", encoding="utf-8")
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot, 0.1)
        await pilot.press(*"evil")
        await settle(pilot, 0.5)
        shown = screen_text(app)
        assert "playbook: switch to [b]evil" in shown
        assert "playbook: edit [b]evil" in shown


async def test_a_long_draft_is_copied_whole(data_dir: Path, demo_scored: list) -> None:
    """A draft longer than the display limit reaches the clipboard with nothing cut."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    app = quiet_app(session)
    long_draft = "We are sorry. " * 600  # 8,400 characters
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        screen = DraftScreen(session, "holding")
        app.push_screen(screen)
        await settle(pilot)
        editor = screen.query_one("#draft-text")
        editor.load_text(long_draft)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.clipboard == long_draft


async def test_draft_title_and_tone_with_hostile_playbook(
    data_dir: Path, demo_scored: list
) -> None:
    """The draft screen lists a template titled with a bare `[/]` and markup as characters."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.switch_playbook(hostile_playbook("Confirm", f"[/]{MARKUP}"))
    app = quiet_app(session)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        app.push_screen(DraftScreen(session, "holding"))
        await settle(pilot)
        assert f"[/]{MARKUP}" in screen_text(app)


async def test_editor_title_shows_a_hostile_file_name(data_dir: Path, demo_scored: list) -> None:
    """The playbook editor names a file called `[b]evil.yaml` with its brackets."""
    from warroom.tui.messages import EditPlaybook

    folder = user_playbooks_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "[b]evil.yaml").write_text("name: x\n", encoding="utf-8")
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        app.post_message(EditPlaybook("[b]evil"))
        await settle(pilot, 0.4)
        shown = screen_text(app)
        assert "Playbook [b]evil" in shown
        assert app.is_running


async def test_brand_and_operator_with_markup_show_literally(data_dir: Path) -> None:
    """A configured brand and operator holding markup show as typed in header and notes."""
    from warroom.incident.session import InProcessScoring
    from warroom.playbook import default_playbook

    session = Session(
        store=IncidentStore(data_dir),
        clock=FrozenClock(CALM_AT),
        brand=f"Acme {CLOSER}",
        playbook=default_playbook(),
        scoring=InProcessScoring(),
        operator="[b]dana",
    )
    session.open("watch")
    session.note(f"note {MARKUP}")
    app = quiet_app(session)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert f"Acme {CLOSER}" in shown
        assert f"[b]dana: note {MARKUP}" in shown


async def test_a_failed_close_keeps_the_typed_summary(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When closing cannot be written, the close box comes back holding the summary typed."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("outage")
    app = quiet_app(session)

    def refuse(summary: str) -> object:
        raise OSError("disk full")

    monkeypatch.setattr(session, "close", refuse)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        app.action_close_incident()
        await settle(pilot)
        await pilot.press(*"[b]rolled back", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CloseScreen)
        assert app.screen.query_one(Input).value == "[b]rolled back"
        assert toasts(app) == ["Not saved: disk full"]


async def test_a_failed_flag_is_not_shown_as_flagged(
    data_dir: Path, demo_scored: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flag that cannot be written leaves the mention unflagged on screen."""
    session = drill_at(data_dir, demo_scored, CALM_AT)
    app = quiet_app(session)

    def refuse(item: object, flagged: bool = True) -> object:
        raise OSError("disk full")

    monkeypatch.setattr(session, "flag", refuse)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, MentionScreen)
        await pilot.press("f")
        await settle(pilot)
        assert not app.main_screen.query_one(MentionFeed).shown[0].flagged
        assert "flagged  no" in str(app.screen.query_one("#mention-details").render())


async def test_review_of_a_hostile_incident_opens_literally(data_dir: Path) -> None:
    """Review shows a `[/]` incident name, note and missing playbook name as characters."""
    store = IncidentStore(data_dir)
    with store.create(f"[/] {MARKUP}", clock=FrozenClock(CALM_AT)) as log:
        log.append(EventKind.PLAYBOOK_CHANGED, {"playbook": "[/]gone"})
        log.append(EventKind.NOTE, {"text": f"note {CLOSER}"}, author="[b]dana")
        slug = log.meta.slug
    log = store.open(slug, clock=FrozenClock(CALM_AT), writable=False)
    app = ReviewApp(log)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running
        shown = screen_text(app)
        assert f"[/] {MARKUP}" in shown
        assert f"[b]dana: note {CLOSER}" in shown
        assert any("[/]gone" in toast for toast in toasts(app))


async def test_a_pasted_post_loses_its_escapes_in_the_note_line(
    data_dir: Path, demo_scored: list
) -> None:
    """Pasting a post with escapes into the note line keeps its words, not its escapes."""
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await pilot.press("n")
        field = app.main_screen.query_one("#note-input", Input)
        field.post_message(Paste(f"copied {ESCAPES}post {MARKUP}"))
        await settle(pilot)
        assert field.value == f"copied post {MARKUP}"
        assert "\x1b" not in screen_text(app)


async def test_a_template_with_escapes_drafts_clean_text(data_dir: Path, demo_scored: list) -> None:
    """A YAML template holding `\\e` escapes fills the draft without the escape characters."""
    text = (bundled_dir() / "default.yaml").read_text(encoding="utf-8")
    folded = (
        "    text: >\n"
        "      We're aware of {issue}. We're looking into it now and will share what we\n"
        "      know by {next_update}. If you're affected, contact us at {contact}. {sign_off}\n"
    )
    quoted = '    text: "We\'re aware that {issue}.\\e[2J By {next_update}; {contact}."\n'
    playbook = parse_playbook(text.replace(folded, quoted, 1), "default.yaml")
    assert "\x1b" in playbook.template("holding").text, "the YAML should hold a real escape"
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.switch_playbook(playbook)
    app = quiet_app(session)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        screen = DraftScreen(session, "holding")
        app.push_screen(screen)
        await settle(pilot)
        assert "\x1b" not in screen.text and "{issue}. By " in screen.text
        assert "\x1b" not in screen_text(app)


async def test_the_editor_shows_raw_controls_in_a_file_as_symbols(
    data_dir: Path, demo_scored: list
) -> None:
    """A playbook file holding a raw escape opens with the escape drawn as a symbol."""
    from warroom.tui.messages import EditPlaybook

    folder = user_playbooks_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "raw.yaml").write_text("name: raw\ndescription: a\x1b[2Jb\n", encoding="utf-8")
    app = quiet_app(drill_at(data_dir, demo_scored, CALM_AT))
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        app.post_message(EditPlaybook("raw"))
        await settle(pilot, 0.4)
        shown = screen_text(app)
        assert "a\u241b[2Jb" in shown and "\x1b" not in shown
