"""The post-mortem chart: volume and negative share per minute with the team's actions on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from html import escape

from warroom.model import EventKind
from warroom.review.aggregates import MINUTE, MinuteRow
from warroom.review.findings import MOMENTS, Review
from warroom.review.metrics import window_shares
from warroom.review.text import human_time

BLOCKS = " ▁▂▃▄▅▆▇█"
# Letters for the key moments on both charts, in MOMENTS order.
LETTERS = {
    "first_surge": "S",
    "detected": "D",
    "declared": "!",
    "first_response": "R",
    "apology": "A",
    "back_to_baseline": "B",
    "closed": "C",
}
VOLUME_COLOUR = "#4c78a8"
SHARE_COLOUR = "#d62728"
BAND_COLOUR = "#2ca02c"
ACTION_COLOUR = "#6a3d9a"
PAD_LIMIT_MINUTES = 30 * 24 * 60


@dataclass(frozen=True)
class Column:
    """Several minutes drawn as one column: their peak volume and the detector window's
    negative share at the column's last minute (smoother than one minute's share)."""

    start: datetime
    volume: int
    share: float | None


def columns(rows: list[MinuteRow], width: int, window: int = 1) -> tuple[list[Column], int]:
    """The rows folded into at most `width` columns; also how many minutes each column holds."""
    if not rows:
        return [], 1
    shares = window_shares(rows, window)
    per = max(1, -(-len(rows) // width))
    out = []
    for index in range(0, len(rows), per):
        chunk = rows[index : index + per]
        last = min(index + per, len(rows)) - 1
        out.append(Column(chunk[0].minute, max(r.volume for r in chunk), shares[last][0]))
    return out, per


def chart_rows(review: Review) -> list[MinuteRow]:
    """The minute rows, padded with empty minutes to take in every action (up to 30 days)."""
    rows = review.aggregates.rows
    moments = [at for at, _letter, _label in actions(review)] + checks(review)
    if not rows or not moments:
        return rows
    first, last = rows[0].minute, rows[-1].minute
    limit = MINUTE * PAD_LIMIT_MINUTES
    low = max(min(moments).replace(second=0, microsecond=0), first - limit)
    high = min(max(moments).replace(second=0, microsecond=0), last + limit)
    before = [MinuteRow(first - MINUTE * n) for n in range(int((first - low) / MINUTE), 0, -1)]
    after = [MinuteRow(last + MINUTE * n) for n in range(1, int((high - last) / MINUTE) + 1)]
    return before + rows + after


def actions(review: Review) -> list[tuple[datetime, str, str]]:
    """(time, letter, label) of each key moment present, in time order."""
    found = []
    for name, label in MOMENTS:
        at = getattr(review.metrics, name)
        if at is not None:
            found.append((at, LETTERS[name], label))
    return sorted(found, key=lambda item: item[0])


def checks(review: Review) -> list[datetime]:
    return [e.at for e in review.events if e.kind is EventKind.STEP_CHECKED]


def _column_of(moment: datetime, first: datetime, per: int, count: int) -> int | None:
    index = int((moment - first) / MINUTE) // per
    return index if 0 <= index < count else None


def text_chart(review: Review, width: int = 64, height: int = 6) -> list[str]:
    """A text chart for Markdown: volume bars, a negative-share row, action and step rows."""
    cols, per = columns(chart_rows(review), width, review.rule.window_minutes)
    if not cols:
        return ["(no mentions)"]
    top = max(c.volume for c in cols) or 1
    lines = [f"brand mentions per minute (peak {top}); one column = {per} min"]
    for level in range(height, 0, -1):
        cells = []
        for c in cols:
            eighths = round(c.volume / top * height * 8) - (level - 1) * 8
            cells.append(BLOCKS[max(0, min(8, eighths))])
        axis = f"{top:>6} |" if level == height else "       |"
        lines.append(axis + "".join(cells))
    share_cells = "".join(
        " " if c.share is None else BLOCKS[max(1, round(c.share * 8))] for c in cols
    )
    lines.append(" neg % |" + share_cells)
    marks = [" "] * len(cols)
    first = cols[0].start
    for at, letter, _label in actions(review):
        index = _column_of(at, first, per, len(cols))
        if index is not None:
            marks[index] = letter if marks[index] == " " else "*"
    lines.append("  acts |" + "".join(marks))
    ticks = [" "] * len(cols)
    for at in checks(review):
        index = _column_of(at, first, per, len(cols))
        if index is not None:
            ticks[index] = "+"
    lines.append(" steps |" + "".join(ticks))
    end = cols[-1].start + MINUTE * per
    lines.append(f"        {first:%H:%M} UTC{' ' * max(1, len(cols) - 18)}{end:%H:%M}")
    legend = ", ".join(f"{LETTERS[n]} {label}" for n, label in MOMENTS)
    lines.append(f"        {legend}; * several; + step checked")
    return lines


# Tick spacings for the time axis, in minutes: hours first; quarter hours for a short chart.
TICK_MINUTES = (60, 120, 180, 360, 720, 1440)
SHORT_TICK_MINUTES = (15, 30)
NICE_STEPS = (1, 2, 5)
FONT_SIZE = 13
LETTER_ROWS = 3  # rows above the chart for the key moments' letters
GRID_COLOUR = "#e3e3e3"
MUTED_COLOUR = "#555555"


def time_ticks(first: datetime, end: datetime, most: int) -> list[datetime]:
    """Round times between `first` and `end` for the axis: on the hour where at most `most`
    fit, every few hours on a long chart, every quarter hour on one shorter than three."""
    span = (end - first) / MINUTE
    spacings = (SHORT_TICK_MINUTES if span < 180 else ()) + TICK_MINUTES
    day = TICK_MINUTES[-1]
    every = next((m for m in spacings if span / m <= most), day * int(-(-span // (day * most))))
    origin = first.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    offset = int(-(-((first - origin) / MINUTE) // every)) * every  # the first round time >= first
    ticks = []
    moment = origin + MINUTE * offset
    while moment <= end:
        ticks.append(moment)
        moment += MINUTE * every
    return ticks


def nice_scale(peak: int) -> tuple[int, int]:
    """A round top for the volume axis and its step: at most five steps (peak 47: 50 by 10)."""
    magnitude = 1
    while True:
        for base in NICE_STEPS:
            step = base * magnitude
            if -(-max(peak, 1) // step) <= 5:
                return step * -(-max(peak, 1) // step), step
        magnitude *= 10


def legend(review: Review) -> list[tuple[str, str]]:
    """What the chart's colours and marks mean: (css class, words), in reading order."""
    window = review.rule.window_minutes
    return [
        ("volume", "brand mentions per minute (bars, left scale)"),
        ("share", f"negative share of the last {window} minutes (line, right scale)"),
        ("band", "the normal range of the negative share"),
        ("check", "a step checked (triangles under the chart)"),
    ]


