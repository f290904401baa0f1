"""The wall screen: for the big screen in the crisis room, readable from a few metres away."""

from __future__ import annotations

from collections.abc import Reversible
from datetime import datetime
from itertools import islice
from time import monotonic

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Static

from warroom.detection.signals import Gauge
from warroom.incident.engine import EngineUpdate
from warroom.incident.session import Session
from warroom.incident.state import IncidentState
from warroom.model import Level, ScoredMention
from warroom.playbook import Playbook, Step
from warroom.tui.safe import clean, plain
from warroom.tui.widgets.bigtext import BigText, rows_at
from warroom.tui.widgets.checklist import deadline_words, due_order
from warroom.tui.widgets.feed import relative_time
from warroom.tui.widgets.feed_rows import repeat_key
from warroom.tui.widgets.figures import (
    FIGURES,
    FigureTile,
    declared_figure,
    negative_share_figure,
    recent_figure,
    volume_figure,
)

MENTION_LINES = 5
STEP_LINES = 4
# Mentions the wall looks back through for the latest distinct ones (the deque holds 500).
LOOK_BACK = 300
DRAW_SECONDS = 0.5  # what arrived is drawn at most this often; the gauge is costly
CLOCK_SECONDS = 1.0  # the incident clock and the deadlines move on at least this often
# Below these the wall is small type (the 80x24 terminal); above, the room's big screen.
SMALL_WIDTH, SMALL_HEIGHT = 100, 30
LARGE_WIDTH, LARGE_HEIGHT = 160, 50
# Rows the level's letters may take, and each figure's, for the small, medium and large wall.
LEVEL_ROWS = {"small": rows_at(1), "medium": rows_at(3), "large": rows_at(7)}
FIGURE_ROWS = {"small": rows_at(1), "medium": rows_at(2), "large": rows_at(3)}


def latest_negative(
    negative: Reversible[ScoredMention], count: int = MENTION_LINES
) -> list[tuple[ScoredMention, int]]:
    """The latest distinct negative mentions, newest first, each with how many copies it has
    among the latest (one post repeated twelve times is one line, ×12)."""
    latest: dict[str, ScoredMention] = {}
    copies: dict[str, int] = {}
    for item in islice(reversed(negative), LOOK_BACK):
        key = repeat_key(item)  # the feed's rule: one post repeated is one row there too
        if key in copies:
            copies[key] += 1
        elif len(latest) < count:
            latest[key] = item
            copies[key] = 1
    return [(item, copies[key]) for key, item in latest.items()]


def next_steps(
    playbook: Playbook, state: IncidentState, level: Level, count: int = STEP_LINES
) -> list[Step]:
    """The unchecked steps that apply, soonest deadline first (closing checks its own)."""
    worst = max(level, state.peak_level, key=lambda each: each.rank)
    due, _, _ = due_order(playbook.steps, state.checks, worst)  # the checklist's order
    return [step for step in due if step.on != "closed"][:count]


def mention_line(item: ScoredMention, copies: int, now: datetime) -> Content:
    """`3m ago  @author  text ×2`: one line, the text as its characters."""
    mention = item.mention
    ago = relative_time(mention.created_at, now)
    parts: list[str | tuple[str, str]] = [(f"{ago if ago == 'now' else ago + ' ago':>7}  ", "dim")]
    if mention.author:
        parts.append((f"@{clean(mention.author, limit=24)}  ", "bold"))
    parts.append(clean(mention.text, limit=400))
    if copies > 1:
        parts.append((f"  ×{copies}", "bold"))
    return Content.assemble(*parts)


def step_line(step: Step, state: IncidentState, now: datetime) -> tuple[Content, str]:
    """`▲ 5m late  Title  owner` and the deadline's kind (late, soon, dim) for the line's style."""
    words, kind = deadline_words(step, state.declared_at, now)
    marker = "▲ " if kind == "late" else "  "
    return (
        Content.assemble(
            f"{marker}{words:>11}  ",
            (clean(step.title, limit=120), "bold"),
            (f"  {clean(step.owner, limit=24)}", "italic"),
        ),
        kind,
    )


