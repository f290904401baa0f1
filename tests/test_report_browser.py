"""The HTML post-mortem in headless Chromium: it renders, the chart shows, no request leaves it.

Every request Chromium makes goes through a recording proxy on 127.0.0.1 that answers 502.
Chromium's own background calls to Google services (updates, accounts) are set apart; anything
else recorded was asked for by the page.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_metrics import make_incident, review_of
from warroom.review.chart import ACTION_COLOUR, SHARE_COLOUR, VOLUME_COLOUR
from warroom.review.html import render_html
from warroom.review.text import local_zone

BROWSER_SERVICES = (".google.com", ".googleapis.com", ".gvt1.com", ".gstatic.com")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter",
    "--hide-scrollbars",
    "--disable-dev-shm-usage",  # containers have a small /dev/shm
)


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium; skipped only outside CI (CI installs it, so there it must be)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: .ci/run must `apt-get install -y chromium`")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


class RecordingProxy:
    """An HTTP proxy on 127.0.0.1 that records each request line and serves nothing."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    head = conn.recv(4096).split(b"\r\n", 1)[0]
                    self.requests.append(head.decode("latin-1"))
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def page_requests(self) -> list[str]:
        """Requests other than Chromium's own calls to its vendor's services."""
        return [line for line in self.requests if not _browser_service(line)]

    def close(self) -> None:
        self.server.close()


def _browser_service(request_line: str) -> bool:
    parts = request_line.split()
    target = parts[1] if len(parts) > 1 else ""
    host = target.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return any(f".{host}".endswith(suffix) for suffix in BROWSER_SERVICES)


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    recorder = RecordingProxy()
    yield recorder
    recorder.close()


def browse(chromium: str, proxy: RecordingProxy, page: Path, *extra: str) -> bytes:
    """Open a file in headless Chromium through the recording proxy; its stdout."""
    profile = page.parent / f"profile-{len(list(page.parent.iterdir()))}"
    args = [
        chromium,
        *FLAGS,
        f"--user-data-dir={profile}",
        f"--proxy-server=http://127.0.0.1:{proxy.port}",
        "--proxy-bypass-list=<-loopback>",  # even 127.0.0.1 goes through the recorder
        *extra,
        page.as_uri(),
    ]
    done = subprocess.run(args, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG into rows of RGB pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, width, height, channels = 8, [], 0, 0, 3
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unexpected PNG format"
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            chunks.append(body)
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                corner = previous[i - channels] if i >= channels else 0
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                best = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + best) & 255
        previous = line
        rgb = bytes(line) if channels == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3)
        rows.append(rgb)
    return width, height, rows


def pixels_of(rows: list[bytes], hex_colour: str) -> list[tuple[int, int]]:
    """(x, y) of every pixel of exactly this colour."""
    wanted = bytes.fromhex(hex_colour.lstrip("#"))
    return [
        (x // 3, y)
        for y, row in enumerate(rows)
        for x in range(0, len(row), 3)
        if row[x : x + 3] == wanted
    ]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML post-mortem of the worked incident (with its hostile mention) on disk."""
    folder = tmp_path_factory.mktemp("browser")
    review = review_of(folder, make_incident(folder))
    page = folder / "report.html"
    page.write_text(render_html(review, local_zone("UTC")), encoding="utf-8")
    return page


def test_report_renders_as_a_document_without_scripts(
    chromium: str, proxy: RecordingProxy, report_file: Path
) -> None:
    """The DOM Chromium builds has the chart, the hostile post as text and no script."""
    dom = browse(chromium, proxy, report_file, "--dump-dom").decode("utf-8")
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="chart"' in dom
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; refund NOW" in dom
    assert proxy.page_requests() == []


def test_chart_pixels_are_on_the_screenshot(
    chromium: str, proxy: RecordingProxy, report_file: Path, tmp_path: Path
) -> None:
    """The screenshot shows the volume bars, the share line and the action markers."""
    shot = tmp_path / "report.png"
    browse(chromium, proxy, report_file, f"--screenshot={shot}", "--window-size=1100,800")
    width, height, rows = read_png(shot.read_bytes())
    assert (width, height) == (1100, 800)
    bars = pixels_of(rows, VOLUME_COLOUR)
    assert len(bars) > 5000
    xs, ys = [x for x, _ in bars], [y for _, y in bars]
    assert max(xs) - min(xs) > 400 and max(ys) - min(ys) > 150  # a chart's extent, not a speck
    inside = [p for p in pixels_of(rows, SHARE_COLOUR) if min(ys) - 30 <= p[1] <= max(ys) + 5]
    assert len(inside) > 300
    assert len(pixels_of(rows, ACTION_COLOUR)) > 50
    assert proxy.page_requests() == []


def test_the_recorder_catches_a_page_that_loads_something(
    chromium: str, proxy: RecordingProxy, tmp_path: Path
) -> None:
    """A page with a remote image and no CSP is caught: the check can fail."""
    page = tmp_path / "leaky.html"
    page.write_text('<p>leak</p><img src="http://warroom.invalid/pixel.png">', encoding="utf-8")
    browse(chromium, proxy, page, "--dump-dom")
    assert any("warroom.invalid/pixel.png" in line for line in proxy.page_requests())
