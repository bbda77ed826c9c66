"""``iprwatch profiles list | show | check``, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from core.models import Enterprise, SavedSearch
from tests.cli.test_cli import _lines, iprwatch

PROFILES = """\
- id: eu-exporter
  name: {zh: 无锡欧贸网络设备有限公司, en: Wuxi Eurotrade Network Equipment}
  chains: [l1]
  destinations: [{country: 欧盟, export_share: 0.4}, {country: USA, export_share: 0.3}]
- id: hubin
  name: {zh: 无锡湖滨医疗科技有限公司}
  chains: [B5-1, L3]
  destinations: [{country: Japan}]
"""

OUTDATED = {
    "id": "old-co",
    "name": {"en": "Old Co."},
    "chains": ["L1", "X9"],
    "destinations": [{"country": "EPO", "export_share": 0.5}],
    "contacts": ["call Bob"],
}
"""A profile as an earlier version stored it: values today's vocabularies refuse."""


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    """A data folder with two profiles imported the ordinary way."""
    data = tmp_path / "var"
    profiles = tmp_path / "profiles.yml"
    profiles.write_text(PROFILES, encoding="utf-8")
    result = iprwatch("profiles", "import", str(profiles), data_dir=data)
    assert result.returncode == 0, result.stderr
    return data


def _store_outdated(data: Path) -> None:
    """Rows written as an earlier version wrote them (the import would refuse them now)."""
    engine = create_engine(f"sqlite:///{data / 'iprwatch.db'}")
    with Session(engine) as session:
        session.add(Enterprise(id="old-co", name_en="Old Co.", profile=OUTDATED))
        session.add(SavedSearch(name="old 337", query={"jurisdictions": ["US", "XX", "YY"]}))
        session.add(SavedSearch(name="fine", query={"q": "锂电池", "jurisdictions": ["EU"]}))
        session.commit()
    engine.dispose()


