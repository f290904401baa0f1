"""Load and validate a 500-step playbook; the budget is 200 ms (baseline: yaml.safe_load alone).

Latest figures (2026-11-26, 2 cores busy with other test runs, load average ~3.5, libyaml):
parse_playbook median 107 ms, best 62 ms (budget 200 ms); yaml.load of the same text 0.5-1.0x
that; without libyaml (pure-Python PyYAML) ~500 ms, so the budget needs libyaml's wheels.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import yaml

import warroom.playbook.build as playbook_build
from warroom.playbook import parse_playbook, validate_text

BUDGET_MS = 200.0
STEPS = 500
PHASES = 10
ROLES = ("lead", "social", "legal", "support", "exec", "product", "internal")


def make_large_playbook(steps: int = STEPS, phases: int = PHASES) -> str:
    """A valid playbook with many steps: dependencies, chained deadlines, conditions, templates."""
    lines = [
        "version: 1",
        "name: large",
        "description: A generated playbook for the benchmark.",
        "roles:",
    ]
    for role in ROLES:
        lines += [f"  - id: {role}", f"    title: {role.title()} role", f"    who: {role} person"]
    lines += ["triggers:", "  window_minutes: 15", "  sensitivity: 2.5", "channels:"]
    for kind in ("x", "mastodon", "bluesky", "web", "email", "internal"):
        lines += [f"  - id: {kind}", f"    kind: {kind}", f"    audience: {kind} readers"]
    lines += ["phases:"]
    for phase in range(phases):
        lines += [f"  - id: phase-{phase}", f"    title: Phase {phase}"]
    lines += [
        "templates:",
        "  - id: holding",
        "    title: Holding statement",
        "    kind: holding",
        "    text: >",
        "      We're aware that {issue}. Next update by {next_update}. Help: {contact}.",
        "  - id: status",
        "    title: Status",
        "    kind: status",
        "    parts:",
        '      conditions: "{conditions} ({level})"',
        '      actions: "{actions}"',
        '      needs: "{needs} Ask {role:lead}."',
        "steps:",
    ]
    per_phase = max(1, steps // phases)
    for index in range(steps):
        lines += [
            f"  - id: step-{index}",
            f"    title: Do thing number {index}",
            f"    phase: phase-{min(index // per_phase, phases - 1)}",
            f"    owner: {ROLES[index % len(ROLES)]}",
        ]
        if index == 0:
            lines.append("    due: 10")
        elif index % 3 == 0:
            lines.append(f"    due: {{after: step-{index - 1}, minutes: 5}}")
        else:
            lines.append(f"    due: {10 + 5 * index}")
        if index:
            deps = [f"step-{index - 1}"] + ([f"step-{index // 2}"] if index > 2 else [])
            lines.append(f"    depends_on: [{', '.join(deps)}]")
        if index % 4 == 0:
            lines += ["    template: holding", "    channels: [x, mastodon, web]"]
        lines += [
            "    details: >",
            f"      Details for step {index}: what to check, who to call, what to write down.",
        ]
    lines += ["review_questions:", "  - Was the plan effective?"]
    return "\n".join(lines) + "\n"


def _timed_ms(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and best wall time of `runs` calls, in milliseconds."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), min(timings)


def _parse_with(loader: type, text: str) -> None:
    """Parse with another YAML loader, to show what a PyYAML without libyaml costs."""
    original = playbook_build._LOADER
    playbook_build._LOADER = loader
    try:
        parse_playbook(text, "large.yaml")
    finally:
        playbook_build._LOADER = original


def main() -> None:
    """Print load+validate time for 500 steps against the budget and a plain YAML parse."""
    text = make_large_playbook()
    playbook = parse_playbook(text, "large.yaml")
    assert len(playbook.steps) == STEPS, len(playbook.steps)
    runs = 15
    fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    base, _ = _timed_ms(lambda: yaml.load(text, Loader=fast), runs)
    compose, _ = _timed_ms(lambda: yaml.compose(text, Loader=fast), runs)
    full, best = _timed_ms(lambda: parse_playbook(text, "large.yaml"), runs)
    errors, _ = _timed_ms(lambda: validate_text(text, "large.yaml"), runs)
    slow, _ = _timed_ms(lambda: _parse_with(yaml.SafeLoader, text), 3)
    print(f"playbook: {STEPS} steps, {len(text.splitlines())} lines, {len(text) / 1024:.0f} KiB")
    print(f"  baseline yaml.load, libyaml={fast is not yaml.SafeLoader}:  {base:7.1f} ms median")
    print(f"  yaml.compose (nodes with positions):     {compose:7.1f} ms median")
    print(f"  parse_playbook (load+validate+model):    {full:7.1f} ms median, {best:.1f} best")
    print(f"    ratio to the yaml.load baseline:       {full / base:7.2f}x")
    print(f"  validate_text:                           {errors:7.1f} ms median")
    print(f"  parse_playbook without libyaml:          {slow:7.1f} ms median (fallback only)")
    verdict = "PASS" if full < BUDGET_MS else "FAIL"
    print(f"  budget {BUDGET_MS:.0f} ms: {verdict} (median is {full / BUDGET_MS:.0%} of budget)")


if __name__ == "__main__":
    main()
