"""Consoles for Pilot and snapshot tests: the drill's fixed moments (see scripts.scenes)."""

from scripts.scenes import CALM_AT, CRISIS_AT, drill_at, quiet_app, work_the_crisis

__all__ = ["CALM_AT", "CRISIS_AT", "drill_at", "quiet_app", "work_the_crisis"]
