"""The taxonomy files: complete, consistent, versioned."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tagger import taxonomy as taxonomy_module
from tagger.taxonomy import (
    TaxonomyError,
    chain_ids,
    load_taxonomy,
    load_taxonomy_from,
)
from tagger.taxonomy._load import TAXONOMY_DIR

CHAINS_465 = [
    "L1",
    "L2",
    "L3",
    "L4",
    "A1",
    "A2",
    "A3",
    "A4",
    "A5",
    "A6",
    "F1",
    "F2",
    "F3",
    "F4",
    "F5",
]
CHAINS_BINHU = [
    "B5-1",
    "B5-2",
    "B5-3",
    "B5-4",
    "B5-5",
    "B4-1",
    "B4-2",
    "B4-3",
    "B4-4",
    "B3-1",
    "B3-2",
    "B3-3",
]
IP_TYPES = {
    "patent",
    "trademark",
    "design",
    "copyright",
    "trade_secret",
    "sep",
    "utility_model",
    "gi",
    "plant_variety",
    "mask_work",
}


def test_every_465_and_binhu_chain_is_listed_with_names() -> None:
    assert chain_ids() == CHAINS_465 + CHAINS_BINHU
    for chain in load_taxonomy().chains:
        assert chain.name.zh and chain.name.en, chain.id


def test_chain_names_serve_api_and_reports() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.chain("L3").name.zh == "生物医药"
    assert taxonomy.chain("B4-1").name.en == "Digital film and TV"
    with pytest.raises(KeyError):
        taxonomy.chain("Z9")


def test_crosswalk_follows_the_domain_seed() -> None:
    walk = {k: v.targets for k, v in load_taxonomy().binhu_to_465.items()}
    assert walk == {
        "B5-1": ["L3"],
        "B5-2": ["L2"],
        "B5-3": ["L4"],
        "B5-4": ["A6", "L1"],
        "B4-2": ["A1"],
        "B4-3": ["A3"],
        "B3-1": ["F1"],
        "B3-2": ["F2"],
        "B3-3": ["A1", "F1"],
    }
    assert load_taxonomy().binhu_equivalents() == {
        "L3": "B5-1",
        "L2": "B5-2",
        "L4": "B5-3",
        "A3": "B4-3",
        "F2": "B3-2",
    }


def test_ip_types_kinds_and_signals_are_complete() -> None:
    taxonomy = load_taxonomy()
    assert {t.id for t in taxonomy.ip_types} == IP_TYPES
    assert {k.id.value for k in taxonomy.kinds} == {
        "rule_change",
        "dispute",
        "decision",
        "enforcement",
        "report",
        "news",
    }
    assert {
        "complaint_filed",
        "institution",
        "tro",
        "preliminary_injunction",
        "exclusion_order",
        "final_determination",
        "initial_determination",
        "default_judgment",
        "customs_detention",
    } <= {s.id for s in taxonomy.signals}


def test_key_destinations_have_chinese_names() -> None:
    juris = load_taxonomy().jurisdictions
    for code, name in [
        ("US", "美国"),
        ("EU", "欧盟"),
        ("DE", "德国"),
        ("GB", "英国"),
        ("JP", "日本"),
        ("KR", "韩国"),
        ("IN", "印度"),
        ("VN", "越南"),
        ("TH", "泰国"),
        ("ID", "印尼"),
        ("MY", "马来西亚"),
        ("SG", "新加坡"),
        ("PH", "菲律宾"),
        ("KH", "柬埔寨"),
        ("MM", "缅甸"),
        ("BR", "巴西"),
        ("MX", "墨西哥"),
        ("CO", "哥伦比亚"),
        ("CL", "智利"),
        ("AE", "阿联酋"),
        ("SA", "沙特"),
        ("TR", "土耳其"),
        ("RU", "俄罗斯"),
        ("FR", "法国"),
        ("IT", "意大利"),
        ("NL", "荷兰"),
        ("ES", "西班牙"),
        ("CA", "加拿大"),
        ("AU", "澳大利亚"),
        ("CN", "中国"),
    ]:
        assert name in juris[code].zh, code
    assert {"UPC", "EPO", "EUIPO", "WIPO"} <= set(juris)


def test_taxonomy_version_is_exposed() -> None:
    assert load_taxonomy().version == taxonomy_module.TAXONOMY_VERSION
    with pytest.raises(AttributeError):
        _ = taxonomy_module.NOT_A_THING  # type: ignore[attr-defined]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "taxonomy"
    shutil.copytree(TAXONOMY_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def test_files_that_disagree_on_the_version_fail_loudly(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "signals.yml"
    path.write_text(
        re.sub(r'(?m)^version: ".*"$', 'version: "9.9.9"', path.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match="disagree on the version"):
        load_taxonomy_from(directory)


def test_a_typo_in_a_chain_fails_loudly(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "chains_465.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    ipc: [G16Y,", "    ipcs: [G16Y,"),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="ipcs"):
        load_taxonomy_from(directory)


def test_an_equivalent_mapping_must_be_one_to_one(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "chains_binhu.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "B3-1: {targets: [F1]}", "B3-1: {targets: [F1], equivalent: true}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match="one-to-one"):
        load_taxonomy_from(directory)
