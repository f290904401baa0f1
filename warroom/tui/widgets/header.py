"""The top bar: brand, incident, incident clock and a severity banner that follows the level;
in team mode, who is on at its right."""

from __future__ import annotations

import re

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from warroom.model import Level
from warroom.tui.safe import clean

# The replica's status line: `team: 3 on · <people> · ingest: <holder> · team link up…`.
_TEAM_COUNT = re.compile(r"^team: (\d+) on")
_INGEST = " · ingest: "
_LINK = " · team link "


def clock_text(seconds: float | None) -> str:
    """`01:42:07` since declared, or `--:--:--` before."""
    if seconds is None:
        return "--:--:--"
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def team_marker(status: str) -> str:
    """The header's few words from the team's status line: `team: 3 on · ingest dana`, and
    `· link down` while it is; the status line keeps the names and the detail."""
    found = _TEAM_COUNT.match(status)
    if found is None:
        return ""
    words = [f"team: {found.group(1)} on"]
    # Names are teammates' data and may hold anything: the holder is the last `ingest:` part.
    start = status.rfind(_INGEST)
    end = status.rfind(_LINK)
    if start >= 0 and end > start:
        words.append(f"ingest {clean(status[start + len(_INGEST) : end], limit=16)}")
    if end >= 0 and status.startswith("down", end + len(_LINK)):
        words.append("link down")
    return " · ".join(words)


class IncidentHeader(Widget):
    """One line that says how bad it is; its colour is the level's (CSS classes)."""

    brand = reactive("")
    incident = reactive("")
    level = reactive(Level.NORMAL)
    elapsed: reactive[float | None] = reactive(None)
    drill = reactive(False)
    closed = reactive(False)
    team = reactive("")  # `team: 3 on · ingest dana` in team mode, else empty

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
        if self.team:
            text = self._with_team(text)
        return text

    def _with_team(self, text: Text) -> Text:
        """The team marker at the right; the incident's name gives way to it, not the clock."""
        team = Text(f" {clean(self.team, limit=40)} ", "bold")
        width = self.size.width
        room = width - team.cell_len - 1
        if room < 24:  # too narrow for both: the level and the clock matter more
            return text
        if text.cell_len > room:
            text.truncate(room - 1)
            text.append("…")
        text.append(" " * (width - text.cell_len - team.cell_len))
        text.append_text(team)
        return text

    def watch_level(self, level: Level) -> None:
        for name in Level:
            self.set_class(name is level, f"-{name}")
