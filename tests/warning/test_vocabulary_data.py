"""Core owns the vocabulary data profiles are validated with; the stages that also use it agree."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core import jurisdiction_data
from core.profile_codes import VocabularyError, asset_jurisdiction, chain_id, destination_country
from tagger.taxonomy import chain_ids as taxonomy_chain_ids
from warning import jurisdictions

_STAGES = ("tagger", "warning", "search", "reports", "api", "crawlers")


def test_profile_validation_loads_no_package_above_core() -> None:
    """Validating a profile's every vocabulary imports nothing from the stages above core."""
    code = (
        "import sys\n"
        "from core.types import EnterpriseProfile\n"
        "EnterpriseProfile.model_validate({'id': 'x', 'name': {'en': 'X'}, 'chains': ['l1'],\n"
        "    'destinations': [{'country': 'Germany'}, {'country': 'UK'}],\n"
        "    'ip_assets': [{'type': '商标', 'jurisdiction': 'em'}]})\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {_STAGES!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_core_chain_ids_are_the_taxonomy_chains_in_its_order() -> None:
    assert list(jurisdiction_data.chain_ids()) == taxonomy_chain_ids()


def test_warning_reads_the_nesting_core_owns() -> None:
    assert jurisdictions.jurisdiction_groups() == jurisdiction_data.jurisdiction_groups()
    assert jurisdictions.asset_offices() == jurisdiction_data.asset_offices()
    assert set(jurisdiction_data.market_groups()) <= set(jurisdictions.jurisdiction_groups())


def test_the_vocabularies_behave_as_before_the_move() -> None:
    assert chain_id("b5-1") == "B5-1"
    assert asset_jurisdiction("ep") == "EP" and asset_jurisdiction("欧盟") == "EU"
    assert destination_country("Germany") == "DE"
    with pytest.raises(VocabularyError, match="valid chains: L1, L2"):
        chain_id("XX9")


def test_a_trade_bloc_member_lost_to_yaml_booleans_is_refused_when_loaded() -> None:
    text = "groups: {EU: [DE]}\ntrade_blocs:\n  EFTA: {members: [CH, NO]}\n"
    with pytest.raises(ValueError, match=r"trade_blocs.EFTA: False is not a jurisdiction code"):
        jurisdiction_data.parse_nesting(text)
    with pytest.raises(ValueError, match="market_groups: 'ASEAN' is not one of the groups"):
        jurisdiction_data.parse_nesting("groups: {EU: [DE]}\nmarket_groups: [ASEAN]\n")


def test_a_malformed_chain_list_is_refused() -> None:
    with pytest.raises(ValueError, match="listed twice: L1"):
        jurisdiction_data.parse_chain_ids("a: [L1, L2]\nb: [L1]\n")
    with pytest.raises(ValueError, match="'l 1' is not a chain id"):
        jurisdiction_data.parse_chain_ids("a: [l 1]\n")
