"""Text from the internet, made safe to put on the screen: no markup, escapes or layout tricks."""

from __future__ import annotations

import re
import unicodedata

from textual.content import Content
from textual.events import Paste
from textual.notifications import SeverityLevel
from textual.widgets import Input, TextArea

# Escape sequences (CSI, OSC, DCS... ) are removed whole, not just their ESC byte.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (titles, hyperlinks, clipboard)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# Bidi overrides and isolates reorder the rest of the line; zero-width marks hide text.
_INVISIBLE = dict.fromkeys(
    [
        0x202A,
        0x202B,
        0x202C,
        0x202D,
        0x202E,
        0x2066,
        0x2067,
        0x2068,
        0x2069,
        0x200E,
        0x200F,
        0x200B,
        0x2060,
        0xFEFF,
        0x00AD,
    ]
)
_WHITESPACE = re.compile(r"\s+")
# One visible symbol for each control (tab and newline aside): offsets in a line stay the same.
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_PICTURES.update(dict.fromkeys(range(0x7F, 0xA0), "\ufffd"))

# A mention longer than this is cut for display; the full text stays in the store.
MAX_DISPLAY_CHARS = 4000


def clean(text: str, *, keep_newlines: bool = False, limit: int = MAX_DISPLAY_CHARS) -> str:
    """Plain characters only: escapes removed, controls shown as symbols, bidi tricks dropped."""
    text = text[: limit * 4]
    if text.isprintable():  # the common case, checked in C: nothing to remove
        return text if len(text) <= limit else text[: limit - 1] + "…"
    text = _ESCAPES.sub("", text)
    text = text.translate(_INVISIBLE)
    out = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char in "\t\n\r":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs", "Co"):
            # Control picture for C0 (U+2400 block), a replacement mark for the rest.
            code = ord(char)
            out.append(chr(0x2400 + code) if code < 0x20 else "\ufffd")
        else:
            out.append(char)
    result = "".join(out)
    if not keep_newlines:
        result = _WHITESPACE.sub(" ", result).strip()
    if len(result) > limit:
        result = result[: limit - 1] + "…"
    return result


def plain(text: str, **kwargs: bool | int) -> Content:
    """Textual Content of the cleaned characters, never parsed as markup (titles, labels)."""
    return Content(clean(text, **kwargs))  # type: ignore[arg-type]


class PlainNotifications:
    """An App mixin: every notification (a screen's too) is plain text, never markup."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a toast; `markup` is ignored: messages carry names, paths and errors."""
        super().notify(  # type: ignore[misc]
            clean(message, keep_newlines=True, limit=1000),
            title=clean(title, limit=100),
            severity=severity,
            timeout=timeout,
            markup=False,
        )


def controls_shown(text: str) -> str:
    """Each control character (tab and newline aside) as a visible symbol, one for one."""
    return text.translate(_PICTURES)


def _clean_paste(event: Paste) -> None:
    # A post copied from the web may carry escapes: they would reach the terminal as typed.
    text = event.text.replace("\r\n", "\n")
    event.text = clean(text, keep_newlines=True, limit=len(text) + 1)


class PlainInput(Input):
    """An Input whose pasted text loses its escapes and controls (keys only type printables)."""

    def _on_paste(self, event: Paste) -> None:
        _clean_paste(event)  # Input's own handler runs next, with the cleaned text


class PlainTextArea(TextArea):
    """A TextArea whose pasted text loses its escapes and controls; newlines are kept."""

    async def _on_paste(self, event: Paste) -> None:  # async, as TextArea's own
        _clean_paste(event)  # TextArea's own handler runs next, with the cleaned text
