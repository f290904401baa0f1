"""Drafting a message from a playbook template: filled from the incident, its tone read by VADER."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from warroom.detection.sentiment import Scorer
from warroom.incident.session import Session
from warroom.model import label_for
from warroom.playbook import Template
from warroom.playbook.templates import scan, typed_fills
from warroom.tui.messages import PublishDraft, RecordDraft
from warroom.tui.safe import PlainInput, PlainTextArea, clean, plain

# The next public update is promised this long after the draft is written.
NEXT_UPDATE_MINUTES = 60
# Kinds of message that must not read as angry: the words the public judges the brand by.
# How negative a message may read before it is flagged. Naming the problem reads negative to
# VADER ("wrong", "hurt", "sorry"): the bundled templates, filled for a neutral incident, score
# down to -0.77 (apology) and -0.48 (holding); an angry rewrite scores -0.84 and below.
ANGRY_BELOW = {"apology": -0.9, "holding": -0.6, "update": -0.6, "reply": -0.6}
_scorer: Scorer | None = None


def tone_scorer() -> Scorer:
    """One VADER scorer for the console's drafts (built once: loading the lexicon takes time)."""
    global _scorer
    if _scorer is None:
        _scorer = Scorer()
    return _scorer


def clock_words(at: datetime) -> str:
    """A time of day as the team writes it: 10:30 UTC."""
    return f"{at:%H:%M} {at.tzname() or ''}".strip()


def incident_context(session: Session, now: datetime) -> dict[str, str]:
    """Placeholder values known from the incident; the rest stay visible for a person to fill."""
    state = session.state
    # The config's contact, link and sign-off, then what was typed by hand in this incident.
    context = {**session.messages, **session.typed_values()}
    context.update(brand=session.brand, level=str(session.engine.level))
    if state.declared and state.declared_at is not None:
        context["incident"] = state.name
        # "Brand: what happened" as declared reads as the phrase after "We're aware of".
        prefix = f"{session.brand}:"
        issue = state.name[len(prefix) :] if state.name.startswith(prefix) else state.name
        context["issue"] = issue.strip()
        context["started_at"] = clock_words(state.declared_at)
    evidence = session.evidence()
    reason = state.reason or evidence.reason
    if reason:
        context["reason"] = reason
    level = str(session.engine.level).upper()
    context["conditions"] = f"Level {level}: {reason}." if reason else f"Level {level}."
    done = [check.title for check in state.checks.values() if check.title]
    if done:
        context["actions"] = "Done so far: " + "; ".join(done) + "."
    if evidence.trending:
        context["trending"] = ", ".join(evidence.trending[:5])
    later = now + timedelta(minutes=NEXT_UPDATE_MINUTES)
    context["next_update"] = f"{clock_words(later)} (in {NEXT_UPDATE_MINUTES} minutes)"
    # Names typed by people and terms from the internet: no controls or escapes in a message.
    return {key: clean(value, limit=300) for key, value in context.items() if value}


def channel_limit(session: Session, template_id: str) -> tuple[str, int] | None:
    """The tightest character limit among the channels the template's steps post to."""
    playbook = session.playbook
    limits: list[tuple[int, str]] = []
    for step in playbook.steps:
        if step.template != template_id:
            continue
        for channel_id in step.channels:
            try:
                channel = playbook.channel(channel_id)
            except KeyError:
                continue
            if channel.max_chars is not None:
                limits.append((channel.max_chars, channel.id))
    if not limits:
        return None
    limit, channel_id = min(limits)
    return channel_id, limit


def template_channels(session: Session, template_id: str) -> list[str]:
    """The channels the template's steps post to, in playbook order; else all the playbook's."""
    playbook = session.playbook
    named = [c for step in playbook.steps if step.template == template_id for c in step.channels]
    return list(dict.fromkeys(named)) or [channel.id for channel in playbook.channels]


def count_words(text: str, limit: tuple[str, int] | None) -> tuple[str, bool]:
    """The character count against the channel's limit, and whether it is over."""
    count = len(text.strip())
    if limit is None:
        return f"{count} characters", False
    channel, most = limit
    over = count > most
    extra = f" · {count - most} over" if over else ""
    return f"{count}/{most} characters ({channel}){extra}", over


def still_to_fill(text: str) -> list[str]:
    """The placeholders left in a draft, in order, once each."""
    names: list[str] = []
    for placeholder in scan(text)[0]:
        if placeholder.name not in names:
            names.append(placeholder.name)
    return names


