"""`warroom review`: a small read-only app over one stored incident (no session, no writing)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from warroom.incident.log import IncidentLog
from warroom.review.document import Review, build_review
from warroom.tui.review.data import ReviewData
from warroom.tui.review.index import MinuteIndex
from warroom.tui.review.screen import ReviewScreen
from warroom.tui.safe import PlainNotifications, clean


class ReviewApp(PlainNotifications, App[None]):
    """Opens on the review screen; the log is open read-only and closed on the way out."""

    CSS_PATH = "review.tcss"
    TITLE = "warroom review"
    BINDINGS = [
        # As in the console: q where nothing is typed (the review screen's), ctrl+q always,
        # dialogs included (priority, as Textual's own ctrl+q that this one replaces).
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            show=False,
            priority=True,
            id="app.quit",
            tooltip="Leave the review",
        ),
    ]

    def __init__(
        self, log: IncidentLog, *, review: Review | None = None, user_dir: Path | None = None
    ) -> None:
        super().__init__()
        if log.writable:
            raise ValueError("review opens an incident read-only: open it with writable=False")
        self.incident_log = log
        # The aggregates are cached beside the incident: a big one opens without its mentions.
        self.data = ReviewData(review or build_review(log, user_dir=user_dir))
        self.index = MinuteIndex(log)
        self.review_screen = ReviewScreen(self.data, self.index)

    def on_mount(self) -> None:
        self.push_screen(self.review_screen)
        for problem in self.data.review.problems:
            self.notify(clean(problem, limit=200), severity="warning")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            what = event.worker.description or event.worker.name
            self.notify(
                f"{what} failed: {clean(str(event.worker.error), limit=200)}", severity="error"
            )

    def on_unmount(self) -> None:
        self.incident_log.close()
