"""The playbook editor: YAML with highlighting, validated as you type, saved only when valid."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import LanguageDoesNotExist

from warroom.playbook import (
    Playbook,
    PlaybookError,
    PlaybookInvalid,
    parse_playbook,
    user_playbooks_dir,
)
from warroom.tui.messages import PlaybookSaved
from warroom.tui.safe import PlainTextArea, clean, controls_shown, plain

# Validation takes ~5 ms on the default playbook; the pause only spares work while typing fast.
VALIDATE_DELAY = 0.25


class PlaybookText(PlainTextArea):
    """A YAML code editor that marks the lines holding validation errors."""

    COMPONENT_CLASSES = TextArea.COMPONENT_CLASSES | {"playbook-text--error"}
    DEFAULT_CSS = """
    PlaybookText > .playbook-text--error {
        background: $error 30%;
        text-style: underline;
    }
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.error_lines: frozenset[int] = frozenset()

    def mark(self, lines: frozenset[int]) -> None:
        """Mark these lines (0-based) as holding errors."""
        if lines != self.error_lines:
            self.error_lines = lines
            self._line_cache.clear()  # rendered lines are cached by position, not by marks
            self.refresh()

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        if not line.plain.isprintable():
            # A file may hold raw controls (invalid YAML): shown as symbols, never sent as is.
            line.plain = controls_shown(line.plain)
        if line_index in self.error_lines:
            line.stylize(self.get_component_rich_style("playbook-text--error", partial=True))
        return line


def yaml_editor(text: str, *, id: str) -> PlaybookText:
    """A code editor for YAML; plain text when tree-sitter's YAML grammar is not installed."""
    try:
        editor = PlaybookText.code_editor(text, language="yaml", theme="css", id=id)
    except LanguageDoesNotExist:
        editor = PlaybookText.code_editor(text, language=None, theme="css", id=id)
    assert isinstance(editor, PlaybookText)
    return editor


