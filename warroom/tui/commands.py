"""The command palette: every console command under the words people type, and playbooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol, runtime_checkable

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.message import Message

from warroom.incident.session import Session
from warroom.playbook import list_playbooks
from warroom.tui.messages import DraftMessage, EditPlaybook, SwitchPlaybook
from warroom.tui.safe import clean
from warroom.tui.screens.help import key_of
from warroom.tui.screens.main import PANE_TITLES, PANES, MainScreen
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.feed import MentionFeed

# The feed's filters in the palette: the query, its title, and other words for it.
FILTERS = (
    ("neg", "show negative only", ("negative", "complaints")),
    ("pos", "show positive only", ("positive",)),
    ("neu", "show neutral only", ("neutral",)),
    ("flagged", "show flagged only", ("flagged mentions", "flags")),
    ("competitor", "show competitors only", ("competitors", "rivals")),
    ("topic:brand", "show the brand's topic only", ("brand",)),
    ("ours", "show our own posts", ("our posts", "brand posts")),
    ("public", "show the public's posts", ("not ours", "public")),
)


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


@dataclass(frozen=True)
class PaletteCommand:
    """One command: its namespaced title, what it does, and other words people type for it."""

    title: str
    help: str
    run: Callable[[], object]
    also: tuple[str, ...] = ()


@runtime_checkable
class OffersCommands(Protocol):
    """The app as the palette reads it: the console's commands, built for the moment."""

    def palette_commands(self) -> list[PaletteCommand]: ...


class ConsoleCommands(Provider):
    """The console's own commands, found by their title or by any of their other words."""

    def _commands(self) -> list[PaletteCommand]:
        app = self.app
        return app.palette_commands() if isinstance(app, OffersCommands) else []

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                Content(command.title),
                command.run,
                text=command.title,
                help=Content(command.help),  # type: ignore[arg-type]
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            by_title = matcher.match(command.title)
            by_words = max((matcher.match(words) for words in command.also), default=0.0)
            if by_title <= 0 and by_words <= 0:
                continue
            title = highlight(matcher, command.title) if by_title else Content(command.title)
            yield Hit(
                max(by_title, by_words),
                title,
                command.run,
                command.title,
                Content(command.help),  # type: ignore[arg-type]
            )


class Console(Protocol):
    """The app as its commands need it: the main screen, the keymap and the app-wide actions."""

    main_screen: MainScreen
    keymap: dict[str, str]

    def get_key_display(self, binding: Binding) -> str: ...
    def propose_declaration(self, *, manual: bool) -> None: ...
    def action_close_incident(self) -> None: ...
    def action_help(self) -> None: ...
    def save_shot(self) -> None: ...


def console_commands(console: Console) -> list[PaletteCommand]:
    """Every console command, its key (as rebound) in its help so the palette teaches the keys."""
    screen = console.main_screen

    def key(owner: type[DOMNode], binding_id: str) -> str:
        found = key_of(owner, binding_id, console.keymap, console)
        return f" (key {found})" if found else ""

    commands = [
        PaletteCommand(
            "help: keys and what the screen shows",
            "Every pane's keys, the header, the gauge and the levels (? or F1)",
            console.action_help,
            ("keys", "shortcuts", "bindings", "?"),
        ),
        PaletteCommand(
            "incident: declare",
            "Declare an incident now" + key(MainScreen, "incident.declare"),
            lambda: console.propose_declaration(manual=True),
            ("declare incident", "start incident"),
        ),
        PaletteCommand(
            "incident: close",
            "Close it with a one-line summary",
            console.action_close_incident,
            ("close incident", "end incident", "resolve"),
        ),
        PaletteCommand(
            "note: write a note",
            "Into the incident log, on disk before the line clears"
            + key(MainScreen, "notes.write"),
            screen.action_write_note,
            ("add note", "write note", "log"),
        ),
        PaletteCommand(
            "draft: a message from a template",
            "Choose the template, fill it, check its tone" + key(MainScreen, "message.draft"),
            screen.action_draft,
            ("message", "statement", "reply"),
        ),
        PaletteCommand(
            "filter: type a filter…",
            "Words, neg / pos / neu, source:reddit, topic:…, flagged, competitor, ours"
            + key(MainScreen, "feed.filter"),
            screen.action_filter,
            ("search", "find"),
        ),
    ]
    for query, title, words in FILTERS:
        commands.append(
            PaletteCommand(
                f"filter: {title}",
                f"Filter the feed: {query}",
                partial(screen.set_filter, query),
                words,
            )
        )
    commands.append(
        PaletteCommand(
            "filter: clear, show every mention",
            "Esc on a filtered feed does it too",
            partial(screen.set_filter, ""),
            ("clear filter", "reset filter", "remove filter", "no filter", "show everything"),
        )
    )
    for pane in PANES:
        commands.append(
            PaletteCommand(
                f"view: {PANE_TITLES[pane].lower()} pane",
                f"Show or focus the {PANE_TITLES[pane].lower()} pane"
                + key(MainScreen, f"pane.{pane}"),
                partial(screen.action_pane, pane),
                (f"go to {pane}", pane),
            )
        )
    commands += [
        PaletteCommand(
            "feed: pause or resume",
            "What arrives meanwhile is counted and kept" + key(MentionFeed, "feed.pause"),
            lambda: screen.query_one(MentionFeed).action_toggle_pause(),
            ("pause", "resume", "freeze"),
        ),
        PaletteCommand(
            "checklist: only my role's steps, or all",
            "The steps of this console's --role" + key(Checklist, "checklist.mine"),
            lambda: screen.query_one(Checklist).action_mine(),
            ("my steps", "mine", "role"),
        ),
        PaletteCommand(
            "checklist: by phase, or what is due next",
            "The playbook's phases in order, or the next deadlines first"
            + key(Checklist, "checklist.phases"),
            lambda: screen.query_one(Checklist).action_by_phase(),
            ("phases", "by phase", "by deadline", "due next"),
        ),
        PaletteCommand(
            "view: wall mode",
            "The level, the figures, the evidence and the next steps in large type, for the "
            "big screen in the room" + key(MainScreen, "view.wall"),
            screen.action_wall,
            ("wall", "big screen", "projector", "tv"),
        ),
        PaletteCommand(
            "view: save screenshot",
            "Save an SVG of the screen beside the incidents",
            console.save_shot,
            ("screenshot", "svg", "capture"),
        ),
    ]
    return commands
