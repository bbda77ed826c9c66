"""Enterprise profiles: one or many per file, and errors that name the field and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

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
