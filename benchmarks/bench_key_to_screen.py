"""Key press to painted frame in a real terminal (tmux), idle and under a 2,000 mentions/s surge."""

from __future__ import annotations

import json
import multiprocessing
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

RATE = 2000  # mentions per second while surging
KEYS = 150  # typed characters per condition
BLOCK = 25  # characters per block; idle and surge blocks take turns
SETTLE = 2.5  # seconds after switching the surge on or off before timing
WARMUP = 6.0  # seconds of surge before the first block: the feed fills to its cap
TIMEOUT = 5.0  # seconds to wait for one character before calling it lost
SIZE = (120, 35)
# Distinct characters typed in one round; the input is cleared (ctrl+u) between rounds.
ROUND = "abcdefghijkmnopqrstuvwxyz"
PLACEHOLDER = "write a note, Enter to save"
EXITED = "[console exited]"
WORDS = (
    "brightwell thermostat update firmware stuck cold house support refund outage app love "
    "great terrible broken fix thanks waiting hours customer service heating freezing bricked"
).split()
CONFIG = """\
brand: Brightwell
operator: bench
topics:
  brand: {keywords: [brightwell]}
sources:
  - {name: surge, kind: jsonl, path: mentions.jsonl}
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# -- the surge: a process appending JSON Lines to the file the console follows --------------


def feed(path: str, rate: int, surging: EventType, stop: EventType) -> None:
    """Append `rate` unique mentions a second, in 50 ms slices, while `surging` is set."""
    rng = random.Random(7)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) for _ in range(997)]
    sources = ("mastodon", "bluesky", "reddit")
    n = 0
    with open(path, "a", encoding="utf-8") as out:
        while not stop.is_set():
            if not surging.wait(0.1):
                continue
            started = time.monotonic()
            written = 0
            while surging.is_set() and not stop.is_set():
                due = int((time.monotonic() - started) * rate) - written
                if due > 0:
                    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                    lines = []
                    for _ in range(due):
                        record = {
                            "id": f"surge:{n}",
                            "source": sources[n % 3],
                            "text": f"{texts[n % len(texts)]} #{n}",
                            "created_at": now,
                            "author": f"user{n % 5000}",
                            "reach": (n * 7919) % 20_000,
                        }
                        lines.append(json.dumps(record))
                        n += 1
                    out.write("\n".join(lines) + "\n")
                    out.flush()
                    written += due
                time.sleep(0.05)


# -- tmux -------------------------------------------------------------------------------------


class Tmux:
    """A private tmux server, its socket in our temp dir: no one else's sessions are touched."""

    def __init__(self, socket: Path) -> None:
        self.base = ["tmux", "-S", str(socket), "-f", "/dev/null"]

    def __call__(self, *args: str) -> str:
        done = subprocess.run([*self.base, *args], capture_output=True, text=True, check=True)
        return done.stdout

    def start(self, name: str, command: str) -> None:
        width, height = SIZE
        self("new-session", "-d", "-x", str(width), "-y", str(height), "-s", name, command)

    def screen(self, name: str) -> list[str]:
        return self("capture-pane", "-p", "-t", name).splitlines()

    def type(self, name: str, text: str) -> None:
        self("send-keys", "-t", name, "-l", text)

    def key(self, name: str, key: str) -> None:
        self("send-keys", "-t", name, key)

    def quit(self, name: str) -> None:
        """Ctrl+Q, so the console shuts down as a person would leave it."""
        subprocess.run([*self.base, "send-keys", "-t", name, "C-q"], capture_output=True)
        time.sleep(1.0)

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, check=False)


def wait_for(
    tmux: Tmux, name: str, found: Callable[[list[str]], bool], timeout: float = TIMEOUT
) -> list[str] | None:
    """Poll the pane until `found(lines)` is true; the lines, or None on timeout."""
    ends = time.perf_counter() + timeout
    while time.perf_counter() < ends:
        lines = tmux.screen(name)
        if found(lines):
            return lines
    return None


def find_input(lines: list[str]) -> tuple[int, int] | None:
    """Row and column of the notes input, where its placeholder is drawn."""
    for row, line in enumerate(lines):
        column = line.find(PLACEHOLDER)
        if column >= 0:
            return row, column
    return None


class Prober:
    """Types into the console's notes input and times each character until it is on screen."""

    def __init__(self, tmux: Tmux, console: str, echo: str) -> None:
        self.tmux = tmux
        self.console = console
        self.echo = echo
        self.row = self.column = 0
        self.typed = ""
        self.lost = 0
        self.echoed = 0

    def locate(self) -> None:
        def ready(lines: list[str]) -> bool:
            return find_input(lines) is not None or EXITED in lines

        lines = wait_for(self.tmux, self.console, ready, 30)
        if lines is None or EXITED in lines:
            said = "\n".join(line for line in lines or [] if line.strip())
            raise SystemExit(f"the console did not show its notes input within 30 s:\n{said}")
        self.row, self.column = find_input(lines) or (0, 0)

    def shown(self, lines: list[str]) -> bool:
        if self.row >= len(lines):
            return False
        return self.typed in lines[self.row][self.column - 1 :]

    def clear(self) -> None:
        self.tmux.key(self.console, "C-u")
        wait_for(self.tmux, self.console, lambda lines: find_input(lines) is not None)
        self.typed = ""

    def key(self) -> float:
        """Type the next character of the round; seconds until a captured frame shows it."""
        if len(self.typed) == len(ROUND):
            self.clear()
        char = ROUND[len(self.typed)]
        self.typed += char
        pressed = time.perf_counter()
        self.tmux.type(self.console, char)
        if wait_for(self.tmux, self.console, self.shown) is None:
            self.lost += 1
            self.clear()
            return TIMEOUT
        return time.perf_counter() - pressed

    def probe(self) -> float:
        """The same send-and-poll loop against `cat` in an identical pane: the prober's cost."""
        self.echoed += 1
        mark = f"k{self.echoed}q"
        pressed = time.perf_counter()
        self.tmux.type(self.echo, mark)
        if (
            wait_for(self.tmux, self.echo, lambda lines: any(mark in line for line in lines))
            is None
        ):
            return TIMEOUT
        took = time.perf_counter() - pressed
        if self.echoed % 20 == 0:
            self.tmux.key(self.echo, "Enter")
            self.tmux("clear-history", "-t", self.echo)
        return took