def test_list_prints_a_table_with_names_chains_and_markets_in_either_language(
    stored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line per profile, so that a cell reads whole
    english = iprwatch("profiles", "list", data_dir=stored)
    assert english.returncode == 0, english.stderr
    assert "eu-exporter" in english.stdout and "Wuxi Eurotrade Network Equipment" in english.stdout
    assert "European Union (EU) 40%, United States (US) 30%" in english.stdout
    assert "B5-1, L3" in english.stdout and "Japan (JP)" in english.stdout
    assert "2 profile(s)" in english.stderr
    chinese = iprwatch("profiles", "list", "--lang", "zh", data_dir=stored)
    assert chinese.returncode == 0, chinese.stderr
    assert "出口市场" in chinese.stdout and "欧盟 (EU) 40%、美国 (US) 30%" in chinese.stdout
    assert "日本 (JP)" in chinese.stdout
    # a name in one language only is shown in the other
    assert "无锡湖滨医疗科技有限公司" in english.stdout.replace("\n", "").replace("│", "")


def test_list_json_prints_one_line_per_profile(stored: Path) -> None:
    result = iprwatch("profiles", "list", "--json", data_dir=stored)
    assert result.returncode == 0, result.stderr
    lines = _lines(result.stdout)
    assert [line["id"] for line in lines] == ["eu-exporter", "hubin"]
    assert lines[0] == {
        "id": "eu-exporter",
        "name": {"zh": "无锡欧贸网络设备有限公司", "en": "Wuxi Eurotrade Network Equipment"},
        "chains": ["L1"],
        "markets": [
            {"country": "EU", "export_share": 0.4},
            {"country": "US", "export_share": 0.3},
        ],
    }


def test_show_prints_the_whole_stored_profile_and_an_unknown_id_exits_2(stored: Path) -> None:
    shown = iprwatch("profiles", "show", "eu-exporter", data_dir=stored)
    assert shown.returncode == 0, shown.stderr
    profile = json.loads(shown.stdout)
    assert profile["destinations"][0] == {"country": "EU", "export_share": 0.4}
    assert {"aliases", "ip_assets", "contacts", "location"} <= set(profile)
    missing = iprwatch("profiles", "show", "eu-exporter2", data_dir=stored)
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert "no stored profile has the id 'eu-exporter2'" in missing.stderr
    assert "iprwatch profiles list" in missing.stderr


def test_show_keeps_what_an_earlier_version_stored(stored: Path) -> None:
    _store_outdated(stored)
    shown = iprwatch("profiles", "show", "old-co", data_dir=stored)
    assert shown.returncode == 0, shown.stderr
    profile = json.loads(shown.stdout)
    assert profile["chains"] == ["L1", "X9"] and profile["contacts"] == ["call Bob"]


def test_check_passes_when_everything_stored_is_valid_today(stored: Path) -> None:
    result = iprwatch("profiles", "check", data_dir=stored)
    assert result.returncode == 0, result.stderr
    assert "0 of 2 profile(s) and 0 of 0 saved search(es) would be refused" in result.stderr


def test_check_names_each_refused_field_value_and_reason_and_exits_1(stored: Path) -> None:
    _store_outdated(stored)
    result = iprwatch("profiles", "check", "--json", data_dir=stored)
    assert result.returncode == 1, result.stderr
    found = {
        (r["kind"], r["id"], r["field"], json.dumps(r["value"])): r for r in _lines(result.stdout)
    }
    assert set(found) == {
        ("profile", "old-co", "chains.1", '"X9"'),
        ("profile", "old-co", "destinations.0.country", '"EPO"'),
        ("profile", "old-co", "contacts.0", '"call Bob"'),
        ("saved_search", found_id(found), "jurisdictions", '"XX"'),
        ("saved_search", found_id(found), "jurisdictions", '"YY"'),
    }
    epo = found[("profile", "old-co", "destinations.0.country", '"EPO"')]
    assert "IP office or court system, not a market" in epo["reason"]
    assert epo["name"] == "Old Co." and epo["readable"] is True
    assert (
        "unknown industry chain 'X9'" in found[("profile", "old-co", "chains.1", '"X9"')]["reason"]
    )
    assert "1 of 3 profile(s) and 1 of 2 saved search(es) would be refused" in result.stderr
    # nothing was changed: the profile still reads back as stored, and still matches
    shown = iprwatch("profiles", "show", "old-co", data_dir=stored)
    assert json.loads(shown.stdout)["destinations"] == [{"country": "EPO", "export_share": 0.5}]


def found_id(found: dict[tuple[str, str, str, str], dict[str, object]]) -> str:
    """The id of the one saved search with refusals."""
    (saved_id,) = {key[1] for key in found if key[0] == "saved_search"}
    return saved_id


def test_check_lists_one_refusal_per_line_in_either_language(stored: Path) -> None:
    _store_outdated(stored)
    english = iprwatch("profiles", "check", data_dir=stored)
    assert english.returncode == 1
    lines = english.stdout.splitlines()
    assert len(lines) == 5
    assert (
        "profile old-co (Old Co.) destinations.0.country = \"EPO\": 'EPO' is an IP office or "
        "court system, not a market"
    ) in english.stdout
    assert any(line.startswith("saved_search ") and "(old 337) jurisdictions = \"XX\": "
               "unknown jurisdiction 'XX'" in line for line in lines)  # fmt: skip
    chinese = iprwatch("profiles", "check", "--lang", "zh", data_dir=stored)
    assert chinese.returncode == 1
    assert "企业档案 old-co（Old Co.） chains.1 = \"X9\"：未知的产业链 'X9'；可用的产业链：" in (
        chinese.stdout
    )
    assert "3个企业档案中1个、2个保存的检索中1个按现行词表会被拒绝" in chinese.stderr


def test_check_gives_its_reasons_in_chinese_with_fields_and_values_as_stored(
    stored: Path,
) -> None:
    _store_outdated(stored)
    engine = create_engine(f"sqlite:///{stored / 'iprwatch.db'}")
    with Session(engine) as session:
        misspelt = {
            "id": "typo-co",
            "name": {"zh": "错字公司"},
            "destinations": [{"country": "Germny"}],
        }
        session.add(Enterprise(id="typo-co", name_zh="错字公司", profile=misspelt))
        session.commit()
    engine.dispose()
    chinese = iprwatch("profiles", "check", "--lang", "zh", data_dir=stored)
    assert chinese.returncode == 1, "the exit status does not depend on the language"
    lines = chinese.stdout.splitlines()
    assert len(lines) == 6
    expected = (
        "企业档案 old-co（Old Co.） destinations.0.country = \"EPO\"：'EPO' 是知识产权局或法院体系，"
        "不是出口市场",
        "企业档案 old-co（Old Co.） contacts.0 = \"call Bob\"：'call Bob' 不是联系方式",
        "企业档案 typo-co（错字公司） destinations.0.country = \"Germny\"：未知的国家 'Germny'："
        "请使用 ISO 代码（US、DE）、国家名称或 EU；是否指 DE（德国）？",
        "jurisdictions = \"XX\"：未知的法域 'XX'；请使用 ISO 3166 两位字母代码",
    )
    for text in expected:
        assert any(text in line for line in lines), text
    for english in ("unknown", "is not a", "did you mean", "use an ISO", "not a market"):
        assert english not in chinese.stdout
    as_json = _lines(
        iprwatch("profiles", "check", "--json", "--lang", "zh", data_dir=stored).stdout
    )
    assert {r["reason"] for r in as_json if r["id"] == "typo-co"} == {
        "unknown country 'Germny': use an ISO code (US, DE), a country name or EU; "
        "did you mean DE (Germany)?"
    }, "JSON lines keep the English reason and their fields"
    assert set(as_json[0]) == {"kind", "id", "name", "field", "value", "reason", "readable"}


def test_a_stored_profile_no_reading_can_use_is_named_not_a_crash(stored: Path) -> None:
    engine = create_engine(f"sqlite:///{stored / 'iprwatch.db'}")
    with Session(engine) as session:
        session.add(Enterprise(id="broken", profile={"id": "broken", "name": "Broken Co."}))
        session.commit()
    engine.dispose()
    listed = iprwatch("profiles", "list", "--json", data_dir=stored)
    assert listed.returncode == 0, listed.stderr
    assert [line["id"] for line in _lines(listed.stdout)] == ["eu-exporter", "hubin"]
    assert "the stored profile 'broken' cannot be read" in listed.stderr
    shown = iprwatch("profiles", "show", "broken", data_dir=stored)
    assert shown.returncode == 2 and "'broken' cannot be read" in shown.stderr
    checked = iprwatch("profiles", "check", "--json", data_dir=stored)
    assert checked.returncode == 1
    (refusal,) = _lines(checked.stdout)
    assert refusal["id"] == "broken" and refusal["field"] == "name"
    assert refusal["value"] == "Broken Co." and refusal["readable"] is False
