"""The post-mortem as one self-contained HTML file: inline CSS and SVG, a CSP that loads nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from html import escape

from warroom.incident.state import describe_event
from warroom.review.chart import svg_chart
from warroom.review.document import (
    DEFINITIONS,
    MOMENTS,
    Review,
    answers,
    duration_text,
    local_text,
    moment_note,
    summary_lines,
    utc_text,
    zone_label,
)

# Nothing may be fetched: no scripts, no fonts, no remote images; only inline styles.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222;
       background: #fff; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.late, .skipped { color: #b00020; font-weight: bold; } .on-time { color: #1b5e20; }
.muted { color: #666; } .drill { background: #ffe082; padding: 0 0.4em; }
figure { margin: 0; } svg { max-width: 100%; height: auto; }
td { overflow-wrap: anywhere; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A table whose cells are already-escaped HTML."""
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _link(url: str | None) -> str:
    """A mention's URL as a plain link (never loaded); anything but http(s) stays text."""
    if not url:
        return ""
    if url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}" rel="noopener noreferrer nofollow">{_e(url)}</a>'
    return _e(url)


def render_html(review: Review, zone: tzinfo) -> str:
    """The whole post-mortem as one HTML document."""
    m = review.metrics
    meta = review.meta
    state = review.state
    zone_name = zone_label(zone)
    title = f"Post-mortem: {state.name or meta.name}"
    body = [f"<h1>{_e(title)}</h1>"]
    drill = ' <span class="drill">DRILL</span>' if meta.drill else ""
    body.append(
        f'<p class="muted">Incident <code>{_e(meta.slug)}</code>{drill} · brand '
        f"{_e(meta.brand or '—')} · {review.aggregates.mentions} mentions, "
        f"{len(review.events)} events · times in UTC and local time ({_e(zone_name)})</p>"
    )
    status = "closed" if state.closed_at else ("declared" if state.declared else "never declared")
    items = [f"Status: {status}; peak level {state.peak_level}."]
    if state.summary:
        items.append(f"Closing summary: {state.summary}")
    items += summary_lines(review)
    if review.playbook_problem:
        items.append(f"Warning: {review.playbook_problem}")
    body += ["<h2>Summary</h2><ul>", *(f"<li>{_e(i)}</li>" for i in items), "</ul>"]
    body += ["<h2>Chart</h2>", f"<figure>{svg_chart(review)}</figure>"]
    body.append("<h2>Key times</h2>")
    body.append(
        _table(
            ("moment", "UTC", f"local ({zone_name})", "note"),
            (
                (
                    _e(label),
                    _e(utc_text(getattr(m, name))),
                    _e(local_text(getattr(m, name), zone)),
                    _e(moment_note(review, name)),
                )
                for name, label in MOMENTS
            ),
        )
    )
    body.append(
        _table(
            ("interval", "duration"),
            ((f"time to {_e(n)}", _e(duration_text(s))) for n, s in m.intervals().items()),
        )
    )
    body += _steps(review)
    body.append("<h2>Timeline</h2>")
    body.append(
        _table(
            ("UTC", f"local ({zone_name})", "who", "what"),
            (
                (
                    _e(utc_text(e.at)),
                    _e(local_text(e.at, zone)),
                    _e(e.author or "detector"),
                    _e(describe_event(e)),
                )
                for e in review.events
            ),
        )
    )
    terms = ", ".join(f"{_e(t)} ({c})" for t, c in review.aggregates.top_terms)
    body += ["<h2>Top negative terms</h2>", f"<p>{terms or 'none'}</p>"]
    body.append("<h2>Most-reached negative mentions</h2>")
    body.append(
        _table(
            ("reach", "author", "posted (UTC)", "text", "link"),
            (
                (
                    _e(item.get("reach") or 0),
                    _e(item.get("author") or "?"),
                    _e(item.get("created_at", "")),
                    _e(item.get("text", "")),
                    _link(item.get("url")),
                )
                for item in review.aggregates.top_negative
            ),
        )
    )
    body.append("<h2>Notes</h2><ul>")
    for note in state.notes():
        body.append(
            f"<li>{_e(utc_text(note.at))} · {_e(note.author or '?')}: "
            f"{_e(note.data.get('text', ''))}</li>"
        )
    body.append("</ul>" if state.notes() else "<li>none</li></ul>")
    body.append("<h2>Review questions</h2>")
    for question in review.playbook.review_questions if review.playbook else ():
        body.append(f"<h3>{_e(question)}</h3><ul>")
        body += [f"<li>From the log: {_e(line)}</li>" for line in answers(question, review)]
        body.append("</ul>")
    body.append("<h2>Definitions</h2><dl>")
    body += [f"<dt><b>{_e(n)}</b></dt><dd>{_e(t)}</dd>" for n, t in DEFINITIONS]
    body.append("</dl>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _steps(review: Review) -> list[str]:
    m = review.metrics
    rows = []
    for s in m.steps:
        late = f" by {duration_text(s.late_by)}" if s.late_by else ""
        css = s.status.replace(" ", "-")
        rows.append(
            (
                _e(s.title),
                _e(s.owner),
                f'<span class="{_e(css)}">{_e(s.status + late)}</span>',
                _e(utc_text(s.deadline)),
                _e(utc_text(s.checked_at)),
                _e(s.by or ""),
            )
        )
    out = ["<h2>Steps</h2>", _table(("step", "owner", "status", "deadline", "checked", "by"), rows)]
    owners = [
        (
            _e(owner),
            str(row["on time"]),
            str(row["late"]),
            str(row["skipped"]),
            str(row["open"]),
            str(row["not due"] + row["not applicable"] + row["done"]),
        )
        for owner, row in m.by_owner().items()
    ]
    out.append(_table(("owner role", "on time", "late", "skipped", "open", "other"), owners))
    return out
