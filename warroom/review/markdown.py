"""The post-mortem rendered as Markdown, with a text chart."""

from __future__ import annotations

import re
from datetime import tzinfo

from warroom.review.chart import text_chart
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

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md(text: object) -> str:
    """Text from the log as inert Markdown: one line, every markup character escaped."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def render_markdown(review: Review, zone: tzinfo) -> str:
    """The post-mortem as Markdown, with a text chart."""
    doc = post_mortem(review, zone)
    drill = " · DRILL" if doc.drill else ""
    chunks = [
        f"# {md(doc.title)}",
        f"Incident `{doc.slug}`{drill} · brand {md(doc.brand)} · {doc.mentions:,} mentions,"
        f" {doc.events:,} events",
        f"{md(doc.period)}. {md(doc.times)}",
    ]
    for section in doc.sections:
        chunks += _section(section)
    return "\n\n".join(chunks) + "\n"


def _section(section: Section) -> list[str]:
    # Text from the log is escaped; our own words (headings, column names) are written as is.
    chunks = [f"{'#' * section.level} {md(section.title)}"]
    for block in section.blocks:
        chunks += _block(block)
    return chunks


def _block(block: Block) -> list[str]:
    match block:
        case Section():
            return _section(block)
        case Paragraph(text):
            return [md(text)]
        case Items(items):
            return ["\n".join(f"- {md(item)}" for item in items)]
        case Table(head, rows):
            return [_table(head, rows)]
        case Chart(review):
            return ["\n".join(["```text", *text_chart(review), "```"])]
        case Notes(notes):
            lines = [f"- {note.at} {md(note.author)}: {md(note.text)}" for note in notes]
            return ["\n".join(lines) or NONE]
        case TopMentions(mentions):
            lines = [
                f"- {item.reach} reach · {md(item.author)}"
                + (f" · {md(item.url)}" if item.url else "")
                + f": {md(item.text)}"
                for item in mentions
            ]
            return ["\n".join(lines) or NONE]
        case Definitions(terms):
            return ["\n".join(f"- **{name}**: {text}" for name, text in terms)]


def _table(head: tuple[str, ...], rows: tuple[tuple[str | Styled, ...], ...]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = (md(cell.text if isinstance(cell, Styled) else cell) for cell in row)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
