"""The mentions posted in one minute of a reviewed incident, read from the store when asked."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from warroom.model import BRAND_TOPIC, Label, ScoredMention
from warroom.tui.review.index import MinuteIndex
from warroom.tui.safe import clean

TEXT_LIMIT = 400


class MinuteMentionsScreen(ModalScreen[None]):
    """A list of the minute's mentions, oldest first; Escape goes back to the timeline."""

    COMPONENT_CLASSES = {
        "minute--negative",
        "minute--neutral",
        "minute--positive",
        "minute--unscored",
        "minute--dim",
    }
    BINDINGS = [
        Binding("escape,q", "dismiss", "Back", id="minute.back", tooltip="Back to the timeline"),
    ]

    def __init__(self, index: MinuteIndex, minute: datetime) -> None:
        super().__init__()
        self.index = index
        self.minute = minute
        self.mentions: list[ScoredMention] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="minute-box"):
            yield Static("reading the store…", id="minute-summary")
            yield OptionList(id="minute-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#minute-box").border_title = f"Mentions posted {self.minute:%H:%M} UTC"
        self.load()

    @work(
        thread=True,
        exclusive=True,
        group="review-mentions",
        exit_on_error=False,
        description="reading the minute's mentions",
    )
    def load(self) -> None:
        # The first open scans every segment once (a thread keeps the screen live meanwhile).
        found = self.index.mentions_in(self.minute)
        self.app.call_from_thread(self.show, found)

    def show(self, mentions: list[ScoredMention]) -> None:
        """Fill the list."""
        self.mentions = mentions
        labels = [m.score.label for m in mentions]
        counts = {label: labels.count(label) for label in Label}
        summary = (
            f"{len(mentions)} mentions · negative {counts[Label.NEGATIVE]} · "
            f"neutral {counts[Label.NEUTRAL]} · positive {counts[Label.POSITIVE]}"
        )
        self.query_one("#minute-summary", Static).update(Text(summary))
        options = self.query_one("#minute-list", OptionList)
        options.clear_options()
        options.add_options([Option(self._entry(item)) for item in mentions])
        options.focus()

    def _entry(self, item: ScoredMention) -> Text:
        mention = item.mention
        label = item.score.label
        # Partial styles: the list's own background (and its highlight) shows through.
        dim = self.get_component_rich_style("minute--dim", partial=True)
        tone = self.get_component_rich_style(f"minute--{label or 'unscored'}", partial=True)
        line = Text()
        line.append(f"{mention.created_at:%H:%M:%S} ", dim)
        line.append(f"{str(label) if label else 'unscored':>8} ", tone)
        line.append(clean(mention.source, limit=20))
        if mention.author:
            line.append(f" @{clean(mention.author, limit=40)}", dim)
        if mention.topic != BRAND_TOPIC:
            line.append(f" [{clean(mention.topic, limit=30)}]", dim)
        line.append("\n")
        line.append(clean(mention.text, limit=TEXT_LIMIT))
        return line
