"""Consoles for Pilot and snapshot tests: the drill's fixed moments (see scripts.scenes), and
what a person sees of them."""

from typing import Any

from textual.app import App

from scripts.scenes import CALM_AT, CRISIS_AT, drill_at, quiet_app, work_the_crisis

__all__ = ["CALM_AT", "CRISIS_AT", "drill_at", "quiet_app", "screen_text", "work_the_crisis"]


def screen_text(app: App[Any]) -> str:
    """Every character on the screen (toasts included), line by line."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)
