"""Playbook sections: read roles, phases, channels, templates, steps and triggers from nodes."""

from __future__ import annotations

from yaml.nodes import MappingNode, Node

from warroom.errors import did_you_mean
from warroom.model import Level
from warroom.playbook.checker import Checker, describe
from warroom.playbook.model import (
    CHANNEL_KINDS,
    STEP_EVENTS,
    TRIGGER_FIELDS,
    Channel,
    Due,
    Phase,
    Role,
    Template,
    parse_when,
)
from warroom.playbook.refs import StepNodes
from warroom.playbook.templates import check_name, scan
from warroom.yamlpos import is_number, is_whole_number

MAX_MINUTES = 30 * 24 * 60
ROLE_KEYS = ("id", "title", "who")
PHASE_KEYS = ("id", "title")
STEP_KEYS: tuple[str, ...] = ("id", "title", "phase", "owner", "due", "depends_on", "details")
STEP_KEYS += ("when", "template", "channels", "on")
CHANNEL_KEYS = ("id", "kind", "audience", "limit")
MAX_CHANNEL_LIMIT = 100_000
TEMPLATE_KEYS = ("id", "title", "kind", "text", "parts")
# Template kinds written in fixed parts, with the heading each part gets in the joined text.
TEMPLATE_PARTS: dict[str, dict[str, str]] = {
    "apology": {"acknowledge": "", "empathy": "", "resolution": ""},
    "status": {"conditions": "Conditions: ", "actions": "Actions: ", "needs": "Needs: "},
}
TEMPLATE_KINDS = ("holding", "apology", "status", "update", "reply", "other")


def read_role(checker: Checker, node: Node, path: str) -> tuple[Role, Node] | None:
    """One role: id, title and who holds it."""
    fields = checker.mapping(node, path, ROLE_KEYS, ("id", "title"))
    if fields is None or "id" not in fields or "title" not in fields:
        return None
    role_id = checker.identifier(fields["id"][1], f"{path}.id")
    title = checker.string(fields["title"][1], f"{path}.title")
    who = None
    if "who" in fields and checker.scalar(fields["who"][1]) is not None:
        who = checker.string(fields["who"][1], f"{path}.who")
    if role_id is None or title is None:
        return None
    return Role(role_id, title.strip(), who.strip() if who else None), fields["id"][1]


def read_phase(checker: Checker, node: Node, path: str) -> tuple[Phase, Node] | None:
    """One phase: id and title."""
    fields = checker.mapping(node, path, PHASE_KEYS, PHASE_KEYS)
    if fields is None or len(fields) < len(PHASE_KEYS):
        return None
    phase_id = checker.identifier(fields["id"][1], f"{path}.id")
    title = checker.string(fields["title"][1], f"{path}.title")
    if phase_id is None or title is None:
        return None
    return Phase(phase_id, title.strip()), fields["id"][1]


def read_channel(checker: Checker, node: Node, path: str) -> tuple[Channel, Node] | None:
    """One channel: id, kind and audience."""
    fields = checker.mapping(node, path, CHANNEL_KEYS, ("id", "kind"))
    if fields is None or "id" not in fields or "kind" not in fields:
        return None
    channel_id = checker.identifier(fields["id"][1], f"{path}.id")
    kind = checker.string(fields["kind"][1], f"{path}.kind")
    if kind is not None and kind not in CHANNEL_KINDS:
        checker.error(
            fields["kind"][1],
            f"{path}.kind",
            f"unknown channel kind '{kind}'" + did_you_mean(kind, CHANNEL_KINDS, otherwise="kinds"),
        )
        kind = ""  # reported; keep the channel so steps that use it are not blamed too
    audience = ""
    if "audience" in fields:
        audience = checker.string(fields["audience"][1], f"{path}.audience", empty=True) or ""
    limit = None
    if "limit" in fields:
        limit = checker.integer(fields["limit"][1], f"{path}.limit", 1, MAX_CHANNEL_LIMIT)
    if channel_id is None or kind is None:
        return None
    return Channel(channel_id, kind, audience.strip(), limit), fields["id"][1]


