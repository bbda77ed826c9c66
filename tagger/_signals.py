"""Procedural signals (complaint filed, institution, TRO, exclusion order ...) with dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import TypeAdapter

from core.types import Signal
from tagger._dates import FoundDate, Sentences, find_dates, nearest_date

_NOT_AN_EVENT_WORDS = frozenset(
    [
        "will",
        "would",
        "may",
        "might",
        "shall",
        "should",
        "could",
        "can",
        "request",
        "requests",
        "requested",
        "requesting",
        "seek",
        "seeks",
        "seeking",
        "sought",
        "ask",
        "asks",
        "asked",
        "asking",
        "if",
        "whether",
        "intend",
        "intends",
        "plan",
        "plans",
        "expected",
        "target",
        "pending",
        "moved",
        "motion",
    ]
)
_NOT_AN_EVENT_ZH = (
    "将",
    "拟",
    "请求",
    "要求",
    "申请发布",
    "可能",
    "预计",
    "有望",
    "是否",
    "如果",
    "若",
)
_PUNCTUATION = ".,;:()[]\"'“”‘’"
_MAX_EVIDENCE = 300
_NO_DATE = 1 << 30


SignalFields = dict[str, str | date | None]
"""A ``Signal``'s fields (type, date, evidence): the tagger makes the kept ones ``Signal``s
in one validation, or hands them out as JSON without one."""
_SIGNALS = TypeAdapter(list[Signal])


@dataclass(frozen=True, slots=True)
class SignalCue:
    """A signal cue found in the text."""

    type: str
    start: int
    end: int


def _speaks_of_future_or_request(before_cue: str) -> bool:
    """Whether the sentence, up to the cue, is about a future step or a request ("will make",
    "requests that", "may", "将", "请求")."""
    # "May" with a capital is the month far more often than the verb.
    if "May" in before_cue:
        words = {
            word.strip(_PUNCTUATION).lower()
            for word in before_cue.split()
            if not word.startswith("May")
        }
    else:  # the same set, lowered once (no punctuation to strip changes case)
        words = {word.strip(_PUNCTUATION) for word in before_cue.lower().split()}
    if not words.isdisjoint(_NOT_AN_EVENT_WORDS):
        return True
    return not before_cue.isascii() and any(word in before_cue for word in _NOT_AN_EVENT_ZH)


def _signal(
    text: str,
    sentences: Sentences,
    cue: SignalCue,
    seen: dict[tuple[int, int], tuple[list[FoundDate], str]],
) -> tuple[int, SignalFields] | None:
    """The signal of one cue and how far its date is from it (no date: infinitely far).
    ``seen`` keeps each sentence's dates and evidence: cues often share a sentence."""
    start, end = sentences.bounds(cue.start)
    if _speaks_of_future_or_request(text[start : cue.start]):
        return None
    known = seen.get((start, end))
    if known is None:
        known = seen[start, end] = (
            find_dates(text, start, end),
            " ".join(text[start:end].split())[:_MAX_EVIDENCE],
        )
    dates, evidence = known
    nearest = nearest_date(dates, cue.start, cue.end, (start, end))
    distance, when = nearest if nearest else (_NO_DATE, None)
    return distance, {"type": cue.type, "date": when, "evidence": evidence}


def find_signals(text: str, cues: list[SignalCue]) -> list[Signal]:
    """The signals of ``cues`` (see ``signal_fields``), as ``Signal`` models."""
    return _SIGNALS.validate_python(signal_fields(text, cues))


def signal_fields(text: str, cues: list[SignalCue]) -> list[SignalFields]:
    """One signal per type, in order of first appearance. Its date is the date nearest to a
    cue of that type within the cue's sentence, over all the type's cues ("instituted on
    January 27, 2015, based on a complaint filed ..." loses to "The complaint was filed on
    December 19, 2014"). Cues in sentences about the future or a request do not count ("the
    complainant requests a general exclusion order", "the ALJ will make an initial
    determination"), as ``Signal`` fields."""
    if not cues:
        return []
    sentences = Sentences(text)
    found: dict[str, tuple[int, SignalFields]] = {}
    seen: dict[tuple[int, int], tuple[list[FoundDate], str]] = {}
    for cue in sorted(cues, key=lambda c: c.start):
        signal = _signal(text, sentences, cue, seen)
        if signal is not None and (cue.type not in found or signal[0] < found[cue.type][0]):
            found[cue.type] = signal
    return [signal for _, signal in found.values()]
