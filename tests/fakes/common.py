"""What the fake servers share: the address they are served at and scripted failing answers."""

from __future__ import annotations

from aiohttp import web


class FakeServer:
    """A fake API: `app()` is what gets served, `base_url` where (set by whoever serves it)."""

    def __init__(self) -> None:
        self.base_url = ""

    def app(self) -> web.Application:
        """The aiohttp application to serve."""
        raise NotImplementedError


class ScriptedFake(FakeServer):
    """A fake whose next answers can be scripted failures instead of results."""

    def __init__(self) -> None:
        super().__init__()
        self.failures: list[tuple[int, dict[str, str], str]] = []
        self.fail_on: dict[int, int] = {}  # request number (from 1) -> status

    def fail(self, status: int, headers: dict[str, str] | None = None, body: str = "") -> None:
        """Answer the next API request with this status instead of results."""
        self.failures.append((status, headers or {}, body))

    def scripted_failure(
        self, number: int, default_body: str, headers: dict[str, str] | None = None
    ) -> web.Response | None:
        """The failure scripted for request `number` (from 1), or None to answer normally."""
        if number in self.fail_on:
            self.fail(self.fail_on.pop(number))
        if not self.failures:
            return None
        status, extra, body = self.failures.pop(0)
        return web.Response(
            status=status, headers={**(headers or {}), **extra}, text=body or default_body
        )
