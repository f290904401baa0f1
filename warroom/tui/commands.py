"""Palette commands for playbooks: switch the running one, edit one, draft from a template."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.message import Message

from warroom.incident.session import Session
from warroom.playbook import list_playbooks
from warroom.tui.messages import DraftMessage, EditPlaybook, SwitchPlaybook
from warroom.tui.safe import clean


@runtime_checkable
class RunsASession(Protocol):
    """The app as the palette reads it: the session whose playbook is running."""

    session: Session


def asking(post: Callable[[Message], object], request: Callable[[], Message]) -> Callable[[], None]:
    """A palette command: when run, it posts a fresh request to the app."""

    def ask() -> None:
        post(request())

    return ask


def highlight(matcher: Matcher, title: str) -> Content:
    """The title as plain characters with the matched ones lit (Matcher.highlight reads markup)."""
    content = Content(title)
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class PlaybookCommands(Provider):
    """'playbook: switch to NAME', 'playbook: edit NAME' and 'draft: TITLE'."""

    def _commands(self) -> list[tuple[str, Callable[[], None], str]]:
        app = self.app
        if not isinstance(app, RunsASession):
            return []
        post = app.post_message
        running = app.session.playbook
        commands: list[tuple[str, Callable[[], None], str]] = []
        for name, path, bundled in list_playbooks():
            shown = clean(name, limit=64)
            where = "bundled" if bundled else clean(str(path), limit=120)
            commands.append(
                (
                    f"playbook: switch to {shown}",
                    asking(post, partial(SwitchPlaybook, name)),
                    "Running now: reload it from its file"
                    if name == running.name
                    else f"Run it now; checks of steps in both are kept ({where})",
                )
            )
            commands.append(
                (
                    f"playbook: edit {shown}",
                    asking(post, partial(EditPlaybook, name)),
                    "Edit and validate; a bundled one is saved as your copy"
                    if bundled
                    else f"Edit and validate {where}",
                )
            )
        for template in running.templates:
            commands.append(
                (
                    f"draft: {clean(template.title, limit=64)}",
                    asking(post, partial(DraftMessage, template.id)),
                    f"Fill the {clean(template.kind, limit=30)} template from the incident,"
                    " check its tone",
                )
            )
        return commands

    async def discover(self) -> Hits:
        # Titles and help hold file names and YAML titles: Content, so the palette reads no markup.
        for title, command, help_text in self._commands():
            yield DiscoveryHit(Content(title), command, text=title, help=Content(help_text))  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                help_content = Content(help_text)
                yield Hit(score, highlight(matcher, title), command, title, help_content)  # type: ignore[arg-type]
