"""Procedural signals (complaint filed, institution, TRO, exclusion order ...) with dates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.types import Signal
from tagger._dates import Sentences, find_dates, nearest_date

_NOT_AN_EVENT = re.compile(
    r"\b(?:will|would|may|might|shall|should|could|can|requests?|requested|requesting|seeks?|"
    r"seeking|sought|asks?|asked|asking|if|whether|intends?|plans?|expected|target\s+date|"
    r"pending|moved|motion)\b|将|拟|请求|要求|申请发布|可能|预计|有望|是否|如果|若",
    re.I,
)
_MAX_EVIDENCE = 300


@dataclass(frozen=True, slots=True)
class SignalCue:
    """A signal cue found in the text."""

    type: str
    start: int
    end: int


def _signal(text: str, sentences: Sentences, cue: SignalCue) -> Signal | None:
    start, end = sentences.bounds(cue.start)
    if _NOT_AN_EVENT.search(text, start, cue.start):
        return None
    when = nearest_date(find_dates(text, start, end), cue.start, cue.end, (start, end))
    evidence = " ".join(text[start:end].split())[:_MAX_EVIDENCE]
    return Signal(type=cue.type, date=when, evidence=evidence)


def find_signals(text: str, cues: list[SignalCue]) -> list[Signal]:
    """One signal per type, in order of appearance; its date is the nearest date in the
    cue's sentence. Cues in sentences about the future or a request do not count ("the
    complainant requests a general exclusion order", "the ALJ will make an initial
    determination")."""
    if not cues:
        return []
    sentences = Sentences(text)
    found: dict[str, Signal] = {}
    for cue in sorted(cues, key=lambda c: c.start):
        kept = found.get(cue.type)
        if kept is not None and kept.date is not None:
            continue
        signal = _signal(text, sentences, cue)
        if signal is not None and (kept is None or signal.date is not None):
            found[cue.type] = signal
    return list(found.values())
