"""Declaring and closing an incident: the two moments that bound the incident clock."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from warroom.incident.session import Evidence
from warroom.tui.safe import PlainInput, clean


class DeclareScreen(ModalScreen[str | None]):
    """The detector's case for declaring, with what happened to accept in one key (Enter)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Not now", id="declare.cancel")]

    def __init__(self, evidence: Evidence, suggested_name: str, manual: bool) -> None:
        super().__init__()
        self.evidence = evidence
        self.suggested_name = suggested_name
        self.manual = manual

    def compose(self) -> ComposeResult:
        with Vertical(id="declare-box"):
            yield Static(self._case(), id="declare-case")
            yield PlainInput(
                value=clean(self.suggested_name, limit=120), id="declare-name", max_length=120
            )
            yield Static("Enter declares the incident · Esc: not now", id="declare-help")

    def on_mount(self) -> None:
        box = self.query_one("#declare-box")
        box.border_title = "Declare an incident?" if not self.manual else "Declare an incident"
        self.query_one(Input).focus()

    def _case(self) -> Text:
        text = Text()
        text.append("Why: ", "bold")
        text.append(clean(self.evidence.reason or "declared by hand", limit=300))
        if self.evidence.trending:
            text.append("\nTrending: ", "bold")
            text.append(", ".join(clean(t, limit=30) for t in self.evidence.trending))
        if self.evidence.top_negative:
            text.append("\nMost-reached negative mentions:", "bold")
            for item in self.evidence.top_negative:
                mention = item.item.mention
                who = clean(mention.author or mention.source, limit=24)
                text.append(f"\n  {who}: ", "dim")
                text.append(clean(mention.text, limit=110))
                copies = f"×{item.copies} · " if item.copies > 1 else ""
                why = f" · negative: {clean(', '.join(item.terms), limit=60)}" if item.terms else ""
                text.append(
                    f"\n    {copies}reach {item.reach:,} · score {item.compound:+.2f}{why}", "dim"
                )
        text.append("\n\nWhat happened: ", "bold")
        text.append('as it would follow "We\'re aware of …"; drafted messages use it as {issue}')
        return text

    @on(Input.Submitted)
    def _accept(self, event: Input.Submitted) -> None:
        name = event.value.strip() or self.suggested_name
        self.dismiss(name)


class CloseScreen(ModalScreen[str | None]):
    """Closing asks for a one-line summary, for the review; due steps still open are listed."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="close.cancel")]

    def __init__(self, summary: str = "", open_steps: Sequence[str] = ()) -> None:
        super().__init__()
        self.summary = summary
        self.open_steps = list(open_steps)
        # With due steps open, the first Enter asks again; the second closes.
        self.confirming = False

    def compose(self) -> ComposeResult:
        with Vertical(id="close-box"):
            if self.open_steps:
                yield Static(self._open_steps(), id="close-open-steps")
            yield Static("One line for the record: what happened, and how it ended.")
            yield PlainInput(
                self.summary, placeholder="summary", id="close-summary", max_length=300
            )
            yield Static("Enter closes the incident · Esc: cancel", id="close-help")

    def _open_steps(self) -> Text:
        count = len(self.open_steps)
        text = Text(f"{count} due step{'s' if count != 1 else ''} still open:", "bold")
        for title in self.open_steps[:8]:
            text.append(f"\n  ☐ {clean(title, limit=90)}")
        if count > 8:
            text.append(f"\n  … and {count - 8} more", "dim")
        return text

    def on_mount(self) -> None:
        self.query_one("#close-box").border_title = "Close the incident"
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _accept(self, event: Input.Submitted) -> None:
        summary = event.value.strip()
        if not summary:
            self.notify("A one-line summary is needed to close.", severity="warning")
            return
        if self.open_steps and not self.confirming:
            self.confirming = True
            count = len(self.open_steps)
            self.query_one("#close-help", Static).update(
                f"{count} due step(s) still open: Enter again closes anyway · Esc: cancel"
            )
            return
        self.dismiss(summary)