def read_template(
    checker: Checker, node: Node, path: str, role_ids: set[str]
) -> tuple[Template, Node] | None:
    """One template, its placeholders checked against the known names and roles."""
    fields = checker.mapping(node, path, TEMPLATE_KEYS, ("id", "title", "kind"))
    if fields is None or not {"id", "title", "kind"} <= fields.keys():
        return None
    template_id = checker.identifier(fields["id"][1], f"{path}.id")
    title = checker.string(fields["title"][1], f"{path}.title")
    kind = checker.string(fields["kind"][1], f"{path}.kind")
    if kind is not None and kind not in TEMPLATE_KINDS:
        checker.error(
            fields["kind"][1],
            f"{path}.kind",
            f"unknown template kind '{kind}'"
            + did_you_mean(kind, TEMPLATE_KINDS, otherwise="kinds"),
        )
        kind = "other"  # reported; keep checking its text, and steps that use it
    texts = read_template_texts(checker, fields, path, kind, node)
    if template_id is None or title is None or kind is None or texts is None:
        return None
    names: list[str] = []
    for value_node, part_path, value in texts:
        found, problems = scan(value)
        for problem in problems:
            line, column = checker.position_in(value_node, problem.offset, problem.token, value)
            checker.error_at(line, column, part_path, problem.message)
        for placeholder in found:
            why = check_name(placeholder.name, role_ids)
            if why is not None:
                token = "{" + placeholder.name + "}"
                line, column = checker.position_in(value_node, placeholder.offset, token, value)
                checker.error_at(line, column, part_path, why)
            elif placeholder.name not in names:
                names.append(placeholder.name)
    headings = TEMPLATE_PARTS.get(kind, {})
    parts = tuple((p.rsplit(".", 1)[-1], v.strip()) for _, p, v in texts) if headings else ()
    joined = "\n\n".join(headings[key] + value for key, value in parts) if headings else ""
    text = joined or texts[0][2].strip()
    return Template(template_id, title.strip(), kind, text, tuple(names), parts), fields["id"][1]


def read_template_texts(
    checker: Checker, fields: dict[str, tuple[Node, Node]], path: str, kind: str | None, node: Node
) -> list[tuple[Node, str, str]] | None:
    """The text, or the fixed parts of an apology or status update, with their nodes."""
    expected = TEMPLATE_PARTS.get(kind or "")
    if expected is None:
        if "parts" in fields:
            checker.error(
                fields["parts"][0],
                f"{path}.parts",
                f"only {' and '.join(TEMPLATE_PARTS)} templates have parts; use 'text'",
            )
            return None
        if "text" not in fields:
            checker.error(node, f"{path}.text", "required key is missing")
            return None
        value = checker.string(fields["text"][1], f"{path}.text")
        return None if value is None else [(fields["text"][1], f"{path}.text", value)]
    if "text" in fields or "parts" not in fields:
        at = fields["text"][0] if "text" in fields else node
        checker.error(
            at,
            f"{path}.parts",
            f"a {kind} template is written in parts: "
            f"{', '.join(expected)} (use 'parts:' instead of 'text:')",
        )
        return None
    part_fields = checker.mapping(
        fields["parts"][1], f"{path}.parts", tuple(expected), tuple(expected)
    )
    if part_fields is None or len(part_fields) < len(expected):
        return None
    texts = []
    for key in expected:
        value = checker.string(part_fields[key][1], f"{path}.parts.{key}")
        if value is None:
            return None
        texts.append((part_fields[key][1], f"{path}.parts.{key}", value))
    return texts