def tone_words(template: Template, tone: float) -> tuple[str, bool]:
    """What the tone line says, and whether it is a warning."""
    label = label_for(tone)
    words = f"Tone {tone:+.2f} ({label})"
    limit = ANGRY_BELOW.get(template.kind)
    if limit is not None and tone <= limit:
        return f"{words} · this {template.kind} reads angry/negative: soften it", True
    return words, False


class PublishScreen(ModalScreen[tuple[str, str | None] | None]):
    """Where the draft went out: one of its channels (the first by default) and its link."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back", id="publish.cancel")]

    DEFAULT_CSS = """
    PublishScreen { align: center middle; }
    PublishScreen #publish-box {
        width: 60; height: auto; border: round $accent; background: $panel; padding: 0 1;
    }
    PublishScreen #publish-help { height: 1; color: $text-muted; }
    """

    def __init__(self, channels: list[str]) -> None:
        super().__init__()
        self.channels = channels

    def compose(self) -> ComposeResult:
        with Vertical(id="publish-box"):
            yield Select(
                [(clean(c, limit=40), c) for c in self.channels],
                value=self.channels[0],
                allow_blank=False,
                id="publish-channel",
            )
            yield PlainInput(placeholder="link to the post (optional)", id="publish-link")
            yield Static("Enter marks it published · Esc: back to the draft", id="publish-help")

    def on_mount(self) -> None:
        self.query_one("#publish-box").border_title = "Mark the draft published"
        self.query_one("#publish-link", Input).focus()

    @on(Input.Submitted, "#publish-link")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        channel = self.query_one("#publish-channel", Select).value
        link = clean(event.value, limit=500).strip() or None
        self.dismiss((str(channel), link))


class DraftScreen(ModalScreen[None]):
    """Pick a template, edit the filled text, then ctrl+s records it and copies it."""

    BINDINGS = [
        Binding("ctrl+s", "record", "Record & copy", id="draft.record", tooltip="Log and copy"),
        Binding(
            "f2",
            "publish",
            "Published",
            id="draft.publish",
            tooltip="Mark it published on a channel",
        ),
        Binding("escape", "leave", "Cancel", id="draft.cancel", tooltip="Close the draft"),
    ]

    DEFAULT_CSS = """
    DraftScreen { align: center middle; }
    DraftScreen #draft-box {
        width: 90%; height: 85%; border: round $accent; background: $panel; padding: 0 1;
    }
    DraftScreen #draft-body { height: 1fr; }
    DraftScreen #draft-templates { width: 30; height: 1fr; }
    DraftScreen #draft-text { width: 1fr; height: 1fr; }
    DraftScreen #draft-tone { height: auto; color: $success; }
    DraftScreen #draft-tone.-flagged { color: $error; text-style: bold; }
    DraftScreen #draft-missing { height: auto; color: $warning; }
    DraftScreen #draft-count { height: 1; color: $text-muted; }
    DraftScreen #draft-count.-over { color: $error; text-style: bold; }
    DraftScreen #draft-help { height: 1; color: $text-muted; }
    """

    def __init__(self, session: Session, template_id: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.templates = session.playbook.templates
        self.template: Template | None = None
        if template_id is not None:
            self.template = session.playbook.template(template_id)
        elif self.templates:
            self.template = self.templates[0]
        self.context = incident_context(session, session.clock.now())
        self.filled: dict[str, str] = {}  # as rendered
        self.texts: dict[str, str] = {}  # as the person left them, per template
        self.tone: float | None = None
        self.flagged = False
        self._warned = False

    def compose(self) -> ComposeResult:
        with Vertical(id="draft-box"):
            with Horizontal(id="draft-body"):
                yield OptionList(
                    *(Option(Text(clean(t.title, limit=60)), id=t.id) for t in self.templates),
                    id="draft-templates",
                )
                yield PlainTextArea(soft_wrap=True, id="draft-text")
            yield Static("", id="draft-tone")
            yield Static("", id="draft-count")
            yield Static("", id="draft-missing")
            yield Static(
                "ctrl+s records the draft in the log and copies it · f2: mark it published"
                " · Esc: close",
                id="draft-help",
            )

    def on_mount(self) -> None:
        box = self.query_one("#draft-box")
        box.border_title = plain(f"Draft a message · playbook {self.session.playbook.name}")
        if self.template is None:
            self.query_one("#draft-tone", Static).update("This playbook has no templates.")
            return
        listing = self.query_one("#draft-templates", OptionList)
        listing.highlighted = listing.get_option_index(self.template.id)
        self._load(self.template)
        self.query_one("#draft-text", TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one("#draft-text", TextArea).text

    def _load(self, template: Template) -> None:
        if template.id not in self.filled:
            text = self.session.playbook.render(template.id, self.context).text
            # A YAML template may hold escapes ("\e"): the message to post must not.
            self.filled[template.id] = clean(text, keep_newlines=True, limit=len(text) + 1)
        self.template = template
        editor = self.query_one("#draft-text", TextArea)
        editor.load_text(self.texts.get(template.id, self.filled[template.id]))
        self._read()

    @on(OptionList.OptionHighlighted, "#draft-templates")
    def _template_chosen(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self.template is None or event.option.id in (None, self.template.id):
            return
        self.texts[self.template.id] = self.text  # kept: coming back shows the edits
        self._load(self.session.playbook.template(event.option.id))

    @on(TextArea.Changed, "#draft-text")
    def _edited(self) -> None:
        self._warned = False
        self._read()

    def _read(self) -> None:
        """Score the draft's tone and list what is still to fill."""
        if self.template is None:
            return
        text = self.text
        self.tone = tone_scorer().compound(text) if text.strip() else None
        line = self.query_one("#draft-tone", Static)
        if self.tone is None:
            words, self.flagged = "Tone: nothing written yet", False
        else:
            words, self.flagged = tone_words(self.template, self.tone)
        line.update(plain(words))
        line.set_class(self.flagged, "-flagged")
        count, over = count_words(text, channel_limit(self.session, self.template.id))
        counter = self.query_one("#draft-count", Static)
        counter.update(plain(count))
        counter.set_class(over, "-over")
        missing = still_to_fill(text)
        listed = ", ".join("{" + name + "}" for name in missing)
        self.query_one("#draft-missing", Static).update(
            plain(f"Still to fill: {listed}") if missing else ""
        )

    def action_record(self) -> None:
        """Write the draft to the log; once it is there, copy it and close."""
        if self.template is None:
            return
        template, text, tone = self.template, self.text, self.tone
        if not text.strip():
            self.notify("The draft is empty.", severity="warning")
            return

        def done() -> None:
            # Escapes are dropped but nothing is cut: the whole draft is what the person wrote.
            self.app.copy_to_clipboard(clean(text, keep_newlines=True, limit=len(text) + 1))
            left = still_to_fill(text)
            extra = f"; still to fill: {', '.join(left)}" if left else ""
            self.notify(f"Draft recorded and copied to the clipboard{extra}.")
            if self.is_current:  # the app answers later: a second Esc may have closed it already
                self.dismiss(None)

        # Placeholders typed by hand ({contact}) are kept for the incident's next drafts.
        filled = typed_fills(self.filled.get(template.id, ""), text)
        self.post_message(RecordDraft(template.id, text, tone, filled=filled, then=done))

    def action_publish(self) -> None:
        """Ask where it was published, then log it as published there: a public response."""
        if self.template is None:
            return
        template, text = self.template, self.text
        if not text.strip():
            self.notify("The draft is empty.", severity="warning")
            return
        channels = template_channels(self.session, template.id)
        if not channels:
            self.notify("The playbook names no channel to publish on.", severity="warning")
            return

        def chosen(answer: tuple[str, str | None] | None) -> None:
            if answer is None:
                return
            channel, link = answer

            def done() -> None:
                self.notify(f"Draft marked published on {clean(channel, limit=40)}.")
                if self.is_current:
                    self.dismiss(None)

            self.post_message(PublishDraft(template.id, text, channel, link, then=done))

        self.app.push_screen(PublishScreen(channels), chosen)

    def action_leave(self) -> None:
        """Close; an edited draft needs a second Esc, so a slip of the finger loses nothing."""
        if self.template is not None:
            self.texts[self.template.id] = self.text
        edited = any(text != self.filled.get(key) for key, text in self.texts.items())
        if edited and not self._warned:
            self._warned = True
            self.notify("Edited draft not recorded: Esc again discards it.", severity="warning")
            return
        self.dismiss(None)
