"""Where numbers were said in a first transcript: the stretches the second listen hears again.

The speech stage cannot read numbers itself (that is this stage's knowledge, with the
vocabularies in force), so the orchestration hands ``spans`` to it.
"""

from __future__ import annotations

from vmcheck.facts.digits import runs
from vmcheck.facts.numbers import find_numbers
from vmcheck.facts.vocab import Vocabularies
from vmcheck.transcript import Word

REGION = "US"
"""Only where digits were said matters here, not how they are dialled, so any region reads them."""


def spans(words: tuple[Word, ...], vocab: Vocabularies | None = None) -> list[tuple[float, float]]:
    """(start, end) of every number mention, each widened to the stretch of digits it was read from."""
    mentions = sorted((m.start, m.end) for number in find_numbers(words, region=REGION, vocab=vocab) for m in number.mentions)
    stretches = [(run.tokens[0].start, run.tokens[-1].end) for run in runs(words, REGION)]
    return _whole_runs(mentions, stretches)


def _whole_runs(mentions: list[tuple[float, float]], stretches: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Each mention widened to the stretch of digits it was read from, short of its neighbours.

    The first pass may have read a mention short ("617-55-0-1-82" as 617-5501): the second listen
    must hear every digit said there, or it cannot settle anything.
    """
    widened = []
    for k, (start, end) in enumerate(mentions):
        before = mentions[k - 1][1] if k else 0.0
        after = mentions[k + 1][0] if k + 1 < len(mentions) else float("inf")
        for first, last in stretches:
            if first < end and start < last:
                start, end = max(min(start, first), before), min(max(end, last), after)
        widened.append((start, end))
    return widened
