"""Words and figures in block letters, as large as the space allows: the wall screen's type."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

# A 5-pixel-high font. Drawn with half blocks, one pixel is one column wide and half a row
# high: square on a terminal's 1:2 cells, so the letters keep their shape at every scale.
_FONT = {
    "A": (" ## ", "#  #", "####", "#  #", "#  #"),
    "B": ("### ", "#  #", "### ", "#  #", "### "),
    "C": (" ###", "#   ", "#   ", "#   ", " ###"),
    "D": ("### ", "#  #", "#  #", "#  #", "### "),
    "E": ("####", "#   ", "### ", "#   ", "####"),
    "F": ("####", "#   ", "### ", "#   ", "#   "),
    "G": (" ###", "#   ", "# ##", "#  #", " ###"),
    "H": ("#  #", "#  #", "####", "#  #", "#  #"),
    "I": ("###", " # ", " # ", " # ", "###"),
    "J": ("  ##", "   #", "   #", "#  #", " ## "),
    "K": ("#  #", "# # ", "##  ", "# # ", "#  #"),
    "L": ("#   ", "#   ", "#   ", "#   ", "####"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #"),
    "O": (" ## ", "#  #", "#  #", "#  #", " ## "),
    "P": ("### ", "#  #", "### ", "#   ", "#   "),
    "Q": (" ## ", "#  #", "#  #", "# ##", " ###"),
    "R": ("### ", "#  #", "### ", "# # ", "#  #"),
    "S": (" ###", "#   ", " ## ", "   #", "### "),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#  #", "#  #", "#  #", "#  #", " ## "),
    "V": ("#   #", "#   #", "#   #", " # # ", "  #  "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "X": ("#   #", " # # ", "  #  ", " # # ", "#   #"),
    "Y": ("#   #", " # # ", "  #  ", "  #  ", "  #  "),
    "Z": ("####", "  # ", " #  ", "#   ", "####"),
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": (" # ", "## ", " # ", " # ", "###"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", " ##", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", " # ", " # "),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
    "x": ("   ", "# #", " # ", "# #", "   "),
    "k": ("#  ", "# #", "## ", "# #", "# #"),
    "%": ("# #", "  #", " # ", "#  ", "# #"),
    ".": (" ", " ", " ", " ", "#"),
    ",": (" ", " ", " ", "#", "#"),
    ":": (" ", "#", " ", "#", " "),
    "-": ("   ", "   ", "###", "   ", "   "),
    "+": ("   ", " # ", "###", " # ", "   "),
    "/": ("  #", "  #", " # ", "#  ", "#  "),
    "!": ("#", "#", "#", " ", "#"),
    " ": ("  ", "  ", "  ", "  ", "  "),
}
_UNKNOWN = ("###", "# #", "# #", "# #", "###")
_HEIGHT = 5
_GAP = 1  # pixels between letters
# Two half-rows, top and bottom, as one cell.
_HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def _glyph(char: str) -> tuple[str, ...]:
    return _FONT.get(char) or _FONT.get(char.upper()) or _UNKNOWN


def pixel_width(text: str) -> int:
    """How many pixels wide `text` is at scale 1 (letters and the gaps between them)."""
    if not text:
        return 0
    return sum(len(_glyph(char)[0]) for char in text) + _GAP * (len(text) - 1)


def rows_at(scale: int) -> int:
    """How many terminal rows the letters take at `scale`."""
    return (_HEIGHT * scale + 1) // 2


def block_lines(text: str, scale: int) -> list[str]:
    """`text` in block letters, each pixel `scale` columns wide and `scale` half-rows high."""
    pixels: list[str] = []
    for row in range(_HEIGHT):
        line = (" " * _GAP).join(_glyph(char)[row] for char in text)
        pixels.extend(["".join(cell * scale for cell in line)] * scale)
    if len(pixels) % 2:
        pixels.append(" " * len(pixels[0]))
    return [
        "".join(
            _HALVES[top == "#", bottom == "#"] for top, bottom in zip(upper, lower, strict=True)
        )
        for upper, lower in zip(pixels[::2], pixels[1::2], strict=True)
    ]


class BigText(Widget):
    """One line of text in block letters: the largest scale that fits its width and `max_rows`;
    the plain word, bold, when not even the smallest fits (the text reads either way).

    `fit_pixels` sizes it as if the text were at least that wide: figures side by side that
    share it keep one scale while their values change length.
    """

    DEFAULT_CSS = """
    BigText {
        width: 1fr;
        height: auto;
        text-align: center;
        text-style: bold;
    }
    """

    text = reactive("", layout=True)
    max_rows = reactive(rows_at(1), layout=True)
    fit_pixels = reactive(0, layout=True)

    def __init__(
        self,
        text: str = "",
        *,
        max_rows: int = rows_at(1),
        fit_pixels: int = 0,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.set_reactive(BigText.text, text)
        self.set_reactive(BigText.max_rows, max_rows)
        self.set_reactive(BigText.fit_pixels, fit_pixels)

    def scale_for(self, width: int) -> int:
        """The largest scale at which the text fits `width` columns and `max_rows`; 0 if none."""
        if not self.text:
            return 0
        pixels = max(pixel_width(self.text), self.fit_pixels)
        # 5 * scale half-rows make ceil(5 * scale / 2) rows: at most max_rows.
        return max(0, min(width // pixels, 2 * self.max_rows // _HEIGHT))

    @property
    def scale(self) -> int:
        """The scale the text is drawn at now (0: as a plain word)."""
        return self.scale_for(self.content_size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        scale = self.scale_for(width)
        return rows_at(scale) if scale else 1

    def render(self) -> Content:
        scale = self.scale
        if not scale:
            return Content(self.text)
        return Content("\n".join(block_lines(self.text, scale)))
