"""The problem messages the crawlers really write are read back by their form, so that the
Chinese sources page can word them (``crawlers.problem_forms``): a message whose wording
changes without its form would silently fall back to English there."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from crawlers.errors import PayloadError
from crawlers.outcome import CrawlOutcome, Problem
from crawlers.payloads import check_size, decode_json, parse_feed, parse_xml
from crawlers.problem_forms import detail_parts, message_parts
from crawlers.runner import SizeCapLog

URL = "https://x.example/feed"


def _refusal(read: object, body: bytes) -> str:
    with pytest.raises(PayloadError) as refused:
        read(body, URL)  # type: ignore[operator]
    return refused.value.reason


@pytest.mark.parametrize(
    ("read", "body", "form"),
    [
        (decode_json, b'{"a": ', "json_invalid"),
        (parse_xml, b"<rss><channel>", "xml_malformed"),
        (parse_xml, b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "xml_entity"),
        (parse_feed, b"<html><body>moved</body></html>", "not_a_feed"),
    ],
)
def test_a_payload_refusal_is_read_back_by_its_form(read: object, body: bytes, form: str) -> None:
    parts = message_parts(_refusal(read, body))
    assert parts is not None and parts[0] == form


def test_a_next_link_back_to_a_page_read_is_read_back_with_its_url() -> None:
    from api._source_health import health_reason_text
    from crawlers.spiders.base import next_page_loop

    message = next_page_loop("https://x.example/list?page=1")
    assert message_parts(message) == ("next_page_loop", {"url": "'https://x.example/list?page=1'"})
    reason = f"last run had 1 warning (payload: 1); first: payload: {URL}: {message}"
    worded = health_reason_text(reason, "zh")
    assert "指回已读过的页面" in worded and "leads back" not in worded


def test_size_caps_are_read_back_with_their_numbers() -> None:
    with pytest.raises(PayloadError) as refused:
        check_size(b"x" * 11, 10, URL)
    assert message_parts(refused.value.reason) == ("body_over_cap", {"size": "11", "limit": "10"})
    log = SizeCapLog()
    warning = (
        f"Received 2048 bytes which is larger than download max size (1024) in request <GET {URL}>"
    )
    log.emit(logging.LogRecord("scrapy", logging.WARNING, "", 0, warning, None, None))
    assert message_parts(log.reasons[URL]) == ("body_passed_cap", {"limit": "1024", "size": "2048"})


def test_a_failed_runs_line_keeps_kind_location_and_how_many_more() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    fatal = [Problem(kind="http", message="HTTP 503", location=URL, fatal=True)] * 3
    outcome = CrawlOutcome(source_id="x", started_at=now, finished_at=now, problems=fatal)
    reason = outcome.failure_reason()
    assert reason is not None
    parts = detail_parts(reason)
    assert parts is not None
    assert (parts.kind, parts.location, parts.message, parts.more) == ("http", URL, "HTTP 503", "2")
    assert message_parts(parts.message) == ("http_status", {"status": "503"})
    unmapped = Problem(kind="unmapped", message="kind: 'Foo' not in the lookup table", count=4)
    parts = detail_parts(unmapped.describe())
    assert parts is not None and parts.location is None and parts.count == "4"
    assert message_parts(parts.message) == ("unmapped", {"lookup": "kind", "value": "'Foo'"})
