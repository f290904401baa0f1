"""A mention opened whole: full text, link, scores, and what the team can do with it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from warroom.incident.session import Session
from warroom.model import Label, format_time
from warroom.tui.messages import FlagMention, OverrideSentiment, WriteNote
from warroom.tui.safe import clean
from warroom.tui.widgets.feed import FeedRow, compact_number


class MentionScreen(ModalScreen[None]):
    """Read a mention in full; add it to the notes, flag it, or correct its sentiment."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Back", id="mention.back"),
        Binding("e", "evidence", "Add to notes", id="mention.evidence", tooltip="Evidence note"),
        Binding("f", "flag", "Flag", id="mention.flag", tooltip="Flag for response"),
        Binding("minus", "override('negative')", "Negative", id="mention.negative"),
        Binding("0", "override('neutral')", "Neutral", id="mention.neutral"),
        Binding("plus,equals_sign", "override('positive')", "Positive", id="mention.positive"),
    ]

    def __init__(self, session: Session, row: FeedRow) -> None:
        super().__init__()
        self.session = session
        self.row = row

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="mention-box"):
            yield Static(self._details(), id="mention-details")
            yield Static(
                Text(clean(self.row.item.mention.text, keep_newlines=True, limit=20_000)),
                id="mention-text",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#mention-box").border_title = "Mention"

    def _details(self) -> Text:
        mention = self.row.item.mention
        score = self.row.item.score
        text = Text()
        rows = [
            ("source", mention.source),
            ("author", mention.author or "–"),
            ("posted", format_time(mention.created_at)),
            ("link", mention.url or "–"),
            ("reach", compact_number(mention.reach) or "–"),
            ("engagement", str(mention.engagement) if mention.engagement is not None else "–"),
            ("language", mention.lang or "unknown (read as English)"),
            ("topic", mention.topic),
            (
                "VADER",
                f"{score.compound:+.3f} {score.label}"
                if score.compound is not None
                else "not scored",
            ),
            (
                "sentiment",
                f"{self.row.label} (set by the team)"
                if self.row.label != score.label
                else str(self.row.label),
            ),
            ("flagged", "yes" if self.row.flagged else "no"),
            ("id", mention.id),
        ]
        for name, value in rows:
            text.append(f"{name:>11}  ", "dim")
            text.append(clean(str(value), limit=300))
            text.append("\n")
        return text

    def _redraw(self) -> None:
        # The app answers once the action is on disk: by then Esc may have closed this screen.
        for details in self.query("#mention-details").results(Static):
            details.update(self._details())

    def action_evidence(self) -> None:
        mention = self.row.item.mention
        who = clean(mention.author or mention.source, limit=40)
        note = f"Evidence from {who}: {clean(mention.text, limit=240)}"
        self.post_message(
            WriteNote(
                note,
                evidence=mention.id,
                then=lambda: self.notify("Added to the notes as evidence."),
            )
        )

    def action_flag(self) -> None:
        # The app marks the feed once the flag is in the log; this screen then redraws.
        self.post_message(FlagMention(self.row.item, not self.row.flagged, then=self._redraw))

    def action_override(self, label: str) -> None:
        self.post_message(OverrideSentiment(self.row.item, Label(label), then=self._redraw))