def read_step(checker: Checker, node: Node, path: str) -> StepNodes | None:
    """One step as read so far; references are checked later, across all steps."""
    required = ("id", "title", "phase", "owner", "due")
    fields = checker.mapping(node, path, STEP_KEYS, required)
    if fields is None or "id" not in fields:
        return None
    step_id = checker.identifier(fields["id"][1], f"{path}.id")
    if step_id is None:
        return None
    values = {key: value for key, (_, value) in fields.items()}
    title_node, details_node = values.get("title"), values.get("details")
    title = checker.string(title_node, f"{path}.title") if title_node is not None else None
    details: str | None = ""
    if details_node is not None:
        details = checker.string(details_node, f"{path}.details", empty=True)
    when_node = values.get("when")
    when_text, levels = None, frozenset(Level)
    if when_node is not None:
        when_text = checker.string(when_node, f"{path}.when")
        if when_text is not None:
            try:
                levels = parse_when(when_text)
            except ValueError as problem:
                checker.error(when_node, f"{path}.when", str(problem))
    on = read_on(checker, values.get("on"), f"{path}.on")
    due_node = values.get("due")
    due = read_due(checker, due_node, f"{path}.due") if due_node is not None else None
    return StepNodes(
        id=step_id,
        path=path,
        node=node,
        id_node=fields["id"][1],
        title=title or "",
        phase=values.get("phase"),
        owner=values.get("owner"),
        due=due,
        due_node=due_node,
        depends_on=values.get("depends_on"),
        details=(details or "").strip(),
        when=when_text,
        when_node=when_node,
        levels=levels,
        template=values.get("template"),
        channels=values.get("channels"),
        on=on,
    )


def read_on(checker: Checker, node: Node | None, path: str) -> str | None:
    """The event that checks a step by itself, one of STEP_EVENTS."""
    if node is None:
        return None
    value = checker.string(node, path)
    if value is not None and value not in STEP_EVENTS:
        hint = did_you_mean(value, STEP_EVENTS, otherwise="events")
        checker.error(node, path, f"unknown event '{value}'{hint}")
        return None
    return value


def read_due(checker: Checker, node: Node, path: str) -> Due | None:
    """A deadline: minutes from the start, or {after: step, minutes: n}."""
    if isinstance(node, MappingNode):
        fields = checker.mapping(node, path, ("after", "minutes"), ("after", "minutes"))
        if fields is None or len(fields) < 2:
            return None
        after = checker.string(fields["after"][1], f"{path}.after")
        minutes = checker.integer(fields["minutes"][1], f"{path}.minutes", 0, MAX_MINUTES)
        return None if after is None or minutes is None else Due(minutes, after)
    if not is_whole_number(checker.scalar(node)):
        checker.error(
            node,
            path,
            "expected minutes from the incident start (due: 30) or after "
            f"a step (due: {{after: assess, minutes: 15}}); found {describe(node)}",
        )
        return None
    minutes = checker.integer(node, path, 0, MAX_MINUTES)
    return None if minutes is None else Due(minutes)


def read_triggers(checker: Checker, node: Node | None) -> dict[str, int | float]:
    """Detector overrides, each checked for type and range."""
    if node is None:
        return {}
    fields = checker.mapping(node, "triggers", tuple(TRIGGER_FIELDS), ())
    triggers: dict[str, int | float] = {}
    for key, (_, value_node) in (fields or {}).items():
        kind, low, high = TRIGGER_FIELDS[key]
        value = checker.scalar(value_node)
        if not (is_whole_number(value) if kind is int else is_number(value)):
            wanted = "a whole number" if kind is int else "a number"
            checker.error(
                value_node,
                f"triggers.{key}",
                f"expected {wanted}; found {describe(value_node)}",
            )
        elif not low <= value <= high:
            checker.error(
                value_node, f"triggers.{key}", f"{value} is out of range ({low:g} to {high:g})"
            )
        else:
            triggers[key] = kind(value)
    return triggers


def read_questions(checker: Checker, node: Node | None) -> tuple[str, ...]:
    """The post-mortem questions."""
    if node is None:
        return ()
    items = checker.sequence(node, "review_questions", "questions")
    questions = [checker.string(item, f"review_questions[{i}]") for i, item in enumerate(items)]
    return tuple(q.strip() for q in questions if q)
