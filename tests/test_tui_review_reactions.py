"""The public's reaction to our posts in the review: `r` shows it at the cursor, text cleaned."""

from __future__ import annotations

from pathlib import Path

from tests.test_metrics import at, make_incident
from tests.test_responses import APOLOGY, with_posts
from tests.test_tui_review import SIZE, review_app
from warroom.review.metrics import Reaction
from warroom.tui.review.panes import MinuteFigures
from warroom.tui.review.screen import ReviewScreen

HOSTILE = "We hear you \x1b]52;c;ZXZpbA==\x07about refunds\x1b[2J"


def figures(screen: ReviewScreen) -> str:
    return str(screen.query_one(MinuteFigures).render())


def reaction_to(screen: ReviewScreen, moment_at: object) -> Reaction:
    (reaction,) = [r for r in screen.data.review.metrics.reactions if r.at == moment_at]
    return reaction


async def test_the_pane_shows_the_reaction_to_our_latest_post_before_the_cursor(
    data_dir: Path,
) -> None:
    """Cursor after the 09:40 apology: the pane names it and its share and volume before/after;
    `r` hides the reaction and shows it again."""
    slug = make_incident(data_dir, mentions=with_posts((9, 20, HOSTILE), (9, 40, APOLOGY)))
    app = review_app(data_dir, slug)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.cursor = screen.data.index_of(at(9, 45))
        await pilot.pause()
        shown = figures(screen)
        r = reaction_to(screen, at(9, 40))
        assert "Our post  09:40" in shown and "We're sorry" in shown
        before, after = f"{r.before_share * 100:.0f}%", f"{r.after_share * 100:.0f}%"
        assert f"neg {before} → {after}" in shown
        assert f"vol {r.before_volume} → {r.after_volume}" in shown
        await pilot.press("r")
        await pilot.pause()
        assert "Our post" not in figures(screen)


async def test_the_reaction_follows_the_cursor_and_cleans_the_posts_text(data_dir: Path) -> None:
    """Moved back before 09:40, the pane shows the 09:20 post, its escapes dropped."""
    slug = make_incident(data_dir, mentions=with_posts((9, 20, HOSTILE), (9, 40, APOLOGY)))
    app = review_app(data_dir, slug)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.cursor = screen.data.index_of(at(9, 39))
        await pilot.pause()
        shown = figures(screen)
        assert "Our post  09:20" in shown and "We hear you about" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        screen.cursor = screen.data.index_of(at(9, 19))
        await pilot.pause()
        assert "Our post  none yet" in figures(screen)
