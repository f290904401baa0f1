"""Switching playbooks: what the switch keeps and drops, confirmed before it happens."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from warroom.incident.session import SwitchPlan
from warroom.tui.safe import clean


class SwitchScreen(ModalScreen[bool]):
    """The checks a switch keeps (same id, else same title) and drops; Enter switches."""

    DEFAULT_CSS = """
    SwitchScreen { align: center middle; }
    #switch-box {
        width: 90%; max-width: 100; height: auto;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    #switch-help { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(False)", "Cancel", id="switch.cancel", tooltip="Keep running"),
        Binding("enter", "dismiss(True)", "Switch", id="switch.confirm", tooltip="Switch now"),
    ]

    def __init__(self, plan: SwitchPlan, running: str) -> None:
        super().__init__()
        self.plan = plan
        self.running = running

    def compose(self) -> ComposeResult:
        with Vertical(id="switch-box"):
            yield Static(self._summary(), id="switch-summary")
            yield Static("Enter switches · Esc: keep running the current one", id="switch-help")

    def _summary(self) -> Text:
        text = Text()
        kept, dropped = self.plan.kept_titles(), self.plan.dropped_titles()
        text.append(f"Kept ({len(kept)}):", "bold")
        for title in kept:
            text.append(f"\n  ☑ {clean(title, limit=90)}")
        text.append(f"\nDropped ({len(dropped)}):", "bold")
        for title in dropped:
            text.append(f"\n  ✗ {clean(title, limit=90)}")
        if dropped:
            note = f"\nDropped checks stay in the log and count under '{clean(self.running)}'."
            text.append(note, "dim")
        return text

    def on_mount(self) -> None:
        box = self.query_one("#switch-box")
        box.border_title = f"Switch to '{clean(self.plan.playbook.name, limit=40)}'?"