def write_atomically(path: Path, text: str) -> None:
    """Write text to path so that a crash leaves the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check(text: str, target: Path) -> tuple[Playbook | None, list[PlaybookError]]:
    """The playbook this text builds when saved at target, or every error in it."""
    try:
        return parse_playbook(text, target.name, target), []
    except PlaybookInvalid as invalid:
        return None, invalid.errors


def error_line(error: PlaybookError) -> str:
    """`line:col: path: message`, the file name left out (the title says which file)."""
    where = f"{error.line}:{error.column}"
    return f"{where}: {error.path}: {error.message}" if error.path else f"{where}: {error.message}"


class PlaybookEditor(Screen[None]):
    """Edit a playbook; a bundled one is saved as your copy, which then replaces it."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor.save", tooltip="Save (only when valid)"),
        Binding("f8", "next_error", "Next error", id="editor.next_error", tooltip="Go to an error"),
        # Priority: the code editor itself uses Esc to move the focus on.
        Binding("escape", "leave", "Close", id="editor.close", tooltip="Close", priority=True),
    ]

    DEFAULT_CSS = """
    PlaybookEditor { layout: vertical; }
    PlaybookEditor #editor-title { height: auto; padding: 0 1; background: $panel; }
    PlaybookEditor #editor-notice { height: auto; padding: 0 1; color: $warning; }
    PlaybookEditor #editor-body { height: 1fr; }
    PlaybookEditor #editor-text { width: 1fr; height: 1fr; }
    PlaybookEditor #editor-errors { width: 45%; height: 1fr; display: none; border: round $error; }
    PlaybookEditor.-invalid #editor-errors { display: block; }
    PlaybookEditor #editor-status { height: 1; padding: 0 1; color: $success; }
    PlaybookEditor.-invalid #editor-status { color: $error; }
    """

    def __init__(
        self,
        name: str,
        path: Path,
        *,
        bundled: bool,
        user_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.playbook_name = name
        self.source = Path(path)
        self.bundled = bundled
        folder = user_dir if user_dir is not None else user_playbooks_dir()
        self.target = Path(folder) / f"{name}.yaml" if bundled else self.source
        self.saved_text = self.source.read_text(encoding="utf-8")
        self.errors: list[PlaybookError] = []
        self._timer: Timer | None = None
        self._warned_unsaved = False

    def compose(self) -> ComposeResult:
        # File names and paths are the user's: shown as characters, never markup.
        title = f"Playbook {clean(self.playbook_name, limit=64)} · {clean(str(self.target))}"
        yield Static(Content(title), id="editor-title")
        if self.bundled:
            yield Static(
                plain(
                    f"Bundled playbooks are read-only: saving writes your copy to {self.target}, "
                    f"which then replaces the bundled '{self.playbook_name}'."
                ),
                id="editor-notice",
            )
        with Horizontal(id="editor-body"):
            yield yaml_editor(self.saved_text, id="editor-text")
            yield OptionList(id="editor-errors")
        yield Static("", id="editor-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#editor-errors").border_title = "Errors"
        self.validate()
        self.query_one(PlaybookText).focus()

    @property
    def text(self) -> str:
        return self.query_one(PlaybookText).text

    @property
    def dirty(self) -> bool:
        """Whether the text differs from what is on disk."""
        return self.text != self.saved_text

    # -- validation --------------------------------------------------------------------------

    @on(TextArea.Changed, "#editor-text")
    def _changed(self) -> None:
        self._warned_unsaved = False
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY, self.validate)

    def validate(self) -> list[PlaybookError]:
        """Check the text now: mark the error lines, list the errors, say if it can be saved."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        _, self.errors = check(self.text, self.target)
        self.set_class(bool(self.errors), "-invalid")
        self.query_one(PlaybookText).mark(frozenset(e.line - 1 for e in self.errors))
        listing = self.query_one("#editor-errors", OptionList)
        listing.clear_options()
        listing.add_options(
            Option(Text(clean(error_line(e), limit=300)), id=str(n))
            for n, e in enumerate(self.errors)
        )
        count = len(self.errors)
        if count:
            status = f"{count} error{'s' if count > 1 else ''} · F8 goes to the next · not saved"
        else:
            status = "Valid · ctrl+s saves" + (" · unsaved changes" if self.dirty else "")
        self.query_one("#editor-status", Static).update(status)
        return self.errors

    # -- moving to errors --------------------------------------------------------------------

    def action_next_error(self) -> None:
        """Put the cursor on the next error after it, wrapping round."""
        self.validate()
        if not self.errors:
            self.notify("No errors.")
            return
        editor = self.query_one(PlaybookText)
        here = editor.cursor_location
        after = [e for e in self.errors if (e.line - 1, e.column - 1) > here]
        self._go_to((after or self.errors)[0])

    @on(OptionList.OptionSelected, "#editor-errors")
    def _error_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id or 0)
        if index < len(self.errors):
            self._go_to(self.errors[index])

    def _go_to(self, error: PlaybookError) -> None:
        editor = self.query_one(PlaybookText)
        editor.move_cursor((max(0, error.line - 1), max(0, error.column - 1)), center=True)
        editor.focus()
        self.notify(clean(error_line(error), limit=300), severity="error", timeout=6)

    # -- saving and leaving ------------------------------------------------------------------

    def action_save(self) -> None:
        """Save only a valid playbook, atomically, to the user's folder."""
        text = self.text
        playbook, errors = check(text, self.target)
        self.validate()
        if playbook is None:
            first = clean(error_line(errors[0]), limit=200) if errors else "invalid"
            self.notify(f"Not saved: {len(errors)} error(s); first {first}", severity="error")
            return
        try:
            write_atomically(self.target, text)
        except OSError as error:
            self.notify(f"Not saved: {clean(str(error), limit=200)}", severity="error", timeout=10)
            return
        self.saved_text = text
        self.validate()
        where = clean(str(self.target))
        if self.bundled:
            self.notify(f"Saved your copy to {where}; it replaces the bundled playbook.")
        else:
            self.notify(f"Saved {where}.")
        self.post_message(PlaybookSaved(playbook))

    def action_leave(self) -> None:
        """Close; with unsaved changes, the first Esc warns and the second discards them."""
        if self.dirty and not self._warned_unsaved:
            self._warned_unsaved = True
            self.notify(
                "Unsaved changes: ctrl+s saves, Esc again closes without saving.",
                severity="warning",
            )
            return
        self.dismiss(None)
