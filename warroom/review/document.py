"""The post-mortem: an incident's review built from its log, rendered as Markdown or HTML."""

from __future__ import annotations

import contextlib
from pathlib import Path

from warroom.detection.signals import DetectorRule
from warroom.incident.log import IncidentLog
from warroom.incident.state import IncidentState
from warroom.playbook import Playbook, PlaybookInvalid, PlaybookNotFound, find_playbook
from warroom.playbook import load_playbook as read_playbook
from warroom.review.aggregates import load_aggregates
from warroom.review.findings import MOMENTS, Review
from warroom.review.markdown import md, render_markdown
from warroom.review.metrics import compute_metrics, our_posts, reactions
from warroom.review.text import duration_text, human_time, local_zone, percent, zone_label

# The names callers use from here; the HTML renderer is warroom.review.html.render_html.
__all__ = [
    "MOMENTS",
    "Review",
    "build_review",
    "duration_text",
    "human_time",
    "local_zone",
    "md",
    "percent",
    "render_markdown",
    "zone_label",
]


def build_review(
    log: IncidentLog,
    *,
    playbook: Playbook | None = None,
    rule: DetectorRule | None = None,
    cache: bool = True,
    user_dir: Path | None = None,
) -> Review:
    """Read an incident's events, load (or build) its aggregates and compute its metrics."""
    rule = rule or DetectorRule()
    state = IncidentState.from_events(log.events(), name=log.meta.name)
    problem = None
    if playbook is None and state.playbook:
        try:
            playbook = read_playbook(find_playbook(state.playbook, user_dir))
        except (PlaybookNotFound, PlaybookInvalid, OSError) as error:
            problem = f"playbook {state.playbook!r} could not be loaded ({error}); steps unknown"
    earlier: dict[str, Playbook] = {}
    for _, name in state.playbooks:
        if playbook is not None and name == playbook.name:
            continue
        # One that no longer loads: its dropped checks are shown as done, by their logged titles.
        with contextlib.suppress(PlaybookNotFound, PlaybookInvalid, OSError):
            earlier[name] = read_playbook(find_playbook(name, user_dir))
    aggregates = load_aggregates(log, rule, state.overrides, cache=cache)
    posts = our_posts(log.mention_records())
    # The second read only when there is something to measure: most logs hold no post of ours.
    measured = reactions(log.mention_records(), posts) if posts else []
    metrics = compute_metrics(state, aggregates, playbook, rule, earlier, posts, measured)
    return Review(log.meta, state, aggregates, metrics, playbook, rule, problem, earlier)
