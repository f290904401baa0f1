"""Playbook cross-checks: references between steps, cycles, deadlines and reachability."""

from __future__ import annotations

from dataclasses import dataclass, replace

from yaml.nodes import Node

from warroom.errors import did_you_mean
from warroom.model import Level
from warroom.playbook.checker import Checker
from warroom.playbook.model import Due, Step

LEVEL_ORDER = " < ".join(level.value for level in Level)


@dataclass
class StepNodes:
    """A step as read so far, with the nodes its references still need checking against."""

    id: str
    path: str
    node: Node
    id_node: Node
    title: str
    phase: Node | None
    owner: Node | None
    due: Due | None
    due_node: Node | None
    depends_on: Node | None
    details: str
    when: str | None
    when_node: Node | None
    levels: frozenset[Level]
    template: Node | None
    channels: Node | None
    on: str | None = None


def _levels(levels: frozenset[Level]) -> str:
    return ", ".join(level.value for level in Level if level in levels) or "no level"


def check_references(
    checker: Checker,
    steps: list[StepNodes],
    *,
    roles: set[str],
    phases: list[str],
    channels: set[str],
    templates: set[str],
) -> list[Step]:
    """Check what steps refer to; return the built steps (complete only when no errors)."""
    known = {step.id for step in steps}
    by_id = {step.id: step for step in reversed(steps)}

    def ref(node: Node | None, path: str, pool: set[str] | list[str], what: str) -> str | None:
        if node is None:
            return None
        value = checker.string(node, path)
        if value is not None and value not in pool:
            suggestion = did_you_mean(value, sorted(pool), otherwise=f"{what}s")
            checker.error(node, path, f"unknown {what} '{value}'{suggestion}")
            return None
        return value

    deps: dict[str, list[tuple[str, Node]]] = {}
    built: dict[str, Step] = {}
    for step in steps:
        phase = ref(step.phase, f"{step.path}.phase", phases, "phase")
        owner = ref(step.owner, f"{step.path}.owner", roles, "role")
        template = ref(step.template, f"{step.path}.template", templates, "template")
        used_channels = []
        if step.channels is not None:
            items = checker.sequence(step.channels, f"{step.path}.channels", "channel ids")
            for index, item in enumerate(items):
                channel = ref(item, f"{step.path}.channels[{index}]", channels, "channel")
                if channel is not None:
                    used_channels.append(channel)
        if step.id in deps:
            continue  # a duplicate id, reported elsewhere; the first definition wins
        deps[step.id] = []
        if step.depends_on is not None:
            items = checker.sequence(step.depends_on, f"{step.path}.depends_on", "step ids")
            for index, item in enumerate(items):
                path = f"{step.path}.depends_on[{index}]"
                target = ref(item, path, known, "step")
                if target == step.id:
                    checker.error(item, path, f"step '{step.id}' depends on itself")
                elif target in [d for d, _ in deps[step.id]]:
                    checker.error(item, path, f"'{target}' is listed twice")
                elif target is not None:
                    deps[step.id].append((target, item))
        if step.due is not None and step.due.after is not None and step.due_node is not None:
            after_node = step.due_node.value[0][1]
            for key_node, value_node in step.due_node.value:
                if key_node.value == "after":
                    after_node = value_node
            target = ref(after_node, f"{step.path}.due.after", known, "step")
            if target == step.id:
                checker.error(
                    after_node, f"{step.path}.due.after", "a step cannot be due after itself"
                )
        if None not in (phase, owner, step.due) and step.title:
            built[step.id] = Step(
                id=step.id,
                title=step.title.strip(),
                phase=phase or "",
                owner=owner or "",
                due_minutes=0,
                due_spec=step.due or Due(0),
                depends_on=tuple(d for d, _ in deps[step.id]),
                details=step.details,
                when=step.when,
                levels=step.levels,
                template=template,
                channels=tuple(used_channels),
                line=step.node.start_mark.line + 1,
                on=step.on,
            )
    unique = [by_id[step_id] for step_id in deps]
    cycles = _report_cycles(checker, unique, deps)
    if _report_due_cycles(checker, unique, by_id) or cycles:
        return list(built.values())
    due = _resolve_due(unique, by_id)
    _check_deadlines(checker, unique, deps, due)
    levels = _check_reachable(checker, unique, deps, _topological(list(deps), deps), by_id)
    return [
        replace(step, due_minutes=due.get(step.id, 0), levels=levels[step.id])
        for step in built.values()
    ]


