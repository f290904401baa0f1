"""A draft marked published from the draft screen: logged with its channel and link, a response."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from tests.test_tui_playbooks import DECLARED, PlaybookApp, stored
from tests.tui_support import CRISIS_AT, drill_at
from warroom.clock import FrozenClock
from warroom.incident.log import IncidentStore
from warroom.incident.session import Session
from warroom.model import EventKind
from warroom.review.document import build_review
from warroom.tui.screens.draft import DraftScreen, PublishScreen

LINK = "https://x.example/brightwell/1"


def drill_without_our_posts(data_dir: Path, scored: list) -> Session:
    """The demo drill in its crisis, declared, with the brand's own posts taken out of the feed."""
    session = drill_at(data_dir, [], CRISIS_AT)
    ours = session.engine.accounts.owns
    assert any(ours(s.mention) for s in scored), "the demo has posts of ours to take out"
    session.engine.ingest_scored(
        [s for s in scored if s.mention.created_at < CRISIS_AT and not ours(s.mention)]
    )
    session.tick()
    session.declare(DECLARED)
    return session


async def publish(app: PlaybookApp, link: str, *, channel: str | None = None) -> str:
    """Open the holding statement, press f2, pick the channel, type the link, Enter; the text."""
    async with app.run_test(size=(120, 35)) as pilot:
        app.push_screen(DraftScreen(app.session, "holding"))
        await pilot.pause()
        draft = app.screen
        assert isinstance(draft, DraftScreen)
        text = draft.text
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PublishScreen)
        if channel is not None:
            app.screen.query_one("#publish-channel", Select).value = channel
        await pilot.press(*link, "enter")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, (PublishScreen, DraftScreen))
        return text


async def test_f2_records_the_draft_as_published_with_channel_and_link(
    data_dir: Path, demo_scored: list
) -> None:
    """f2, a channel and a link: a DRAFT event marked published, on that channel, with the link."""
    app = PlaybookApp(drill_without_our_posts(data_dir, demo_scored))
    text = await publish(app, LINK, channel="mastodon")
    (draft,) = stored(data_dir, EventKind.DRAFT)
    assert draft.data["published"] is True
    assert (draft.data["channel"], draft.data["link"]) == ("mastodon", LINK)
    assert (draft.data["template"], draft.data["text"]) == ("holding", text)
    assert any("marked published on mastodon" in told for told in app.told)


async def test_the_channel_defaults_to_the_templates_first_and_the_link_is_optional(
    data_dir: Path, demo_scored: list
) -> None:
    """Enter at once: published on the holding statement's first channel (x), without a link."""
    app = PlaybookApp(drill_without_our_posts(data_dir, demo_scored))
    await publish(app, "")
    (draft,) = stored(data_dir, EventKind.DRAFT)
    assert draft.data["channel"] == "x" and "link" not in draft.data


async def test_a_published_draft_is_the_first_public_response_without_our_posts(
    data_dir: Path, demo_scored: list
) -> None:
    """No post of ours: the report's first public response is the moment the draft went out."""
    app = PlaybookApp(drill_without_our_posts(data_dir, demo_scored))
    await publish(app, LINK)
    (draft,) = stored(data_dir, EventKind.DRAFT)
    store = IncidentStore(data_dir)
    (meta,) = store.list()
    with store.open(meta.slug, clock=FrozenClock(CRISIS_AT), writable=False) as log:
        metrics = build_review(log, cache=False).metrics
    assert metrics.first_response == draft.at
    checked = [e.data["step"] for e in stored(data_dir, EventKind.STEP_CHECKED)]
    assert "holding-statement" in checked  # `on: brand_posted`, checked by the publishing


async def test_escape_from_the_question_publishes_nothing(
    data_dir: Path, demo_scored: list
) -> None:
    """Esc at the channel question goes back to the draft, and the log holds no draft."""
    app = PlaybookApp(drill_without_our_posts(data_dir, demo_scored))
    async with app.run_test(size=(120, 35)) as pilot:
        app.push_screen(DraftScreen(app.session, "holding"))
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DraftScreen)
    assert stored(data_dir, EventKind.DRAFT) == []
