"""What notifications say: Slack-compatible and generic JSON bodies for incident events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warroom.incident.state import describe_event
from warroom.model import Event, EventKind, Level, format_time

TEXT_LIMIT = 2800  # Slack's section text is capped at 3000 characters; leave room for escapes


def slack_escape(text: str) -> str:
    """Escape &, < and > as Slack asks, so no <!channel>, mention or link can be injected."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int = TEXT_LIMIT) -> str:
    text = str(text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def headline(event: Event, *, brand: str, level: Level, reason: str) -> str:
    """The message in the team's words, unescaped: what a person reads first."""
    data = event.data
    by = f" (by {event.author})" if event.author else ""
    match event.kind:
        case EventKind.LEVEL_CHANGED:
            shown = str(data.get("level") or level).upper()
            return f"{brand}: level {shown} — {data.get('reason') or reason}"
        case EventKind.DECLARED:
            name = data.get("name") or "incident"
            shown = str(data.get("level") or level).upper()
            playbook = f", playbook {data['playbook']}" if data.get("playbook") else ""
            return f"Incident declared: {name} — {brand}, level {shown}{playbook}{by}"
        case _:
            # Everything else in the words the timeline and the report use.
            words = describe_event(event)
            return f"{words[:1].upper()}{words[1:]}{by}"


def slack_body(
    event: Event, *, incident: str, brand: str, level: Level, reason: str
) -> dict[str, Any]:
    """A Slack incoming-webhook body: escaped mrkdwn text and blocks."""
    text = slack_escape(_clip(headline(event, brand=brand, level=level, reason=reason)))
    context = " · ".join(
        slack_escape(_clip(part, 300))
        for part in (incident or "no incident declared", f"level {level.upper()}", brand)
    )
    context += f" · {format_time(event.at)}"
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }


# What of each event's data leaves the machine: named fields only, never whole mention objects.
SAFE_FIELDS: dict[EventKind, tuple[str, ...]] = {
    EventKind.LEVEL_CHANGED: ("level", "previous", "reason", "minute", "evidence"),
    EventKind.DECLARED: ("name", "playbook", "declared_at", "level"),
    EventKind.CLOSED: ("summary",),
    EventKind.STEP_CHECKED: ("step", "title", "owner"),
    EventKind.STEP_UNCHECKED: ("step", "title", "owner"),
    EventKind.NOTE: ("text",),
    EventKind.DRAFT: ("template", "tone"),
    EventKind.PLAYBOOK_CHANGED: ("playbook",),
    EventKind.FLAGGED: ("mention_id", "flagged", "text"),
    EventKind.SENTIMENT_OVERRIDDEN: ("mention_id", "label", "was"),
}


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def safe_data(event: Event) -> dict[str, Any]:
    """The event's named fields with plain values (flat mappings of plain values allowed)."""
    out: dict[str, Any] = {}
    for key in SAFE_FIELDS.get(event.kind, ()):
        if key not in event.data:
            continue
        value = event.data[key]
        if isinstance(value, str):
            out[key] = _clip(value)
        elif _scalar(value):
            out[key] = value
        elif isinstance(value, Mapping):
            out[key] = {str(k): v for k, v in value.items() if _scalar(v)}
    return out


def json_body(
    event: Event, *, incident: str, brand: str, level: Level, reason: str
) -> dict[str, Any]:
    """The generic JSON body: the event, where it happened, and a safe subset of its data."""
    return {
        "event": str(event.kind),
        "seq": event.seq,
        "incident": incident,
        "brand": brand,
        "level": str(level),
        "reason": reason,
        "at": format_time(event.at),
        "author": event.author,
        "text": _clip(headline(event, brand=brand, level=level, reason=reason)),
        "data": safe_data(event),
    }
