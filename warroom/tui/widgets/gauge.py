"""The sentiment gauge: what the detector judges (the negative share and the volume against
the usual), the level and its reason, the split, the trending terms and the last hour, fitted to
its pane."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Sparkline

from warroom.detection.signals import Gauge
from warroom.model import Level
from warroom.tui.safe import clean
from warroom.tui.widgets.ink import ink

ELLIPSIS = "…"
# Where a reason may be shortened: before ", " "; " ": " (and before a parenthesis, below).
_CLAUSE = re.compile(r"[,;:] ")
GAUGE_TEXT_ROWS = 16  # what the words need before the sparklines grow past a row each
SPARK_MAX_ROWS = 6
SPLIT_GLYPHS = ("█", "░", "▒")  # negative, neutral, positive: told apart without colour too


def split_bar(shares: tuple[float, float, float], width: int) -> list[int]:
    """Cell counts for the negative / neutral / positive shares, adding up to `width`."""
    negative = min(width, round(shares[0] * width))
    positive = min(width - negative, round(shares[2] * width))
    return [negative, width - negative - positive, positive]


def words(text: str, style: Style | str = "") -> Text:
    """Text styled by a span, not by its base style: what is added after it keeps its own."""
    return Text.assemble((text, style))


def percent(share: float) -> str:
    """`42%`."""
    return f"{share * 100:.0f}%"


def clauses(reason: str) -> list[str]:
    """The reason cut where a shorter reason still reads: each piece keeps its leading
    delimiter, and a parenthesis stays whole (it is one aside)."""
    pieces: list[str] = []
    start = depth = 0
    for index, char in enumerate(reason):
        if char == "(":
            if depth == 0 and index > 0 and reason[index - 1] == " ":
                pieces.append(reason[start : index - 1])
                start = index - 1
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and _CLAUSE.match(reason, index):
            pieces.append(reason[start:index])
            start = index
    pieces.append(reason[start:])
    return [piece for piece in pieces if piece]


def wrap(text: Text, width: int, console: Console) -> list[Text]:
    """`text` wrapped on word boundaries to `width`, one Text a line, trailing spaces dropped."""
    lines = text.wrap(console, max(1, width), overflow="fold")
    for line in lines:
        line.rstrip()
    return list(lines)


def fitted_reason(
    head: Text, reason: str, style: Style, width: int, max_lines: int, console: Console
) -> list[Text]:
    """`head` then the reason, wrapped on words into at most `max_lines` lines: whole if it
    fits, else its first clauses and `…`, else its first words and `…`: never cut mid-word."""
    pieces = clauses(reason)
    for count in range(len(pieces), 0, -1):
        shorter = "".join(pieces[:count]) + ("" if count == len(pieces) else ELLIPSIS)
        lines = wrap(head + words(shorter, style), width, console)
        if len(lines) <= max_lines:
            return lines
    # Not even the first clause fits: as many whole words as fit.
    first = reason.split()
    for count in range(len(first) - 1, 0, -1):
        lines = wrap(head + words(" ".join(first[:count]) + ELLIPSIS, style), width, console)
        if len(lines) <= max_lines:
            return lines
    # Not even one word: the level alone, marked as shortened when there is room for the mark.
    for last in (head + words(ELLIPSIS, style), head):
        lines = wrap(last, width, console)
        if len(lines) <= max_lines:
            return lines
    return lines[:max_lines]


def packed(label: Text, items: Sequence[Text], width: int, max_lines: int) -> list[Text]:
    """`label` then the items two spaces apart, line after line, never splitting an item; the
    items that do not fit in `max_lines` are left out."""
    lines: list[Text] = []
    line = label.copy()
    indent = " " * label.cell_len
    for item in items:
        gap = 2 if line.cell_len > len(indent) else 0
        if line.cell_len + gap + item.cell_len <= width or line.cell_len == len(indent):
            line.append(" " * gap)
            line.append_text(item)
            continue
        lines.append(line)
        if len(lines) == max_lines:
            return lines
        line = Text(indent)
        line.append_text(item)
    lines.append(line)
    return lines[:max_lines]


@dataclass
class Section:
    """A part of the gauge as it can be drawn, fullest first, shortest last."""

    variants: list[list[Text]]
    spaced: bool = False  # a blank line above it, when there is room


def fit(sections: Sequence[Section], height: int) -> list[Text]:
    """The sections in order within `height` lines: each gets its shortest form first (in
    order; one that cannot is left out), then the fullest form that still fits, then the blank
    lines between them. Lines are never cut from a form: a form is whole or not drawn."""
    chosen: list[int | None] = [None] * len(sections)
    room = height
    for index, section in enumerate(sections):
        shortest = len(section.variants[-1])
        if section.variants[-1] and shortest <= room:
            chosen[index] = len(section.variants) - 1
            room -= shortest
    for index, section in enumerate(sections):
        current = chosen[index]
        if current is None:
            continue
        room += len(section.variants[current])
        for better, lines in enumerate(section.variants[: current + 1]):
            if len(lines) <= room:
                chosen[index] = better
                break
        room -= len(section.variants[chosen[index] or 0])
    out: list[Text] = []
    for index, section in enumerate(sections):
        choice = chosen[index]
        if choice is None:
            continue
        if section.spaced and out and room > 0:
            out.append(Text())
            room -= 1
        out.extend(section.variants[choice])
    return out


class GaugeText(Widget):
    """The figures and words of the gauge, laid out for the pane's width and height."""

    COMPONENT_CLASSES = {
        "gauge--figure",
        "gauge--label",
        "gauge--normal",
        "gauge--elevated",
        "gauge--crisis",
        "gauge--negative",
        "gauge--neutral",
        "gauge--positive",
    }

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.gauge: Gauge | None = None

    def show(self, gauge: Gauge) -> None:
        """Draw this snapshot."""
        self.gauge = gauge
        self.refresh()

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        styles = {name.removeprefix("gauge--"): ink(self, name) for name in self.COMPONENT_CLASSES}
        gauge = self.gauge
        if gauge is None:
            return Text("waiting for mentions…", styles["label"])
        lines = fit(sections(gauge, width, height, styles, self.app.console), height)
        return Text("\n", no_wrap=True, overflow="ellipsis").join(lines)

    def on_resize(self, event: Resize) -> None:
        self.refresh()


