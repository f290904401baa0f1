"""The war-room screen: header, the four panes, the sources' status line and the footer."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.css.query import NoMatches
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Static, TextArea

from warroom.incident.engine import EngineUpdate
from warroom.incident.session import Session
from warroom.live.sources.base import SourceState
from warroom.model import Event, EventKind, Label, Level, ScoredMention
from warroom.tui.messages import CheckStep, DeclareIncident, DraftMessage, WriteNote
from warroom.tui.safe import PlainInput, clean, plain
from warroom.tui.screens.mention import MentionScreen
from warroom.tui.screens.wall import WallScreen
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
# The screen's own keys are single characters: while a line is being typed they are not offered.
TYPED_ACTIONS = frozenset({"filter", "write_note", "declare", "draft", "pane", "wall"})


class MainScreen(Screen[None]):
    """Everything the team needs at a glance; what changes is drawn at most ten times a second."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="feed.filter", tooltip="Filter the mentions"),
        Binding("n", "write_note", "Note", id="notes.write", tooltip="Write a note"),
        Binding("d", "declare", "Declare", id="incident.declare", tooltip="Declare an incident"),
        Binding("m", "draft", "Draft", id="message.draft", tooltip="Draft a message"),
        Binding("w", "wall", "Wall", show=False, id="view.wall", tooltip="The big-screen view"),
        Binding("1", "pane('feed')", "Feed", show=False, id="pane.feed", tooltip="The mentions"),
        Binding("2", "pane('gauge')", "Gauge", show=False, id="pane.gauge", tooltip="Sentiment"),
        Binding("3", "pane('checklist')", "Checklist", show=False, id="pane.checklist"),
        Binding("4", "pane('notes')", "Notes", show=False, id="pane.notes", tooltip="Write a note"),
        # Escape backs out one level, whatever has focus: priority, so no widget keeps it.
        # Each is offered only where it does something, with the words for what it does there.
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            priority=True,
            id="feed.clear_filter",
            tooltip="In the filter line or on a filtered feed: every mention again",
        ),
        Binding(
            "escape",
            "leave_note",
            "Back",
            priority=True,
            id="notes.back",
            tooltip="Leave the note line; what was typed stays there, unsaved",
        ),
        Binding(
            "escape",
            "back_to_feed",
            "Feed",
            show=False,  # the footer has more pressing keys to show; help lists it
            priority=True,
            id="pane.back",
            tooltip="From another pane, back to the mentions",
        ),
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
        # The pane widget that last had focus: where focus goes back when a line is done with.
        self._came_from: Widget | None = None

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
        self.query_one(MentionFeed).add(self.session.recent, marks=self.session.state)
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
                self._mark_feed(events)
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

    def _mark_feed(self, events: list[Event]) -> None:
        """Flags and overrides on the rows they name, a teammate's too (own ones are marked
        already, once in the log: marking again changes nothing)."""
        state, feed = self.session.state, self.query_one(MentionFeed)
        for event in events:
            mention_id = str(event.data.get("mention_id", ""))
            if event.kind is EventKind.FLAGGED:
                feed.mark(mention_id, flagged=mention_id in state.flagged)
            elif event.kind is EventKind.SENTIMENT_OVERRIDDEN:
                label = state.overrides.get(mention_id)
                if label is not None:
                    feed.mark(mention_id, label=label)

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
        if checklist.by_phase:
            title += " · by phase"
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
        parts.append(f"{stats.ingested:,} in this run ({stats.duplicates:,} re-sent, dropped)")
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
        # The feed says what it counts (in memory, shown, new above); its text is typed: plain.
        self.query_one("#feed-pane").border_title = plain(self.query_one(MentionFeed).title())

    # -- layout ------------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW_WIDTH or event.size.height < NARROW_HEIGHT
        self.set_class(narrow, "-narrow")
        # Narrow, the footer drops its spacing and the palette key (help lists it) so that
        # q Quit and ? Help still fit after the focused pane's keys.
        footer = self.query_one(Footer)
        if footer.compact != narrow:
            footer.compact = narrow
            footer.show_command_palette = not narrow
            footer.refresh(recompose=True)

    def action_pane(self, pane: str) -> None:
        """Show (narrow) or focus (wide) one pane."""
        self._show_pane(pane)
        target = {
            "feed": "#feed",
            "gauge": "#gauge",
            "checklist": "#checklist",
            "notes": "#note-input",
        }
        widget = self.query_one(target[pane])
        if widget.can_focus:
            widget.focus()

    def _show_pane(self, pane: str) -> None:
        self.active_pane = pane
        for name in PANES:
            self.query_one(f"#{name}-pane").set_class(name == pane, "-active")
        self._refresh_tabs()

    # -- focus: where it goes back to, and what Escape does ----------------------------------

    @property
    def typing(self) -> bool:
        """Whether a line of text has the keys: single-letter keys then type, not act."""
        return isinstance(self.focused, (Input, TextArea))

    @property
    def unsaved_note(self) -> str:
        """The note typed in the note line and not saved yet ("" when there is none)."""
        return self.query_one("#note-input", Input).value.strip()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if not isinstance(event.widget, (Input, TextArea)):
            self._came_from = event.widget
        self._mark_unsaved_note()

    def go_back(self) -> None:
        """Focus the pane widget that had it before a line was typed (the feed by default)."""
        widget = self._came_from
        if widget is None or not widget.is_attached or widget.screen is not self:
            widget = self.query_one(MentionFeed)
        for pane in PANES:
            if self.query_one(f"#{pane}-pane") in widget.ancestors:
                self._show_pane(pane)
        widget.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in TYPED_ACTIONS:
            return not self.typing
        if action not in ("clear_filter", "leave_note", "back_to_feed"):
            return True
        focused = self.focused
        try:
            feed = self.query_one(MentionFeed)
        except NoMatches:  # asked before the panes are composed
            return False
        if action == "clear_filter":
            filtering = focused is feed and feed.filter.active
            return filtering or focused is self.query_one("#filter")
        if action == "leave_note":
            return focused is self.query_one("#note-input")
        return focused is not feed and not self.typing  # focus may be nowhere (a hidden pane)

    def action_clear_filter(self) -> None:
        """Escape in the filter line or on a filtered feed: every mention again."""
        self.set_filter("")

    def action_leave_note(self) -> None:
        """Escape in the note line: back where it came from; what was typed stays in the line."""
        self.go_back()
        if self.unsaved_note and self.has_class("-narrow"):  # the notes pane is out of sight
            self.notify("Your note is kept, not saved yet: n to finish it, Enter saves it.")

    def action_back_to_feed(self) -> None:
        self.action_pane("feed")

    def _mark_unsaved_note(self) -> None:
        """A note typed and left unsaved is said on its pane's border until it is saved."""
        note = self.query_one("#note-input", Input)
        waiting = bool(note.value.strip()) and self.focused is not note
        pane = self.query_one("#notes-pane")
        pane.border_subtitle = "note not saved · n to finish it" if waiting else ""

    # -- the team's actions ------------------------------------------------------------------

    def action_filter(self) -> None:
        self.action_pane("feed")
        field = self.query_one("#filter", Input)
        field.add_class("-visible")
        field.focus()

    @on(Input.Submitted, "#filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        event.stop()
        self.set_filter(event.value)

    def set_filter(self, query: str) -> None:
        """Filter the feed and show it, focused: `/` then Enter, Escape, the palette's filters."""
        self.query_one(MentionFeed).set_filter(query)
        field = self.query_one("#filter", Input)
        field.value = query
        field.set_class(bool(query.strip()), "-visible")  # shown while it filters, to edit
        self.action_pane("feed")
        self.refresh_bindings()  # Esc clears a filter only while there is one: the footer says so

    def action_write_note(self) -> None:
        self.action_pane("notes")

    @on(NotesPane.NoteWritten)
    def _write_note(self, message: NotesPane.NoteWritten) -> None:
        message.stop()
        notes = self.query_one(NotesPane)

        def saved() -> None:  # the typed text goes only once it is on disk; then so does focus
            notes.clear_input()
            if self.focused is self.query_one("#note-input"):
                self.go_back()
            self._mark_unsaved_note()

        self.post_message(WriteNote(message.text, then=saved))

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

    def action_wall(self) -> None:
        """The wall screen, over the panes: Escape or w comes back to them."""
        if not isinstance(self.app.screen, WallScreen):  # asked from the wall: it is up already
            self.app.push_screen(WallScreen(self.session))

    def action_draft(self) -> None:
        self.post_message(DraftMessage())

    def action_declare(self) -> None:
        self.post_message(DeclareIncident(manual=True))

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
