"""Palette commands for playbooks: switch the running one, edit one, draft from a template."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from warroom.playbook import (
    Playbook,
    PlaybookInvalid,
    PlaybookNotFound,
    find_playbook,
    list_playbooks,
    load_playbook,
)
from warroom.tui.safe import clean

if TYPE_CHECKING:  # the app imports this module for its COMMANDS
    from warroom.tui.app import WarroomApp


def switch_playbook(app: WarroomApp, name: str) -> None:
    """Run another playbook: validated first, checks of shared steps kept, the switch logged."""
    try:
        playbook = load_playbook(find_playbook(name))
    except PlaybookInvalid as invalid:
        first = clean(str(invalid.errors[0]), limit=200) if invalid.errors else str(invalid)
        app.notify(f"Cannot switch to '{clean(name)}': {first}", severity="error", timeout=10)
        return
    except (PlaybookNotFound, OSError) as error:
        app.notify(f"Cannot switch: {clean(str(error), limit=200)}", severity="error")
        return
    run_playbook(app, playbook)


def run_playbook(app: WarroomApp, playbook: Playbook) -> None:
    """Make a validated playbook the running one and redraw the checklist."""
    session = app.session

    def switched() -> None:
        app.main_screen.tick()
        kept = len(session.state.checks)
        app.notify(f"Now running '{clean(playbook.name)}'; {kept} check(s) kept.")

    app.record(lambda: session.switch_playbook(playbook), then=switched)


def edit_playbook(app: WarroomApp, name: str) -> None:
    """Open a playbook in the editor; saving the running one runs the saved version."""
    from warroom.tui.screens.editor import PlaybookEditor

    found = {entry: (path, bundled) for entry, path, bundled in list_playbooks()}
    if name not in found:
        app.notify(f"No playbook named '{clean(name)}'.", severity="error")
        return
    path, bundled = found[name]

    def saved(playbook: Playbook) -> None:
        if playbook.name == app.session.playbook.name:
            run_playbook(app, playbook)

    try:
        editor = PlaybookEditor(name, path, bundled=bundled, on_saved=saved)
    except (OSError, UnicodeDecodeError) as error:
        app.notify(f"Cannot open {clean(str(path))}: {clean(str(error))}", severity="error")
        return
    app.push_screen(editor)


def draft_message(app: WarroomApp, template_id: str | None = None) -> None:
    """Open the draft screen, on one template of the running playbook or the first."""
    from warroom.tui.screens.draft import DraftScreen

    templates = [template.id for template in app.session.playbook.templates]
    if not templates:
        app.notify("The running playbook has no templates.", severity="warning")
        return
    if template_id is not None and template_id not in templates:
        app.notify(f"The running playbook has no template '{clean(template_id)}'.")
        return
    app.push_screen(DraftScreen(app.session, template_id))


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
        app: WarroomApp = self.app  # type: ignore[assignment]
        running = app.session.playbook
        commands: list[tuple[str, Callable[[], None], str]] = []
        for name, path, bundled in list_playbooks():
            shown = clean(name, limit=64)
            where = "bundled" if bundled else clean(str(path), limit=120)
            commands.append(
                (
                    f"playbook: switch to {shown}",
                    partial(switch_playbook, app, name),
                    "Running now: reload it from its file"
                    if name == running.name
                    else f"Run it now; checks of steps in both are kept ({where})",
                )
            )
            commands.append(
                (
                    f"playbook: edit {shown}",
                    partial(edit_playbook, app, name),
                    "Edit and validate; a bundled one is saved as your copy"
                    if bundled
                    else f"Edit and validate {where}",
                )
            )
        for template in running.templates:
            commands.append(
                (
                    f"draft: {clean(template.title, limit=64)}",
                    partial(draft_message, app, template.id),
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
