"""The sentiment gauge: net sentiment, split, volume vs baseline, sparklines, level, terms."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from warroom.detection.signals import Gauge
from warroom.model import Level
from warroom.tui.safe import clean

BAR_WIDTH = 30


def needle(value: float, width: int = BAR_WIDTH) -> tuple[str, str, str]:
    """A -1..+1 scale as three parts: left of the needle, the needle, right of it."""
    value = max(-1.0, min(1.0, value))
    position = round((value + 1) / 2 * (width - 1))
    return "━" * position, "●", "━" * (width - 1 - position)


def split_bar(shares: tuple[float, float, float], width: int = BAR_WIDTH) -> list[int]:
    """Cell counts for the negative / neutral / positive shares, adding up to `width`."""
    cells = [round(share * width) for share in shares]
    cells[1] += width - sum(cells)
    return [max(0, c) for c in cells]


class GaugePart(Static):
    """A part of the gauge that draws the latest snapshot it was shown."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.gauge: Gauge | None = None

    def show(self, gauge: Gauge) -> None:
        self.gauge = gauge
        self.refresh()


class GaugeNumbers(GaugePart):
    """The figures of the gauge, drawn as text with the theme's colours."""

    COMPONENT_CLASSES = {"gauge--negative", "gauge--neutral", "gauge--positive", "gauge--dim"}

    def render(self) -> Text:
        gauge = self.gauge
        neg = self.get_component_rich_style("gauge--negative")
        neu = self.get_component_rich_style("gauge--neutral")
        pos = self.get_component_rich_style("gauge--positive")
        dim = self.get_component_rich_style("gauge--dim")
        text = Text(no_wrap=True, overflow="ellipsis")
        if gauge is None:
            text.append("waiting for mentions…", dim)
            return text
        net = gauge.net_sentiment if gauge.net_sentiment is not None else 0.0
        bar = max(10, self.size.width - 10)
        left, mark, right = needle(net, bar)
        tone = neg if net <= -0.05 else pos if net >= 0.05 else neu
        text.append("Net ", dim)
        text.append(f"{net:+.2f} ", tone)
        text.append(left, neg if net < 0 else dim)
        text.append(mark, tone)
        text.append(right, pos if net > 0 else dim)
        text.append("\nSplit     ", dim)
        for count, style in zip(split_bar(gauge.split, bar), (neg, neu, pos), strict=True):
            text.append("█" * count, style)
        negative, neutral, positive = (f"{share * 100:.0f}%" for share in gauge.split)
        text.append("\n      neg ", dim)
        text.append(negative, neg)
        text.append("  neu ", dim)
        text.append(neutral, neu)
        text.append("  pos ", dim)
        text.append(positive, pos)
        baseline = gauge.baseline_volume_per_min
        ratio = gauge.volume_per_min / baseline if baseline else 0.0
        text.append("\nVolume    ", dim)
        text.append(f"{gauge.volume_per_min:.1f}/min", neg if ratio >= 2 else neu)
        if baseline is not None:
            text.append(f"  base {baseline:.1f}", dim)
            text.append(f"  {ratio:.1f}x", neg if ratio >= 2 else dim)
        else:
            text.append("  base: learning", dim)
        text.append("\nNeg share ", dim)
        share, usual = gauge.negative_share, gauge.baseline_negative_share
        if share is None:
            text.append("–", dim)
        else:
            high = usual is not None and share > usual * 1.3 + 0.02
            text.append(f"{share * 100:.0f}%", neg if high else neu)
        if usual is not None:
            text.append(f"  base {usual * 100:.0f}%", dim)
        return text


class LevelReason(GaugePart):
    """The level in words, and the terms driving the negative conversation."""

    COMPONENT_CLASSES = {"reason--normal", "reason--elevated", "reason--crisis", "reason--dim"}

    def render(self) -> Text:
        text = Text()
        gauge = self.gauge
        dim = self.get_component_rich_style("reason--dim")
        if gauge is None:
            return text
        style = self.get_component_rich_style(f"reason--{gauge.level}")
        text.append(f"{str(gauge.level).upper()} ", style)
        text.append(
            clean(gauge.reason or "", limit=300), dim if gauge.level is Level.NORMAL else ""
        )
        if gauge.trending:
            text.append("\nTrending  ", dim)
            text.append("  ".join(clean(t.term, limit=30) for t in gauge.trending[:8]))
        competitors = getattr(gauge, "competitors", None) or {}
        for name, (volume, share) in list(competitors.items())[:2]:
            text.append(f"\n{clean(name, limit=30)}  ", dim)
            negative = f", {share * 100:.0f}% negative" if share is not None else ""
            text.append(f"{volume} in window{negative}", dim)
        return text


class SentimentGauge(Widget):
    """The gauge pane."""

    def compose(self) -> ComposeResult:
        yield GaugeNumbers(id="gauge-numbers")
        yield LevelReason(id="gauge-reason")
        with Vertical(id="sparks"):
            yield Static("sentiment, last 60 min", classes="spark-label")
            yield Sparkline([], id="spark-sentiment")
            yield Static("volume per minute, last 60 min", classes="spark-label")
            yield Sparkline([], id="spark-volume")

    def show(self, gauge: Gauge) -> None:
        """Draw the latest snapshot."""
        self.query_one(GaugeNumbers).show(gauge)
        self.query_one(LevelReason).show(gauge)
        # A sparkline needs numbers; minutes without English mentions read as neutral.
        self.query_one("#spark-sentiment", Sparkline).data = [
            value if value is not None else 0.0 for value in gauge.sentiment_spark
        ]
        self.query_one("#spark-volume", Sparkline).data = [float(v) for v in gauge.volume_spark]
