"""What screens and the palette ask of the app, and tell it: the console's messages up."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from warroom.model import Label, ScoredMention
from warroom.playbook import Playbook

# What the asker does once its action is on disk (let the input go, redraw, close).
Then = Callable[[], object]


class WriteNote(Message):
    """Write a note to the incident log, as evidence when it quotes a mention."""

    def __init__(self, text: str, *, evidence: str | None = None, then: Then | None = None) -> None:
        super().__init__()
        self.text = text
        self.evidence = evidence
        self.then = then


class CheckStep(Message):
    """Check (or uncheck) a playbook step."""

    def __init__(self, step_id: str, done: bool) -> None:
        super().__init__()
        self.step_id = step_id
        self.done = done


class FlagMention(Message):
    """Flag a mention for response, or take the flag off."""

    def __init__(self, item: ScoredMention, flagged: bool, *, then: Then | None = None) -> None:
        super().__init__()
        self.item = item
        self.flagged = flagged
        self.then = then


class OverrideSentiment(Message):
    """Set a mention's sentiment by hand, over VADER's reading."""

    def __init__(self, item: ScoredMention, label: Label, *, then: Then | None = None) -> None:
        super().__init__()
        self.item = item
        self.label = label
        self.then = then


class RecordDraft(Message):
    """Write a drafted message to the incident log."""

    def __init__(
        self,
        template_id: str,
        text: str,
        tone: float | None,
        *,
        filled: dict[str, str] | None = None,
        then: Then | None = None,
    ) -> None:
        super().__init__()
        self.template_id = template_id
        self.text = text
        self.tone = tone
        self.filled = filled or {}  # placeholders the person typed by hand
        self.then = then


class PublishDraft(Message):
    """Record a draft as published on a channel, with its link: a public response."""

    def __init__(
        self,
        template_id: str,
        text: str,
        channel: str,
        link: str | None = None,
        *,
        then: Then | None = None,
    ) -> None:
        super().__init__()
        self.template_id = template_id
        self.text = text
        self.channel = channel
        self.link = link
        self.then = then


class DeclareIncident(Message):
    """Offer to declare an incident: by hand, or because the detector reached crisis."""

    def __init__(self, *, manual: bool) -> None:
        super().__init__()
        self.manual = manual


class DraftMessage(Message):
    """Open the draft screen, on one template of the running playbook or the first."""

    def __init__(self, template_id: str | None = None) -> None:
        super().__init__()
        self.template_id = template_id


class SwitchPlaybook(Message):
    """Run the playbook of this name instead of the running one."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class EditPlaybook(Message):
    """Open the playbook of this name in the editor."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class PlaybookSaved(Message):
    """The editor saved a valid playbook (the running one is then run as saved)."""

    def __init__(self, playbook: Playbook) -> None:
        super().__init__()
        self.playbook = playbook
