"""The download size cap per source (``politeness.max_body_bytes``), enforced by Scrapy's
downloader in a real crawl: a body over the source's cap is cancelled (declared or streamed)
and fails the run with the cap named; a source with a larger cap reads what the global
10 MB cap would refuse (GPO's daily Federal Register XML on a heavy day).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crawlers.runner import crawl_in_subprocess
from tests.faults.conftest import Reply, Site, write_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAFC = (FIXTURES / "cafc_opinions" / "cafc_opinion_order_rss_2022-01-21.xml").read_bytes()
GPO = FIXTURES / "federal_register" / "gpo_fr_daily_issue_2016-04-15_FR-2016-04-15.xml"
CAP = 64 * 1024
GLOBAL_CAP = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("declare_length", "reason"),
    [
        (True, f"body declares {len(CAFC)} bytes, over the {CAP}-byte cap"),
        (False, f"body passed the {CAP}-byte cap after"),
    ],
    ids=["declared", "streamed"],
)
def test_a_source_cap_cancels_a_bigger_body_while_other_sources_keep_the_global_cap(
    sources_dir: Path, new_site: Callable[[], Site], declare_length: bool, reason: str
) -> None:
    site = new_site()
    url = site.serve("/feed.xml", Reply(CAFC, declare_length=declare_length))
    write_source(sources_dir, "capped", "feed", [url], politeness={"max_body_bytes": CAP})
    write_source(sources_dir, "uncapped", "feed", [url])

    capped = crawl_in_subprocess("capped")
    assert capped.failed and capped.items == []
    assert capped.settings["DOWNLOAD_MAXSIZE"] == CAP
    [problem] = capped.fatal_problems
    assert problem.kind == "payload" and reason in problem.message

    uncapped = crawl_in_subprocess("uncapped")
    assert not uncapped.failed and len(uncapped.items) == 100
    assert uncapped.settings["DOWNLOAD_MAXSIZE"] == GLOBAL_CAP


def heavy_issue() -> bytes:
    """The real GPO issue of 2016-04-15, padded past 10 MB as a heavy day's issue is."""
    body = GPO.read_bytes()
    padding = b"<!--" + b" " * (GLOBAL_CAP + 1024 * 1024) + b"-->\n"
    return body + padding  # a comment after the root element: still the same document


def test_federal_register_reads_a_gpo_issue_over_the_global_cap(
    data_dir: Path, new_site: Callable[[], Site]
) -> None:
    site = new_site()
    body = heavy_issue()
    assert len(body) > GLOBAL_CAP
    url = site.serve("/fdsys/FR-2016-04-15.xml", Reply(body))

    outcome = crawl_in_subprocess("federal_register", start_url=url)
    assert not outcome.failed, outcome.errors
    assert outcome.settings["DOWNLOAD_MAXSIZE"] == 60 * 1024 * 1024
    assert len(outcome.items) == 3, "the issue's ITC, USPTO and CBP documents"

    global_cap = crawl_in_subprocess(
        "federal_register", start_url=url, settings={"DOWNLOAD_MAXSIZE": GLOBAL_CAP}
    )
    assert global_cap.failed and global_cap.items == []
    assert f"over the {GLOBAL_CAP}-byte cap" in global_cap.errors[0]
