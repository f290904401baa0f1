"""The warroom Textual app: theme, keymap, the one error path, and the session's clock ticks."""

from __future__ import annotations

import gc
import sys
from collections.abc import Awaitable, Callable, Iterable
from time import monotonic
from typing import Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from warroom.incident.session import Session
from warroom.live.sources.base import SourceState
from warroom.model import Event
from warroom.playbook import (
    Playbook,
    PlaybookInvalid,
    PlaybookNotFound,
    find_playbook,
    list_playbooks,
    load_playbook,
)
from warroom.tui.commands import (
    ConsoleCommands,
    PaletteCommand,
    PlaybookCommands,
    console_commands,
)
from warroom.tui.messages import (
    CheckStep,
    DeclareIncident,
    DraftMessage,
    EditPlaybook,
    FlagMention,
    OverrideSentiment,
    PlaybookSaved,
    PublishDraft,
    RecordDraft,
    SwitchPlaybook,
    Then,
    WriteNote,
)
from warroom.tui.safe import PlainNotifications, clean
from warroom.tui.screens.draft import DraftScreen
from warroom.tui.screens.editor import PlaybookEditor
from warroom.tui.screens.help import HelpScreen
from warroom.tui.screens.incident import CloseScreen, DeclareScreen
from warroom.tui.screens.main import MainScreen
from warroom.tui.screens.switch import SwitchScreen

Feeder = Callable[["WarroomApp"], Awaitable[None]]
FLUSH_SECONDS = 0.5
# Quitting with a note typed and not saved asks again: a second quit within this many seconds.
QUIT_AGAIN_SECONDS = 10.0
# Textual's own palette entries that ours replace: its key panel (our help screen) and its
# screenshot (ours, saved beside the incidents).
REPLACED_SYSTEM_COMMANDS = frozenset({"Keys", "Screenshot"})


