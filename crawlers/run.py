"""The child-process entry of ``crawl_in_subprocess``: ``python -m crawlers.run SOURCE_ID
[--replay PATH] [--start-url URL] [--settings JSON]``.

Crawls once and prints one JSON object on stdout: ``{"outcome": ...}`` or, when the crawl
could not run, ``{"error": {"type": ..., "message": ...}}``. Logs go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.logging_ import configure_logging
from crawlers.errors import CrawlerError, ReplayError
from crawlers.runner import crawl, error_to_dict


def crawl_answer(
    source_id: str,
    replay: Path | None,
    start_url: str | None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the child prints: the outcome, or the error that stopped the crawl."""
    try:
        outcome = crawl(source_id, replay, start_url=start_url, settings=settings)
        return {"outcome": outcome.model_dump(mode="json")}
    except ReplayError as exc:
        if exc.outcome is not None:
            return {"outcome": exc.outcome.model_dump(mode="json")}
        return {"error": error_to_dict(exc)}
    except CrawlerError as exc:
        return {"error": error_to_dict(exc)}


def main(argv: list[str] | None = None) -> int:
    """Run one crawl and print its JSON answer; any printing during the crawl goes to stderr."""
    parser = argparse.ArgumentParser(prog="python -m crawlers.run", description=__doc__)
    parser.add_argument("source_id")
    parser.add_argument("--replay", type=Path, default=None)
    parser.add_argument("--start-url", default=None)
    parser.add_argument(
        "--settings", type=json.loads, default=None, help="Scrapy setting overrides (JSON)"
    )
    args = parser.parse_args(argv)
    configure_logging("INFO")
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        answer = crawl_answer(args.source_id, args.replay, args.start_url, args.settings)
    finally:
        sys.stdout = stdout
    json.dump(answer, stdout, ensure_ascii=False)
    stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
