"""The notes pane: the incident timeline (notes and system events) and a line to write."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, RichLog

from warroom.incident.state import describe_event
from warroom.model import Event, EventKind
from warroom.tui.safe import PlainInput, clean

TIMELINE_LINES = 2000


class NotesPane(Widget):
    """Notes with time and author; system events interleaved in a dimmer style."""

    COMPONENT_CLASSES = {"notes--time", "notes--author", "notes--system", "notes--evidence"}

    BINDINGS = [
        Binding("escape", "leave", "Leave", show=False, id="notes.leave"),
    ]

    class NoteWritten(Message):
        """The user submitted a note."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def compose(self) -> ComposeResult:
        yield RichLog(
            max_lines=TIMELINE_LINES, wrap=True, markup=False, min_width=20, id="timeline"
        )
        yield PlainInput(
            placeholder="write a note, Enter to save", id="note-input", max_length=2000
        )

    def show(self, events: Iterable[Event]) -> None:
        """Redraw the whole timeline (on start and on resume)."""
        log = self.query_one(RichLog)
        log.clear()
        self.add(events)

    def add(self, events: Iterable[Event]) -> None:
        """Append events to the timeline."""
        log = self.query_one(RichLog)
        for event in events:
            log.write(self._line(event))

    def _line(self, event: Event) -> Text:
        time_style = self.get_component_rich_style("notes--time")
        line = Text()
        line.append(f"{_hhmm(event.at)} ", time_style)
        if event.kind is EventKind.NOTE:
            line.append(f"{signed(event)}: ", self.get_component_rich_style("notes--author"))
            line.append(clean(str(event.data.get("text", "")), limit=2000))
            if event.data.get("mention_id"):
                line.append(
                    f"  [evidence {clean(str(event.data['mention_id']), limit=80)}]",
                    self.get_component_rich_style("notes--evidence"),
                )
        else:
            system = self.get_component_rich_style("notes--system")
            who = f"{signed(event)} · " if event.author else ""
            line.append(f"{who}{clean(describe_event(event), limit=400)}", system)
        return line

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.post_message(self.NoteWritten(text))

    def clear_input(self) -> None:
        """Called once the note is on disk: only then is the typed text let go."""
        self.query_one(Input).value = ""

    def action_leave(self) -> None:
        self.screen.focus_next()


def signed(event: Event) -> str:
    """Who wrote an event: `dana (lead)` when the log has their role, else `dana`."""
    author = clean(event.author or "?", limit=24)
    role = event.data.get("role")
    if isinstance(role, str) and role.strip():  # a teammate's console wrote it: data, not trusted
        return f"{author} ({clean(role, limit=20)})"
    return author


def _hhmm(moment: datetime) -> str:
    return f"{moment:%H:%M}"
