"""The review chart: volume bars and negative share over the whole incident, levels and actions."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from warroom.detection.detector import ELEVATED_LIFT
from warroom.tui.review.data import Column, ReviewData

GUTTER = 5
VOLUME_ROWS = 4
SHARE_ROWS = 2
HEIGHT = VOLUME_ROWS + SHARE_ROWS + 2  # + the marker row and the time axis
BLOCKS = " ▁▂▃▄▅▆▇█"
LABEL_EVERY = 12  # columns between time labels on the axis


def bar_cells(value: float, rows: int) -> list[str]:
    """A 0..1 value as a bar `rows` cells high, top cell first, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, value)) * rows * 8)
    if value > 0 and eighths == 0:
        eighths = 1  # any mention at all shows
    cells = []
    for row in range(rows - 1, -1, -1):
        cells.append(BLOCKS[max(0, min(8, eighths - row * 8))])
    return cells


class TimelineChart(Widget, can_focus=True):
    """One column per few minutes; the level is each column's background; the cursor is lit."""

    COMPONENT_CLASSES = {
        "chart--normal",
        "chart--elevated",
        "chart--crisis",
        "chart--volume",
        "chart--negative",
        "chart--baseline",
        "chart--marker",
        "chart--cursor",
        "chart--label",
    }
    DEFAULT_CSS = f"""
    TimelineChart {{
        height: {HEIGHT};
    }}
    """

    cursor = reactive(0)

    class Clicked(Message):
        """The user clicked a column: move the cursor to its first minute."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Rescaled(Message):
        """The width changed, and with it the minutes each column holds."""

        def __init__(self, per_column: int) -> None:
            super().__init__()
            self.per_column = per_column

    def __init__(self, data: ReviewData, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data = data
        self._columns: dict[int, list[Column]] = {}

    @property
    def per_column(self) -> int:
        """Minutes each column holds at the current width."""
        return self.data.per_column(max(1, self.size.width - GUTTER))

    def columns(self) -> list[Column]:
        per = self.per_column
        if per not in self._columns:
            self._columns[per] = self.data.columns(per)
        return self._columns[per]

    def render(self) -> Text:
        columns = self.columns()
        if not columns:
            return Text("no minutes to chart")
        style = self.get_component_rich_style
        bands = {level: style(f"chart--{level}") for level in ("normal", "elevated", "crisis")}
        cursor_style = style("chart--cursor")

        def fore(name: str) -> Style:
            # Only the foreground: the background is the column's level (or the cursor).
            return style(name, partial=True)

        volume_style, negative_style = fore("chart--volume"), fore("chart--negative")
        baseline_style, marker_style = fore("chart--baseline"), fore("chart--marker")
        label_style = fore("chart--label")
        at_cursor = min(len(columns) - 1, self.cursor // self.per_column)
        top = max(column.volume for column in columns) or 1
        volume = [bar_cells(column.volume / top, VOLUME_ROWS) for column in columns]
        share = [bar_cells(column.negative_share or 0.0, SHARE_ROWS) for column in columns]
        above = [_above_baseline(column) for column in columns]
        gutter = [f"{top:>4} ", "", "", "vol ", "neg%", "", "act ", "UTC "]
        axis = _axis(self.data, columns, self.per_column)
        lines = []
        for row in range(HEIGHT):
            line = Text(no_wrap=True, overflow="crop")
            line.append(f"{gutter[row]:<{GUTTER}}", style("chart--label"))
            for index, column in enumerate(columns):
                background = cursor_style if index == at_cursor else bands[str(column.level)]
                if row < VOLUME_ROWS:
                    char, ink = volume[index][row], volume_style
                elif row < VOLUME_ROWS + SHARE_ROWS:
                    char = share[index][row - VOLUME_ROWS]
                    ink = negative_style if above[index] else baseline_style
                elif row == VOLUME_ROWS + SHARE_ROWS:
                    char, ink = column.marker or " ", marker_style
                else:
                    char, ink = axis[index], label_style
                    if index == at_cursor:
                        char = "▲"
                line.append(char, Style.combine([background, ink]))
            lines.append(line)
        return Text("\n").join(lines)

    def watch_cursor(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.post_message(self.Rescaled(self.per_column))
        self.refresh()

    def on_click(self, event: Click) -> None:
        column = (event.x - GUTTER) if event.x >= GUTTER else -1
        columns = self.columns()
        if 0 <= column < len(columns):
            self.post_message(self.Clicked(columns[column].first))


def _above_baseline(column: Column) -> bool:
    """A negative share clearly above the baseline then (by the detector's lift)."""
    share = column.negative_share
    if share is None or column.baseline_share is None:
        return False  # no baseline learned yet: nothing to compare with
    return share > column.baseline_share * ELEVATED_LIFT


def _axis(data: ReviewData, columns: list[Column], per: int) -> list[str]:
    """Time labels (HH:MM, UTC) under every LABEL_EVERY-th column, where they fit."""
    cells = [" "] * len(columns)
    for index in range(0, len(columns), LABEL_EVERY):
        label = f"{data.minute_at(columns[index].first):%H:%M}"
        if index + len(label) <= len(cells):
            cells[index : index + len(label)] = list(label)
    return cells
