"""JSON Lines input: a file followed as it grows (like tail -F), or stdin ("-")."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from typing import IO, Any, ClassVar

from warroom.live.sources.base import Source, SourceError, register
from warroom.model import LineProblem, Mention, bounded_lines, read_mentions

MAX_READ = 8 * 1024 * 1024  # bytes per poll, so a huge backlog is emitted in slices
_EOF = None


@register
class JsonlSource(Source):
    """Canonical mentions, one JSON object a line; bad lines reported (file:line) and skipped."""

    kind: ClassVar[str] = "jsonl"
    default_interval: ClassVar[float] = 1.0
    option_names: ClassVar[frozenset[str]] = frozenset({"path"})

    def __init__(self, name: str, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, options, **kwargs)
        self.path = str(options.get("path") or "-")
        self.stdin: IO[str] = sys.stdin
        self._handle: IO[bytes] | None = None
        self._handle_inode: int | None = None
        self._lines: asyncio.Queue[str | None] | None = None
        self.stdin_closed = False
        self._stdin_line = 0
        self._more = False

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """Problems with the options, as (option, message) pairs for the config validator."""
        path = options.get("path")
        if not isinstance(path, str) or not path:
            return [("path", "required: a file of JSON Lines to follow, or - for stdin")]
        return []

    def _problem(self, base_line: int) -> Callable[[LineProblem], None]:
        def note(problem: LineProblem) -> None:
            self.skip(
                f"{problem.source}:{base_line + problem.line}: {problem.field}: {problem.message}"
            )

        return note

    def _parse(self, lines: list[str], base_line: int) -> list[Mention]:
        label = "<stdin>" if self.path == "-" else self.path
        now = self.clock.now()
        return list(read_mentions(lines, label, self._problem(base_line), now))

    # -- a file, followed --------------------------------------------------------------------

    async def poll(self) -> list[Mention]:
        """The complete lines added since the cursor (stdin: the lines read so far)."""
        if self.path == "-":
            return await self._poll_stdin(wait=self.poll_interval)
        return await asyncio.to_thread(self._poll_file)

    def _open(self) -> tuple[IO[bytes], int]:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - kept open between polls to follow rotation
        except FileNotFoundError as error:
            raise SourceError(f"{self.path}: no such file (waiting for it to appear)") from error
        except OSError as error:
            raise SourceError(f"{self.path}: cannot read: {error.strerror}") from error
        return handle, os.fstat(handle.fileno()).st_ino

    def _poll_file(self) -> list[Mention]:
        mentions: list[Mention] = []
        offset = int(self.cursor.get("offset", 0))
        line = int(self.cursor.get("line", 0))
        inode = self.cursor.get("inode")
        try:
            current = os.stat(self.path).st_ino
        except FileNotFoundError:
            current = None
        if self._handle is not None and self._handle_inode != current:
            # Rotated while we followed it: finish the old file, then start the new one.
            chunk = self._read(self._handle, offset, final=True)
            mentions += self._parse(self._split(chunk), line)
            self._handle.close()
            self._handle = None
            offset, line, inode = 0, 0, current
            if current is None:
                self.cursor.update(offset=0, line=0, inode=None)
                return mentions
        if self._handle is None:
            self._handle, self._handle_inode = self._open()
            if inode is not None and inode != self._handle_inode:
                offset, line = 0, 0  # a different file than the cursor's: rotated while stopped
        size = os.fstat(self._handle.fileno()).st_size
        if size < offset:
            self.skip(f"{self.path}: truncated to {size} bytes; reading again from the start")
            offset, line = 0, 0
        chunk = self._read(self._handle, offset, final=False)
        self._more = offset + len(chunk) < size and bool(chunk)
        lines = self._split(chunk)
        mentions += self._parse(lines, line)
        self.cursor.update(offset=offset + len(chunk), line=line + len(lines))
        self.cursor["inode"] = self._handle_inode
        return mentions

    @staticmethod
    def _read(handle: IO[bytes], offset: int, final: bool) -> bytes:
        handle.seek(offset)
        data = handle.read() if final else handle.read(MAX_READ)
        if final or data.endswith(b"\n"):
            return data
        if len(data) == MAX_READ and b"\n" not in data:
            return data  # a line longer than a whole read: passed on to be reported, not stuck
        # A line still being written stays for the next poll.
        return data[: data.rfind(b"\n") + 1]

    @staticmethod
    def _split(chunk: bytes) -> list[str]:
        # Split on newlines only: U+2028 and \r inside a JSON string are not line ends here.
        pieces = chunk.split(b"\n")
        if chunk.endswith(b"\n"):
            pieces.pop()
        return [piece.decode("utf-8", "replace") for piece in pieces]

    # -- stdin -------------------------------------------------------------------------------

    def _start_reader(self) -> asyncio.Queue[str | None]:
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        stream = self.stdin

        def read() -> None:
            for text in bounded_lines(stream):
                loop.call_soon_threadsafe(queue.put_nowait, text)
            loop.call_soon_threadsafe(queue.put_nowait, _EOF)

        threading.Thread(target=read, name=f"{self.name}-stdin", daemon=True).start()
        return queue

    async def _poll_stdin(self, wait: float | None) -> list[Mention]:
        """Lines read from stdin: wait up to `wait` for the first (None: until end of input)."""
        if self.stdin_closed:
            return []
        if self._lines is None:
            self._lines = self._start_reader()
        lines: list[str] = []
        try:
            first = await asyncio.wait_for(self._lines.get(), wait)
        except TimeoutError:
            return []
        item: str | None = first
        while True:
            if item is _EOF:
                self.stdin_closed = True
                break
            lines.append(item)
            if wait is not None and self._lines.empty():
                break
            item = await self._lines.get()
        line = self._stdin_line
        self._stdin_line += len(lines)
        return self._parse(lines, line)

    async def fetch_once(self) -> list[Mention]:
        """A file: what it holds past the cursor. Stdin: everything until end of input."""
        if self.path == "-":
            found = await self._poll_stdin(wait=None)
        else:
            found = await self.poll()
            while self._more:  # a backlog larger than one read: take it all
                found += await self.poll()
        mentions = self.fresh(found)
        self.commit(mentions)
        return mentions

    def close(self) -> None:
        """Let go of the followed file."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
