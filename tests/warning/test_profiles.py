"""Enterprise profiles: one or many per file, and errors that name the field and the line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core import jurisdiction_data
from core.types import ChainTag, ItemRecord, Tags
from tests.warning.cases import AS_OF
from warning.engine import evaluate_items
from warning.health import run_health_check
from warning.profiles import ProfileError, load_profiles, parse_profiles

DEMO_PROFILES = Path(__file__).resolve().parents[2] / "api" / "demo" / "profiles.yml"


def test_demo_profiles_load() -> None:
    profiles = load_profiles(DEMO_PROFILES)
    assert [p.id for p in profiles] == ["wuxi-netlink", "binhu-medtech", "wuxi-xineng"]
    assert profiles[0].destinations[0].country == "US"


def test_single_json_profile_loads() -> None:
    text = '{"id": "acme", "name": {"en": "Acme"}, "chains": ["A5"], "destinations": [{"country": "us"}]}'
    [profile] = parse_profiles(text, "acme.json")
    assert profile.destinations[0].country == "US"
    assert profile.display_name("zh") == "Acme"


def test_error_names_field_and_line() -> None:
    text = """\
- id: good
  name: {en: Good Co}
- id: bad
  name: {en: Bad Co}
  destinations:
    - country: DE
      export_share: 1.7
"""
    with pytest.raises(ProfileError) as excinfo:
        parse_profiles(text, "profiles.yml")
    message = str(excinfo.value)
    assert "profiles.yml" in message
    assert "destinations.0.export_share" in message
    assert "line 7" in message


def test_unknown_field_is_refused_with_its_line() -> None:
    text = "id: x\nname: {en: X}\nchians: [A5]\n"
    with pytest.raises(ProfileError, match=r"line 3: chians"):
        parse_profiles(text, "x.yml")


def test_duplicate_ids_are_refused() -> None:
    text = "- {id: a, name: {en: A}}\n- {id: a, name: {en: A2}}\n"
    with pytest.raises(ProfileError, match="duplicate"):
        parse_profiles(text, "dup.yml")


def test_malformed_yaml_gives_one_line_reason() -> None:
    with pytest.raises(ProfileError) as excinfo:
        parse_profiles("id: [unclosed\n", "broken.yml")
    assert "\n" not in str(excinfo.value)
    assert "broken.yml" in str(excinfo.value)


def test_an_empty_value_is_reported_not_crashed_on() -> None:
    text = "id: x\nname: {en: Acme, Ltd.}\nchains:\n"
    with pytest.raises(ProfileError) as excinfo:
        parse_profiles(text, "x.yml")
    assert "line 2: name.Ltd." in str(excinfo.value)


def test_norway_written_bare_is_a_country_not_a_boolean() -> None:
    # YAML 1.1 reads a bare NO (and ON, Y, yes...) as a boolean; a profile means Norway.
    text = """\
id: fjord
name: {en: Fjord Trading}
destinations:
  - {country: NO, export_share: 0.2}
  - {country: no, export_share: 0.1}
ip_assets:
  - {type: patent, jurisdiction: NO, number: "NO 345678"}
watch_terms: [ON, "on"]
"""
    [profile] = parse_profiles(text, "fjord.yml")
    assert [d.country for d in profile.destinations] == ["NO", "NO"]
    assert profile.ip_assets[0].jurisdiction == "NO"
    assert profile.watch_terms == ["ON", "on"]


SECTION_337 = ItemRecord.model_validate(
    {
        "id": "t:1",
        "title": "Certain Lithium-Ion Battery Cells; Institution of Investigation",
        "published_at": datetime(2025, 3, 3, tzinfo=UTC),
        "kind": "dispute",
        "jurisdictions": ["US"],
        "case_refs": ["337-TA-1400"],
        "tags": Tags(
            chains=[ChainTag(id="A5", score=0.9, evidence=["lithium-ion battery"])],
            kind="dispute",
            jurisdictions=["US"],
        ),
    }
)


def _problem(text: str) -> str:
    with pytest.raises(ProfileError) as excinfo:
        parse_profiles(text, "p.yml")
    return str(excinfo.value)


def test_chain_and_country_spellings_are_normalised_and_still_raise_alerts() -> None:
    text = """\
