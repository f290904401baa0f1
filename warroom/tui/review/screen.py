"""The review screen: a stored incident, read-only, scrubbed minute by minute with a cursor."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from warroom.incident.state import IncidentState
from warroom.model import Level
from warroom.review.document import duration_text
from warroom.tui.review.data import ReviewData
from warroom.tui.review.index import MinuteIndex
from warroom.tui.review.panes import MinuteFigures, ReviewChecklist, ReviewTimeline
from warroom.tui.review.timeline_chart import TimelineChart
from warroom.tui.safe import clean, plain
from warroom.tui.widgets.header import clock_text

READ_ONLY = "review is read-only: open the incident with `warroom watch` or `demo` to change it"
KEYS_HELP = "←/→ 1 min · shift+←/→ or PgUp/PgDn 10 min · Home/End · Enter: the minute's mentions"


def _utc(moment: object) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S} UTC"


class ReviewScreen(Screen[None]):
    """Every pane shows the incident as it stood at the cursor's minute."""

    BINDINGS = [
        Binding("left", "move(-1)", "−1 min", id="review.back", tooltip="One minute earlier"),
        Binding("right", "move(1)", "+1 min", id="review.forward", tooltip="One minute later"),
        Binding("shift+left,pageup", "move(-10)", "−10 min", show=False, id="review.back10"),
        Binding("shift+right,pagedown", "move(10)", "+10 min", show=False, id="review.forward10"),
        Binding("home", "jump(0)", "Start", show=False, id="review.start"),
        Binding("end", "jump(-1)", "End", show=False, id="review.end"),
        Binding("enter", "mentions", "Mentions", id="review.mentions", tooltip="This minute's"),
        Binding("space,x,c", "check", "Check", show=False, id="review.check"),
        Binding("n", "note", "Note", show=False, id="review.note"),
        Binding(
            "r",
            "reactions",
            "Reactions",
            show=False,
            id="review.reactions",
            tooltip="The public's reaction to our latest post before the cursor",
        ),
        Binding("q,escape", "app.quit", "Quit", id="review.quit", tooltip="Leave the review"),
    ]

    cursor = reactive(0, init=False)

    def __init__(self, data: ReviewData, index: MinuteIndex) -> None:
        super().__init__()
        self.data = data
        self.index = index
        self.set_reactive(ReviewScreen.cursor, data.start_index())

    def compose(self) -> ComposeResult:
        yield Static("", id="review-header")
        yield Static("", id="review-times")
        with Vertical(id="chart-pane", classes="review-pane"):
            yield TimelineChart(self.data, id="chart")
        with Horizontal(id="review-panes"):
            with Vertical(id="moment-pane", classes="review-pane"):
                yield MinuteFigures(self.data, id="figures")
            with Vertical(id="review-checklist-pane", classes="review-pane"):
                yield ReviewChecklist(id="review-checklist")
            with Vertical(id="timeline-pane", classes="review-pane"):
                yield ReviewTimeline(id="review-timeline")
        yield Static(KEYS_HELP, id="review-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#timeline-pane").border_title = "Timeline and notes"
        self.query_one("#review-times", Static).update(self._times_line())
        self.query_one(TimelineChart).focus()
        self._draw()

    # -- drawing -----------------------------------------------------------------------------

    def watch_cursor(self) -> None:
        self._draw()

    def _draw(self) -> None:
        data, index = self.data, self.cursor
        state = data.state_at(index)
        with self.app.batch_update():
            self.query_one(TimelineChart).cursor = index
            self._draw_header(state)
            self.query_one(MinuteFigures).show(index)
            self.query_one("#moment-pane").border_title = f"At {data.minute_at(index):%H:%M} UTC"
            checklist = self.query_one(ReviewChecklist)
            checklist.show_at(data, state, index)
            done, total = checklist.progress
            playbook = data.playbook_for(state)
            name = clean(playbook.name, limit=30) if playbook else "playbook unknown"
            title = f"Checklist · {name} · {done}/{total} then"
            self.query_one("#review-checklist-pane").border_title = plain(title)
            events, later = data.events_until(index)
            self.query_one(ReviewTimeline).show_until(events, later)

    def _draw_header(self, state: IncidentState) -> None:
        data, level = self.data, state.level
        meta = data.meta
        moment = data.minute_at(self.cursor)
        elapsed = state.elapsed(moment)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" REVIEW (read-only) ", "reverse bold")
        if meta.drill:
            text.append("  DRILL ", "bold")
        text.append(f"  {str(level).upper()} ", "bold reverse")
        text.append(f"  {moment:%Y-%m-%d %H:%M} UTC", "bold")
        text.append(f"  T+{clock_text(elapsed)}", "bold")
        if state.closed_at is not None:
            text.append("  CLOSED", "bold")
        text.append(f"  {clean(data.review.state.name or meta.name, limit=80)}")
        header = self.query_one("#review-header", Static)
        header.update(text)
        for name_ in Level:
            header.set_class(name_ is level, f"-{name_}")

    def _times_line(self) -> Text:
        state = self.data.review.state
        open_for = None
        if state.declared_at is not None and state.closed_at is not None:
            open_for = state.closed_at - state.declared_at
        by = f" by {clean(state.declared_by, limit=24)}" if state.declared_by else ""
        brand = clean(self.data.meta.brand or "no brand", limit=40)
        line = (
            f"{brand} · declared {_utc(state.declared_at)}{by} · closed {_utc(state.closed_at)}"
            f" · open {duration_text(open_for)} · {self.data.review.aggregates.mentions:,} mentions"
        )
        return Text(line, no_wrap=True, overflow="ellipsis")

    # -- keys --------------------------------------------------------------------------------

    def action_move(self, minutes: int) -> None:
        self.cursor = max(0, min(self.data.minutes - 1, self.cursor + minutes))

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else self.data.minutes - 1

    @on(TimelineChart.Rescaled)
    def _rescaled(self, message: TimelineChart.Rescaled) -> None:
        self.query_one("#chart-pane").border_title = (
            f"Volume and negative share · {message.per_column} min a column · "
            "▶ declared  ✓ step checked  ✉ message drafted  ■ closed"
        )

    @on(TimelineChart.Clicked)
    def _clicked(self, message: TimelineChart.Clicked) -> None:
        self.cursor = message.index

    def action_reactions(self) -> None:
        self.query_one(MinuteFigures).toggle_reactions()

    def action_mentions(self) -> None:
        from warroom.tui.review.minute_mentions import MinuteMentionsScreen

        self.app.push_screen(MinuteMentionsScreen(self.index, self.data.minute_at(self.cursor)))

    def action_check(self) -> None:
        self._refuse()

    def action_note(self) -> None:
        self._refuse()

    @on(ReviewChecklist.StepToggled)
    def _toggled(self, message: ReviewChecklist.StepToggled) -> None:
        message.stop()
        self._refuse()

    def _refuse(self) -> None:
        self.query_one("#review-status", Static).update(READ_ONLY)
        self.notify(READ_ONLY, severity="warning")
