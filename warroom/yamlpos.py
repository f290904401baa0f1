"""YAML loading that remembers where each key and value came from, for actionable errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

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


class YamlSyntaxError(Exception):
    """The text is not YAML at all; carries the one located error."""

    def __init__(self, error: LocatedError) -> None:
        super().__init__(str(error))
        self.error = error


def format_path(path: Path_) -> str:
    """`('steps', 3, 'owner')` -> `steps[3].owner`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


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
    """Parse one YAML document into plain data and positions; duplicate keys become errors."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or str(error)
        if error.context:
            problem = f"{error.context}, {problem}"
        raise YamlSyntaxError(LocatedError(filename, line, column, "", problem)) from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(LocatedError(filename, 1, 1, "", str(error))) from error
    finally:
        loader.dispose()
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
    positions._values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                key = str(key)
            child = (*path, key if isinstance(key, str | int) else str(key))
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
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
