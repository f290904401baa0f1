"""Playbooks in the console through Pilot: switching, the editor round trip, drafting messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import OptionList, Static, TextArea

from tests.tui_support import CRISIS_AT, drill_at
from warroom.clock import FrozenClock
from warroom.demo import scenario as demo_scenario
from warroom.detection.sentiment import Scorer
from warroom.incident.log import IncidentStore
from warroom.incident.session import Session
from warroom.model import EventKind
from warroom.playbook import (
    bundled_dir,
    find_playbook,
    load_playbook,
    parse_playbook,
    user_playbooks_dir,
)
from warroom.tui import app as app_module
from warroom.tui.app import WarroomApp
from warroom.tui.commands import PlaybookCommands
from warroom.tui.messages import SwitchPlaybook
from warroom.tui.screens.draft import DraftScreen
from warroom.tui.screens.editor import (
    PlaybookEditor,
    PlaybookText,
    write_atomically,
    yaml_editor,
)
from warroom.tui.screens.switch import SwitchScreen
from warroom.tui.widgets.checklist import Checklist

DECLARED = f"{demo_scenario.BRAND}: thermostats stuck after firmware 4.2"


class PlaybookApp(WarroomApp):
    """The console with the playbook commands in its palette, keeping what it told the user."""

    COMMANDS = App.COMMANDS | {PlaybookCommands}
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))  # relative to the subclass

    def __init__(self, session: Session) -> None:
        super().__init__(session, tick_seconds=0)
        self.told: list[str] = []

    def notify(self, message: str, **kwargs: object) -> None:  # type: ignore[override]
        self.told.append(message)
        super().notify(message, **kwargs)  # type: ignore[arg-type]


def stored(data_dir: Path, kind: EventKind) -> list:
    """The events of one kind in the (only) drill incident, read back from disk."""
    store = IncidentStore(data_dir)
    (meta,) = store.list()
    with store.open(meta.slug, clock=FrozenClock(CRISIS_AT), writable=False) as log:
        return [event for event in log.events() if event.kind is kind]


async def palette(pilot: Pilot, command: str) -> None:
    """Run a command from the palette as a person would: ctrl+p, type (enough of) it, Enter."""
    await pilot.press("ctrl+p")
    await pilot.pause(0.1)
    await pilot.press(*command)
    await pilot.pause(0.4)  # the palette searches in a worker
    await pilot.press("enter")
    await pilot.pause(0.2)


def declared_drill(data_dir: Path, scored: list) -> Session:
    """The demo drill in its crisis, declared under the usual name."""
    session = drill_at(data_dir, scored, CRISIS_AT)
    session.declare(DECLARED)
    return session


async def test_switching_playbooks_keeps_shared_checks(data_dir: Path, demo_scored: list) -> None:
    """Switching to another playbook keeps the checks of shared steps and logs the switch."""
    session = declared_drill(data_dir, demo_scored)
    session.set_step("brief-support", True)  # in default and misinformation
    session.set_step("confirm-signal", True)  # in default only
    app = PlaybookApp(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await palette(pilot, "to misinfo")
        assert isinstance(app.screen, SwitchScreen)  # what is kept and dropped, to confirm
        assert session.playbook.name == "default"
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert session.playbook.name == "misinformation"
        assert set(session.state.checks) == {"brief-support"}
        checklist = app.main_screen.query_one(Checklist)
        assert checklist.playbook is session.playbook
        assert checklist.progress == (1, len(session.playbook.steps))
        title = str(app.main_screen.query_one("#checklist-pane").border_title)
        assert "misinformation" in title
    switch = stored(data_dir, EventKind.PLAYBOOK_CHANGED)[-1]
    assert switch.data["kept_checks"] == ["brief-support"]
    assert "confirm-signal" in switch.data["dropped"]
    assert switch.author == "tester"


async def test_an_invalid_playbook_is_not_switched_to(data_dir: Path, demo_scored: list) -> None:
    """A playbook that does not validate is refused with its first error; nothing changes."""
    session = declared_drill(data_dir, demo_scored)
    folder = user_playbooks_dir()
    folder.mkdir(parents=True)
    broken = (bundled_dir() / "default.yaml").read_text().replace("name: default", "name: broken")
    (folder / "broken.yaml").write_text(broken.replace("owner: lead", "owner: leed", 1))
    before = len(stored(data_dir, EventKind.PLAYBOOK_CHANGED))
    app = PlaybookApp(session)
    async with app.run_test(size=(120, 35)) as pilot:
        app.post_message(SwitchPlaybook("broken"))
        await pilot.pause()
        assert session.playbook.name == "default"
    assert any("Cannot switch to 'broken'" in m and "unknown role 'leed'" in m for m in app.told)
    assert len(stored(data_dir, EventKind.PLAYBOOK_CHANGED)) == before


async def test_editor_round_trip(data_dir: Path, demo_scored: list) -> None:
    """Open, break (error with line:col, line marked, save refused), fix, save a valid copy."""
    session = declared_drill(data_dir, demo_scored)
    target = user_playbooks_dir() / "default.yaml"
    app = PlaybookApp(session)
    async with app.run_test(size=(140, 40)) as pilot:
        await palette(pilot, "edit default")
        editor = app.screen
        assert isinstance(editor, PlaybookEditor) and editor.target == target
        assert "replaces the bundled" in str(editor.query_one("#editor-notice", Static).content)
        text = editor.query_one(PlaybookText)
        row = next(n for n, line in enumerate(text.text.splitlines()) if "owner: lead" in line)
        text.move_cursor((row, len(text.document.get_line(row))))
        await pilot.press(*["backspace"] * 4, *"leed")
        await pilot.pause(0.5)  # validation waits for a pause in the typing
        errors = editor.query_one("#editor-errors", OptionList)
        first = str(errors.get_option_at_index(0).prompt)
        assert first.startswith(f"{row + 1}:") and "owner: unknown role 'leed'" in first
        assert text.error_lines == {row} and errors.display
        assert text.get_line(row).spans, "the error line is marked"
        await pilot.press("ctrl+s")
        assert not target.exists()
        await pilot.press(*["backspace"] * 4, *"legal")
        await pilot.pause(0.5)
        assert errors.option_count == 0 and not text.error_lines
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert target.read_text() == text.text
        await pilot.press("escape")
        assert not isinstance(app.screen, PlaybookEditor)
    assert find_playbook("default") == target
    saved, bundled = load_playbook(target), load_playbook(bundled_dir() / "default.yaml")
    (changed,) = [a.id for a, b in zip(saved.steps, bundled.steps, strict=True) if a != b]
    assert saved.step(changed).owner == "legal"
    assert session.playbook.step(changed).owner == "legal", "the saved version runs"
    assert [p.name for p in target.parent.iterdir()] == ["default.yaml"], "no temporary files"


async def test_editor_escape_warns_before_losing_changes(data_dir: Path, demo_scored: list) -> None:
    """With unsaved changes the first Esc only warns; the second closes."""
    session = declared_drill(data_dir, demo_scored)
    app = PlaybookApp(session)
    async with app.run_test(size=(140, 40)) as pilot:
        await palette(pilot, "edit default")
        await pilot.press("#")
        await pilot.press("escape")
        assert isinstance(app.screen, PlaybookEditor)
        assert any("Unsaved changes" in m for m in app.told)
        await pilot.press("escape")
        assert not isinstance(app.screen, PlaybookEditor)
    assert not (user_playbooks_dir() / "default.yaml").exists()


def test_atomic_write_keeps_the_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails half-way leaves the old file whole and no temporary file."""
    path = tmp_path / "p.yaml"
    path.write_text("old")

    def broken(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["p.yaml"]


def test_editor_works_without_the_yaml_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without tree-sitter's YAML grammar the editor falls back to plain text."""
    import textual.widgets._text_area as text_area

    monkeypatch.setattr(text_area, "get_language", lambda name: None)
    editor = yaml_editor("name: x", id="e")
    assert editor.language is None and editor.text == "name: x"


def branded_default() -> str:
    """The default playbook with a holding statement that names the brand."""
    text = (bundled_dir() / "default.yaml").read_text()
    return text.replace("We're aware of {issue}.", "{brand} here. We're aware of {issue}.")


async def test_draft_fills_the_holding_statement(data_dir: Path, demo_scored: list) -> None:
    """The holding statement is filled from the incident, toned, copied and logged."""
    session = declared_drill(data_dir, demo_scored)
    session.playbook = parse_playbook(branded_default())
    app = PlaybookApp(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await palette(pilot, "holding st")
        screen = app.screen
        assert isinstance(screen, DraftScreen)
        text = screen.query_one("#draft-text", TextArea).text
        assert text.startswith(
            "Brightwell here. We're aware of thermostats stuck after firmware 4.2."
        )
        later = CRISIS_AT.replace(hour=CRISIS_AT.hour + 1)
        assert f"by {later:%H:%M} UTC (in 60 minutes)" in text
        assert "contact us at support@brightwell.example. — The Brightwell team" in text
        assert "{" not in str(screen.query_one("#draft-missing", Static).content)
        tone = Scorer().compound(text)
        assert f"Tone {tone:+.2f}" in str(screen.query_one("#draft-tone", Static).content)
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, DraftScreen)
        assert app.clipboard == text
    (draft,) = stored(data_dir, EventKind.DRAFT)
    assert draft.data == {"template": "holding", "text": text, "tone": tone}
    assert draft.author == "tester"


async def test_an_angry_apology_is_flagged(data_dir: Path, demo_scored: list) -> None:
    """An apology rewritten to sound angry is flagged as it is typed."""
    session = declared_drill(data_dir, demo_scored)
    app = PlaybookApp(session)
    async with app.run_test(size=(120, 35)) as pilot:
        await palette(pilot, "draft apology")
        screen = app.screen
        assert isinstance(screen, DraftScreen) and screen.template.id == "apology"
        tone = screen.query_one("#draft-tone", Static)
        assert not tone.has_class("-flagged"), "the bundled apology reads calm"
        draft = screen.query_one("#draft-text", TextArea)
        draft.clear()
        draft.insert("Sorry, but your complaints are stupid and hateful")
        await pilot.press(".")
        assert tone.has_class("-flagged")
        assert "reads angry/negative" in str(tone.content)


async def test_a_draft_copies_no_control_characters(data_dir: Path, demo_scored: list) -> None:
    """An incident name typed with escape sequences reaches neither the draft nor the clipboard."""
    session = drill_at(data_dir, demo_scored, CRISIS_AT)
    session.declare("firmware \x1b]52;c;ZXZpbA==\x07bug\x1b[2J")
    app = PlaybookApp(session)
    async with app.run_test(size=(120, 35)) as pilot:
        app.push_screen(DraftScreen(session, "holding"))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert "We're aware of firmware bug." in app.clipboard
        assert "\x1b" not in app.clipboard and "\x07" not in app.clipboard