def run(console: str | None = None) -> dict[str, tuple[list[float], list[float]]]:
    """Idle and surge blocks in turn; per condition, (key latencies, prober costs) in seconds."""
    folder = Path(tempfile.mkdtemp(prefix="warroom-keys-"))
    tmux = Tmux(folder / "tmux.sock")
    context = multiprocessing.get_context("spawn")
    surging, stop = context.Event(), context.Event()
    stream = folder / "mentions.jsonl"
    stream.touch()
    (folder / "warroom.yaml").write_text(CONFIG, encoding="utf-8")
    feeder = context.Process(target=feed, args=(str(stream), RATE, surging, stop), daemon=True)
    results: dict[str, tuple[list[float], list[float]]] = {"idle": ([], []), "surge": ([], [])}
    console = console or f"{Path(sys.executable).with_name('warroom')} watch --config warroom.yaml"
    try:
        feeder.start()
        env = f"WARROOM_DATA={folder / 'data'}"
        # Textual draws on stderr, so it stays on the pane; one that exits leaves its last words.
        tmux.start("console", f"cd {folder} && env {env} {console}; echo '{EXITED}'; sleep 60")
        tmux.start("echo", "cat")
        prober = Prober(tmux, "console", "echo")
        prober.locate()
        tmux.type("console", "n")  # notes.write: the notes input takes the keys
        # The first character tells the input has focus; it is not timed.
        if prober.key() >= TIMEOUT:
            raise SystemExit("the notes input did not take the keys (is `n` still notes.write?)")
        prober.clear()
        surging.set()
        time.sleep(WARMUP)
        rng = random.Random(3)
        blocks = KEYS // BLOCK
        for block in range(blocks * 2):
            condition = "surge" if block % 2 == 0 else "idle"
            if (condition == "surge") != surging.is_set():
                if condition == "surge":
                    surging.set()
                else:
                    surging.clear()
                time.sleep(SETTLE)  # the backlog drains, or the surge gets going
            keys, costs = results[condition]
            for n in range(BLOCK):
                keys.append(prober.key())
                if n % 2 == 0:
                    costs.append(prober.probe())
                time.sleep(rng.uniform(0.03, 0.09))  # a fast typist, out of step with any timer
        if prober.lost:
            print(
                f"  {prober.lost} character(s) not shown within {TIMEOUT:.0f} s (counted as that)"
            )
        lines = tmux.screen("console")
        status = next((line for line in lines if "in this run (" in line), "")
        print(f"  status line at the end: {status.strip()}")
    finally:
        stop.set()
        surging.set()  # wake it so it sees stop
        tmux.quit("console")
        tmux.kill()
        feeder.join(5)
        if feeder.is_alive():
            feeder.kill()
        shutil.rmtree(folder, ignore_errors=True)
    return results


def describe(name: str, keys: list[float], costs: list[float]) -> list[float]:
    cost = statistics.median(costs)
    net = [max(0.0, key - cost) for key in keys]
    over = sum(1 for value in net if value > 0.1) / len(net)
    print(
        f"  {name:6} key to screen p50 {statistics.median(net) * 1000:6.1f} ms"
        f"  p90 {percentile(net, 0.90) * 1000:6.1f} ms"
        f"  p99 {percentile(net, 0.99) * 1000:6.1f} ms"
        f"  max {max(net) * 1000:6.1f} ms  over 100 ms {over:6.1%}"
        f"  (prober {cost * 1000:.1f} ms subtracted, n={len(net)})"
    )
    return net


def main() -> None:
    if shutil.which("tmux") is None:
        print("  tmux is not installed: skipped (apt-get install tmux)")
        return
    width, height = SIZE
    print(
        f"`warroom watch` in tmux at {width}x{height}, a jsonl source fed {RATE:,} mentions/s; "
        f"{KEYS} keys per condition, idle and surge blocks of {BLOCK} in turn"
    )
    results = run()
    idle = describe("idle", *results["idle"])
    surge = describe("surge", *results["surge"])
    ratio = percentile(surge, 0.99) / max(percentile(idle, 0.99), 1e-3)
    print(f"  key p99 under surge / idle: {ratio:.2f}x  (target: p99 under 100 ms under surge)")


if __name__ == "__main__":
    main()