def _report_cycles(
    checker: Checker, steps: list[StepNodes], deps: dict[str, list[tuple[str, Node]]]
) -> bool:
    """Report each depends_on cycle once, at the edge that closes it; True if any."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    found = False
    for start in steps:
        if start.id in state:
            continue
        path: list[str] = [start.id]
        state[start.id] = 1
        stack = [iter(deps[start.id])]
        while stack:
            edge = next(stack[-1], None)
            if edge is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            target, node = edge
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                owner = next(s for s in steps if s.id == path[-1])
                index = [d for d, _ in deps[owner.id]].index(target)
                checker.error(
                    node,
                    f"{owner.path}.depends_on[{index}]",
                    f"dependency cycle: {' -> '.join(cycle)}",
                )
                found = True
            elif target not in state:
                state[target] = 1
                path.append(target)
                stack.append(iter(deps[target]))
    return found


def _report_due_cycles(
    checker: Checker, steps: list[StepNodes], by_id: dict[str, StepNodes]
) -> bool:
    """Report deadlines chained in a circle (a due after b due after a); True if any."""
    reported: set[str] = set()
    found = False
    for step in steps:
        chain = [step.id]
        current = step
        while current.due is not None and current.due.after is not None:
            nxt = current.due.after
            if nxt not in by_id:
                break
            if nxt in chain:
                cycle = [*chain[chain.index(nxt) :], nxt]
                if not reported & set(cycle) and current.due_node is not None:
                    checker.error(
                        current.due_node,
                        f"{current.path}.due",
                        f"deadline cycle: {' -> '.join(cycle)} (one of them needs "
                        "minutes from the incident start)",
                    )
                    reported.update(cycle)
                    found = True
                break
            chain.append(nxt)
            current = by_id[nxt]
    return found


def _topological(ids: list[str], deps: dict[str, list[tuple[str, Node]]]) -> list[str]:
    """Steps ordered so that every dependency comes first (the graph has no cycles)."""
    done: set[str] = set()
    order: list[str] = []
    for start in ids:
        stack = [(start, iter(deps[start]))]
        while stack:
            current, edges = stack[-1]
            edge = next(edges, None)
            if edge is None:
                stack.pop()
                if current not in done:
                    done.add(current)
                    order.append(current)
            elif edge[0] not in done:
                stack.append((edge[0], iter(deps[edge[0]])))
    return order


def _resolve_due(steps: list[StepNodes], by_id: dict[str, StepNodes]) -> dict[str, int]:
    """Absolute minutes from the incident start; steps with a broken deadline are left out."""
    due: dict[str, int] = {}
    for step in steps:
        chain: list[StepNodes] = []
        current: StepNodes | None = step
        while current is not None and current.id not in due and current.due is not None:
            if current.due.after is None:
                due[current.id] = current.due.minutes
                break
            chain.append(current)
            current = by_id.get(current.due.after)
        if current is None or current.id not in due:
            continue
        for link in reversed(chain):
            if link.due is not None and link.due.after is not None:
                due[link.id] = due[link.due.after] + link.due.minutes
    return due


def _check_deadlines(
    checker: Checker,
    steps: list[StepNodes],
    deps: dict[str, list[tuple[str, Node]]],
    due: dict[str, int],
) -> None:
    """A step cannot be due before a step it depends on."""
    for step in steps:
        for target, _ in deps[step.id]:
            if step.id not in due or target not in due or step.due_node is None:
                continue
            if due[step.id] < due[target]:
                checker.error(
                    step.due_node,
                    f"{step.path}.due",
                    f"due at T+{due[step.id]} min, before '{target}' it depends on "
                    f"(due at T+{due[target]} min)",
                )


def _check_reachable(
    checker: Checker,
    steps: list[StepNodes],
    deps: dict[str, list[tuple[str, Node]]],
    order: list[str],
    by_id: dict[str, StepNodes],
) -> dict[str, frozenset[Level]]:
    """A step applies where its `when` holds and all its dependencies apply; none is an error."""
    levels: dict[str, frozenset[Level]] = {}
    for step_id in order:
        step = by_id[step_id]
        own = step.levels
        effective = own
        for target, _ in deps[step_id]:
            effective = effective & levels[target]
        levels[step_id] = effective
        if effective or any(not levels[target] for target, _ in deps[step_id]):
            continue  # reachable, or a dependency's own problem already explains it
        if not own:
            checker.error(
                step.when_node,
                f"{step.path}.when",
                f"'{step.when}' is never true (levels: {LEVEL_ORDER})",
            )
            continue
        culprit = next(((t, n) for t, n in deps[step_id] if not own & levels[t]), None)
        if culprit is not None:
            target, node = culprit
            at = step.when_node or node
            path = f"{step.path}.when" if step.when_node else f"{step.path}.depends_on"
            checker.error(
                at,
                path,
                f"step can never apply: it applies at {_levels(own)} but "
                f"'{target}' it depends on only at {_levels(levels[target])}",
            )
        else:
            checker.error(
                step.when_node or step.node,
                step.path,
                "step can never apply: its dependencies never all apply at one level",
            )
    return levels
