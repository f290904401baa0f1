"""Component styles as ink only: colour and weight, never a background of their own."""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


def ink(widget: Widget, component: str) -> Style:
    """The component's colour (blended, so `$text-muted` stays muted) and text style, without
    its background: the row's own background (a highlight, the theme's) shows through, and a
    line kept from another theme carries no stale background."""
    style = widget.get_component_rich_style(component)
    return style.without_color + Style(color=style.color)