- id: lower
  name: {en: Lower Case Co}
  chains: [a5]
  destinations: [{country: usa, export_share: 0.4}]
- id: named
  name: {zh: 中文名称有限公司}
  chains: [A5]
  destinations: [{country: 美国, export_share: 0.3}, {country: Germany}, {country: uk}]
"""
    lower, named = parse_profiles(text, "p.yml")
    assert lower.chains == ["A5"] and lower.destinations[0].country == "US"
    assert [d.country for d in named.destinations] == ["US", "DE", "GB"]
    alerted = {a.enterprise_id for a in evaluate_items([SECTION_337], [lower, named])}
    assert alerted == {"lower", "named"}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("香港", "HK"),
        ("澳门", "MO"),
        ("澳門", "MO"),
        ("中国香港", "HK"),
        ("中国澳门", "MO"),
        ("Hong Kong", "HK"),
        ("Macau", "MO"),
        ("Macao", "MO"),
        ("台湾", "TW"),
    ],
)
def test_hong_kong_and_macao_written_alone_are_markets_and_jurisdictions(
    written: str, code: str
) -> None:
    """香港 and 澳门 are what an exporter types; they were refused ("did you mean HK 中国香港")
    while 台湾 was taken."""
    text = (
        f"id: x\nname: {{zh: 香港贸易有限公司}}\n"
        f"destinations: [{{country: {written}, export_share: 0.5}}]\n"
        f"ip_assets: [{{type: trademark, jurisdiction: {written}}}]\n"
    )
    [profile] = parse_profiles(text, "p.yml")
    assert profile.destinations[0].country == code
    assert profile.ip_assets[0].jurisdiction == code


def test_a_malformed_country_alias_is_refused_when_loaded() -> None:
    base = "groups: {EU: [DE]}\n"
    with pytest.raises(ValueError, match=r"country_aliases.HK needs a list of names"):
        jurisdiction_data.parse_nesting(base + "country_aliases: {HK: 香港}\n")
    with pytest.raises(ValueError, match=r"country_aliases: 'Hk' is not a country code"):
        jurisdiction_data.parse_nesting(base + "country_aliases: {Hk: [香港]}\n")
    with pytest.raises(ValueError, match=r"country_aliases.MO: '' is not a name"):
        jurisdiction_data.parse_nesting(base + "country_aliases: {MO: ['']}\n")


def test_an_unknown_chain_is_refused_with_the_valid_ones() -> None:
    message = _problem("id: x\nname: {en: X}\nchains: [L1, XX9]\n")
    assert "line 3: chains.1:" in message and "'XX9'" in message
    assert "L1, L2" in message and "B5-1" in message


def test_an_unknown_country_is_refused_with_a_suggestion() -> None:
    message = _problem("id: x\nname: {en: X}\ndestinations:\n  - {country: Untied States}\n")
    assert "line 4: destinations.0.country: unknown country 'Untied States'" in message
    assert "did you mean US" in message


def test_asset_offices_stay_valid_and_europe_is_refused_with_a_hint() -> None:
    text = """\
id: x
name: {en: X}
ip_assets:
  - {type: patent, jurisdiction: ep}
  - {type: trademark, jurisdiction: EM}
  - {type: patent, jurisdiction: WO}
  - {type: patent, jurisdiction: 德国}
"""
    [profile] = parse_profiles(text, "p.yml")
    assert [a.jurisdiction for a in profile.ip_assets] == ["EP", "EM", "WO", "DE"]
    message = _problem("id: x\nname: {en: X}\nip_assets: [{type: patent, jurisdiction: Europe}]\n")
    assert "ip_assets.0.jurisdiction: unknown jurisdiction 'Europe'" in message
    assert "a European patent is EP" in message


def test_chinese_and_plural_asset_types_count_as_rights_in_the_health_check() -> None:
    text = """\
