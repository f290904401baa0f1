"""YAML with positions, and the checks all warroom YAML files share: errors at file:line:column."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import yaml

from warroom.errors import WarroomError, did_you_mean

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class LocatedError:
    """A problem in a YAML file: where it is (file:line:column and document path) and what it is."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class YamlSyntaxError(WarroomError):
    """The text is not YAML we read (broken syntax, or an alias); carries the one located error."""

    def __init__(self, error: LocatedError) -> None:
        super().__init__(str(error))
        self.error = error


def format_path(path: Path_) -> str:
    """`('steps', 3, 'owner')` -> `steps[3].owner`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Mark(Protocol):
    line: int
    column: int


def position(mark: _Mark | None) -> tuple[int, int]:
    """The 1-based line and column of a mark; the start of the file when there is none."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def not_utf8(filename: str, data: bytes) -> LocatedError:
    """Where a file's first byte that is not UTF-8 sits (line:column, in characters), and which."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # The whole file's bytes: a decode error from read_text counts from its buffer's start.
        before = data[: error.start].decode("utf-8")
        line = before.count("\n") + 1
        column = len(before) - before.rfind("\n")
        problem = f"is not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8"
        return LocatedError(filename, line, column, "", problem)
    return LocatedError(filename, 1, 1, "", "is not UTF-8 text; save it as UTF-8")


def is_number(value: object) -> bool:
    """An int or a float; YAML's true/false load as bool, which Python counts as an int."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_whole_number(value: object) -> bool:
    """An int, and not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def find_alias(
    text: str, filename: str, loader: type[Any] = yaml.SafeLoader
) -> LocatedError | None:
    """The first alias (`*name`) in a YAML text that composes, as an error; None when none.

    Aliases are refused because a few nested ones expand a small file into gigabytes.
    """
    if "*" not in text:
        return None  # every alias starts with '*': ordinary files skip the second parse
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            line, column = position(event.start_mark)
            message = f"aliases are not allowed ('*{event.anchor}'); write the value out in full"
            return LocatedError(filename, line, column, "", message)
    return None


class YamlChecker:
    """Collects every error in one YAML file, each at its place, not stopping at the first."""

    def __init__(self, filename: str, errors: Sequence[LocatedError] = ()) -> None:
        self.filename = filename
        self.errors: list[LocatedError] = list(errors)

    def error_at(self, line: int, column: int, path: str, message: str) -> None:
        """Record an error at a 1-based line and column."""
        self.errors.append(LocatedError(self.filename, line, column, path, message))

    def check_keys(
        self,
        keys: Collection[str],
        allowed: Sequence[str],
        required: Sequence[str] = (),
        *,
        otherwise: str,
    ) -> tuple[dict[str, str], list[str]]:
        """Unknown keys with their did-you-mean, and the missing required keys.

        A required key that an unknown key looks like a misspelling of is not also called missing.
        """
        unknown: dict[str, str] = {}
        misspelt: set[str] = set()
        for key in keys:
            if key in allowed:
                continue
            unknown[key] = did_you_mean(key, allowed, otherwise=otherwise)
            misspelt.update(k for k in required if unknown[key] == did_you_mean(key, (k,)))
        missing = [key for key in required if key not in keys and key not in misspelt]
        return unknown, missing


class Positions:
    """Line and column (1-based) of each value and each mapping key, by document path."""

    def __init__(self) -> None:
        self._values: dict[Path_, tuple[int, int]] = {}
        self._keys: dict[Path_, tuple[int, int]] = {}

    def at(self, path: Path_) -> tuple[int, int]:
        """Where the value at `path` starts; falls back to the nearest parent."""
        while path not in self._values and path:
            path = path[:-1]
        return self._values.get(path, (1, 1))

    def key(self, path: Path_) -> tuple[int, int]:
        """Where the key naming `path` starts (for unknown or duplicate keys)."""
        return self._keys.get(path) or self.at(path)


def load_yaml(text: str, filename: str = "<yaml>") -> tuple[Any, Positions, list[LocatedError]]:
    """Parse one YAML document into plain data and positions; duplicate keys become errors.

    YamlSyntaxError when the text is not YAML or uses an alias.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        line, column = position(error.problem_mark or error.context_mark)
        problem = error.problem or str(error)
        if error.context:
            problem = f"{error.context}, {problem}"
        raise YamlSyntaxError(LocatedError(filename, line, column, "", problem)) from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(LocatedError(filename, 1, 1, "", str(error))) from error
    finally:
        loader.dispose()
    alias = find_alias(text, filename)
    if alias is not None:
        raise YamlSyntaxError(alias)
    positions = Positions()
    errors: list[LocatedError] = []
    if node is None:
        return None, positions, errors
    data = _convert(loader, node, (), positions, errors, filename)
    return data, positions, errors


def _convert(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path_,
    positions: Positions,
    errors: list[LocatedError],
    filename: str,
) -> Any:
    positions._values[path] = position(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                key = str(key)
            child = (*path, key if isinstance(key, str | int) else str(key))
            where = position(key_node.start_mark)
            if key in result:
                first = positions._keys.get(child, where)
                errors.append(
                    LocatedError(
                        filename,
                        *where,
                        format_path(child),
                        f"duplicate key {key!r} (first defined at line {first[0]})",
                    )
                )
                continue
            positions._keys[child] = where
            result[key] = _convert(loader, value_node, child, positions, errors, filename)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, (*path, index), positions, errors, filename)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
