"""The ``iprwatch`` command line, run as a user runs it (a real process per command)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAFC_FEED = FIXTURES / "cafc_opinions" / "cafc_opinion_order_rss_2022-01-21.xml"
FR_SEARCH = FIXTURES / "federal_register" / "fr_api_documents_search_newest_2024_page1.json"


def iprwatch(
    *args: str, data_dir: Path, stdin: str | None = None, search_url: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``iprwatch ARGS`` with its data in ``data_dir``."""
    env = {
        **os.environ,
        "IPRWATCH_DATA_DIR": str(data_dir),
        "IPRWATCH_DATABASE_URL": f"sqlite:///{data_dir / 'iprwatch.db'}",
        "IPRWATCH_SEARCH_URL": search_url,
        "IPRWATCH_BROKER_URL": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=240,
        check=False,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path / "var"


def _lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_crawl_replay_prints_items_and_stores_them(workdir: Path) -> None:
    first = iprwatch("crawl", "cafc_opinions", "--replay", str(CAFC_FEED), data_dir=workdir)
    assert first.returncode == 0, first.stderr
    items = _lines(first.stdout)
    assert len(items) == 100
    assert items[0]["title"].startswith("20-1046")
    assert {"id", "source", "url", "title", "published_at", "jurisdictions", "kind"} <= set(
        items[0]
    )
    again = iprwatch("crawl", "cafc_opinions", "--replay", str(CAFC_FEED), data_dir=workdir)
    assert again.returncode == 0, again.stderr
    assert "0 new" in again.stderr
    sources = _lines(iprwatch("sources", "list", "--json", data_dir=workdir).stdout)
    cafc = next(s for s in sources if s["id"] == "cafc_opinions")
    assert cafc["healthy"] is True and cafc["items"] == 100 and cafc["last_success"]
    assert {"id", "title", "jurisdictions", "language", "last_success", "items", "healthy"} <= set(
        cafc
    )


def test_search_finds_what_crawl_stored(workdir: Path) -> None:
    iprwatch("crawl", "cafc_opinions", "--replay", str(CAFC_FEED), data_dir=workdir)
    result = iprwatch("search", "Kyocera", "--country", "US", "--limit", "5", data_dir=workdir)
    assert result.returncode == 0, result.stderr
    hits = _lines(result.stdout)
    assert hits and "KYOCERA" in hits[0]["title"]


def test_search_while_the_index_is_unavailable_says_so_in_one_line(workdir: Path) -> None:
    """Both commands printed a whole Rich traceback instead (461 lines with OpenSearch down)."""
    saved = iprwatch("search", "Kyocera", "--save", "kyocera", data_dir=workdir)
    assert saved.returncode == 0, saved.stderr
    down = "tantivy:///proc/iprwatch-no-such-dir/search-index"
    for command in (["search", "Kyocera"], ["searches", "run", "kyocera"]):
        result = iprwatch(*command, data_dir=workdir, search_url=down)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr and not result.stdout
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("error: search is unavailable") and "try again" in last


def test_search_translate_is_kept_by_a_saved_search(workdir: Path) -> None:
    """``--translate`` reaches the query: a saved search keeps it, and runs with it."""
    iprwatch("crawl", "cafc_opinions", "--replay", str(CAFC_FEED), data_dir=workdir)
    for name, flags in (("plain", []), ("both", ["--translate"])):
        done = iprwatch("search", "联邦巡回上诉法院", *flags, "--save", name, data_dir=workdir)
        assert done.returncode == 0, done.stderr
    listed = {
        s["name"]: s["query"] for s in _lines(iprwatch("searches", "list", data_dir=workdir).stdout)
    }
    assert listed["both"].get("translate") is True and "translate" not in listed["plain"]


def test_translated_search_says_which_words_it_left_out(workdir: Path) -> None:
    """发起 (launch) is how the question is phrased: a translated search leaves it out and
    says so on stderr, after the count (stdout stays one JSON hit a line); a plain search
    requires every word and says nothing of it."""
    translated = iprwatch("search", "发起 联邦巡回上诉法院", "--translate", data_dir=workdir)
    assert translated.returncode == 0, translated.stderr
    assert translated.stderr.splitlines()[-1] == "ignored: 发起"
    plain = iprwatch("search", "发起 联邦巡回上诉法院", data_dir=workdir)
    assert plain.returncode == 0 and "ignored" not in plain.stderr


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"])
def test_search_with_the_engine_down_prints_no_client_library_traceback(
    workdir: Path, engine: str
) -> None:
    """The client libraries logged each failed request with its traceback: 134 lines of
    urllib3 frames on stderr before the one line that says what to do."""
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = f"{engine}+http://user:s3cret@127.0.0.1:{port}/"
    result = iprwatch("search", "Kyocera", data_dir=workdir, search_url=down)
    assert result.returncode == 1 and not result.stdout
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 8, result.stderr
    assert any("Connection" in line for line in lines[:-1])  # the cause, on one line each
    assert lines[-1].startswith("error: search is unavailable") and "try again" in lines[-1]


def test_malformed_replay_fails_with_one_line_reason_and_loses_nothing(
    workdir: Path, tmp_path: Path
) -> None:
    iprwatch("crawl", "cafc_opinions", "--replay", str(CAFC_FEED), data_dir=workdir)
    broken = tmp_path / "broken.json"
    broken.write_text('{"results": [', encoding="utf-8")
    result = iprwatch("crawl", "federal_register", "--replay", str(broken), data_dir=workdir)
    assert result.returncode == 2  # the exit code of every bad input
    message = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(message) == 1 and "broken.json" in message[0]
    assert result.stderr.count("not valid JSON") == 1, "each failure is said once"
    still = iprwatch("search", "Kyocera", data_dir=workdir)
    assert _lines(still.stdout), "items stored earlier must survive a failed crawl"
    sources = _lines(iprwatch("sources", "list", "--json", data_dir=workdir).stdout)
    federal_register = next(s for s in sources if s["id"] == "federal_register")
    assert federal_register["healthy"] is False
    assert str(tmp_path) in message[0], "the operator sees the file"
    assert str(tmp_path) not in federal_register["reason"], "the public list shows no path"
    assert federal_register["reason"].startswith("replayed from a saved response")


def test_unknown_source_lists_known_ones(workdir: Path) -> None:
    result = iprwatch("crawl", "no_such_source", data_dir=workdir)
    assert result.returncode != 0
    assert "cafc_opinions" in result.stderr and "federal_register" in result.stderr


def test_warn_on_files_prints_contract_lines_and_stores_nothing(
    workdir: Path, tmp_path: Path
) -> None:
    profiles = tmp_path / "profiles.yml"
    profiles.write_text(
        "id: wuxi-battery\nname: {en: Wuxi Battery}\nchains: [A5]\n"
        "destinations: [{country: US, export_share: 0.5}]\n",
        encoding="utf-8",
    )
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps(
            {
                "id": "x1",
                "title": "Certain Lithium-Ion Batteries; Institution of Investigation",
                "summary": "The Commission instituted Investigation No. 337-TA-1450 concerning "
                "lithium-ion battery cells imported by respondents of Wuxi, Jiangsu, China.",
                "language": "en",
                "published_at": "2025-03-03T00:00:00Z",
                "kind": "dispute",
                "jurisdictions": ["US"],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    result = iprwatch(
        "warn",
        "--profiles",
        str(profiles),
        "--items",
        str(items),
        "--as-of",
        "2025-03-04",
        data_dir=workdir,
    )
    assert result.returncode == 0, result.stderr
    [alert] = _lines(result.stdout)
    assert alert["enterprise_id"] == "wuxi-battery" and alert["item_id"] == "x1"
    assert alert["rule_id"] == "itc337_in_market_chain"
    assert alert["severity"] == "critical" and alert["risk_code"] == "ITC337"
    assert alert["deadline"] == "2025-03-23"
    assert "337-TA-1450" in alert["explanation"]
    assert (
        not (workdir / "iprwatch.db").exists()
        or "wuxi-battery" not in iprwatch("warn", data_dir=workdir).stdout
    )


WATCHER = """\
id: wuxi-watch
name: {zh: 无锡观察有限公司, en: Wuxi Watch Co.}
watch_terms: [McDonough]
destinations: [{country: US, export_share: 0.4}]
"""


def test_warn_on_stored_items_as_of_a_date_leaves_later_items_for_later(
    workdir: Path, tmp_path: Path
) -> None:
    crawled = iprwatch("crawl", "cafc_opinions", "--replay", str(CAFC_FEED), data_dir=workdir)
    published = {str(i["id"]): str(i["published_at"])[:10] for i in _lines(crawled.stdout)}
    profiles = tmp_path / "watcher.yml"
    profiles.write_text(WATCHER, encoding="utf-8")
    imported = iprwatch("profiles", "import", str(profiles), data_dir=workdir)
    assert imported.returncode == 0, imported.stderr
    later = sum(1 for day in published.values() if day > "2021-12-31")

    before = iprwatch("warn", "--as-of", "2021-12-31", data_dir=workdir)
    assert before.returncode == 0, before.stderr
    early = _lines(before.stdout)
    assert early and all(published[str(a["item_id"])] <= "2021-12-31" for a in early)
    assert f"skipped {later} item(s) published after the --as-of date 2021-12-31" in before.stderr
    assert "(markets: United States)" in str(early[0]["explanation"])

    after = iprwatch("warn", data_dir=workdir)  # today: the later items were not used up
    assert after.returncode == 0, after.stderr
    rest = _lines(after.stdout)
    assert rest and all(published[str(a["item_id"])] > "2021-12-31" for a in rest)
    assert {a["item_id"] for a in early}.isdisjoint(a["item_id"] for a in rest)


def test_warn_rejects_an_invalid_profile_naming_field_and_line(
    workdir: Path, tmp_path: Path
) -> None:
    profiles = tmp_path / "bad.yml"
    profiles.write_text("id: a\nname: {en: A}\ndestinations:\n  - {country: US, export_share: 3}\n")
    items = tmp_path / "items.jsonl"
    items.write_text("")
    result = iprwatch("warn", "--profiles", str(profiles), "--items", str(items), data_dir=workdir)
    assert result.returncode == 2
    assert "bad.yml" in result.stderr and "line 4" in result.stderr
    assert "export_share" in result.stderr


def test_tag_reads_and_writes_json_lines(workdir: Path) -> None:
    result = iprwatch(
        "tag",
        data_dir=workdir,
        stdin=json.dumps(
            {"text": "美国国际贸易委员会对江苏无锡企业的锂电池发起337调查"}, ensure_ascii=False
        )
        + "\n",
    )
    assert result.returncode == 0, result.stderr
    [line] = _lines(result.stdout)
    tags = line["tags"]
    assert "US" in tags["jurisdictions"]
    assert any(c["id"] == "A5" for c in tags["chains"])


def test_tag_eval_reports_measured_figures_as_json(workdir: Path) -> None:
    result = iprwatch("tag", "--eval", "--json", data_dir=workdir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["items"] >= 150
    for label in ("chains", "kind", "ip_types", "jurisdictions", "parties", "case_refs"):
        assert label in report["labels"]
    assert 0.0 <= report["overall"]["f1"] <= 1.0


def test_the_data_dir_alone_holds_the_embedded_database(tmp_path: Path) -> None:
    """With only ``IPRWATCH_DATA_DIR`` set, the database goes there with the other embedded
    files: two data directories are two separate installations, and nothing is written to
    the working directory."""
    env = {k: v for k, v in os.environ.items() if k != "IPRWATCH_DATABASE_URL"}
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    for name in ("one", "two"):
        env["IPRWATCH_DATA_DIR"] = str(tmp_path / name)
        replay = ["crawl", "cafc_opinions", "--replay", str(CAFC_FEED)] if name == "one" else []
        for args in (["db", "upgrade"], replay):
            if args:
                done = subprocess.run(
                    [sys.executable, "-m", "api.cli", *args],
                    capture_output=True,
                    text=True,
                    env={**env, "IPRWATCH_SEARCH_URL": "", "IPRWATCH_BROKER_URL": ""},
                    cwd=cwd,
                    timeout=240,
                    check=False,
                )
                assert done.returncode == 0, done.stderr
    assert (tmp_path / "one" / "iprwatch.db").exists()
    assert (tmp_path / "two" / "iprwatch.db").exists()
    assert not (cwd / "var").exists()
    counted = []
    for name in ("one", "two"):
        db = sqlite3.connect(tmp_path / name / "iprwatch.db")
        counted.append(db.execute("SELECT count(*) FROM items").fetchone()[0])
        db.close()
    assert counted == [100, 0]
