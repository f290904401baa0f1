"""A mention opened whole: its text first, then who, when and where, why its score, the details."""

from __future__ import annotations

import webbrowser
from functools import partial
from urllib.parse import urlsplit

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from warroom.detection.complaint import PRAISE_BESIDE_A_PROBLEM
from warroom.incident.session import Session
from warroom.model import Label, ScoredMention
from warroom.tui.messages import FlagMention, OverrideSentiment, WriteNote
from warroom.tui.safe import clean
from warroom.tui.times import exact_time, human_time
from warroom.tui.widgets.feed_rows import FeedRow, compact_number, competitor_of

# The authors named in "posted 12 times by …"; the rest are counted.
AUTHORS_LISTED = 8
BROWSER_SCHEMES = ("http", "https")


def openable(url: str) -> bool:
    """Only a plain http(s) link with a host goes to the browser: no file:, javascript:, or
    link carrying control characters or spaces that the screen would not show."""
    if not url or clean(url, limit=len(url) + 1) != url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in BROWSER_SCHEMES and bool(parts.hostname)


class MentionScreen(ModalScreen[None]):
    """Read a mention in full; note it, flag it, correct its sentiment, copy or open its link."""

    BINDINGS = [
        Binding("escape", "dismiss", "Back", id="mention.back", tooltip="Back to the feed"),
        Binding("e", "evidence", "Add to notes", id="mention.evidence", tooltip="Evidence note"),
        Binding("f", "flag", "Flag", id="mention.flag", tooltip="Flag for response"),
        Binding("c", "copy_link", "Copy link", id="mention.copy", tooltip="Copy the link"),
        Binding("o", "open_link", "Open link", id="mention.open", tooltip="Open in the browser"),
        Binding("minus", "override('negative')", "Negative", id="mention.negative"),
        Binding("0", "override('neutral')", "Neutral", id="mention.neutral"),
        Binding("plus,equals_sign", "override('positive')", "Positive", id="mention.positive"),
    ]

    DEFAULT_CSS = """
    MentionScreen #mention-text {
        text-style: bold;
    }
    MentionScreen #mention-who, MentionScreen #mention-repeats, MentionScreen #mention-why,
    MentionScreen #mention-details {
        margin-top: 1;
    }
    """

    def __init__(self, session: Session, row: FeedRow) -> None:
        super().__init__()
        self.session = session
        self.row = row
        # What was opened stays what every key acts on, whatever arrives meanwhile.
        self.item: ScoredMention = row.item

    def compose(self) -> ComposeResult:
        mention = self.item.mention
        with VerticalScroll(id="mention-box"):
            yield Static(
                Text(clean(mention.text, keep_newlines=True, limit=20_000)), id="mention-text"
            )
            yield Static(self._who(), id="mention-who")
            if self.row.count > 1:
                yield Static(self._repeats(), id="mention-repeats")
            yield Static(self._why(), id="mention-why")
            yield Static(self._details(), id="mention-details")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#mention-box").border_title = "Mention"

    # -- what it shows -----------------------------------------------------------------------

    @property
    def flagged(self) -> bool:
        """Flagged in the log (by anyone on the team): the one truth, not the row."""
        return self.item.mention.id in self.session.state.flagged

    @property
    def label(self) -> Label | None:
        return self.session.state.overrides.get(self.item.mention.id, self.item.score.label)

    def _who(self) -> Text:
        """Who posted it, when (local, human), where, and the link."""
        mention = self.item.mention
        text = Text()
        text.append(clean(mention.author or "someone unnamed", limit=80), "bold")
        text.append(f" on {clean(mention.source, limit=40)}")
        if mention.reach is not None:
            text.append(f" · {compact_number(mention.reach)} followers")
        if mention.engagement is not None:
            text.append(f" · {mention.engagement:,} reactions")
        text.append("\n")
        text.append(human_time(mention.created_at, self.session.clock.now()))
        competitor = competitor_of(mention.topic)
        if competitor is not None:
            text.append(" · about ")
            text.append(f"vs:{clean(competitor, limit=40)}", "bold")
            text.append(" (a competitor)")
        if mention.ours:
            text.append(" · OURS", "bold reverse")
            text.append(" (one of the brand's accounts)")
        if self.flagged:
            text.append(" · ⚑ flagged for response", "bold")
        text.append("\n")
        if mention.url:  # c copies it, o opens it: the footer says so
            text.append(clean(mention.url, limit=300), "underline")
        else:
            text.append("no link", "dim")
        return text

    def _repeats(self) -> Text:
        """How many times this text was posted, and by whom (this is the latest copy)."""
        row = self.row
        named = list(row.authors.items())
        accounts = f"{len(named):,} account" + ("" if len(named) == 1 else "s")
        text = Text()
        text.append(f"Posted {row.count:,} times", "bold")
        text.append(f" (this is the latest) by {accounts}: ")
        text.append(
            ", ".join(
                clean(who, limit=40) + (f" ×{times:,}" if times > 1 else "")
                for who, times in named[:AUTHORS_LISTED]
            )
        )
        if len(named) > AUTHORS_LISTED:
            text.append(f" and {len(named) - AUTHORS_LISTED:,} more")
        if row.unnamed:
            text.append(f"; {row.unnamed:,} more copies by other accounts")
        return text

    def _why(self) -> Text:
        """Why this score: VADER's reading, the complaint cues that fired, and what they give."""
        score = self.item.score
        text = Text()
        text.append("Why this score\n", "bold")
        if score.compound is None:
            language = clean(self.item.mention.lang or "unknown", limit=20)
            text.append(f"  not scored: VADER reads English only (language: {language})")
        else:
            explained = self.session.explain(self.item.mention.text)
            text.append(f"  VADER {explained.vader:+.2f}")
            if explained.cues:
                text.append(
                    f" → {score.compound:+.2f} with the complaint cues, read as {score.label}"
                )
                for cue in explained.cues:
                    weight = f"{cue.weight:+.1f}" if cue.weight else "reads"
                    words = clean(cue.words, limit=40)
                    text.append(f"\n  {weight:>5} {cue.name}: “{words}”, ", "bold")
                    text.append(cue.reason)
                if explained.praise_discounted:
                    text.append(f"\n  ×{PRAISE_BESIDE_A_PROBLEM:.1f} praise words, ", "bold")
                    text.append("beside a problem: politeness, hope or how it used to be")
            else:
                text.append(f", read as {score.label}; no complaint cue fired")
        label = self.label
        if label != score.label:
            text.append(f"\n  the team set it to {label}")
        return text

    def _details(self) -> Text:
        mention = self.item.mention
        score = self.item.score
        text = Text()
        text.append("Details\n", "bold")
        rows = [
            ("source", mention.source),
            ("author", mention.author or "–"),
            ("posted", exact_time(mention.created_at)),
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
                f"{self.label} (set by the team)" if self.label != score.label else str(self.label),
            ),
            ("flagged", "yes" if self.flagged else "no"),
            ("id", mention.id),
        ]
        for name, value in rows:
            text.append(f"{name:>11}  ", "dim")
            text.append(clean(str(value), limit=300))
            text.append("\n")
        return text

    def _redraw(self) -> None:
        # The app answers once the action is on disk: by then Esc may have closed this screen.
        for widget, render in (
            ("#mention-who", self._who),
            ("#mention-why", self._why),
            ("#mention-details", self._details),
        ):
            for static in self.query(widget).results(Static):
                static.update(render())

    # -- what the team can do with it --------------------------------------------------------

    def action_evidence(self) -> None:
        mention = self.item.mention
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
        self.post_message(FlagMention(self.item, not self.flagged, then=self._redraw))

    def action_override(self, label: str) -> None:
        self.post_message(OverrideSentiment(self.item, Label(label), then=self._redraw))

    def action_copy_link(self) -> None:
        """Copy the link as shown (OSC 52: the terminal puts it on the clipboard)."""
        url = self.item.mention.url
        if not url:
            self.notify("This mention has no link to copy.", severity="warning")
            return
        shown = clean(url, limit=2000)
        self.app.copy_to_clipboard(shown)
        self.notify(f"Link copied: {shown}")

    def action_open_link(self) -> None:
        """Open the link in the browser, in a thread (a browser can take seconds to answer)."""
        url = self.item.mention.url
        if not url:
            self.notify("This mention has no link to open.", severity="warning")
            return
        if not openable(url):
            self.notify(
                "Not opened: only plain http(s) links go to the browser. c copies it instead.",
                severity="warning",
            )
            return
        # The app runs it: closing this screen must not lose the answer.
        self.app.run_worker(
            partial(_open_in_browser, self.app, url),
            thread=True,
            group="browser",
            description="opening a link in the browser",
            exit_on_error=False,
        )


def _open_in_browser(app: App[object], url: str) -> None:
    """webbrowser.open (never a shell), then say what happened on the UI's thread."""
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error as error:
        opened = False
        reason = str(error)
    else:
        reason = "no browser answered"
    if opened:
        app.call_from_thread(app.notify, f"Opened in the browser: {url}")
    else:
        app.call_from_thread(
            app.notify, f"Could not open the link ({reason}): c copies it.", severity="warning"
        )