def share_alarms(gauge: Gauge) -> bool:
    """Whether the negative share is to be read as an alarm: the detector has raised the level
    and the share is above its usual (the level, not a threshold of the console's own)."""
    share, usual = gauge.negative_share, gauge.baseline_negative_share
    raised = gauge.level is not Level.NORMAL
    return raised and share is not None and usual is not None and share > usual


def volume_alarms(gauge: Gauge) -> bool:
    """Whether the volume is to be read as an alarm: the level is raised and it is above usual."""
    base = gauge.baseline_volume_per_min
    return gauge.level is not Level.NORMAL and bool(base) and gauge.volume_per_min > (base or 0)


def headline(gauge: Gauge, width: int, styles: Mapping[str, Style]) -> list[list[Text]]:
    """What the detector judges: the negative share and the volume, each against the usual;
    on one line where it fits, else one figure a line; the details go before the figures do."""
    label, figure = styles["label"], styles["figure"]
    alarm = styles[str(gauge.level)]
    share, usual = gauge.negative_share, gauge.baseline_negative_share
    negative = words("Negative ", label)
    if share is None:
        negative.append("–", figure)
    else:
        negative.append(percent(share), alarm if share_alarms(gauge) else figure)
    negative.append(
        f" (usual {percent(usual)})" if usual is not None else " (usual: learning)", label
    )
    rate, base = gauge.volume_per_min, gauge.baseline_volume_per_min
    short = words("Volume ", label)
    if base:
        short.append(f"{rate / base:.1f}x", alarm if volume_alarms(gauge) else figure)
        short.append(" usual", label)
        volumes = [
            short + words(f" ({rate:.1f}/min, usual {base:.1f})", label),
            short + words(f" ({rate:.1f}/min)", label),
            short,
        ]
    else:
        short.append(f"{rate:.1f}/min", figure)
        volumes = [short + words(" (usual: learning)", label), short]
    for volume in volumes:
        joined = negative + words(" · ", label) + volume
        if joined.cell_len <= width:
            return [[joined]]
    volume = next((v for v in volumes if v.cell_len <= width), volumes[-1])
    return [[negative, volume]]


def level_lines(
    gauge: Gauge, width: int, max_lines: int, styles: Mapping[str, Style], console: Console
) -> list[list[Text]]:
    """The level as a badge, then the detector's reason: whole where it fits in `max_lines`,
    and shorter by clauses for fewer lines."""
    level = str(gauge.level)
    badge = words(f" {level.upper()} ", styles[level] + Style(bold=True, reverse=True))
    badge.append(" ")
    reason = clean(gauge.reason or "", limit=300)
    variants: list[list[Text]] = []
    for lines in range(max(1, max_lines), 0, -1):
        variant = fitted_reason(badge, reason, styles["label"], width, lines, console)
        if not variants or len(variant) < len(variants[-1]):
            variants.append(variant)
    return variants


