"""Exporting "40% to the EU": a market group in a profile, as alerts and health checks read it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.types import EnterpriseProfile
from tests.warning.cases import AS_OF, item
from tests.warning.test_cli import iprwatch
from warning.engine import evaluate_items
from warning.health import run_health_check
from warning.jurisdictions import concerned_destinations
from warning.profiles import ProfileError, parse_profiles

EU_EXPORTER = """\
id: eu-exporter
name: {zh: 无锡欧贸网络设备有限公司, en: Wuxi Eurotrade Network Equipment}
chains: [L1]
destinations: [{country: 欧盟, export_share: 0.4}, {country: US, export_share: 0.3}]
ip_assets:
  - {type: trademark, jurisdiction: EM, status: registered}
  - {type: patent, jurisdiction: FR, status: granted}
"""


def _profile(text: str = EU_EXPORTER) -> EnterpriseProfile:
    (profile,) = parse_profiles(text, "p.yml")
    return profile


def _problem(text: str) -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profiles(text, "p.yml")
    return str(caught.value)


@pytest.mark.parametrize("written", ["EU", "eu", "欧盟", "European Union"])
def test_the_eu_is_an_export_market_kept_as_written_with_its_share(written: str) -> None:
    text = f"id: x\nname: {{en: X}}\ndestinations: [{{country: {written}, export_share: 0.4}}]\n"
    (profile,) = parse_profiles(text, "p.yml")
    assert [(d.country, d.export_share) for d in profile.destinations] == [("EU", 0.4)]


def test_the_eu_share_counts_towards_the_whole_like_any_other() -> None:
    message = _problem(
        "id: x\nname: {en: X}\ndestinations:\n"
        "  - {country: EU, export_share: 0.7}\n  - {country: US, export_share: 0.4}\n"
    )
    assert "export shares add up to 110%, more than 100%" in message


@pytest.mark.parametrize("office", ["UPC", "EPO", "EUIPO", "WIPO"])
def test_an_office_or_court_is_refused_as_a_market_with_what_to_write(office: str) -> None:
    message = _problem(f"id: x\nname: {{en: X}}\ndestinations: [{{country: {office}}}]\n")
    assert f"destinations.0.country: '{office}' is an IP office or court system" in message
    assert "(e.g. DE, FR), or EU for the whole group" in message


@pytest.mark.parametrize(
    ("written", "members"),
    [("ASEAN", "BN, KH, ID, LA, MY, MM, PH, SG, TH, VN"), ("东盟", "BN, KH"), ("gcc", "AE, BH")],
)
def test_a_trade_bloc_is_refused_naming_the_members_to_list(written: str, members: str) -> None:
    message = _problem(f"id: x\nname: {{en: X}}\ndestinations: [{{country: {written}}}]\n")
    assert f"'{written}'" in message and "is a trade bloc, not one market" in message
    assert f"each with its own share: {members}" in message


def test_items_from_member_states_and_eu_systems_reach_an_eu_exporter_through_warn(
    tmp_path: Path,
) -> None:
    """The contract command, with untagged items: each names its jurisdiction."""
    profiles = tmp_path / "profiles.yml"
    profiles.write_text(EU_EXPORTER, encoding="utf-8")
    lines = [
        {
            "id": f"suit-{code}",
            "title": f"Patent infringement suit over network switches ({code})",
            "summary": "A patent owner sued a maker of Ethernet switches for patent infringement.",
            "language": "en",
            "published_at": "2025-03-03T00:00:00Z",
            "kind": "dispute",
            "jurisdictions": [code],
        }
        for code in ("DE", "FR", "EU", "EUIPO", "UPC", "GB", "CH", "JP")
    ]
    items = tmp_path / "items.jsonl"
    items.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    result = iprwatch(
        "warn", "--profiles", str(profiles), "--items", str(items), "--as-of", "2025-03-10",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    alerts = [json.loads(line) for line in result.stdout.splitlines()]
    by_item: dict[str, dict[str, str]] = {}
    for alert in alerts:
        by_item.setdefault(alert["item_id"], {})[alert["rule_id"]] = alert["explanation"]
    assert set(by_item) == {f"suit-{c}" for c in ("DE", "FR", "EU", "EUIPO", "UPC")}
    in_market = {i: rules["dispute_in_market_chain"] for i, rules in by_item.items() if
                 "dispute_in_market_chain" in rules}  # fmt: skip
    assert "your export market (Germany)" in in_market["suit-DE"]
    assert "your export market (European Union)" in in_market["suit-EU"]  # the group, not 27 codes
    assert "your export market (European Union)" in in_market["suit-EUIPO"]
    # a French patent: no patent gap in France, one in Germany
    assert "portfolio_gap_patent" in by_item["suit-DE"]
    assert "portfolio_gap_patent" not in by_item["suit-FR"]


def test_a_german_court_injunction_reaches_an_eu_exporter() -> None:
    injunction = item(
        "Landgericht München I grants injunction against network switch importer",
        jurisdictions=("DE",),
    )
    alerts = evaluate_items([injunction], [_profile()], AS_OF)
    german = [a for a in alerts if a.rule_id == "german_injunction_in_chain"]
    assert len(german) == 1
    assert german[0].explanation["matched"]["markets"] == ["DE"]


def test_a_member_state_listed_on_its_own_keeps_its_share_and_the_eu_the_others() -> None:
    profile = _profile(
        "id: x\nname: {en: X}\nchains: [L1]\ndestinations:\n"
        "  - {country: DE, export_share: 0.25}\n  - {country: EU, export_share: 0.15}\n"
    )
    suit = item("Patent suit over Ethernet switches in Munich", jurisdictions=("DE",))
    alert = next(
        a for a in evaluate_items([suit], [profile], AS_OF) if a.rule_id == "portfolio_gap_patent"
    )
    assert alert.explanation["matched"]["markets"] == ["DE"]
    assert "Germany (25% of exports)" in alert.explanation["en"]


def test_health_check_covers_the_eu_in_proportion_to_its_member_states() -> None:
    result = run_health_check(_profile(), [], AS_OF)
    d3 = next(d for d in result.dimensions if d.id == "D3")
    eu = next(e for e in d3.evidence if e.source == "profile.destinations.EU")
    assert eu.text.en == (
        "European Union (40% of exports): patent in 1 of 27 member states (none in the other 26), "
        "trade mark yes"
    )
    assert eu.text.zh == "欧盟（占出口40%）：专利27个成员国中1个有，商标有"
    # EU 0.4: the EU trade mark (half) and France's patent (half of 1/27); US 0.3: nothing
    assert d3.score == pytest.approx(100 * 0.4 * (0.5 + 0.5 / 27) / 0.7, abs=0.1)


def test_a_risk_in_a_member_state_weighs_as_the_eu_share() -> None:
    injunction = item(
        "Landgericht München I grants injunction against network switch importer",
        jurisdictions=("DE",),
    )
    result = run_health_check(_profile(), [injunction], AS_OF)
    german = next(r for r in result.top_risks if r.market == "DE")
    assert german.impact == 5  # the EU's 40%, as a German exporter's 40% would weigh


def test_the_nesting_reads_an_eu_destination_as_its_member_states() -> None:
    assert concerned_destinations(["UPC"], ["EU", "GB"]) == ["EU"]
    assert concerned_destinations(["EPO"], ["EU", "CH"]) == ["EU", "CH"]
    assert concerned_destinations(["DE"], ["EU"]) == ["EU"]
    assert concerned_destinations(["GB"], ["EU"]) == []