id: x
name: {en: X}
chains: [L1]
destinations: [{country: US, export_share: 0.5}]
ip_assets:
  - {type: 商标, jurisdiction: US, status: 已注册}
  - {type: Patents, jurisdiction: US, status: granted}
"""
    [profile] = parse_profiles(text, "p.yml")
    assert [(a.type, a.status) for a in profile.ip_assets] == [
        ("trademark", "registered"),
        ("patent", "granted"),
    ]
    coverage = next(d for d in run_health_check(profile, [], AS_OF).dimensions if d.id == "D3")
    assert "patent yes, trade mark yes" in coverage.evidence[0].text.en


def test_a_right_given_up_in_chinese_no_longer_counts() -> None:
    text = """\
id: x
name: {en: X}
destinations: [{country: US, export_share: 0.5}]
ip_assets: [{type: trademark, jurisdiction: US, status: 放弃}]
"""
    [profile] = parse_profiles(text, "p.yml")
    assert profile.ip_assets[0].status == "abandoned"
    coverage = next(d for d in run_health_check(profile, [], AS_OF).dimensions if d.id == "D3")
    assert "trade mark no" in coverage.evidence[0].text.en


def test_unknown_asset_types_and_statuses_are_refused_with_the_allowed_ones() -> None:
    message = _problem(
        "id: x\nname: {en: X}\nip_assets: [{type: brand, jurisdiction: US, status: zombie}]\n"
    )
    assert "ip_assets.0.type: unknown IP asset type 'brand'; use one of: patent" in message
    assert "ip_assets.0.status: unknown IP asset status 'zombie'; use one of: pending" in message


def test_tab_indented_json_loads_and_json_errors_name_line_and_column(tmp_path: Path) -> None:
    good = tmp_path / "p.json"
    good.write_text('{\n\t"id": "p1",\n\t"name": {"en": "A"},\n\t"chains": ["l1"]\n}\n')
    [profile] = load_profiles(good)
    assert profile.id == "p1" and profile.chains == ["L1"]
    bad = tmp_path / "bad.json"
    bad.write_text('{\n\t"id": "p1",\n\t"name": {"en": "A"}\n\t"chains": []\n}\n')
    with pytest.raises(ProfileError, match=r"bad.json: not valid JSON: line 4 column 2"):
        load_profiles(bad)


def test_json_validation_errors_still_name_the_line() -> None:
    text = '{\n\t"id": "p1",\n\t"name": {"en": "A"},\n\t"chains": ["XX9"]\n}\n'
    assert "line 4: chains.0" in _problem(text)


def test_a_key_given_twice_is_refused_with_its_line() -> None:
    message = _problem("id: a\nname: {en: A}\nchains: [L1]\nchains: [L4]\n")
    assert "line 4: duplicate key 'chains' (first given on line 3)" in message
    with pytest.raises(ProfileError, match=r"line 3: duplicate key 'id' \(first given on line 1\)"):
        parse_profiles('{"id": "a",\n\t"name": {"en": "A"},\n\t"id": "b"}', "p.json")


def test_an_empty_name_is_refused() -> None:
    assert "line 2: name: a profile needs a name" in _problem("id: a\nname: {}\n")


def test_export_shares_over_100_percent_are_refused_with_the_sum() -> None:
    text = """\
id: a
name: {en: A}
destinations: [{country: US, export_share: 0.8}, {country: DE, export_share: 0.5}]
"""
    assert "line 3: destinations: export shares add up to 130%, more than 100%" in _problem(text)


def test_a_contact_must_be_an_address_a_phone_number_or_a_url() -> None:
    text = """\
id: a
name: {en: A}
contacts: ["mailto://ip@example.com", ip@example.com, +86 510 8000 0000, not a url]
"""
    assert "contacts.3: 'not a url' is not a contact" in _problem(text)
