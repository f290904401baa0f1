"""A scoring backend that looks scores up: tests of a resumed console do not pay VADER again."""

from __future__ import annotations

from collections.abc import Sequence

from warroom.incident.session import InProcessScoring
from warroom.model import Mention, Score, ScoredMention


class Prescored(InProcessScoring):
    """The scores of mentions scored once; explanations and terms as the console computes them."""

    def __init__(self, scored: Sequence[ScoredMention]) -> None:
        super().__init__()
        self.scores = {item.mention.id: item.score for item in scored}

    async def score(self, mentions: Sequence[Mention]) -> list[Score]:
        return [self.scores[m.id] for m in mentions]
