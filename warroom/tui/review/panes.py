"""The review's panes at the cursor: the minute's figures, the checklist, the timeline so far."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import RichLog, Static
from textual.widgets.option_list import Option

from warroom.incident.state import IncidentState
from warroom.incident.state import describe_event as describe
from warroom.model import Event, EventKind
from warroom.tui.review.data import MINUTE, ReviewData, event_time
from warroom.tui.safe import clean
from warroom.tui.widgets.checklist import Checklist


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


class MinuteFigures(Static):
    """The level and its reason then, and the gauge's figures for the cursor's minute."""

    COMPONENT_CLASSES = {
        "figures--normal",
        "figures--elevated",
        "figures--crisis",
        "figures--negative",
        "figures--dim",
    }

    def __init__(self, data: ReviewData, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data = data
        self.index = 0
        self.reactions = True  # what the public made of our latest post; `r` hides it

    def show(self, index: int) -> None:
        self.index = index
        self.refresh(layout=True)  # the reason's lines and the reaction change the height

    def toggle_reactions(self) -> None:
        """Show (or hide) the public's reaction to our latest post before the cursor."""
        self.reactions = not self.reactions
        self.refresh(layout=True)

    def render(self) -> Text:
        data, index = self.data, self.index
        state = data.state_at(index)
        row = data.row(index)
        dim = self.get_component_rich_style("figures--dim")
        neg = self.get_component_rich_style("figures--negative")
        peak = self.get_component_rich_style(f"figures--{state.peak_level}")
        text = Text()
        text.append(
            f"{str(state.level).upper()} ", self.get_component_rich_style(f"figures--{state.level}")
        )
        text.append(clean(state.reason or "no level change yet", limit=300), dim)
        text.append("\n")
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("\nVolume    ", dim)
        line.append(f"{row.volume}")
        line.append(f" · {row.scored} scored", dim)
        line.append("\nSplit     ", dim)
        line.append(f"neg {row.negative}", neg)
        line.append(f" · neu {row.neutral} · pos {row.positive}")
        share = row.negative / row.scored if row.scored else None
        baseline = row.baseline_share
        high = share is not None and baseline is not None and share > baseline * 1.3 + 0.02
        line.append("\nNeg share ", dim)
        line.append(_percent(share), neg if high else "")
        line.append(f" · base {_percent(baseline)}", dim)
        line.append("\nWindow    ", dim)
        line.append(_percent(data.window_share(index)))
        line.append(f" negative, {data.rule.window_minutes} min", dim)
        done, _ = data.events_until(index)
        notes = sum(1 for e in done if e.kind is EventKind.NOTE)
        drafts = sum(1 for e in done if e.kind is EventKind.DRAFT)
        line.append("\nSteps     ", dim)
        line.append(f"{len(state.checks)} checked")
        line.append("\nLog       ", dim)
        line.append(
            f"{notes} note{'' if notes == 1 else 's'} · {drafts} draft{'' if drafts == 1 else 's'}"
        )
        line.append("\nPeak      ", dim)
        line.append(str(state.peak_level).upper(), peak)
        text.append_text(line)
        if self.reactions:
            text.append_text(self._reaction(dim))
        return text

    def _reaction(self, dim: Style) -> Text:
        """Our latest post before the cursor, and the public's 30 minutes before and after it."""
        reaction = self.data.reaction_at(self.index)
        line = Text()
        line.append("\n\nOur post  ", dim)
        if reaction is None:
            line.append("none yet", dim)
            return line
        # Short lines: the pane is narrow, and a wrapped line would push the figures out of view.
        line.append(f"{reaction.at:%H:%M}")
        line.append("\n          ")
        line.append(clean(reaction.text, limit=26), dim)
        line.append("\nReaction  ", dim)
        line.append(f"neg {_percent(reaction.before_share)} → {_percent(reaction.after_share)}")
        line.append("\n          ", dim)
        line.append(f"vol {reaction.before_volume} → {reaction.after_volume}")
        line.append("\n          30 min before → after", dim)
        return line


class ReviewChecklist(Checklist):
    """The checklist as it stood at the cursor; it cannot be focused, so nothing can be checked."""

    can_focus = False

    def show_at(self, data: ReviewData, state: IncidentState, index: int) -> None:
        """The playbook's steps with the checks made by the end of the cursor's minute."""
        now = data.minute_at(index) + MINUTE
        playbook = data.playbook_for(state)
        if playbook is not None:
            self.show(playbook, state, state.level, now)
            self.highlighted = None  # nothing is picked: the list is only read
            return
        # Without the playbook only the checks themselves are known.
        dim = self.get_component_rich_style("checklist--dim")
        problem = data.review.playbook_problem or "no playbook recorded"
        options = [Option(Text(clean(problem, limit=200), dim), disabled=True)]
        for check in state.checks.values():
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f"[✓] {clean(check.step, limit=60)}")
            line.append(f"  {clean(check.by or '?', limit=20)} {check.at:%H:%M}", dim)
            options.append(Option(line, id=check.step))
        self.progress = (len(state.checks), len(state.checks))
        self.clear_options()
        self.add_options(options)


class ReviewTimeline(RichLog):
    """The notes and system events written by the cursor's minute; later ones are hidden."""

    COMPONENT_CLASSES = {"review-notes--time", "review-notes--author", "review-notes--system"}
    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(wrap=True, markup=False, min_width=20, id=id)
        self.shown: list[Event] = []

    def show_until(self, events: list[Event], later: int) -> None:
        """Redraw: every event up to the cursor, then how many come after it."""
        if len(events) == len(self.shown) and self.lines:
            return  # most minutes add nothing to the log: keep what is drawn (and scrolled)
        self.shown = events
        self.clear()
        for event in events:
            self.write(self._line(event))
        if later:
            more = Text(f"… {later} later events after the cursor", "italic")
            more.stylize(self.get_component_rich_style("review-notes--system"))
            self.write(more)
        self.scroll_end(animate=False)

    def _line(self, event: Event) -> Text:
        line = Text()
        line.append(
            f"{event_time(event):%H:%M} ", self.get_component_rich_style("review-notes--time")
        )
        if event.kind is EventKind.NOTE:
            author = clean(event.author or "?", limit=24)
            line.append(f"{author}: ", self.get_component_rich_style("review-notes--author"))
            line.append(clean(str(event.data.get("text", "")), limit=2000))
        else:
            who = f"{clean(event.author, limit=24)} · " if event.author else ""
            system = self.get_component_rich_style("review-notes--system")
            line.append(f"{who}{clean(describe(event), limit=400)}", system)
        return line
