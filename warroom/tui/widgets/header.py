"""The top bar: brand, incident, incident clock and a severity banner that follows the level."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from warroom.model import Level
from warroom.tui.safe import clean


def clock_text(seconds: float | None) -> str:
    """`01:42:07` since declared, or `--:--:--` before."""
    if seconds is None:
        return "--:--:--"
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class IncidentHeader(Widget):
    """One line that says how bad it is; its colour is the level's (CSS classes)."""

    brand = reactive("")
    incident = reactive("")
    level = reactive(Level.NORMAL)
    elapsed: reactive[float | None] = reactive(None)
    drill = reactive(False)
    closed = reactive(False)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.drill:
            text.append(" DRILL ", "reverse bold")
            text.append(" ")
        text.append(f" {self.level.upper()} ", "bold reverse")
        # The clock comes before the names: on a narrow screen it is what must not be cut.
        if self.closed:
            text.append("  CLOSED", "bold")
        elif self.elapsed is not None:
            text.append(f"  T+{clock_text(self.elapsed)}", "bold")
        text.append(f"  {clean(self.brand, limit=40)}", "bold")
        name = clean(self.incident, limit=80) if self.incident else "watching, no incident declared"
        text.append(f"  ·  {name}")
        return text

    def watch_level(self, level: Level) -> None:
        for name in Level:
            self.set_class(name is level, f"-{name}")