class WarroomApp(PlainNotifications, App[None], inherit_bindings=False):
    """A thin app: it owns the session and the feed worker; the screen does the drawing."""

    COMMANDS = App.COMMANDS | {ConsoleCommands, PlaybookCommands}
    CSS_PATH = "app.tcss"
    TITLE = "warroom"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        # One quit key: q wherever nothing is typed (a line takes the q); ctrl+q always, dialogs
        # included (priority). The footer shows q, or ^q while a line has the keys.
        Binding("q", "quit", "Quit", id="app.quit.key", tooltip="Leave (the log is on disk)"),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            priority=True,
            id="app.quit",
            tooltip="Leave, even while typing (the log is on disk)",
        ),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Keys, and what it shows"),
        # Priority: F1 answers in dialogs and lines of text too.
        Binding("f1", "help", "Help", show=False, priority=True, id="app.help.f1"),
        # Textual's own, kept: its ctrl+q is replaced above (not inherited: the footer shows
        # an app's keys in the order they were first bound, and q must come before ctrl+q).
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        session: Session,
        *,
        feeder: Feeder | None = None,
        keymap: dict[str, str] | None = None,
        tick_seconds: float = 1.0,
    ) -> None:
        super().__init__()
        self.session = session
        self.feeder = feeder
        self.keymap = keymap or {}
        self.tick_seconds = tick_seconds
        self.source_states: dict[str, SourceState] = {}
        self.main_screen = MainScreen(session, self.source_states)
        self._disk_failing = False
        self._frozen = False
        # Set on the way out: what the disk refused, said once on stderr after the screen is gone.
        self.unsaved: str | None = None
        self._quit_warned_at: float | None = None

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        self.push_screen(self.main_screen)
        if self.feeder is not None:
            self.run_feeder()
        if not self.is_headless:  # a real terminal; tests run many apps in one process
            self.call_after_refresh(self._freeze_startup)
        if self.tick_seconds > 0:
            self.set_interval(self.tick_seconds, self.tick, name="tick")
            # Mentions reach the disk twice a second, in a thread: JSON and fsync stay off the UI.
            self.set_interval(FLUSH_SECONDS, self.flush_log, name="flush")

    def _freeze_startup(self) -> None:
        """Keep what exists at start-up (modules, classes, widgets) out of later collections."""
        # Under a surge, full collections came every few seconds and walked all of it: 40-100 ms
        # pauses that typed keys waited behind. Frozen, they walk the mentions only (~7 ms).
        gc.collect()
        gc.freeze()
        self._frozen = True

    @work(group="feed", exclusive=True, exit_on_error=False, description="feeding mentions")
    async def run_feeder(self) -> None:
        assert self.feeder is not None
        await self.feeder(self)

    def tick(self) -> None:
        """Event time moves on: quiet minutes are judged, deadlines and the clock redrawn."""
        if not self.is_running:  # a last timer while shutting down: the panes are gone
            return
        try:
            self.session.tick(flush=False)
        except OSError:
            self.show_disk()  # the session keeps the failure: the status line says it, once
        self.main_screen.tick()
        if isinstance(self.screen, DeclareScreen) and self._declared_meanwhile():
            self.screen.dismiss(None)  # the question is answered: a teammate declared

    @work(thread=True, group="flush", exit_on_error=False, description="writing mentions to disk")
    def flush_log(self) -> None:
        self.session.flush()

    def show_disk(self) -> None:
        """The status line follows the disk; a toast only when writing stops and when it resumes."""
        if not self.is_running:  # a flush that ended while shutting down: the screen is gone
            return
        trouble = self.session.disk_trouble
        changed = (trouble is not None) != self._disk_failing
        self._disk_failing = trouble is not None
        if changed and trouble is not None:
            self.notify(
                f"Cannot write mentions to disk ({trouble.reason}). They are kept and retried; "
                "the status line counts them.",
                severity="error",
            )
        elif changed:
            self.notify("Mentions are written to disk again; none were lost.")
        if changed or trouble is not None:  # the waiting count moves on while it lasts
            self.main_screen.refresh_status()

    def set_source_state(self, state: SourceState) -> None:
        """A source reported: the status line shows it at the next tick."""
        self.source_states[state.name] = state

    # -- the one error path ------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "flush":
            # Twice a second: a failure is a state shown in the status line, not a toast each time.
            if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
                self.show_disk()
            return
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            what = event.worker.description or event.worker.name
            self.notify(f"{what} failed: {clean(str(error), limit=200)}", severity="error")

    def record(self, action: Callable[[], Event], *, then: Then | None = None) -> bool:
        """Write a person's action to the log; only once it is on disk is the input let go."""
        try:
            action()
        except Exception as error:  # nothing typed is lost: the input keeps its text
            self.notify(f"Not saved: {clean(str(error), limit=200)}", severity="error", timeout=10)
            return False
        if then is not None:
            then()
        return True

    # -- what the screens ask for --------------------------------------------------------------

    @on(WriteNote)
    def _write_note(self, message: WriteNote) -> None:
        self.record(
            lambda: self.session.note(message.text, evidence=message.evidence), then=message.then
        )

    @on(CheckStep)
    def _check_step(self, message: CheckStep) -> None:
        self.record(lambda: self.session.set_step(message.step_id, message.done))

    @on(FlagMention)
    def _flag_mention(self, message: FlagMention) -> None:
        def shown() -> None:  # only once it is in the log: the feed never shows an unsaved flag
            self.main_screen.mark(message.item.mention.id, flagged=message.flagged)
            if message.then is not None:
                message.then()

        self.record(lambda: self.session.flag(message.item, message.flagged), then=shown)

    @on(OverrideSentiment)
    def _override_sentiment(self, message: OverrideSentiment) -> None:
        def shown() -> None:
            self.main_screen.mark(message.item.mention.id, label=message.label)
            if message.then is not None:
                message.then()

        self.record(lambda: self.session.override(message.item, message.label), then=shown)

    @on(RecordDraft)
    def _record_draft(self, message: RecordDraft) -> None:
        self.record(
            lambda: self.session.draft(
                message.template_id, message.text, message.tone, message.filled
            ),
            then=message.then,
        )

    @on(PublishDraft)
    def _publish_draft(self, message: PublishDraft) -> None:
        self.record(
            lambda: self.session.publish(
                message.template_id, message.text, message.channel, message.link
            ),
            then=message.then,
        )

    @on(DeclareIncident)
    def _declare_incident(self, message: DeclareIncident) -> None:
        self.propose_declaration(manual=message.manual)

    # -- the incident lifecycle --------------------------------------------------------------

    def propose_declaration(self, *, manual: bool) -> None:
        """Ask to declare, with the detector's evidence; one key (Enter) accepts."""
        state = self.session.state
        if state.declared and state.closed_at is None:
            self.notify("An incident is already declared.")
            return
        evidence = self.session.evidence()
        brand = self.session.brand
        suggested = clean(evidence.issue(brand), limit=120)

        def declared(issue: str | None) -> None:
            if not issue:
                return
            if self._declared_meanwhile():
                return
            # The name is "Brand: what happened"; drafts read {issue} back from after the colon.
            name = issue if issue.startswith(f"{brand}:") else f"{brand}: {issue}"
            if self.record(lambda: self.session.declare(name, evidence.to_dict())):
                self.main_screen.tick()
            else:  # not on disk: ask again with the words as typed, so they are not lost
                self.push_screen(DeclareScreen(evidence, issue, manual), declared)

        self.push_screen(DeclareScreen(evidence, suggested, manual), declared)

    def _declared_meanwhile(self) -> bool:
        """In team mode a teammate may declare while this console asks: say so, once."""
        state = self.session.state
        if not state.declared or state.declared_at is None:
            return False
        who = clean(state.declared_by or "a teammate", limit=40)
        self.notify(f"Already declared by {who} at {state.declared_at:%H:%M:%S}.")
        return True

    def action_close_incident(self) -> None:
        if not self.session.state.declared or self.session.state.closed_at is not None:
            self.notify("No open incident to close.", severity="warning")
            return

        open_steps = [step.title for step in self.session.open_due_steps()]

        def closed(summary: str | None) -> None:
            if summary and not self.record(
                lambda: self.session.close(summary), then=self._after_close
            ):
                # The summary as typed, kept.
                self.push_screen(CloseScreen(summary, open_steps), closed)

        self.push_screen(CloseScreen(open_steps=open_steps), closed)

    def _after_close(self) -> None:
        slug = self.session.closed_slugs[-1]
        self.main_screen.reload()
        if self.session.drill and not self.session.rotate_on_close:
            self.notify(
                f"The drill is over. Review it with: warroom review {slug}; "
                "run it again with: warroom demo --reset",
                timeout=15,
            )
        else:
            self.notify(f"Incident closed. Review it with: warroom review {slug}", timeout=15)
        self.precompute_review(slug)

    @work(thread=True, group="review", exit_on_error=False, description="preparing the review")
    def precompute_review(self, slug: str) -> None:
        """Build the closed incident's per-minute aggregates now, so its review opens at once."""
        from warroom.review.aggregates import load_aggregates  # deferred: only needed after a close

        store = self.session.store
        with store.open(slug, clock=self.session.clock, writable=False) as log:
            load_aggregates(log, self.session.rule)

    # -- playbooks and drafts ----------------------------------------------------------------

    @on(SwitchPlaybook)
    def _switch_playbook(self, message: SwitchPlaybook) -> None:
        """Run another playbook: validated first, checks of shared steps kept, the switch logged."""
        name = message.name
        try:
            playbook = load_playbook(find_playbook(name))
        except PlaybookInvalid as invalid:
            first = clean(str(invalid.errors[0]), limit=200) if invalid.errors else str(invalid)
            self.notify(f"Cannot switch to '{clean(name)}': {first}", severity="error", timeout=10)
            return
        except (PlaybookNotFound, OSError) as error:
            self.notify(f"Cannot switch: {clean(str(error), limit=200)}", severity="error")
            return
        plan = self.session.plan_switch(playbook)
        if not plan.mapped and not plan.dropped:
            self.run_playbook(playbook)  # nothing checked yet: nothing to keep or drop
            return

        def confirmed(switch: bool | None) -> None:
            if switch:
                self.run_playbook(playbook)

        self.push_screen(SwitchScreen(plan, self.session.playbook.name), confirmed)

    @on(PlaybookSaved)
    def _playbook_saved(self, message: PlaybookSaved) -> None:
        if message.playbook.name == self.session.playbook.name:
            self.run_playbook(message.playbook)  # saving the running one runs the saved version

    def run_playbook(self, playbook: Playbook) -> None:
        """Make a validated playbook the running one and redraw the checklist."""
        session = self.session

        def switched() -> None:
            self.main_screen.tick()
            kept = len(session.state.checks)
            self.notify(f"Now running '{clean(playbook.name)}'; {kept} check(s) kept.")

        self.record(lambda: session.switch_playbook(playbook), then=switched)

    @on(EditPlaybook)
    def _edit_playbook(self, message: EditPlaybook) -> None:
        """Open a playbook in the editor."""
        name = message.name
        found = {entry: (path, bundled) for entry, path, bundled in list_playbooks()}
        if name not in found:
            self.notify(f"No playbook named '{clean(name)}'.", severity="error")
            return
        path, bundled = found[name]
        try:
            editor = PlaybookEditor(name, path, bundled=bundled)
        except (OSError, UnicodeDecodeError) as error:
            self.notify(f"Cannot open {clean(str(path))}: {clean(str(error))}", severity="error")
            return
        self.push_screen(editor)

    @on(DraftMessage)
    def _draft_message(self, message: DraftMessage) -> None:
        """Open the draft screen, on one template of the running playbook or the first."""
        template_id = message.template_id
        templates = [template.id for template in self.session.playbook.templates]
        if not templates:
            self.notify("The running playbook has no templates.", severity="warning")
            return
        if template_id is not None and template_id not in templates:
            self.notify(f"The running playbook has no template '{clean(template_id)}'.")
            return
        self.push_screen(DraftScreen(self.session, template_id))

    # -- help, quitting and the command palette ---------------------------------------------

    def action_help(self) -> None:
        """Open the help screen; asked again from it (F1), close it."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        palette = Binding(
            self.COMMAND_PALETTE_BINDING,
            "command_palette",
            "Palette",
            tooltip="Every command (filters, panes, playbooks…) by the words you type",
        )
        self.push_screen(HelpScreen([*type(self).BINDINGS, palette], self.keymap))

    async def action_quit(self) -> None:
        """Leave; with a note typed and not saved, say so first and leave on a second quit."""
        note = self.main_screen.unsaved_note if self.main_screen.is_attached else ""
        warned = self._quit_warned_at
        if note and (warned is None or monotonic() - warned > QUIT_AGAIN_SECONDS):
            self._quit_warned_at = monotonic()
            self.notify(
                "A note is typed and not saved: n, then Enter saves it. Quit again to leave "
                "without it.",
                severity="warning",
            )
            return
        self.exit()

    def action_help_quit(self) -> None:
        """ctrl+c copies; a person reaching for it to quit is told the keys (Textual's says it
        in markup, which our notifications show as typed)."""
        self.notify("To quit: q, or ctrl+q while typing.", title="Do you want to quit?")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in REPLACED_SYSTEM_COMMANDS:
                yield command

    def palette_commands(self) -> list[PaletteCommand]:
        """Every console command, under the words people type for it (ConsoleCommands)."""
        return console_commands(self)

    def save_shot(self) -> None:
        path = self.save_screenshot(path=str(self.session.store.data_dir))
        self.notify(f"Screenshot saved: {path}")

    async def on_unmount(self) -> None:
        self.unsaved = self.session.shutdown()
        if self._frozen:
            gc.unfreeze()

    def run(self, **options: Any) -> None:
        """Run the console; then say in one line what the disk refused, if anything, and exit 1."""
        result = super().run(**options)
        if self.unsaved is not None:
            print(f"warroom: {self.unsaved}", file=sys.stderr)
            raise SystemExit(1)
        return result  # a headless run (a snapshot) returns what the pilot exited with
