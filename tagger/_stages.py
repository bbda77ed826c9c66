"""CPU time per tagging stage, for the throughput benchmark (``Tagger.stage_times``)."""

from __future__ import annotations

import time
from collections import defaultdict

__all__ = ["NO_CLOCK", "StageClock"]


class StageClock:
    """Adds up the CPU time (``time.process_time``) spent in each named stage: ``lap(name)``
    charges the time since the previous lap (or ``start``) to ``name``."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._last = time.process_time()

    def start(self) -> None:
        """Start timing afresh (time until now is charged to no stage)."""
        self._last = time.process_time()

    def lap(self, stage: str) -> None:
        """Charge the CPU time since the last lap to ``stage``."""
        now = time.process_time()
        self.seconds[stage] += now - self._last
        self._last = now


class _NoClock(StageClock):
    """A clock that does not time: what tagging uses outside benchmarks."""

    def start(self) -> None:
        return None

    def lap(self, stage: str) -> None:
        return None


NO_CLOCK: StageClock = _NoClock()
