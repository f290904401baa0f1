"""The post-mortem chart: volume and negative share per minute with the team's actions on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from warroom.model import EventKind
from warroom.review.aggregates import MINUTE, MinuteRow
from warroom.review.findings import MOMENTS, Review
from warroom.review.metrics import window_shares
from warroom.review.text import utc_text

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


def svg_chart(review: Review, width: int = 960, height: int = 360) -> str:
    """The chart as inline SVG: no scripts, no external references."""
    left, right, top_pad, bottom = 56, 56, 34, 76
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    cols, per = columns(chart_rows(review), plot_w // 2, review.rule.window_minutes)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="chart" role="img" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif"'
        ' font-size="11">',
        "<title>Brand mentions per minute and negative share, with the team's actions</title>",
        f'<rect x="{left}" y="{top_pad}" width="{plot_w}" height="{plot_h}" fill="#ffffff"'
        ' stroke="#999999"/>',
    ]
    if not cols:
        parts.append(f'<text x="{left + 10}" y="{top_pad + 20}">no mentions</text></svg>')
        return "".join(parts)
    peak = max(c.volume for c in cols) or 1
    step = plot_w / len(cols)
    base_y = top_pad + plot_h
    band = review.metrics.band
    if band is not None:
        y = base_y - min(band, 1.0) * plot_h
        parts.append(
            f'<rect class="band" x="{left}" y="{y:.1f}" width="{plot_w}"'
            f' height="{base_y - y:.1f}" fill="{BAND_COLOUR}" fill-opacity="0.15">'
            f"<title>baseline band: negative share up to {band:.1%}</title></rect>"
        )
    for index, c in enumerate(cols):
        h = c.volume / peak * plot_h
        parts.append(
            f'<rect class="bar" x="{left + index * step:.1f}" y="{base_y - h:.1f}"'
            f' width="{max(step - 0.5, 1):.1f}" height="{h:.1f}" fill="{VOLUME_COLOUR}">'
            f"<title>{utc_text(c.start)}: {c.volume} mentions/min</title></rect>"
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
    first = cols[0].start
    for at in checks(review):
        column = _column_of(at, first, per, len(cols))
        if column is not None:
            x = left + (column + 0.5) * step
            parts.append(
                f'<path class="check" d="M{x:.1f},{base_y + 2} l-4,8 h8 z" fill="{ACTION_COLOUR}">'
                f"<title>step checked {utc_text(at)}</title></path>"
            )
    for number, (at, letter, label) in enumerate(actions(review)):
        column = _column_of(at, first, per, len(cols))
        if column is None:
            continue
        x = left + (column + 0.5) * step
        y = top_pad - 6 - (number % 2) * 12  # alternate heights so close letters stay legible
        parts.append(
            f'<line class="action" x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{base_y}"'
            f' stroke="{ACTION_COLOUR}" stroke-dasharray="4 3"/>'
            f'<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="{ACTION_COLOUR}"'
            f' font-weight="bold">{escape(letter)}<title>{escape(label)}: {utc_text(at)}'
            "</title></text>"
        )
    end = cols[-1].start + MINUTE * per
    label_y = base_y + 24
    parts += [
        f'<text x="{left}" y="{label_y}">{first:%H:%M} UTC</text>',
        f'<text x="{left + plot_w}" y="{label_y}" text-anchor="end">{end:%H:%M} UTC</text>',
        f'<text x="{left - 6}" y="{top_pad + 10}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{base_y}" text-anchor="end">0</text>',
        f'<text x="{left + plot_w + 6}" y="{top_pad + 10}" fill="{SHARE_COLOUR}">100%</text>',
        f'<text x="{left + plot_w + 6}" y="{base_y}" fill="{SHARE_COLOUR}">0%</text>',
    ]
    legend = [
        (VOLUME_COLOUR, "mentions/min (bars, left)"),
        (SHARE_COLOUR, "negative share of the detector window (line, right)"),
        (BAND_COLOUR, "baseline band"),
        (ACTION_COLOUR, "actions: " + ", ".join(f"{LETTERS[n]} {t}" for n, t in MOMENTS)),
    ]
    x, y = left, label_y + 14
    for colour, text in legend:
        if colour == ACTION_COLOUR:
            x, y = left, y + 16  # the long actions key gets a line of its own
        parts.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{y + 9}">{escape(text)}</text>'
        )
        x += 14 + 6 * len(text) + 16
    parts.append("</svg>")
    return "".join(parts)
