"""The help screen: every pane's keys, read from their bindings, and what the screen shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from warroom.tui.screens.draft import DraftScreen, PublishScreen
from warroom.tui.screens.editor import PlaybookEditor
from warroom.tui.screens.incident import CloseScreen, DeclareScreen
from warroom.tui.screens.main import MainScreen
from warroom.tui.screens.mention import MentionScreen
from warroom.tui.screens.switch import SwitchScreen
from warroom.tui.screens.wall import WallScreen
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.feed import MentionFeed
from warroom.tui.widgets.notes import NotesPane

KEY_COLUMN = 14
WHAT_COLUMN = 14  # the footer's word for it; then the longer words, dimmed


class ShowsKeys(Protocol):
    """The app, as far as showing a key goes: the footer's way of writing it."""

    def get_key_display(self, binding: Binding) -> str: ...


@dataclass(frozen=True)
class KeySection:
    """A pane or screen: what it is for, and the classes whose bindings are its keys."""

    title: str
    about: str
    owners: tuple[type[DOMNode], ...]


SECTIONS: tuple[KeySection, ...] = (
    KeySection(
        "The console",
        "The four panes; in a narrow terminal one at a time, as tabs (1-4).",
        (MainScreen,),
    ),
    KeySection(
        "Mentions (the feed)",
        "Newest first; it follows the newest while the cursor is on the top row. "
        "Filter words: neg / pos / neu, source:reddit, topic:brand, flagged, competitor, "
        "ours / public, and any words the mention must hold.",
        (MentionFeed,),
    ),
    KeySection(
        "Sentiment (the gauge)",
        "No keys: it is read, not worked (see below what it shows).",
        (),
    ),
    KeySection(
        "Checklist",
        "The playbook's steps by phase, with owner and deadline; who checked a step, and when, "
        "goes in the log.",
        (Checklist,),
    ),
    KeySection(
        "Notes",
        "The incident's timeline, notes and events; n writes a note. Enter saves it (on disk "
        "before the line clears); Esc leaves the line and keeps what was typed.",
        (NotesPane,),
    ),
    KeySection(
        "Wall (w, or --wall)",
        "For the big screen in the room: the level, the figures that matter, the latest "
        "evidence and the next steps, in large type.",
        (WallScreen,),
    ),
    KeySection(
        "Mention view (Enter on a mention)",
        "The whole mention; what is done here goes in the log.",
        (MentionScreen,),
    ),
    KeySection(
        "Draft (m)",
        "A playbook template filled from the incident, its tone read as you type.",
        (DraftScreen, PublishScreen),
    ),
    KeySection(
        "Declare (d) and close (palette: incident: close)",
        "Enter accepts: the name when declaring, the one-line summary when closing.",
        (DeclareScreen, CloseScreen),
    ),
    KeySection(
        "Playbooks (palette: playbook: …)",
        "Switching shows which checks are kept; the editor saves only a valid file.",
        (SwitchScreen, PlaybookEditor),
    ),
)

# How to read the screen: (name, class for its colour, meaning).
READING = (
    (
        "Header",
        "",
        "DRILL while practising; the level, also as its colour; T+hh:mm:ss since the incident "
        "was declared, CLOSED once it is closed; the brand and the incident's name; in team "
        "mode, how many are on and who takes in the mentions.",
    ),
    (
        "Gauge",
        "",
        "First what the detector judges: the negative share over its window (10 minutes by "
        "default) against the usual share, and the volume as a multiple of the usual rate; "
        "figures above usual take the level's colour once the level is raised. Then the level "
        "and the detector's reason (shortened at a clause, with …, when the pane is short), the "
        "negative terms trending, the split (negative █, neutral ░, positive ▒), the mean VADER "
        "score (-1 to +1; secondary: a 42% negative share can sit beside a mean near 0), "
        "competitors, and the last hour as two sparklines labelled with their range.",
    ),
    (
        "NORMAL",
        "-normal",
        "The negative share is where the baseline expects it, or there is too little to judge, "
        "or the baseline is still being learned. Volume alone never raises the level.",
    ),
    (
        "ELEVATED",
        "-elevated",
        "The negative share is clearly above the usual (well beyond chance, and at least 15% "
        "above it) with at least the usual number of complaints: worth a look, get ready. At "
        'low volume the reason says "unusual cluster at low volume".',
    ),
    (
        "CRISIS",
        "-crisis",
        "Enough evidence for the brand's volume (a count chance gives less than once a year, "
        "and 10 more complaints than usual), once an ELEVATED level grows or persists a whole "
        "window; only a sudden, overwhelming surge comes straight from NORMAL. The reason says "
        "which, and the console offers to declare an incident with the evidence. A level steps "
        "down one at a time, once the evidence has stayed down for the cooldown (15 minutes by "
        "default).",
    ),
    (
        "Status line",
        "",
        "Each source's state, the team in team mode, how many mentions came in; a disk that "
        "refuses writes is said here first.",
    ),
)


