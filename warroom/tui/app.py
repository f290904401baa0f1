"""The warroom Textual app: theme, keymap, the one error path, and the session's clock ticks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from warroom.incident.session import Session
from warroom.live.sources.base import SourceState
from warroom.model import Event
from warroom.tui.commands import PlaybookCommands
from warroom.tui.safe import PlainNotifications, clean
from warroom.tui.screens.incident import CloseScreen, DeclareScreen
from warroom.tui.screens.main import MainScreen

Feeder = Callable[["WarroomApp"], Awaitable[None]]
FLUSH_SECONDS = 0.5


class WarroomApp(PlainNotifications, App[None]):
    """A thin app: it owns the session and the feed worker; the screen does the drawing."""

    COMMANDS = App.COMMANDS | {PlaybookCommands}
    CSS_PATH = "app.tcss"
    TITLE = "warroom"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave (the log is on disk)"),
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
        self.main_screen = MainScreen(session)

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        self.push_screen(self.main_screen)
        if self.feeder is not None:
            self.run_feeder()
        if self.tick_seconds > 0:
            self.set_interval(self.tick_seconds, self.tick, name="tick")
            # Mentions reach the disk twice a second, in a thread: JSON and fsync stay off the UI.
            self.set_interval(FLUSH_SECONDS, self.flush_log, name="flush")

    @work(group="feed", exclusive=True, exit_on_error=False, description="feeding mentions")
    async def run_feeder(self) -> None:
        assert self.feeder is not None
        await self.feeder(self)

    def tick(self) -> None:
        """Event time moves on: quiet minutes are judged, deadlines and the clock redrawn."""
        self.session.tick(flush=False)
        self.main_screen.tick()

    @work(thread=True, group="flush", exit_on_error=False, description="writing mentions to disk")
    def flush_log(self) -> None:
        self.session.flush()

    def set_source_state(self, state: SourceState) -> None:
        """A source reported: the status line shows it at the next tick."""
        self.source_states[state.name] = state

    # -- the one error path ------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            what = event.worker.description or event.worker.name
            self.notify(f"{what} failed: {clean(str(error), limit=200)}", severity="error")

    def record(
        self, action: Callable[[], Event], *, then: Callable[[], None] | None = None
    ) -> bool:
        """Write a person's action to the log; only once it is on disk is the input let go."""
        try:
            action()
        except Exception as error:  # nothing typed is lost: the input keeps its text
            self.notify(f"Not saved: {clean(str(error), limit=200)}", severity="error", timeout=10)
            return False
        if then is not None:
            then()
        return True

    # -- the incident lifecycle --------------------------------------------------------------

    def propose_declaration(self, *, manual: bool) -> None:
        """Ask to declare, with the detector's evidence; one key (Enter) accepts."""
        state = self.session.state
        if state.declared and state.closed_at is None:
            self.notify("An incident is already declared.")
            return
        evidence = self.session.evidence()
        terms = ", ".join(evidence.trending[:3])
        brand = self.session.brand
        suggested = clean(f"{brand}: {terms}" if terms else f"{brand} incident", limit=120)

        def declared(name: str | None) -> None:
            if not name:
                return
            if self.record(lambda: self.session.declare(name, evidence.to_dict())):
                self.main_screen.tick()
            else:  # not on disk: ask again with the name as typed, so it is not lost
                self.push_screen(DeclareScreen(evidence, name, manual), declared)

        self.push_screen(DeclareScreen(evidence, suggested, manual), declared)

    def action_close_incident(self) -> None:
        if not self.session.state.declared or self.session.state.closed_at is not None:
            self.notify("No open incident to close.", severity="warning")
            return

        def closed(summary: str | None) -> None:
            if summary and not self.record(
                lambda: self.session.close(summary), then=self._after_close
            ):
                self.push_screen(CloseScreen(summary), closed)  # the summary as typed, kept

        self.push_screen(CloseScreen(), closed)

    def _after_close(self) -> None:
        slug = self.session.closed_slugs[-1]
        self.main_screen.reload()
        self.notify(f"Incident closed. Review it with: warroom review {slug}", timeout=15)
        self.precompute_review(slug)

    @work(thread=True, group="review", exit_on_error=False, description="preparing the review")
    def precompute_review(self, slug: str) -> None:
        """Build the closed incident's per-minute aggregates now, so its review opens at once."""
        from warroom.review.aggregates import load_aggregates  # deferred: only needed after a close

        store = self.session.store
        with store.open(slug, clock=self.session.clock, writable=False) as log:
            load_aggregates(log, self.session.rule)

    # -- the command palette -----------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "incident: declare",
            "Declare an incident now",
            lambda: self.propose_declaration(manual=True),
        )
        yield SystemCommand(
            "incident: close", "Close it with a summary", self.action_close_incident
        )
        for query, title in (
            ("neg", "negative only"),
            ("pos", "positive only"),
            ("topic:brand", "the brand only"),
            ("", "everything"),
        ):
            yield SystemCommand(
                f"feed: show {title}",
                f"Filter the feed: {query or 'no filter'}",
                lambda q=query: self.main_screen.query_one("#feed").set_filter(q),
            )
        for number, pane in enumerate(("feed", "gauge", "checklist", "notes"), start=1):
            yield SystemCommand(
                f"view: {pane} pane",
                f"Show or focus the {pane} pane (key {number})",
                lambda p=pane: self.main_screen.action_pane(p),
            )
        yield SystemCommand("view: save screenshot", "Save an SVG of the screen", self.save_shot)

    def save_shot(self) -> None:
        path = self.save_screenshot(path=str(self.session.store.data_dir))
        self.notify(f"Screenshot saved: {path}")

    async def on_unmount(self) -> None:
        self.session.shutdown()
