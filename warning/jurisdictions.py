"""Jurisdiction nesting: an EU item concerns Germany; a WIPO item concerns everyone."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

_FILE = Path(__file__).resolve().parent / "jurisdictions.yml"


@lru_cache(maxsize=1)
def _groups() -> dict[str, frozenset[str]]:
    data = yaml.safe_load(_FILE.read_text(encoding="utf-8"))
    return {k: frozenset(v) for k, v in data["groups"].items()}


def concerned_destinations(item_jurisdictions: list[str], destinations: list[str]) -> list[str]:
    """The destinations (ISO codes) that an item with these jurisdictions concerns."""
    groups = _groups()
    dests = [d.upper() for d in destinations]
    concerned: set[str] = set()
    for code in (j.upper() for j in item_jurisdictions):
        members = groups.get(code)
        if members is None:
            concerned.update(d for d in dests if d == code)
        elif "*" in members:
            concerned.update(dests)
        else:
            concerned.update(d for d in dests if d in members or d == code)
    return [d for d in dests if d in concerned]
