"""The post-mortem as one self-contained HTML file: inline CSS and SVG, a CSP that loads nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import tzinfo
from html import escape

from warroom.review.chart import (
    ACTION_COLOUR,
    BAND_COLOUR,
    LETTERS,
    SHARE_COLOUR,
    VOLUME_COLOUR,
    legend,
    svg_chart,
)
from warroom.review.findings import MOMENTS, Review
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
from warroom.review.text import short_url

# Nothing may be fetched: no scripts, no fonts, no remote images; only inline styles.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

# Words wrap only between words: a link after a /, a handle before its @server or after a dot,
# a time or a number never; a table too wide for the window scrolls on its own.
STYLE = f"""
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222;
       background: #fff; padding: 0 1em; line-height: 1.4; }}
h1 {{ font-size: 1.6em; }} h2 {{ border-bottom: 1px solid #ccc; margin-top: 1.6em; }}
.wide {{ overflow-x: auto; }}
table {{ border-collapse: collapse; margin: 0.6em 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top;
          word-break: normal; overflow-wrap: normal; }}
th {{ background: #f3f3f3; }}
td.time, td.number {{ white-space: nowrap; }}
td.number {{ text-align: right; font-variant-numeric: tabular-nums; }}
.url {{ overflow-wrap: break-word; }}
.late, .skipped {{ color: #b00020; font-weight: bold; }} .on-time {{ color: #1b5e20; }}
.muted {{ color: #666; }} .drill {{ background: #ffe082; padding: 0 0.4em; }}
figure {{ margin: 0; }} svg {{ max-width: 100%; height: auto; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 0 3em; }}
.legend ul {{ list-style: none; padding: 0; margin: 0.4em 0 0 0; }}
.legend li {{ margin: 0.15em 0; }}
.swatch {{ display: inline-block; width: 1em; height: 1em; margin-right: 0.5em;
           vertical-align: -0.15em; }}
.swatch.volume {{ background: {VOLUME_COLOUR}; }}
.swatch.share {{ background: {SHARE_COLOUR}; height: 0.25em; vertical-align: 0.25em; }}
.swatch.band {{ background: {BAND_COLOUR}; opacity: 0.3; }}
.swatch.check {{ background: {ACTION_COLOUR};
                 clip-path: polygon(50% 0, 100% 100%, 0 100%); }}
.letter {{ color: {ACTION_COLOUR}; font-weight: bold; display: inline-block; width: 1em;
           margin-right: 0.5em; text-align: center; }}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _table(head: Iterable[str], rows: Iterable[Iterable[str]], kinds: tuple[str, ...]) -> str:
    """A table whose cells are already-escaped HTML, each column classed by its kind."""
    out = ['<div class="wide"><table><thead><tr>', *(f"<th>{_e(h)}</th>" for h in head)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = (
            f'<td class="{kinds[i]}">{cell}</td>' if i < len(kinds) else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _link(url: str | None) -> str:
    """A mention's URL as a short link (never loaded): host and path start as the text, the
    whole URL in the title; anything but http(s) stays text."""
    if not url:
        return ""
    if url.startswith(("https://", "http://")):
        return (
            f'<a class="url" href="{_e(url)}" title="{_e(url)}"'
            f' rel="noopener noreferrer nofollow">{_breakable(short_url(url), "/.")}</a>'
        )
    return f'<span class="url">{_e(url)}</span>'


def _breakable(text: str, after: str) -> str:
    """Escaped `text` that may wrap after each of the `after` characters, nowhere else."""
    out = _e(text)
    for char in after:
        out = out.replace(char, f"{char}<wbr>")
    return out


def _prose(text: str) -> str:
    """Escaped text whose long tokens (handles, domains, URLs written out in a post) may wrap
    after a dot (a URL's / too) and before an @, so they cannot stretch a table; words stay
    whole."""
    return _LONG_TOKEN.sub(lambda token: _soft_breaks(token.group()), _e(text))


def _soft_breaks(token: str) -> str:
    token = token.replace(".", ".<wbr>").replace("@", "<wbr>@")
    return token.replace("/", "/<wbr>") if "://" in token else token


# Long enough that no word of a sentence (nor 4.2 or 12:03) is touched.
_LONG_TOKEN = re.compile(r"\S{16,}")


def _handle(name: str) -> str:
    """A handle that may wrap before its server and between its domain's parts
    (`quietdoyle` `@mastodon.` `social`), never inside a word."""
    return _breakable(name, ".").replace("@", "<wbr>@").removeprefix("<wbr>")


def render_html(review: Review, zone: tzinfo) -> str:
    """The whole post-mortem as one HTML document."""
    doc = post_mortem(review, zone)
    drill = ' <span class="drill">DRILL</span>' if doc.drill else ""
    body = [
        f"<h1>{_e(doc.title)}</h1>",
        f'<p class="muted">Incident <code>{_e(doc.slug)}</code>{drill} · brand {_e(doc.brand)} · '
        f"{doc.mentions:,} mentions, {doc.events:,} events</p>",
        f"<p>{_e(doc.period)}. {_e(doc.times)}</p>",
    ]
    for section in doc.sections:
        _section(section, body)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
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
        case Table(head, rows, kinds):
            cells = (tuple(_cell(cell, kind) for cell, kind in _kinds(row, kinds)) for row in rows)
            body.append(_table(head, cells, kinds))
        case Chart(review, zone, local):
            body.append(f"<figure>{svg_chart(review, zone, local)}{_legend(review)}</figure>")
        case Notes(notes):
            body[-1] += "<ul>"
            body += [f"<li>{_e(n.at)} · {_handle(n.author)}: {_prose(n.text)}</li>" for n in notes]
            body.append("</ul>" if notes else f"<li>{NONE}</li></ul>")
        case TopMentions(mentions):
            cells = (
                (_e(m.reach), _handle(m.author), _e(m.posted), _prose(m.text), _link(m.url))
                for m in mentions
            )
            kinds = ("number", "who", "time", "text", "link")
            body.append(_table(("reach", "author", "posted", "text", "link"), cells, kinds))
        case Definitions(terms):
            body[-1] += "<dl>"
            body += [f"<dt><b>{_e(name)}</b></dt><dd>{_e(text)}</dd>" for name, text in terms]
            body.append("</dl>")


def _legend(review: Review) -> str:
    """The chart's key as text under it, so it stays legible however the chart is scaled."""
    swatches = [
        f'<li><span class="swatch {kind}"></span>{_e(words)}</li>' for kind, words in legend(review)
    ]
    letters = [
        f'<li><span class="letter">{_e(LETTERS[name])}</span>{_e(label)}</li>'
        for name, label in MOMENTS
    ]
    return f'<div class="legend"><ul>{"".join(swatches)}</ul><ul>{"".join(letters)}</ul></div>'


def _kinds(
    row: tuple[str | Styled, ...], kinds: tuple[str, ...]
) -> Iterable[tuple[str | Styled, str]]:
    return ((cell, kinds[i] if i < len(kinds) else "text") for i, cell in enumerate(row))


def _cell(cell: str | Styled, kind: str) -> str:
    if isinstance(cell, Styled):
        return f'<span class="{_e(cell.style)}">{_e(cell.text)}</span>'
    return _handle(cell) if kind == "who" else _prose(cell)