def key_rows(
    bindings: Iterable[BindingType], keymap: Mapping[str, str], app: ShowsKeys
) -> list[tuple[str, str, str]]:
    """(keys, what, more) for each described binding, keys as the footer shows them, rebound
    keys (the config's keymap) included; one row per action."""
    rows: dict[tuple[str, str], tuple[list[str], str]] = {}
    for binding in Binding.make_bindings(bindings):
        if not binding.description:
            continue
        row = rows.setdefault((binding.action, binding.description), ([], binding.tooltip))
        row[0].extend(key for key in shown_keys(binding, keymap, app) if key not in row[0])
    return [(" ".join(keys), what, more) for (_, what), (keys, more) in rows.items()]


def shown_keys(binding: Binding, keymap: Mapping[str, str], app: ShowsKeys) -> list[str]:
    """The keys of one binding as the footer shows them, after the config's keymap."""
    keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
    return [app.get_key_display(Binding(key.strip(), binding.action)) for key in keys.split(",")]


def key_of(owner: type[DOMNode], binding_id: str, keymap: Mapping[str, str], app: ShowsKeys) -> str:
    """The key(s) of one of a class's bindings, by id, as shown: `n`, `space enter x`."""
    keys: list[str] = []
    for binding in Binding.make_bindings(own_bindings(owner)):
        if binding.id == binding_id:
            keys.extend(key for key in shown_keys(binding, keymap, app) if key not in keys)
    return " ".join(keys)


def own_bindings(owner: type[DOMNode]) -> list[BindingType]:
    """The bindings a class declares itself (not what it inherits from Textual's widgets)."""
    return list(owner.__dict__.get("BINDINGS", []))


class HelpScreen(ModalScreen[None]):
    """Keys of every pane and screen, and how to read the header, the gauge and the levels."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-box {
        width: 90%; max-width: 110; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
        border-subtitle-color: $text-muted;
    }
    HelpScreen .help-title { text-style: bold; color: $accent; margin-top: 1; }
    HelpScreen .help-about { color: $text-muted; }
    HelpScreen .help-row { height: auto; }
    HelpScreen .help-name { width: 14; text-style: bold; }
    HelpScreen .help-name.-normal { color: $success; }
    HelpScreen .help-name.-elevated { color: $warning; }
    HelpScreen .help-name.-crisis { color: $error; text-style: bold reverse; }
    HelpScreen .help-meaning { width: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close", tooltip="Close"),
    ]

    def __init__(
        self, everywhere: Sequence[BindingType], keymap: Mapping[str, str] | None = None
    ) -> None:
        super().__init__()
        self.everywhere = list(everywhere)
        self.keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("Everywhere", classes="help-title")
            yield Static(self._keys(self.everywhere), classes="help-keys")
            for section in SECTIONS:
                yield Static(section.title, classes="help-title")
                yield Static(section.about, classes="help-about")
                bindings = [b for owner in section.owners for b in own_bindings(owner)]
                if bindings:
                    yield Static(self._keys(bindings), classes="help-keys")
            yield Static("Reading the screen", classes="help-title")
            for name, level, meaning in READING:
                with Horizontal(classes="help-row"):
                    yield Static(f" {name} " if level else name, classes=f"help-name {level}")
                    yield Static(meaning, classes="help-meaning")

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "Help"
        box.border_subtitle = "Esc, q or ? closes · ↑ ↓ PgUp PgDn scroll"
        box.focus()

    def _keys(self, bindings: Sequence[BindingType]) -> Table:
        """Key, the footer's word, and the longer words dimmed, which wrap in their column."""
        table = Table.grid(padding=(0, 1))
        table.add_column(width=KEY_COLUMN, no_wrap=True, style="bold")
        table.add_column(width=WHAT_COLUMN, no_wrap=True)
        table.add_column(ratio=1, style="dim")
        for keys, what, more in key_rows(bindings, self.keymap, self.app):
            table.add_row(Text(f"  {keys}"), Text(what), Text(more or ""))
        return table
