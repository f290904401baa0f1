"""The wall's figures: each a value in large type, a line under it, and whether it alarms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from warroom.detection.signals import Gauge
from warroom.incident.state import IncidentState
from warroom.tui.widgets.bigtext import BigText, pixel_width
from warroom.tui.widgets.feed import compact_number
from warroom.tui.widgets.gauge import share_alarms, volume_alarms

RECENT_MINUTES = 10
# The figures share one scale: sized for four characters like `6.4x` or `1:05`.
FIGURE_PIXELS = pixel_width("0:00")


@dataclass(frozen=True)
class Figure:
    """One figure of the wall: the value in large type, a line under it, whether it alarms."""

    value: str
    note: str
    alarm: bool = False


def negative_share_figure(gauge: Gauge) -> Figure:
    """The window's negative share against the usual (baseline) share."""
    share, usual = gauge.negative_share, gauge.baseline_negative_share
    if share is None:
        return Figure("-", "no mentions scored yet")
    value = f"{share * 100:.0f}%"
    if usual is None:
        return Figure(value, "usual: still learning")
    high = share_alarms(gauge)  # the gauge pane's rule: the level is raised and it is above
    return Figure(value, f"{'▲ ' if high else ''}usual {usual * 100:.0f}%", high)


def volume_figure(gauge: Gauge) -> Figure:
    """Mentions a minute as a multiple of the usual rate."""
    volume, usual = gauge.volume_per_min, gauge.baseline_volume_per_min
    if not usual:
        return Figure(f"{volume:.0f}", "a minute · usual: still learning")
    ratio = volume / usual
    value = f"{ratio:.1f}x" if ratio < 10 else f"{ratio:.0f}x"
    high = volume_alarms(gauge)
    marker = "▲ " if high else ""
    return Figure(value, f"{marker}{volume:.0f} vs {usual:.1f}/min", high)


def recent_figure(gauge: Gauge) -> Figure:
    """Mentions in the last ten minutes, and how many are usual in ten."""
    count = sum(gauge.volume_spark[-RECENT_MINUTES:])
    usual = gauge.baseline_volume_per_min
    if not usual:  # as the volume figure: no learned rate yet
        return Figure(compact_number(count), "mentions · usual: still learning")
    high = volume_alarms(gauge) and count > usual * RECENT_MINUTES  # the gauge's rule, no other
    marker = "▲ " if high else ""
    return Figure(compact_number(count), f"{marker}usual {usual * RECENT_MINUTES:.0f}", high)


def declared_figure(state: IncidentState, now: datetime) -> Figure:
    """How long the incident has run (hours:minutes), or that it is not declared."""
    elapsed = state.elapsed(now)
    if elapsed is None:
        return Figure("-:--", "NOT DECLARED")
    minutes = int(elapsed) // 60
    value = f"{minutes // 60}:{minutes % 60:02d}"
    return Figure(value, "closed · hours:minutes" if state.closed_at else "hours:minutes")


FIGURES = (
    ("negative", "NEGATIVE SHARE"),
    ("volume", "VOLUME VS USUAL"),
    ("recent", f"LAST {RECENT_MINUTES} MIN"),
    ("declared", "SINCE DECLARED"),
)


class FigureTile(Vertical):
    """A caption, the value in large type and a line under it."""

    def __init__(self, key: str, caption: str) -> None:
        super().__init__(id=f"figure-{key}", classes="figure")
        self.caption = caption

    def compose(self) -> ComposeResult:
        yield Static(self.caption, classes="figure-caption")
        yield BigText(fit_pixels=FIGURE_PIXELS, classes="figure-value")
        yield Static("", classes="figure-note")

    def show(self, figure: Figure) -> None:
        self.query_one(BigText).text = figure.value
        self.query_one(".figure-note", Static).update(Content(figure.note))
        self.set_class(figure.alarm, "-alarm")
