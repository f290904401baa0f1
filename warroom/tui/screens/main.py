"""The war-room screen: header, the four panes, the sources' status line and the footer."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from warroom.incident.engine import EngineUpdate
from warroom.incident.session import Session
from warroom.live.sources.base import SourceState
from warroom.model import Event, EventKind, Label, Level, ScoredMention
from warroom.tui.messages import CheckStep, DeclareIncident, DraftMessage, WriteNote
from warroom.tui.safe import PlainInput, clean, plain
from warroom.tui.screens.mention import MentionScreen
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.feed import MentionFeed
from warroom.tui.widgets.gauge import SentimentGauge
from warroom.tui.widgets.header import IncidentHeader, team_marker
from warroom.tui.widgets.notes import NotesPane

PANES = ("feed", "gauge", "checklist", "notes")
PANE_TITLES = {"feed": "Mentions", "gauge": "Sentiment", "checklist": "Checklist", "notes": "Notes"}
# Below this the four panes do not fit side by side: one pane at a time, switched with 1-4.
NARROW_WIDTH = 100
NARROW_HEIGHT = 30
GAUGE_SECONDS = 0.5


class MainScreen(Screen[None]):
    """Everything the team needs at a glance; what changes is drawn at most ten times a second."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="feed.filter", tooltip="Filter the mentions"),
        Binding("n", "write_note", "Note", id="notes.write", tooltip="Write a note"),
        Binding("d", "declare", "Declare", id="incident.declare", tooltip="Declare an incident"),
        Binding("m", "draft", "Draft", id="message.draft", tooltip="Draft a message"),
        Binding("1", "pane('feed')", "Feed", show=False, id="pane.feed"),
        Binding("2", "pane('gauge')", "Gauge", show=False, id="pane.gauge"),
        Binding("3", "pane('checklist')", "Checklist", show=False, id="pane.checklist"),
        Binding("4", "pane('notes')", "Notes", show=False, id="pane.notes"),
    ]

    def __init__(
        self, session: Session, source_states: dict[str, SourceState] | None = None
    ) -> None:
        super().__init__()
        self.session = session
        # The app keeps these up to date as the sources report; the status line reads them.
        self.source_states = source_states if source_states is not None else {}
        # In team mode the app sets this: who is on, who holds ingest, the link (status line).
        self.team_status: Callable[[], str] | None = None
        self._team_shown = ""  # what the status line last said of the team
        self.active_pane = "feed"
        self._pending_mentions: list[ScoredMention] = []
        self._pending_events: list[Event] = []
        self._level_changed = False
        self._gauge_dirty = True
        self._proposed_for: Level | None = None
        self._gauge_drawn = -GAUGE_SECONDS

    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="header")
        yield Static("", id="tabs")
        with Grid(id="panes"):
            with Vertical(id="feed-pane", classes="pane -active"):
                yield PlainInput(
                    placeholder="filter: neg source:reddit topic:brand words…", id="filter"
                )
                yield MentionFeed(self.session.clock, id="feed")
            with Vertical(id="gauge-pane", classes="pane"):
                yield SentimentGauge(id="gauge")
            with Vertical(id="checklist-pane", classes="pane"):
                yield Checklist(id="checklist")
            with Vertical(id="notes-pane", classes="pane"):
                yield NotesPane(id="notes")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        for pane in PANES:
            self.query_one(f"#{pane}-pane").border_title = PANE_TITLES[pane]
        self.session.engine.listeners.append(self._collect)
        state = self.session.state
        self.query_one(NotesPane).show(state.timeline)
        self.query_one(MentionFeed).add(self.session.recent)
        self.query_one(Checklist).role = self.session.role
        self._refresh_header()
        self._refresh_checklist()
        self._refresh_tabs()
        self._refresh_status()
        self.query_one(MentionFeed).focus()
        self._draw()
        self.set_interval(0.1, self._draw, name="draw")

    # -- from the engine ---------------------------------------------------------------------

    def _collect(self, update: EngineUpdate) -> None:
        # Called on every batch: only collect here; drawing happens in _draw, ten times a second.
        if update.mentions:
            self._pending_mentions.extend(update.mentions)
            self._gauge_dirty = True
        if update.events:
            self._pending_events.extend(update.events)
        if update.level_changes:
            self._level_changed = True
            self._gauge_dirty = True

    def _draw(self) -> None:
        """Apply what arrived since the last frame, in one batch."""
        with self.app.batch_update():
            if self._pending_mentions:
                mentions, self._pending_mentions = self._pending_mentions, []
                self.query_one(MentionFeed).add(mentions)
            if self._pending_events:
                events, self._pending_events = self._pending_events, []
                self.query_one(NotesPane).add(events)
                if any(e.kind is not EventKind.NOTE for e in events):
                    self._refresh_checklist()
            now = monotonic()
            if self._gauge_dirty and now - self._gauge_drawn >= GAUGE_SECONDS:
                # The gauge moves by the minute: twice a second is plenty, and it is costly.
                self._gauge_dirty = False
                self._gauge_drawn = now
                self.query_one(SentimentGauge).show(self.session.engine.signals.gauge())
            if self._level_changed:
                self._level_changed = False
                self._refresh_checklist()
                self._maybe_propose()
            self._refresh_header()
            self._refresh_team()

    def reload(self) -> None:
        """The session moved to a fresh log (an incident was closed): redraw from its state."""
        self.query_one(NotesPane).show(self.session.state.timeline)
        self._refresh_header()
        self._refresh_checklist()
        self._refresh_status()

    def tick(self) -> None:
        """Once a second: deadlines and the incident clock move on."""
        self._refresh_checklist()
        self._refresh_status()

    # -- drawing -----------------------------------------------------------------------------

    def _refresh_header(self) -> None:
        header = self.query_one(IncidentHeader)
        state = self.session.state
        header.brand = self.session.brand
        header.incident = state.name if state.declared else ""
        header.level = self.session.engine.level
        elapsed = state.elapsed(self.session.clock.now())
        header.elapsed = None if elapsed is None else float(int(elapsed))
        header.drill = self.session.drill
        header.closed = state.closed_at is not None

    def _refresh_team(self) -> None:
        """Who is on, in the header and the status line, as soon as it changes (not at a tick)."""
        if self.team_status is None:
            return
        status = self.team_status()
        self.query_one(IncidentHeader).team = team_marker(status)
        if status != self._team_shown:
            self._refresh_status()

    def _refresh_checklist(self) -> None:
        checklist = self.query_one(Checklist)
        checklist.show(
            self.session.playbook,
            self.session.state,
            self.session.engine.level,
            self.session.clock.now(),
        )
        done, total = checklist.progress
        playbook = clean(self.session.playbook.name, limit=40)
        title = f"Checklist · {playbook} · {done}/{total}"
        if checklist.filtered:
            mine, of = checklist.mine_progress
            title += f" · only {clean(checklist.role or '', limit=20)}'s steps {mine}/{of}"
        self.query_one("#checklist-pane").border_title = plain(title)

    def refresh_status(self) -> None:
        """Redraw the status line now: the disk failed or came back."""
        self._refresh_status()

    def _refresh_status(self) -> None:
        stats = self.session.engine.stats
        trouble = self.session.disk_trouble
        parts = []
        if trouble is not None:  # first: on a narrow screen it is what must not be cut
            parts.append(
                f"disk: cannot write mentions ({clean(trouble.reason, limit=60)}) · "
                f"{self.session.waiting_mentions:,} waiting · since {trouble.since:%H:%M}"
            )
        if self.team_status is not None:  # names come from teammates' configs: data, not markup
            self._team_shown = self.team_status()
            parts.append(clean(self._team_shown, limit=160))
        parts.extend(clean(state.describe(), limit=120) for state in self.source_states.values())
        parts.append(f"{stats.ingested:,} mentions ({stats.duplicates:,} dup)")
        status = self.query_one("#status", Static)
        status.set_class(trouble is not None, "-disk-failing")
        # Source names and errors come from config and the network: never markup.
        status.update(plain(" │ ".join(parts)), layout=False)

    def _refresh_tabs(self) -> None:
        labels = [
            f"[{'b reverse' if pane == self.active_pane else 'dim'}] {n} {PANE_TITLES[pane]} [/]"
            for n, pane in enumerate(PANES, start=1)
        ]
        self.query_one("#tabs", Static).update(" ".join(labels), layout=False)

    @on(MentionFeed.StatusChanged)
    def _feed_title(self) -> None:
        feed = self.query_one(MentionFeed)
        title = f"Mentions · {feed.total:,}"
        if feed.filter.active:
            title += f" · filter: {clean(feed.filter.describe(), limit=60)} ({len(feed.shown):,})"
        if feed.paused:
            title += f" · PAUSED, {len(feed.waiting):,} new"
        self.query_one("#feed-pane").border_title = plain(title)  # the query is typed: not markup

    # -- layout ------------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW_WIDTH or event.size.height < NARROW_HEIGHT
        self.set_class(narrow, "-narrow")

    def action_pane(self, pane: str) -> None:
        """Show (narrow) or focus (wide) one pane."""
        self.active_pane = pane
        for name in PANES:
            self.query_one(f"#{name}-pane").set_class(name == pane, "-active")
        self._refresh_tabs()
        target = {
            "feed": "#feed",
            "gauge": "#gauge",
            "checklist": "#checklist",
            "notes": "#note-input",
        }
        widget = self.query_one(target[pane])
        if widget.can_focus:
            widget.focus()

    # -- the team's actions ------------------------------------------------------------------

    def action_filter(self) -> None:
        self.action_pane("feed")
        field = self.query_one("#filter", Input)
        field.add_class("-visible")
        field.focus()

    @on(Input.Submitted, "#filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        event.stop()
        feed = self.query_one(MentionFeed)
        feed.set_filter(event.value)
        if not event.value.strip():
            event.input.remove_class("-visible")
        feed.focus()

    def action_write_note(self) -> None:
        self.action_pane("notes")
        self.query_one("#note-input", Input).focus()

    @on(NotesPane.NoteWritten)
    def _write_note(self, message: NotesPane.NoteWritten) -> None:
        message.stop()
        clear = self.query_one(NotesPane).clear_input  # the typed text goes once it is on disk
        self.post_message(WriteNote(message.text, then=clear))

    @on(Checklist.FilterChanged)
    def _checklist_filtered(self, message: Checklist.FilterChanged) -> None:
        message.stop()
        self._refresh_checklist()

    @on(Checklist.StepToggled)
    def _toggle_step(self, message: Checklist.StepToggled) -> None:
        message.stop()
        self.post_message(CheckStep(message.step_id, message.done))

    @on(MentionFeed.Opened)
    def _open_mention(self, message: MentionFeed.Opened) -> None:
        self.app.push_screen(MentionScreen(self.session, message.row))

    def action_draft(self) -> None:
        self.post_message(DraftMessage())

    def action_declare(self) -> None:
        self.post_message(DeclareIncident(manual=True))

    def set_filter(self, query: str) -> None:
        """Filter the feed: the palette's "feed: show …" commands."""
        self.query_one(MentionFeed).set_filter(query)

    def mark(
        self, mention_id: str, *, label: Label | None = None, flagged: bool | None = None
    ) -> None:
        """A person's flag or sentiment override is in the log: the feed shows it."""
        self.query_one(MentionFeed).mark(mention_id, label=label, flagged=flagged)

    def _maybe_propose(self) -> None:
        level = self.session.engine.level
        if level is Level.CRISIS and not self.session.state.declared and self._proposed_for is None:
            self._proposed_for = level
            self.post_message(DeclareIncident(manual=False))
        elif level is not Level.CRISIS:
            self._proposed_for = None
