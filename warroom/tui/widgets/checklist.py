"""The checklist: the playbook's steps by phase, with owner, deadline and who checked them."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom.incident.state import IncidentState
from warroom.model import Level
from warroom.playbook import Playbook, Step
from warroom.tui.safe import clean


def deadline_words(step: Step, started: datetime | None, now: datetime) -> tuple[str, str]:
    """("due in 12m" | "5m late" | "T+30m", style-key) for a step's deadline."""
    if started is None:
        return f"T+{step.due_minutes}m", "dim"
    seconds = (step.deadline(started) - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    if seconds >= 0:
        return (f"due in {minutes}m", "soon" if seconds < 600 else "dim")
    return (f"{minutes}m late", "late")


class Checklist(OptionList):
    """Space or Enter checks the highlighted step; checking again unchecks it; `o` shows only
    the steps of the operator's role."""

    BINDINGS = [
        Binding("space,enter,x", "check", "Check", id="checklist.toggle", tooltip="Check a step"),
        Binding(
            "o",
            "mine",
            "Only mine",
            id="checklist.mine",
            tooltip="Show only my role's steps, or every step again",
        ),
    ]

    COMPONENT_CLASSES = OptionList.COMPONENT_CLASSES | {
        "checklist--done",
        "checklist--late",
        "checklist--soon",
        "checklist--dim",
        "checklist--phase",
    }

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
        self.mine_progress = (0, 0)
        self._drawn: list[str] = []

    @property
    def filtered(self) -> bool:
        """Whether only the role's steps are shown."""
        return self.only_mine and self.role is not None

    def show(self, playbook: Playbook, state: IncidentState, level: Level, now: datetime) -> None:
        """Redraw the steps (only the role's, filtered); the highlight stays on the same step."""
        self.playbook = playbook
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        started = state.declared_at
        done = dim = self.get_component_rich_style("checklist--dim")
        done = self.get_component_rich_style("checklist--done")
        phase_style = self.get_component_rich_style("checklist--phase")
        options: list[Option] = []
        total = checked = mine = mine_checked = 0
        role = (self.role or "").casefold()
        for phase in playbook.phases:
            heading = Option(Text(clean(phase.title, limit=60).upper(), phase_style), disabled=True)
            headed = not self.filtered  # filtered, a phase shows only if it has one of the steps
            if headed:
                options.append(heading)
            for step in phase.steps:
                applies = level in step.levels
                check = state.checks.get(step.id)
                total += 1
                checked += check is not None
                if role and step.owner.casefold() == role:
                    mine += 1
                    mine_checked += check is not None
                elif self.filtered:
                    continue
                if not headed:
                    options.append(heading)
                    headed = True
                line = Text(no_wrap=True, overflow="ellipsis")
                if check is not None:
                    line.append("[✓] ", done)
                    line.append(clean(step.title, limit=80), done)
                    who = clean(check.by or "?", limit=20)
                    line.append(f"  {who} {check.at:%H:%M}", dim)
                else:
                    line.append("[ ] ")
                    line.append(clean(step.title, limit=80), "" if applies else dim)
                    words, key = deadline_words(step, started, now)
                    line.append(f"  {clean(step.owner, limit=20)} · ", dim)
                    line.append(words, self.get_component_rich_style(f"checklist--{key}"))
                    if not applies:
                        line.append(f"  (when {clean(str(step.when), limit=40)})", dim)
                options.append(Option(line, id=step.id))
        if self.filtered and not mine:
            who = clean(self.role or "", limit=20)
            options.append(Option(Text(f"no step of this playbook is {who}'s", dim), disabled=True))
        self.progress = (checked, total)
        self.mine_progress = (mine_checked, mine)
        drawn = [str(option.prompt) for option in options]
        if drawn == self._drawn:
            return  # deadlines move by the minute: most seconds nothing changed
        self._drawn = drawn
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
        done = not str(option.prompt).startswith("[✓]")
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

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # Enter is bound to toggle; a mouse click selects: treat it the same.
        event.stop()
