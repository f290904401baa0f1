"""The checklist: the playbook's steps, what is due next first, with owner, deadline and checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom.incident.state import Check, IncidentState
from warroom.model import Level
from warroom.playbook import Playbook, Step
from warroom.tui.safe import clean
from warroom.tui.widgets.ink import ink

# Up to this many minutes a span reads in minutes ("due in 85m"); past it, in hours ("1h58m").
MINUTES_UP_TO = 90
SOON_SECONDS = 600
DONE_MARK = "[✓]"


def span_words(minutes: int) -> str:
    """`45m` up to 90 minutes, then `1h58m` / `2h`, and `2d3h` past two days."""
    if minutes <= MINUTES_UP_TO:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return f"{days}d{hours}h" if hours else f"{days}d"
    return f"{hours}h{rest:02d}m" if rest else f"{hours}h"


def deadline_words(step: Step, started: datetime | None, now: datetime) -> tuple[str, str]:
    """("due in 1h58m" | "due now" | "just late" | "2h late" | "T+30m", style key) for a step."""
    if started is None:
        return f"T+{span_words(step.due_minutes)}", "dim"
    seconds = (step.deadline(started) - now).total_seconds()
    if seconds >= 60:
        return (
            f"due in {span_words(int(seconds // 60))}",
            "soon" if seconds < SOON_SECONDS else "dim",
        )
    if seconds >= 0:
        return "due now", "soon"
    if seconds > -60:
        return "just late", "late"
    return f"{span_words(int(-seconds // 60))} late", "late"


def due_order(
    steps: Iterable[Step], checks: dict[str, Check], level: Level
) -> tuple[list[Step], list[Step], list[Step]]:
    """The open steps that apply at `level` by deadline, the open ones that do not (by deadline),
    and the done ones, the latest checked first; ties keep the playbook's order."""
    due: list[Step] = []
    waiting: list[Step] = []
    done: list[Step] = []
    for step in steps:
        if step.id in checks:
            done.append(step)
        elif level in step.levels:
            due.append(step)
        else:
            waiting.append(step)
    due.sort(key=lambda step: step.due_minutes)
    waiting.sort(key=lambda step: step.due_minutes)
    done.sort(key=lambda step: checks[step.id].at, reverse=True)
    return due, waiting, done


