"""Playbook validation: compose the YAML, read every section, check references, build the model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

import yaml
from yaml.nodes import Node, SequenceNode

from warroom.playbook.checker import Checker
from warroom.playbook.model import (
    NAME_PATTERN,
    PLAYBOOK_VERSION,
    SUFFIXES,
    Phase,
    Playbook,
    PlaybookError,
    PlaybookInvalid,
    Template,
)
from warroom.playbook.refs import check_references
from warroom.playbook.sections import (
    read_channel,
    read_phase,
    read_questions,
    read_role,
    read_step,
    read_template,
    read_triggers,
)
from warroom.yamlpos import find_alias

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TOP_KEYS: tuple[str, ...] = ("version", "name", "description", "roles", "triggers", "channels")
TOP_KEYS += ("phases", "steps", "templates", "review_questions")
REQUIRED_KEYS = ("version", "name", "roles", "phases", "steps")
_Item = TypeVar("_Item")


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


def validate_text(text: str, filename: str = "<playbook>") -> list[PlaybookError]:
    """Every error in a playbook's text, in file order; empty when it is valid."""
    return build(text, filename)[1]


def parse_playbook(text: str, filename: str = "<playbook>", path: Path | None = None) -> Playbook:
    """Build a playbook from YAML text; PlaybookInvalid lists every error."""
    playbook, errors = build(text, filename, path)
    if errors or playbook is None:
        raise PlaybookInvalid(errors)
    return playbook


def build(
    text: str, filename: str, path: Path | None = None
) -> tuple[Playbook | None, list[PlaybookError]]:
    """Validate playbook text and build the model; all errors sorted by position."""
    checker = Checker(text, filename)
    playbook = _read(checker, path)
    errors = sorted(set(checker.errors), key=lambda e: (e.line, e.column, e.path, e.message))
    return (None if errors else playbook), errors


def _read(checker: Checker, path: Path | None) -> Playbook | None:
    """Compose the YAML, check every section, then the references between them."""
    try:
        root = yaml.compose(checker.text, Loader=_LOADER)
    except yaml.YAMLError as problem:
        checker.syntax_error(problem)
        return None
    alias = find_alias(checker.text, checker.filename, _LOADER)
    if alias is not None:
        checker.errors.append(alias)
        return None
    if root is None:
        checker.error(None, "", "the file is empty; a playbook starts with 'version: 1'")
        return None
    top = checker.mapping(root, "", TOP_KEYS, REQUIRED_KEYS)
    if top is None:
        return None
    values = {key: value for key, (_, value) in top.items()}
    version = _version(checker, values.get("version"))
    name = _name(checker, values.get("name"), path)
    description = ""
    description_node = values.get("description")
    if description_node is not None:
        description = checker.string(description_node, "description", empty=True) or ""
    roles = _items(checker, values.get("roles"), "roles", read_role)
    phases = _items(checker, values.get("phases"), "phases", read_phase)
    channels = _items(checker, values.get("channels"), "channels", read_channel)
    role_ids = {role.id for role, _ in roles}

    def read_template_for_roles(
        checker: Checker, node: Node, path: str
    ) -> tuple[Template, Node] | None:
        return read_template(checker, node, path, role_ids)

    templates = _items(checker, values.get("templates"), "templates", read_template_for_roles)
    step_nodes = _items(checker, values.get("steps"), "steps", read_step)
    triggers = read_triggers(checker, values.get("triggers"))
    questions = read_questions(checker, values.get("review_questions"))
    _unique(checker, "roles", roles)
    _unique(checker, "phases", phases)
    _unique(checker, "channels", channels)
    _unique(checker, "templates", templates)
    _unique(checker, "steps", [(s, s.id_node) for s in step_nodes])
    for section, count in (
        ("roles", len(roles)),
        ("phases", len(phases)),
        ("steps", len(step_nodes)),
    ):
        node = values.get(section)
        if isinstance(node, SequenceNode) and not count:
            checker.error(node, section, f"needs at least one entry in {section}")
    steps = check_references(
        checker,
        step_nodes,
        roles=role_ids,
        phases=[phase.id for phase, _ in phases],
        channels={channel.id for channel, _ in channels},
        templates={template.id for template, _ in templates},
    )
    if checker.errors or version is None or name is None:
        return None
    ordered = [s for phase, _ in phases for s in steps if s.phase == phase.id]
    return Playbook(
        name=name,
        description=description.strip(),
        version=version,
        roles=tuple(role for role, _ in roles),
        phases=tuple(
            Phase(p.id, p.title, tuple(s for s in ordered if s.phase == p.id)) for p, _ in phases
        ),
        steps=tuple(ordered),
        channels=tuple(channel for channel, _ in channels),
        templates=tuple(template for template, _ in templates),
        triggers=triggers,
        review_questions=questions,
        path=path,
    )


def _version(checker: Checker, node: Node | None) -> int | None:
    if node is None:
        return None
    value = checker.scalar(node)
    if value != PLAYBOOK_VERSION or isinstance(value, bool):
        checker.error(
            node,
            "version",
            f"unsupported version {node.value} (this warroom reads "
            f"version {PLAYBOOK_VERSION}; write 'version: {PLAYBOOK_VERSION}')",
        )
        return None
    return PLAYBOOK_VERSION


def _name(checker: Checker, node: Node | None, path: Path | None) -> str | None:
    if node is None:
        return None
    name = checker.string(node, "name")
    if name is None:
        return None
    if not NAME_PATTERN.match(name):
        checker.error(
            node,
            "name",
            f"'{name}' is not a playbook name (lowercase letters, digits "
            "and '-', as in the file name, e.g. 'product-recall')",
        )
        return None
    if path is not None and path.suffix in SUFFIXES and path.stem != name:
        checker.error(
            node,
            "name",
            f"'{name}' does not match the file name '{path.name}' "
            f"(rename one of them; playbooks are found by file name)",
        )
        return None
    return name


def _items(
    checker: Checker,
    node: Node | None,
    section: str,
    read_one: Callable[[Checker, Node, str], _Item | None],
) -> list[_Item]:
    if node is None:
        return []
    items = []
    for index, item in enumerate(checker.sequence(node, section, section)):
        result = read_one(checker, item, f"{section}[{index}]")
        if result is not None:
            items.append(result)
    return items


def _unique(checker: Checker, section: str, items: Sequence[tuple[_Identified, Node]]) -> None:
    first: dict[str, Node] = {}
    for item, node in items:
        item_id = item.id
        if item_id in first:
            line = first[item_id].start_mark.line + 1
            index = next(i for i, (other, _) in enumerate(items) if other is item)
            checker.error(
                node,
                f"{section}[{index}].id",
                f"duplicate id '{item_id}' (first defined at line {line})",
            )
        else:
            first[item_id] = node
