"""The post-mortem as one self-contained HTML file: inline CSS and SVG, a CSP that loads nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from html import escape

from warroom.review.chart import svg_chart
from warroom.review.findings import Review
from warroom.review.sections import (
    NONE,
    Block,
    Chart,
    Definitions,
    Items,
    Notes,
    Paragraph,
    Section,
    Styled,
    Table,
    TopMentions,
    post_mortem,
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
    doc = post_mortem(review, zone)
    drill = ' <span class="drill">DRILL</span>' if doc.drill else ""
    body = [
        f"<h1>{_e(doc.title)}</h1>",
        f'<p class="muted">Incident <code>{_e(doc.slug)}</code>{drill} · brand {_e(doc.brand)} · '
        f"{doc.mentions} mentions, {doc.events} events · times in UTC and local time "
        f"({_e(doc.zone)})</p>",
    ]
    for section in doc.sections:
        _section(section, body)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(doc.title)}</title><style>{STYLE}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _section(section: Section, body: list[str]) -> None:
    body.append(f"<h{section.level}>{_e(section.title)}</h{section.level}>")
    for block in section.blocks:
        _block(block, body)


def _block(block: Block, body: list[str]) -> None:
    # A list opens on its heading's line.
    match block:
        case Section():
            _section(block, body)
        case Paragraph(text):
            body.append(f"<p>{_e(text)}</p>")
        case Items(items):
            body[-1] += "<ul>"
            body += [f"<li>{_e(item)}</li>" for item in items]
            body.append("</ul>")
        case Table(head, rows):
            body.append(_table(head, (tuple(map(_cell, row)) for row in rows)))
        case Chart(review):
            body.append(f"<figure>{svg_chart(review)}</figure>")
        case Notes(notes):
            body[-1] += "<ul>"
            body += [f"<li>{_e(n.at)} · {_e(n.author)}: {_e(n.text)}</li>" for n in notes]
            body.append("</ul>" if notes else f"<li>{NONE}</li></ul>")
        case TopMentions(mentions):
            cells = (
                (_e(m.reach), _e(m.author), _e(m.posted), _e(m.text), _link(m.url))
                for m in mentions
            )
            body.append(_table(("reach", "author", "posted (UTC)", "text", "link"), cells))
        case Definitions(terms):
            body[-1] += "<dl>"
            body += [f"<dt><b>{_e(name)}</b></dt><dd>{_e(text)}</dd>" for name, text in terms]
            body.append("</dl>")


def _cell(cell: str | Styled) -> str:
    if isinstance(cell, Styled):
        return f'<span class="{_e(cell.style)}">{_e(cell.text)}</span>'
    return _e(cell)