class Checklist(OptionList):
    """Space or Enter checks the highlighted step; checking again unchecks it; `o` shows only
    the steps of the operator's role; `p` switches between what is due next and the playbook's
    phases."""

    BINDINGS = [
        Binding("space,enter,x", "check", "Check", id="checklist.toggle", tooltip="Check a step"),
        Binding(
            "o",
            "mine",
            "Only mine",
            id="checklist.mine",
            tooltip="Show only my role's steps, or every step again",
        ),
        Binding(
            "p",
            "by_phase",
            "By phase",
            id="checklist.phases",
            tooltip="Show the steps by the playbook's phases, or what is due next first again",
        ),
    ]

    COMPONENT_CLASSES = OptionList.COMPONENT_CLASSES | {
        "checklist--done",
        "checklist--late",
        "checklist--late-title",
        "checklist--soon",
        "checklist--dim",
        "checklist--heading",
    }
    # Urgency is carried by a mark, weight and reverse as well as colour (NO_COLOR, 16 colours);
    # headings are structure, not alarms: neutral and underlined. Light themes get darker
    # alarms; without colour (NO_COLOR) late steps keep full ink, never a dim grey.
    DEFAULT_CSS = """
    Checklist > .checklist--done {
        color: $success;
    }
    Checklist > .checklist--late {
        color: $error-lighten-2;
        text-style: bold reverse;
    }
    Checklist > .checklist--late-title {
        color: $error-lighten-2;
        text-style: bold;
    }
    Checklist > .checklist--soon {
        color: $text-warning;
        text-style: bold;
    }
    Checklist > .checklist--dim {
        color: $text-muted;
    }
    Checklist > .checklist--heading {
        color: $foreground;
        text-style: bold underline;
    }
    App:light Checklist > .checklist--late, App:light Checklist > .checklist--late-title {
        color: $error-darken-2;
    }
    App:light Checklist > .checklist--done {
        color: $text-success;
    }
    App:nocolor Checklist > .checklist--late, App:nocolor Checklist > .checklist--late-title {
        color: $foreground;
    }
    """
    SCOPED_CSS = False  # the rules above name the app's theme (App:light, App:nocolor)

    class FilterChanged(Message):
        """The user switched between every step and only their role's."""

    class StepToggled(Message):
        """The user checked or unchecked a step."""

        def __init__(self, step_id: str, done: bool) -> None:
            super().__init__()
            self.step_id = step_id
            self.done = done

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.playbook: Playbook | None = None
        self.progress = (0, 0)
        # The operator's role (set by the screen) and whether only its steps are shown.
        self.role: str | None = None
        self.only_mine = False
        self.by_phase = False  # the playbook's order and phases, instead of what is due next
        self.mine_progress = (0, 0)
        self._drawn: list[str] = []
        self._drawn_with: list[Style] = []  # the styles the rows were drawn in
        self._last: tuple[Playbook, IncidentState, Level, datetime] | None = None

    @property
    def filtered(self) -> bool:
        """Whether only the role's steps are shown."""
        return self.only_mine and self.role is not None

    def _style(self, key: str) -> Style:
        return ink(self, f"checklist--{key}")

    def _inks(self) -> list[Style]:
        return [
            ink(self, name)
            for name in sorted(self.COMPONENT_CLASSES)
            if name.startswith("checklist--")
        ]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A new theme: the rows already drawn carry the old theme's colours.
        if self._last is not None:
            self.call_after_refresh(self._restyle)

    def _restyle(self) -> None:
        inks = self._inks()
        if inks != self._drawn_with and self._last is not None:
            self._drawn = []
            self.show(*self._last)

    def show(self, playbook: Playbook, state: IncidentState, level: Level, now: datetime) -> None:
        """Redraw the steps (only the role's, filtered); the highlight stays on the same step."""
        self.playbook = playbook
        self._last = (playbook, state, level, now)
        role = (self.role or "").casefold()
        steps = playbook.steps
        mine = [step for step in steps if role and step.owner.casefold() == role]
        shown = mine if self.filtered else list(steps)
        self.progress = (sum(step.id in state.checks for step in steps), len(steps))
        self.mine_progress = (sum(step.id in state.checks for step in mine), len(mine))
        if self.by_phase:
            options = self._by_phase(playbook, shown, state, level, now)
        else:
            options = self._by_deadline(shown, state, level, now)
        if self.filtered and not mine:
            who = clean(self.role or "", limit=20)
            options.append(
                Option(
                    Text(f"no step of this playbook is {who}'s", self._style("dim")), disabled=True
                )
            )
        self._replace(options)

    def _by_deadline(
        self, steps: Sequence[Step], state: IncidentState, level: Level, now: datetime
    ) -> list[Option]:
        due, waiting, done = due_order(steps, state.checks, level)
        sections = (
            ("next, by deadline", due),
            (f"not at this level ({level})", waiting),
            ("done, latest first", done),
        )
        width = self._deadline_width([*due, *waiting], state.declared_at, now)
        options: list[Option] = []
        for heading, section in sections:
            if section:
                options.append(self._heading(heading))
            options.extend(self._row(step, state, level, now, width) for step in section)
        return options

    def _by_phase(
        self,
        playbook: Playbook,
        steps: Sequence[Step],
        state: IncidentState,
        level: Level,
        now: datetime,
    ) -> list[Option]:
        wanted = {step.id for step in steps}
        open_steps = [step for step in steps if step.id not in state.checks]
        width = self._deadline_width(open_steps, state.declared_at, now)
        options: list[Option] = []
        for phase in playbook.phases:
            rows = [self._row(s, state, level, now, width) for s in phase.steps if s.id in wanted]
            if rows:  # filtered, a phase shows only if it has one of the steps
                options.append(self._heading(phase.title))
                options.extend(rows)
        return options

    @staticmethod
    def _deadline_width(steps: Iterable[Step], started: datetime | None, now: datetime) -> int:
        return max((len(deadline_words(step, started, now)[0]) for step in steps), default=0)

    def _heading(self, title: str) -> Option:
        return Option(Text(clean(title, limit=60).upper(), self._style("heading")), disabled=True)

    def _row(
        self, step: Step, state: IncidentState, level: Level, now: datetime, width: int
    ) -> Option:
        """One step on one line: the deadline first (in a column), then the title and owner."""
        dim = self._style("dim")
        line = Text(no_wrap=True, overflow="ellipsis")
        check = state.checks.get(step.id)
        if check is not None:
            done = self._style("done")
            line.append(f"{DONE_MARK} ", done)
            line.append(clean(step.title, limit=80), done)
            line.append(f"  {clean(check.by or '?', limit=20)} {check.at:%H:%M}", dim)
            return Option(line, id=step.id)
        words, key = deadline_words(step, state.declared_at, now)
        applies = level in step.levels
        late = key == "late" and applies
        # Late is carried by a mark, weight and reverse as well as colour: NO_COLOR keeps it.
        line.append("[!] " if late else "[ ] ", self._style("late") if late else Style())
        line.append(words, self._style(key) if applies else dim)
        line.append(" " * (width - len(words) + 2))
        title_style = self._style("late-title") if late else Style() if applies else dim
        line.append(clean(step.title, limit=80), title_style)
        line.append(f" · {clean(step.owner, limit=20)}", dim)
        if not applies:
            line.append(f"  (when {clean(str(step.when), limit=40)})", dim)
        return Option(line, id=step.id)

    def _replace(self, options: list[Option]) -> None:
        drawn = [str(option.prompt) for option in options]
        if drawn == self._drawn:
            return  # deadlines move by the minute: most seconds nothing changed
        self._drawn = drawn
        self._drawn_with = self._inks()
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        with self.app.batch_update():
            self.clear_options()
            self.add_options(options)
            if highlighted is not None:
                try:
                    self.highlighted = self.get_option_index(highlighted)
                except Exception:
                    self.highlighted = None
            if self.highlighted is None:
                self.action_first()

    def action_check(self) -> None:
        option = self.highlighted_option
        if option is None or option.id is None or self.playbook is None:
            return
        done = not str(option.prompt).startswith(DONE_MARK)
        self.post_message(self.StepToggled(option.id, done))

    def action_mine(self) -> None:
        if self.role is None:
            self.notify(
                "No role set for this console: start it with --role (lead, social…) "
                "to see only your steps.",
                severity="warning",
            )
            return
        self.only_mine = not self.only_mine
        self.post_message(self.FilterChanged())

    def action_by_phase(self) -> None:
        """Switch between what is due next first and the playbook's phases."""
        self.by_phase = not self.by_phase
        if self._last is not None:
            self.show(*self._last)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # Enter is bound to toggle; a mouse click selects: treat it the same.
        event.stop()
