"""The playbook checker: typed accessors over YAML nodes that record every error at its node."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from warroom.yamlpos import YamlChecker, is_whole_number, position

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
BAD: Any = object()  # what `scalar` returns for a list or a mapping
_SYNTAX_HINTS = {
    "tab character": "indent with spaces, not tabs",
    "that cannot start any token": "indent with spaces, not tabs; quote text starting with @ or `",
    "mapping values are not allowed": "a ':' inside a value? put the value in quotes",
    "end of stream": "an unclosed quote or bracket",
    "could not find expected ':'": "a key without ':', or an unclosed quote here or just above",
}


def describe(node: Node) -> str:
    """What a node is, in words for an error message."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    kind = node.tag.rsplit(":", 1)[-1]
    names = {"int": "a number", "float": "a number", "bool": "true/false", "null": "nothing"}
    if kind in names:
        return f"{names[kind]} ({node.value!r})" if kind != "null" else "nothing"
    return f"{kind} {node.value!r}" if kind != "str" else f"text {node.value!r}"


class Checker(YamlChecker):
    """One validation run over a playbook's nodes: typed accessors that record errors."""

    def __init__(self, text: str, filename: str) -> None:
        super().__init__(filename)
        self.text = text
        self.constructor = yaml.constructor.SafeConstructor()
        self._lines: list[str] | None = None

    def error(self, node: Node | None, path: str, message: str) -> None:
        """Record an error at a node (or at the start of the file)."""
        self.error_at(*position(node.start_mark if node else None), path, message)

    def syntax_error(self, problem: yaml.YAMLError) -> None:
        """Record why the text is not YAML, with advice for the usual mistakes."""
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
        self.error_at(*position(mark), "", message)

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
        names = [key.value for key, _ in node.value if isinstance(key, ScalarNode)]
        unknown, missing = self.check_keys(names, allowed, required, otherwise="allowed")
        fields: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            where = f"{path}.{key}" if path and key else (key or path)
            if key is None:
                self.error(key_node, path, "keys must be plain words, not lists or mappings")
            elif key in unknown:
                self.error(key_node, where, f"unknown key '{key}'{unknown[key]}")
            elif key in fields:
                first = fields[key][0].start_mark.line + 1
                self.error(key_node, where, f"duplicate key '{key}' (first at line {first})")
            else:
                fields[key] = (key_node, value_node)
        for key in missing:
            self.error(node, f"{path}.{key}" if path else key, "required key is missing")
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
        """The Python value of a scalar node, or BAD for lists and mappings."""
        if not isinstance(node, ScalarNode):
            return BAD
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
        if not is_whole_number(value):
            self.error(node, path, f"expected a whole number; found {describe(node)}")
            return None
        if not low <= value <= high:
            self.error(node, path, f"{value} is out of range ({low} to {high})")
            return None
        return int(value)

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
        return position(start)
