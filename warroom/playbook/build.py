"""Playbook validation: walk the YAML nodes, keep every position, and collect every error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from warroom.playbook import (
    NAME_PATTERN,
    PLAYBOOK_VERSION,
    SUFFIXES,
    Phase,
    Playbook,
    PlaybookError,
)
from warroom.playbook.refs import check_references
from warroom.playbook.sections import (
    describe,
    read_channel,
    read_phase,
    read_questions,
    read_role,
    read_step,
    read_template,
    read_triggers,
)
from warroom.playbook.templates import did_you_mean as hint

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
TOP_KEYS = ("version", "name", "description", "roles", "triggers", "channels", "phases", "steps")
TOP_KEYS += ("templates", "review_questions")
_BAD: Any = object()
_SYNTAX_HINTS = {
    "tab character": "indent with spaces, not tabs",
    "that cannot start any token": "indent with spaces, not tabs; quote text starting with @ or `",
    "mapping values are not allowed": "a ':' inside a value? put the value in quotes",
    "end of stream": "an unclosed quote or bracket",
    "could not find expected ':'": "a key without ':', or an unclosed quote here or just above",
}


def build(
    text: str, filename: str, path: Path | None = None
) -> tuple[Playbook | None, list[PlaybookError]]:
    """Validate playbook text and build the model; all errors sorted by position."""
    checker = Checker(text, filename)
    playbook = checker.run(path)
    errors = sorted(set(checker.errors), key=lambda e: (e.line, e.column, e.path, e.message))
    return (None if errors else playbook), errors


class Checker:
    """One validation run: typed accessors that record errors at node positions."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.errors: list[PlaybookError] = []
        self.constructor = yaml.constructor.SafeConstructor()
        self._lines: list[str] | None = None

    def error(self, node: Node | None, path: str, message: str) -> None:
        """Record an error at a node (or at the start of the file)."""
        line, column = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
        self.errors.append(PlaybookError(self.filename, line, column, path, message))

    def error_at(self, line: int, column: int, path: str, message: str) -> None:
        """Record an error at an explicit 1-based line and column."""
        self.errors.append(PlaybookError(self.filename, line, column, path, message))

    # --- typed accessors ---

    def mapping(
        self, node: Node, path: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, tuple[Node, Node]] | None:
        """A mapping's key -> (key node, value node); reports unknown, duplicate, missing keys."""
        if not isinstance(node, MappingNode):
            self.error(
                node,
                path,
                f"expected a mapping with keys {', '.join(required)}; found {describe(node)}",
            )
            return None
        fields: dict[str, tuple[Node, Node]] = {}
        misspelt: set[str] = set()  # required keys already explained by an unknown-key hint
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            where = f"{path}.{key}" if path and key else (key or path)
            if key is None:
                self.error(key_node, path, "keys must be plain words, not lists or mappings")
            elif key in fields:
                first = fields[key][0].start_mark.line + 1
                self.error(key_node, where, f"duplicate key '{key}' (first at line {first})")
            elif key not in allowed:
                suggestion = hint(key, allowed) or f" (allowed: {', '.join(allowed)})"
                misspelt.update(k for k in required if suggestion == hint(key, (k,)))
                self.error(key_node, where, f"unknown key '{key}'{suggestion}")
            else:
                fields[key] = (key_node, value_node)
        for key in required:
            if key not in fields and key not in misspelt:
                where = f"{path}.{key}" if path else key
                self.error(node, where, "required key is missing")
        return fields

    def sequence(self, node: Node, path: str, what: str) -> list[Node]:
        """The items of a list (an empty list for `key:` with nothing after it)."""
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, SequenceNode):
            self.error(node, path, f"expected a list of {what}; found {describe(node)}")
            return []
        return list(node.value)

    def scalar(self, node: Node) -> Any:
        """The Python value of a scalar node, or _BAD for lists and mappings."""
        if not isinstance(node, ScalarNode):
            return _BAD
        kind = node.tag.rsplit(":", 1)[-1]
        if kind == "str":
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            return node.value

    def string(self, node: Node, path: str, *, empty: bool = False) -> str | None:
        """A text value; numbers and booleans are refused so mistakes are not silently kept."""
        value = self.scalar(node)
        if value is None and empty:
            return ""
        if not isinstance(value, str):
            self.error(node, path, f"expected text; found {describe(node)} (quote it)")
            return None
        if not value.strip() and not empty:
            self.error(node, path, "must not be empty")
            return None
        return value

    def identifier(self, node: Node, path: str) -> str | None:
        """An id: lowercase letters, digits, '-' and '_'."""
        value = self.string(node, path)
        if value is not None and not _ID.match(value):
            fixed = re.sub(r"[^a-z0-9_-]+", "-", value.strip().lower()).strip("-") or "x"
            self.error(
                node,
                path,
                f"id '{value}' must be lowercase letters, digits, '-' or '_' (e.g. '{fixed}')",
            )
            return None
        return value

    def integer(self, node: Node, path: str, low: int, high: int) -> int | None:
        """A whole number in [low, high]."""
        value = self.scalar(node)
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(node, path, f"expected a whole number; found {describe(node)}")
            return None
        if not low <= value <= high:
            self.error(node, path, f"{value} is out of range ({low} to {high})")
            return None
        return value

    def position_in(self, node: Node, offset: int, token: str, value: str) -> tuple[int, int]:
        """Line and column of the token at `offset` in a scalar's value, found in the source."""
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self.text)
        nth = value.count(token, 0, offset)
        start, end = node.start_mark, node.end_mark
        for index in range(start.line, min(end.line, len(self._lines) - 1) + 1):
            line = self._lines[index]
            first = start.column if index == start.line else 0
            segment = line[first : end.column if index == end.line else None]
            found = segment.find(token)
            while found != -1:
                if nth == 0:
                    return index + 1, first + found + 1
                nth -= 1
                found = segment.find(token, found + len(token))
        return start.line + 1, start.column + 1

    # --- the document ---

    def run(self, path: Path | None) -> Playbook | None:
        """Compose the YAML, check every section, then the references between them."""
        try:
            root = yaml.compose(self.text, Loader=_LOADER)
        except yaml.YAMLError as problem:
            self._syntax(problem)
            return None
        if root is None:
            self.error(None, "", "the file is empty; a playbook starts with 'version: 1'")
            return None
        top = self.mapping(root, "", TOP_KEYS, ("version", "name", "roles", "phases", "steps"))
        if top is None:
            return None
        value = lambda key: top[key][1] if key in top else None  # noqa: E731
        version = self._version(value("version"))
        name = self._name(value("name"), path)
        description = ""
        if value("description") is not None:
            description = self.string(value("description"), "description", empty=True) or ""
        roles = self._items(value("roles"), "roles", "roles", read_role)
        phases = self._items(value("phases"), "phases", "phases", read_phase)
        channels = self._items(value("channels"), "channels", "channels", read_channel)
        role_ids = {role.id for role, _ in roles}
        templates = self._items(
            value("templates"),
            "templates",
            "templates",
            lambda c, n, p: read_template(c, n, p, role_ids),
        )
        step_nodes = self._items(value("steps"), "steps", "steps", read_step)
        triggers = read_triggers(self, value("triggers"))
        questions = read_questions(self, value("review_questions"))
        for section, items in (("roles", roles), ("phases", phases), ("channels", channels)):
            self._unique(section, items)
        self._unique("templates", templates)
        self._unique("steps", [(s, s.id_node) for s in step_nodes])
        for section, items in (("roles", roles), ("phases", phases), ("steps", step_nodes)):
            if (
                value(section) is not None
                and not items
                and isinstance(value(section), SequenceNode)
            ):
                self.error(value(section), section, f"needs at least one entry in {section}")
        steps = check_references(
            self,
            step_nodes,
            roles=role_ids,
            phases=[phase.id for phase, _ in phases],
            channels={channel.id for channel, _ in channels},
            templates={template.id for template, _ in templates},
        )
        if self.errors or version is None or name is None:
            return None
        ordered = [s for phase, _ in phases for s in steps if s.phase == phase.id]
        return Playbook(
            name=name,
            description=description.strip(),
            version=version,
            roles=tuple(role for role, _ in roles),
            phases=tuple(
                Phase(p.id, p.title, tuple(s for s in ordered if s.phase == p.id))
                for p, _ in phases
            ),
            steps=tuple(ordered),
            channels=tuple(channel for channel, _ in channels),
            templates=tuple(template for template, _ in templates),
            triggers=triggers,
            review_questions=questions,
            path=path,
        )

    def _syntax(self, problem: yaml.YAMLError) -> None:
        mark = getattr(problem, "problem_mark", None)
        start = getattr(problem, "context_mark", None)
        words = getattr(problem, "problem", None) or str(problem)
        context = getattr(problem, "context", None)
        if start is not None and "end of stream" in words:
            # Pointing at the end of the file helps nobody; point at what was left open.
            mark = start
        message = f"YAML syntax error: {words}" + (f" ({context})" if context else "")
        for needle, advice in _SYNTAX_HINTS.items():
            if needle in message:
                message += f"; {advice}"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        self.error_at(line, column, "", message)

    def _version(self, node: Node | None) -> int | None:
        if node is None:
            return None
        value = self.scalar(node)
        if value != PLAYBOOK_VERSION or isinstance(value, bool):
            self.error(
                node,
                "version",
                f"unsupported version {node.value} (this warroom reads "
                f"version {PLAYBOOK_VERSION}; write 'version: {PLAYBOOK_VERSION}')",
            )
            return None
        return PLAYBOOK_VERSION

    def _name(self, node: Node | None, path: Path | None) -> str | None:
        if node is None:
            return None
        name = self.string(node, "name")
        if name is None:
            return None
        if not NAME_PATTERN.match(name):
            self.error(
                node,
                "name",
                f"'{name}' is not a playbook name (lowercase letters, digits "
                "and '-', as in the file name, e.g. 'product-recall')",
            )
            return None
        if path is not None and path.suffix in SUFFIXES and path.stem != name:
            self.error(
                node,
                "name",
                f"'{name}' does not match the file name '{path.name}' "
                f"(rename one of them; playbooks are found by file name)",
            )
            return None
        return name

    def _items(self, node: Node | None, path: str, what: str, build_one: Any) -> list[Any]:
        if node is None:
            return []
        built = []
        for index, item in enumerate(self.sequence(node, path, what)):
            result = build_one(self, item, f"{path}[{index}]")
            if result is not None:
                built.append(result)
        return built

    def _unique(self, section: str, items: list[tuple[Any, Node]]) -> None:
        first: dict[str, Node] = {}
        for item, node in items:
            item_id = item.id
            if item_id in first:
                line = first[item_id].start_mark.line + 1
                index = next(i for i, (other, _) in enumerate(items) if other is item)
                self.error(
                    node,
                    f"{section}[{index}].id",
                    f"duplicate id '{item_id}' (first defined at line {line})",
                )
            else:
                first[item_id] = node