def svg_chart(
    review: Review, zone: tzinfo = UTC, local: bool = False, width: int = 960, height: int = 340
) -> str:
    """The chart as inline SVG (no scripts, no external references): the time axis in UTC,
    with a second row in `zone` when `local`."""
    left, right, top_pad = 74, 74, 48
    bottom = 58 if local else 38
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    cols, per = columns(chart_rows(review), plot_w // 2, review.rule.window_minutes)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="chart" role="img" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif"'
        f' font-size="{FONT_SIZE}">',
        "<title>Brand mentions per minute and negative share, with the team's actions</title>",
        f'<rect x="{left}" y="{top_pad}" width="{plot_w}" height="{plot_h}" fill="#ffffff"'
        ' stroke="#999999"/>',
    ]
    if not cols:
        parts.append(f'<text x="{left + 10}" y="{top_pad + 20}">no mentions</text></svg>')
        return "".join(parts)
    top, every = nice_scale(max(c.volume for c in cols))
    step = plot_w / len(cols)
    base_y = top_pad + plot_h
    first = cols[0].start
    end = cols[-1].start + MINUTE * per

    def x_of(moment: datetime) -> float:
        return left + (moment - first) / (end - first) * plot_w

    parts += _grid(left, plot_w, top_pad, plot_h, top, every)
    band = review.metrics.band
    if band is not None:
        y = base_y - min(band, 1.0) * plot_h
        parts.append(
            f'<rect class="band" x="{left}" y="{y:.1f}" width="{plot_w}"'
            f' height="{base_y - y:.1f}" fill="{BAND_COLOUR}" fill-opacity="0.15">'
            f"<title>normal range: negative share up to {band:.1%}</title></rect>"
        )
    for index, c in enumerate(cols):
        h = c.volume / top * plot_h
        parts.append(
            f'<rect class="bar" x="{left + index * step:.1f}" y="{base_y - h:.1f}"'
            f' width="{max(step - 0.5, 1):.1f}" height="{h:.1f}" fill="{VOLUME_COLOUR}">'
            f"<title>{human_time(c.start)} UTC: {c.volume} mentions/min</title></rect>"
        )
    points = " ".join(
        f"{left + (i + 0.5) * step:.1f},{base_y - c.share * plot_h:.1f}"
        for i, c in enumerate(cols)
        if c.share is not None
    )
    parts.append(
        f'<polyline class="share" points="{points}" fill="none" stroke="{SHARE_COLOUR}"'
        ' stroke-width="2"/>'
    )
    for at in checks(review):
        column = _column_of(at, first, per, len(cols))
        if column is not None:
            x = left + (column + 0.5) * step
            parts.append(
                f'<path class="check" d="M{x:.1f},{base_y + 2} l-4,8 h8 z" fill="{ACTION_COLOUR}">'
                f"<title>step checked {human_time(at)} UTC</title></path>"
            )
    placed: list[tuple[float, int]] = []  # (x, row) of the letters so far
    for at, letter, label in actions(review):
        column = _column_of(at, first, per, len(cols))
        if column is None:
            continue
        x = left + (column + 0.5) * step
        # Letters of moments close in time go on rows above each other, so each stays legible.
        taken = {row for other, row in placed if abs(other - x) < 12}
        row = next((r for r in range(LETTER_ROWS) if r not in taken), len(placed) % LETTER_ROWS)
        placed.append((x, row))
        y = top_pad - 6 - row * 13
        parts.append(
            f'<line class="action" x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{base_y}"'
            f' stroke="{ACTION_COLOUR}" stroke-dasharray="4 3"/>'
            f'<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="{ACTION_COLOUR}"'
            f' font-weight="bold">{escape(letter)}<title>{escape(label)}: {human_time(at)} UTC'
            "</title></text>"
        )
    ticks = time_ticks(first, end, max(2, plot_w // 70))
    parts += _time_axis(ticks, x_of, base_y, left, zone if local else None)
    parts.append("</svg>")
    return "".join(parts)


def _grid(left: int, plot_w: int, top_pad: int, plot_h: int, top: int, every: int) -> list[str]:
    """Gridlines at round volumes (left scale), the share's quarters (right) and both titles."""
    parts = []
    base_y = top_pad + plot_h
    for value in range(0, top + 1, every):
        y = base_y - value / top * plot_h
        if value:
            parts.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}"'
                f' stroke="{GRID_COLOUR}"/>'
            )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    for quarter in range(5):
        y = base_y - quarter / 4 * plot_h
        parts.append(
            f'<text x="{left + plot_w + 6}" y="{y + 4:.1f}" fill="{SHARE_COLOUR}">'
            f"{quarter * 25}%</text>"
        )
    middle = top_pad + plot_h / 2
    parts += [
        f'<text x="16" y="{middle:.1f}" text-anchor="middle"'
        f' transform="rotate(-90 16 {middle:.1f})">mentions per minute</text>',
        f'<text x="{left + plot_w + 60}" y="{middle:.1f}" text-anchor="middle"'
        f' fill="{SHARE_COLOUR}" transform="rotate(90 {left + plot_w + 60} {middle:.1f})">'
        "negative share</text>",
    ]
    return parts


