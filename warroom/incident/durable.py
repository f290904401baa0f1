"""Waiting until mentions are on disk, many waiters sharing one flush (a group commit)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class GroupFlush:
    """Runs a blocking flush in a thread for whoever waits; waiters who arrive while a flush
    runs share the next one, so a thousand acknowledgements cost a handful of fsyncs."""

    def __init__(self, flush: Callable[[], None]) -> None:
        self._flush = flush
        self._running = asyncio.Lock()
        self._next: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # held, or the loop may drop them

    async def wait(self) -> None:
        """Return once a flush that started after this call has finished; raise its error."""
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            task = asyncio.ensure_future(self._run())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await asyncio.shield(self._next)

    async def _run(self) -> None:
        async with self._running:
            # Everyone who joined until now is covered by this flush; later arrivals, the next.
            done, self._next = self._next, None
            assert done is not None
            try:
                await asyncio.to_thread(self._flush)
            except Exception as error:
                done.set_exception(error)
            else:
                done.set_result(None)