class WallScreen(Screen[None]):
    """The level as a banner, the figures that matter in large type, the latest evidence and
    the next steps; it follows the session as the panes do. Escape or `w`: back to the panes."""

    DEFAULT_CSS = """
    WallScreen {
        layout: vertical;
        background: $background;
    }
    #wall-top {
        height: 1;
        background: $panel;
        color: $text;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #wall-level {
        height: auto;
        padding: 1 2 0 2;
        background: $success-darken-2;
        color: $text;
    }
    WallScreen.-elevated #wall-level {
        background: $warning-darken-1;
    }
    WallScreen.-crisis #wall-level {
        background: $error;
    }
    #wall-word {
        content-align: center middle;
    }
    #wall-reason {
        height: auto;
        max-height: 2;
        margin-top: 1;
        text-align: center;
        text-style: bold;
    }
    #wall-figures {
        height: auto;
    }
    .figure {
        width: 1fr;
        height: auto;
        border: round $panel-lighten-2;
    }
    .figure.-alarm {
        border: heavy $error;
    }
    .figure-caption {
        width: 1fr;
        text-align: center;
        color: $text-muted;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    .figure.-alarm .figure-value {
        color: $error;
    }
    .figure-note {
        width: 1fr;
        text-align: center;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    .figure.-alarm .figure-note {
        color: $error;
        text-style: bold;
    }
    #wall-lists {
        height: 1fr;
    }
    .wall-list {
        width: 1fr;
        height: 1fr;
        border: round $panel-lighten-2;
        border-title-style: bold;
        border-title-color: $text;
        padding: 0 1;
        overflow: hidden hidden;
    }
    .wall-line {
        width: 1fr;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #wall-trending {
        color: $text-muted;
    }
    .step.-late {
        background: $error;
        color: $text;
        text-style: bold;
    }
    .step.-soon {
        color: $warning;
        text-style: bold;
    }
    .step.-done {
        color: $text-muted;
    }

    /* NO_COLOR turns red into grey, darker than plain text: the alarms are made the brightest,
       the rest muted, so an alarm still reads first. */
    WallScreen.-no-color .figure-value {
        color: $text-muted;
    }
    WallScreen.-no-color .figure.-alarm .figure-value,
    WallScreen.-no-color .figure.-alarm .figure-note {
        color: $text;
    }

    /* The big screen: room between the lines. */
    WallScreen.-large #wall-level {
        padding: 2 2 1 2;
    }
    WallScreen.-large .wall-line {
        margin-bottom: 1;
    }
    WallScreen.-large .wall-list {
        padding: 1 2;
    }

    /* A small terminal: no frames round the figures (the ▲ and the colour mark an alarm),
       the two lists one above the other. */
    WallScreen.-small #wall-level {
        padding: 0 1;
    }
    WallScreen.-small #wall-reason {
        margin-top: 0;
        max-height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WallScreen.-small .figure {
        border: none;
    }
    WallScreen.-small .figure.-alarm {
        border: none;
    }
    WallScreen.-small #wall-lists {
        layout: vertical;
    }
    WallScreen.-small #wall-steps {
        height: auto;
    }
    """

    BINDINGS = [
        Binding("escape", "leave", "Back to the panes", id="wall.leave", tooltip="The panes"),
        Binding("w", "leave", "Panes", show=False, id="wall.toggle", tooltip="The panes"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._dirty = True
        self._drawn = -CLOCK_SECONDS

    def compose(self) -> ComposeResult:
        yield Static("", id="wall-top")
        with Vertical(id="wall-level"):
            yield BigText(id="wall-word")
            yield Static("", id="wall-reason")
        with Horizontal(id="wall-figures"):
            for key, caption in FIGURES:
                yield FigureTile(key, caption)
        with Horizontal(id="wall-lists"):
            with Vertical(id="wall-evidence", classes="wall-list"):
                yield Static("", id="wall-trending", classes="wall-line")
                for _ in range(MENTION_LINES):
                    yield Static("", classes="wall-line mention")
            with Vertical(id="wall-steps", classes="wall-list"):
                for _ in range(STEP_LINES):
                    yield Static("", classes="wall-line step")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#wall-evidence").border_title = "Latest negative mentions"
        self.set_class(self.app.no_color, "-no-color")
        self.session.engine.listeners.append(self._collect)
        self._size_for(self.app.size.width, self.app.size.height)
        self.draw()
        self.set_interval(DRAW_SECONDS, self._maybe_draw, name="wall-draw")

    def on_unmount(self) -> None:
        listeners = self.session.engine.listeners
        if self._collect in listeners:
            listeners.remove(self._collect)

    def _collect(self, update: EngineUpdate) -> None:
        # Called on every batch: only note it; drawing waits for the next frame.
        if update.mentions or update.level_changes or update.events:
            self._dirty = True

    def _maybe_draw(self) -> None:
        if self._dirty or monotonic() - self._drawn >= CLOCK_SECONDS:
            self.draw()

    def action_leave(self) -> None:
        self.dismiss()

    # -- layout ------------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._size_for(event.size.width, event.size.height)

    def _size_for(self, width: int, height: int) -> None:
        if width < SMALL_WIDTH or height < SMALL_HEIGHT:
            size = "small"
        elif width >= LARGE_WIDTH and height >= LARGE_HEIGHT:
            size = "large"
        else:
            size = "medium"
        for name in LEVEL_ROWS:
            self.set_class(name == size, f"-{name}")
        word = self.query_one("#wall-word", BigText)
        word.max_rows = LEVEL_ROWS[size]
        # As high as the largest level word: the figures do not move when the level changes.
        word.styles.height = LEVEL_ROWS[size]
        for value in self.query(".figure-value").results(BigText):
            value.max_rows = FIGURE_ROWS[size]

    # -- drawing -----------------------------------------------------------------------------

    def draw(self) -> None:
        """Redraw everything from the session: level, figures, mentions, steps."""
        self._dirty = False
        self._drawn = monotonic()
        session = self.session
        gauge = session.engine.signals.gauge()
        level = session.engine.level
        state = session.state
        now = session.clock.now()
        with self.app.batch_update():
            self._draw_top(state)
            self._draw_level(level, gauge, state)
            figures = {
                "negative": negative_share_figure(gauge),
                "volume": volume_figure(gauge),
                "recent": recent_figure(gauge),
                "declared": declared_figure(state, now),
            }
            for key, figure in figures.items():
                self.query_one(f"#figure-{key}", FigureTile).show(figure)
            self._draw_evidence(gauge, now)
            self._draw_steps(state, level, now)

    def _draw_top(self, state: IncidentState) -> None:
        session = self.session
        parts = [" DRILL ·" if session.drill else ""]
        parts.append(f" {clean(session.brand, limit=40)}")
        if state.declared:
            parts.append(f" · {clean(state.name, limit=100)}")
            if state.closed_at is not None:
                parts.append(" · CLOSED")
        else:
            parts.append(" · watching, no incident declared")
        self.query_one("#wall-top", Static).update(Content("".join(parts)))

    def _draw_level(self, level: Level, gauge: Gauge, state: IncidentState) -> None:
        for each in Level:
            self.set_class(each is level, f"-{each}")
        self.query_one("#wall-word", BigText).text = str(level).upper()
        # A console that follows a teammate shows their level: its reason is in the log.
        reason = gauge.reason if gauge.level is level else state.reason
        self.query_one("#wall-reason", Static).update(plain(reason, limit=300))

    def _draw_evidence(self, gauge: Gauge, now: datetime) -> None:
        trending = "  ".join(clean(term.term, limit=30) for term in gauge.trending[:6])
        self.query_one("#wall-trending", Static).update(
            Content(f"trending: {trending}" if trending else "trending: nothing stands out")
        )
        latest = latest_negative(self.session.recent_negative)
        lines = list(self.query(".mention").results(Static))
        for line, entry in zip(lines, [*latest, *[None] * len(lines)], strict=False):
            line.display = entry is not None
            if entry is not None:
                line.update(mention_line(*entry, now))
        if not latest:
            lines[0].display = True
            lines[0].update(Content("no negative mention yet"))

    def _draw_steps(self, state: IncidentState, level: Level, now: datetime) -> None:
        playbook = self.session.playbook
        steps = next_steps(playbook, state, level)
        done = sum(step.id in state.checks for step in playbook.steps)
        total = len(playbook.steps)
        title = "Next steps" if state.declared else "First steps, once declared"
        self.query_one("#wall-steps").border_title = f"{title} · {done}/{total} done"
        lines = list(self.query(".step").results(Static))
        for line, step in zip(lines, [*steps, *[None] * len(lines)], strict=False):
            line.display = step is not None
            if step is not None:
                content, kind = step_line(step, state, now)
                line.update(content)
                for each in ("late", "soon", "dim"):
                    line.set_class(each == kind, f"-{each}")
        lines[0].set_class(not steps, "-done")
        if not steps:
            lines[0].display = True
            lines[0].update(Content("every step that applies is checked"))
