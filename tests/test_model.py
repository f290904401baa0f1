"""The canonical mention: parsing, errors with line and field, round trip."""

from __future__ import annotations

import json

from warroom.model import LineProblem, Mention, read_mentions

GOOD = {"id": "demo:1", "source": "demo", "text": "hi", "created_at": "2026-03-14T09:00:00Z"}


def _lines(*objects: object) -> list[str]:
    return [o if isinstance(o, str) else json.dumps(o) for o in objects]


def test_good_line_round_trips() -> None:
    """A canonical object survives parse and dump unchanged."""
    data = dict(GOOD, author="ann", reach=10, engagement=3, lang="en", url="https://x.test/1")
    mention = Mention.from_dict(data)
    assert mention.to_dict() == dict(data, created_at="2026-03-14T09:00:00.000Z", topic="brand")
    assert mention.topic == "brand" and mention.is_brand


def test_bad_lines_are_reported_with_line_and_field_and_skipped() -> None:
    """Each kind of bad line is named by number and field; good lines still come through."""
    problems: list[LineProblem] = []
    lines = _lines(
        GOOD,
        "{not json",
        {k: v for k, v in GOOD.items() if k != "text"},
        dict(GOOD, id="demo:2", reach="many"),
        dict(GOOD, id="demo:3", created_at="2026-03-14T09:00:00"),
        dict(GOOD, id="demo:4", created_at="yesterday"),
        dict(GOOD, id="demo:5", reach=True),
        "[1, 2]",
        dict(GOOD, id="demo:6"),
    )
    mentions = list(read_mentions(lines, "in.jsonl", problems.append))
    assert [m.id for m in mentions] == ["demo:1", "demo:6"]
    assert [(p.line, p.field) for p in problems] == [
        (2, "(line)"),
        (3, "text"),
        (4, "reach"),
        (5, "created_at"),
        (6, "created_at"),
        (7, "reach"),
        (8, "(line)"),
    ]
    assert "timezone" in problems[3].message
    assert str(problems[0]).startswith("in.jsonl:2: (line): not JSON")


def test_non_english_language_is_known() -> None:
    """A BCP-47 tag other than English marks the mention as not readable by VADER."""
    assert Mention.from_dict(dict(GOOD, lang="en-GB")).is_english
    assert not Mention.from_dict(dict(GOOD, lang="de")).is_english
    assert Mention.from_dict(GOOD).is_english


def test_competitor_topic_is_not_brand() -> None:
    """A competitor's mention is tracked but is not ours."""
    assert not Mention.from_dict(dict(GOOD, topic="competitor:acme")).is_brand
