"""The notes pane: the incident timeline (notes and system events) and a line to write."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.events import Resize
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, RichLog

from warroom.incident.state import describe_event
from warroom.model import Event, EventKind
from warroom.tui.safe import PlainInput, clean
from warroom.tui.widgets.ink import ink

TIMELINE_LINES = 2000


class Timeline(RichLog):
    """The events as wrapped lines; it keeps the events, so a new width or theme re-wraps them
    all (a RichLog alone keeps lines cut at the width they were first written at)."""

    def __init__(self, describe: Callable[[Event], Text], *, id: str | None = None) -> None:
        super().__init__(max_lines=TIMELINE_LINES, wrap=True, markup=False, min_width=20, id=id)
        self.describe = describe
        self.events: deque[Event] = deque(maxlen=TIMELINE_LINES)
        self._wrapped_at = 0  # the width the lines were wrapped at
        self._rows = 0  # the height they were last read at

    def show(self, events: Iterable[Event]) -> None:
        """Every event again, from the first."""
        self.events.clear()
        self.clear()
        self.add(events)

    def add(self, events: Iterable[Event]) -> None:
        """Events at the bottom."""
        for event in events:
            self.events.append(event)
            self.write(self.describe(event))

    def rewrap(self, *, at_end: bool | None = None) -> None:
        """Write the kept events again (the newest that fill the log) at today's width and
        styles; a log read at its end stays at its end."""
        width = self.scrollable_content_region.width
        if not width:
            return  # hidden (a narrow screen shows one pane): wrapped when it shows again
        if at_end is None:
            at_end = self.scroll_y >= self.max_scroll_y
        top = self.scroll_y
        texts = self._newest_that_fill(width)
        self.lines.clear()
        self._line_cache.clear()
        self._start_line = 0
        self._widest_line_width = 0
        for text in texts:
            self.write(text, scroll_end=False)
        self._wrapped_at = width
        self.refresh()
        # After the next refresh: only then does the scroll range know the new lines.
        if at_end:
            self.scroll_end(animate=False, immediate=False, x_axis=False)
        else:
            self.scroll_to(y=top, animate=False, immediate=False)

    def _newest_that_fill(self, width: int) -> list[Text]:
        """The newest events' lines that fill the log at `width`, oldest first: wrapping is the
        cost of a resize, and lines past the log's cap would only be dropped."""
        texts: list[Text] = []
        lines = 0
        for event in reversed(self.events):
            text = self.describe(event)
            texts.append(text)
            lines += -(-text.cell_len // width)  # at least this many once wrapped
            if lines >= TIMELINE_LINES:
                break
        texts.reverse()
        return texts

    def on_resize(self, event: Resize) -> None:
        width = self.scrollable_content_region.width
        # Whether the end was in view: by the height it was read at, or by the new one when a
        # taller pane has already pulled the scroll back to the end.
        read_at = max(0, len(self.lines) - self._rows)
        at_end = self.scroll_y >= min(read_at, self.max_scroll_y)
        self._rows = self.scrollable_content_region.height
        if not self._size_known:
            self._wrapped_at = width  # the RichLog's own handler writes what waited, at this width
        elif width != self._wrapped_at:
            self.call_after_refresh(self._rewrap_if_moved, at_end)

    def _rewrap_if_moved(self, at_end: bool) -> None:
        if self.scrollable_content_region.width != self._wrapped_at:
            self.rewrap(at_end=at_end)


class NotesPane(Widget):
    """Notes with time and author; system events interleaved in a dimmer style."""

    COMPONENT_CLASSES = {"notes--time", "notes--author", "notes--system", "notes--evidence"}

    class NoteWritten(Message):
        """The user submitted a note."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._ink: dict[str, Style] = {}  # the component styles the lines were written with

    def compose(self) -> ComposeResult:
        yield Timeline(self._line, id="timeline")
        yield PlainInput(
            placeholder="write a note, Enter to save",
            id="note-input",
            max_length=2000,
            select_on_focus=False,  # coming back to a half-written note continues it
        )

    def show(self, events: Iterable[Event]) -> None:
        """Redraw the whole timeline (on start and on resume)."""
        self.query_one(Timeline).show(events)

    def add(self, events: Iterable[Event]) -> None:
        """Append events to the timeline."""
        self.query_one(Timeline).add(events)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A new theme: the lines already written carry the old theme's colours.
        if self.is_mounted and self._ink:
            self.call_after_refresh(self._restyle)

    def _current_ink(self) -> dict[str, Style]:
        return {name: ink(self, name) for name in self.COMPONENT_CLASSES}

    def _restyle(self) -> None:
        if self._current_ink() != self._ink:
            self._ink = {}
            self.query_one(Timeline).rewrap()

    def _line(self, event: Event) -> Text:
        styles = self._ink or self._current_ink()
        self._ink = styles
        line = Text()
        line.append(f"{_hhmm(event.at)} ", styles["notes--time"])
        if event.kind is EventKind.NOTE:
            line.append(f"{signed(event)}: ", styles["notes--author"])
            line.append(clean(str(event.data.get("text", "")), limit=2000))
            if event.data.get("mention_id"):
                line.append(
                    f"  [evidence {clean(str(event.data['mention_id']), limit=80)}]",
                    styles["notes--evidence"],
                )
        else:
            who = f"{signed(event)} · " if event.author else ""
            line.append(f"{who}{clean(describe_event(event), limit=400)}", styles["notes--system"])
        return line

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.post_message(self.NoteWritten(text))

    def clear_input(self) -> None:
        """Called once the note is on disk: only then is the typed text let go."""
        self.query_one(Input).value = ""


def signed(event: Event) -> str:
    """Who wrote an event: `dana (lead)` when the log has their role, else `dana`."""
    author = clean(event.author or "?", limit=24)
    role = event.data.get("role")
    if isinstance(role, str) and role.strip():  # a teammate's console wrote it: data, not trusted
        return f"{author} ({clean(role, limit=20)})"
    return author


def _hhmm(moment: datetime) -> str:
    return f"{moment:%H:%M}"
