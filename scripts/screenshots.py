"""`make screenshots`: drive the real console headless on the demo drill and save SVGs."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from scripts.review_scenes import shoot_review
from scripts.scenes import CALM_AT, CRISIS_AT, drill_at, quiet_app, score_demo, work_the_crisis
from scripts.team_scenes import shoot_team


async def _shoot(app, size: tuple[int, int], path: Path, keys: tuple[str, ...] = ()) -> None:
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)
        if keys:
            await pilot.press(*keys)
            await pilot.pause(0.3)
        app.save_screenshot(filename=path.name, path=str(path.parent))


async def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    scored = score_demo()
    scenes = (
        ("calm.svg", CALM_AT, False, (120, 35), ()),
        ("crisis-declared.svg", CRISIS_AT, True, (120, 35), ()),
        ("mention-opened.svg", CRISIS_AT, True, (120, 35), ("down", "down", "enter")),
        ("narrow-80x24.svg", CRISIS_AT, True, (80, 24), ()),
        ("wide-200x60.svg", CRISIS_AT, True, (200, 60), ()),
        ("help.svg", CRISIS_AT, True, (120, 35), ("question_mark",)),
        ("wall-200x60.svg", CRISIS_AT, True, (200, 60), ("w",)),
        ("wall-120x35.svg", CRISIS_AT, True, (120, 35), ("w",)),
    )
    for name, moment, worked, size, keys in scenes:
        with tempfile.TemporaryDirectory() as data:
            session = drill_at(Path(data), scored, moment, operator="dana")
            if worked:
                work_the_crisis(session)
            await _shoot(quiet_app(session), size, folder / name, keys)
        print(folder / name)
    print(await shoot_review(folder, scored))
    team = await shoot_team(folder, scored)  # None, said why, without redis-server
    if team is not None:
        print(team)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