def split_lines(gauge: Gauge, width: int, styles: Mapping[str, Style]) -> list[list[Text]]:
    """The negative / neutral / positive shares as a bar, and in figures."""
    label = styles["label"]
    tones = (styles["negative"], styles["neutral"], styles["positive"])
    legend = Text()
    for name, share, tone in zip(("neg", "neu", "pos"), gauge.split, tones, strict=True):
        legend.append(f"{name} ", label)
        legend.append(percent(share), tone)
        legend.append("  " if name != "pos" else "")
    bar_width = width - len("Split ") - legend.cell_len - 2
    one_line = bar_width >= 10
    if not one_line:
        bar_width = max(1, width - len("Split "))
    bar = words("Split ", label)
    cells = split_bar(gauge.split, bar_width)
    for count, glyph, tone in zip(cells, SPLIT_GLYPHS, tones, strict=True):
        bar.append(glyph * count, tone)
    if one_line:
        return [[bar + Text("  ") + legend]]
    # Short of room, the figures say more than the bar.
    return [[bar, Text("      ") + legend], [words("Split ", label) + legend]]


def sections(
    gauge: Gauge, width: int, height: int, styles: Mapping[str, Style], console: Console
) -> list[Section]:
    """The gauge's parts in their order on screen, each in the forms it can take."""
    label = styles["label"]
    parts = [
        Section(headline(gauge, width, styles)),
        Section(level_lines(gauge, width, max(2, height // 3), styles, console)),
    ]
    if gauge.trending:
        terms = [Text(clean(term.term, limit=30)) for term in gauge.trending[:8]]
        trending = [packed(words("Trending ", label), terms, width, n) for n in (3, 2, 1)]
        parts.append(Section([v for i, v in enumerate(trending) if i == 0 or v != trending[i - 1]]))
    parts.append(Section(split_lines(gauge, width, styles), spaced=True))
    if gauge.net_sentiment is not None:
        # Secondary, and named for what it is: the average VADER compound of the window.
        mean = words("mean VADER score ", label)
        mean.append(f"{gauge.net_sentiment:+.2f}")
        mean.append(" (-1 to +1)", label)
        parts.append(Section([[mean]]))
    competitors = []
    for name, (volume, share) in list(gauge.competitors.items())[:2]:
        line = words(f"{clean(name, limit=30)}  ", label)
        negative = f", {percent(share)} negative" if share is not None else ""
        line.append(f"{volume} in window{negative}", label)
        lines = wrap(line, width, console)
        if len(lines) <= 2:  # a pane too narrow for a competitor's line leaves it out
            competitors.append(lines)
    for lines in competitors:
        parts.append(Section([lines], spaced=lines is competitors[0]))
    return parts


class SparkLabel(Widget):
    """One line saying what a sparkline shows: the longest of its wordings that fits."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.wordings: list[str] = []

    def say(self, *wordings: str) -> None:
        """The wordings, longest first."""
        self.wordings = list(wordings)
        self.refresh()

    def render(self) -> Text:
        width = self.size.width
        fitting = [wording for wording in self.wordings if len(wording) <= width]
        chosen = fitting[0] if fitting else self.wordings[-1] if self.wordings else ""
        return Text(chosen, no_wrap=True, overflow="ellipsis")


class SentimentGauge(Widget):
    """The gauge pane: the figures and words, then the last hour as two sparklines."""

    def compose(self) -> ComposeResult:
        yield GaugeText(id="gauge-text")
        with Vertical(id="sparks"):
            yield SparkLabel(id="spark-sentiment-label")
            yield Sparkline([], id="spark-sentiment")
            yield SparkLabel(id="spark-volume-label")
            yield Sparkline([], id="spark-volume")

    def show(self, gauge: Gauge) -> None:
        """Draw the latest snapshot."""
        self.query_one(GaugeText).show(gauge)
        # A sparkline needs numbers; minutes without English mentions read as neutral.
        scores = [value if value is not None else 0.0 for value in gauge.sentiment_spark]
        volumes = [float(v) for v in gauge.volume_spark]
        self.query_one("#spark-sentiment", Sparkline).data = scores
        self.query_one("#spark-volume", Sparkline).data = volumes
        # The bars are scaled to their own range: the label says what the range is.
        low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
        self.query_one("#spark-sentiment-label", SparkLabel).say(
            f"mean VADER score a minute, last hour: {low:+.2f} to {high:+.2f}",
            f"mean VADER score a minute, 1h: {low:+.2f} to {high:+.2f}",
            f"VADER a minute, 1h: {low:+.2f} to {high:+.2f}",
            "VADER a minute, 1h",
        )
        peak = max(volumes, default=0.0)
        self.query_one("#spark-volume-label", SparkLabel).say(
            f"mentions a minute, last hour: up to {peak:.0f}",
            f"mentions a minute, 1h: up to {peak:.0f}",
            "mentions a minute, 1h",
        )

    def on_resize(self, event: Resize) -> None:
        # Taller sparklines where there is room (the big screen); none where there is not.
        height = event.size.height
        spark = max(1, min(SPARK_MAX_ROWS, (height - GAUGE_TEXT_ROWS) // 3))
        self.query_one("#sparks").display = height >= 12
        for line in self.query(Sparkline):
            line.styles.height = spark