def _time_axis(
    ticks: list[datetime],
    x_of: Callable[[datetime], float],
    base_y: int,
    left: int,
    zone: tzinfo | None,
) -> list[str]:
    """Tick marks and labels under the chart: UTC, then the local zone's row when shown."""
    several_days = bool(ticks) and ticks[0].date() != ticks[-1].date()
    rows: list[tuple[tzinfo, str, str]] = [(UTC, "UTC", "#222222")]
    if zone is not None and ticks:
        rows.append((zone, ticks[0].astimezone(zone).strftime("%Z"), MUTED_COLOUR))
    parts = []
    for tick in ticks:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{base_y}" x2="{x:.1f}" y2="{base_y + 5}" stroke="#999999"/>'
        )
    for row, (row_zone, caption, colour) in enumerate(rows):
        y = base_y + 20 + row * 18
        parts.append(
            f'<text x="{left - 24}" y="{y}" text-anchor="end" fill="{colour}"'
            f' font-weight="bold">{escape(caption)}</text>'
        )
        for tick in ticks:
            moment = tick.astimezone(row_zone)
            midnight = several_days and (moment.hour, moment.minute) == (0, 0)
            label = f"{moment.day} {moment:%b}" if midnight else f"{moment:%H:%M}"
            parts.append(
                f'<text x="{x_of(tick):.1f}" y="{y}" text-anchor="middle" fill="{colour}">'
                f"{label}</text>"
            )
    return parts
