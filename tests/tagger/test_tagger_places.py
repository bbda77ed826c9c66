"""Chinese places: who is Chinese, and who is from Wuxi."""

from __future__ import annotations

import pytest

from tagger._parties import is_chinese_party
from tagger.places import resolve_place


@pytest.mark.parametrize(
    ("text", "province", "city"),
    [
        ("Wuxi, Jiangsu, China", "Jiangsu", "Wuxi"),
        ("江苏无锡", "Jiangsu", "Wuxi"),
        ("Jiangyin, Jiangsu", "Jiangsu", "Jiangyin"),
        ("宜兴", "Jiangsu", "Yixing"),
        ("No. 8 Example Road, Huizhou, Guangdong 516000, China", "Guangdong", "Huizhou"),
        ("Taizhou, Zhejiang", "Zhejiang", "Taizhou"),
        ("Hong Kong", "Hong Kong", None),
    ],
)
def test_places_resolve_to_province_and_city(text: str, province: str, city: str | None) -> None:
    place = resolve_place(text)
    assert place is not None and place.chinese
    assert (place.province, place.city) == (province, city)


def test_taiwan_and_foreign_places_are_not_chinese_parties() -> None:
    place = resolve_place("Taipei, Taiwan")
    assert place is not None and not place.chinese
    assert resolve_place("San Jose, California") is None
    assert resolve_place(None) is None


def test_party_nationality_from_location_name_or_script() -> None:
    assert is_chinese_party("Example Co.", "Shenzhen, Guangdong")
    assert is_chinese_party("Wuxi Sun Co., Ltd.", None)
    assert is_chinese_party("无锡某科技有限公司", None)
    assert not is_chinese_party("美国某电池公司", None)
    assert not is_chinese_party("Alpha Inc.", "Austin, Texas")
