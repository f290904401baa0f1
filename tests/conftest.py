"""Shared fixtures: a frozen clock and a private data directory for every test."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from warroom.clock import FrozenClock

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at a known moment."""
    return FrozenClock(T0)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data directory; nothing touches the user's."""
    path = tmp_path / "data"
    monkeypatch.setenv("WARROOM_DATA", str(path))
    monkeypatch.setenv("USER", "tester")
    return path


@pytest.fixture(scope="session")
def demo_scored() -> list:
    """The bundled demo scenario, scored once for the whole test run."""
    from scripts.scenes import score_demo

    return score_demo()


@pytest.fixture
def redis_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real redis-server on a free port on 127.0.0.1 (append-only file on), stopped after."""
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()
