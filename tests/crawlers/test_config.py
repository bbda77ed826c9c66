"""Sources are found by folder and validated strictly: typos fail loudly, naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawlers.config import SourceConfig
from crawlers.errors import SourceConfigError, UnknownSourceError
from crawlers.registry import SOURCES_DIR, get_source, load_sources, read_source_file

VALID = {
    "id": "example_feed",
    "title": {"zh": "示例", "en": "Example"},
    "publisher": "Example Office",
    "jurisdictions": ["US", "EU"],
    "language": "en",
    "start_urls": ["https://example.org/feed/"],
    "spider": "feed",
    "schedule": "daily",
    "kind": "news",
    "expected": {"min_items": 1, "max_items": 50},
}


def write_source(root: Path, data: dict[str, object], folder: str | None = None) -> Path:
    path = root / (folder or str(data["id"])) / "source.yml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_sources_are_found_by_scanning_their_folders() -> None:
    sources = load_sources()
    folders = sorted(p.parent.name for p in SOURCES_DIR.glob("*/source.yml"))
    assert list(sources) == folders
    assert len(folders) >= 15
    assert sources["federal_register"].jurisdictions == ["US"]


def test_a_new_folder_is_a_new_source(tmp_path: Path) -> None:
    write_source(tmp_path, VALID)
    assert list(load_sources(tmp_path)) == ["example_feed"]


def test_unknown_source_error_lists_the_known_ids() -> None:
    with pytest.raises(UnknownSourceError) as caught:
        get_source("no_such_source")
    message = str(caught.value)
    assert "no_such_source" in message
    assert "cafc_opinions" in message and "federal_register" in message
    assert isinstance(caught.value, LookupError)


def test_yaml_typo_fails_naming_the_file_and_the_field(tmp_path: Path) -> None:
    data = {**VALID, "titel": VALID["title"]}
    path = write_source(tmp_path, data)
    with pytest.raises(SourceConfigError) as caught:
        read_source_file(path)
    assert str(path) in str(caught.value)
    assert "titel: Extra inputs are not permitted" in str(caught.value)


def test_typo_in_a_nested_section_names_the_path(tmp_path: Path) -> None:
    path = write_source(tmp_path, {**VALID, "expected": {"min_itmes": 1, "max_items": 5}})
    with pytest.raises(SourceConfigError, match=r"expected\.min_itmes"):
        read_source_file(path)


def test_id_must_equal_folder_name(tmp_path: Path) -> None:
    path = write_source(tmp_path, VALID, folder="other_name")
    with pytest.raises(SourceConfigError, match="differs from its folder name 'other_name'"):
        read_source_file(path)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("jurisdictions", ["UK"], "'UK' is neither an ISO 3166 alpha-2 code"),
        ("language", "english", "not a language tag"),
        ("schedule", "every morning", "five-field cron"),
        ("schedule", "61 * * * *", "outside 0-59"),
        ("spider", "html", "spider"),
        ("kind", "gossip", "kind"),
        ("start_urls", ["ftp://example.org/x"], "not an http(s) URL"),
        ("ip_types", ["patents"], "ip_types"),
        ("politeness", {"download_delay": 0.2}, "download_delay"),
        ("politeness", {"max_body_bytes": 1000}, "max_body_bytes"),
        ("politeness", {"max_body_bytes": 10**9}, "max_body_bytes"),
        ("politeness", {"max_body_bytes": "big"}, "max_body_bytes"),
    ],
)
def test_invalid_values_are_rejected(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SourceConfig.model_validate({**VALID, field: value})


def test_schedules_read_as_crontab_fields() -> None:
    config = SourceConfig.model_validate({**VALID, "schedule": "30 6 * * 1-5"})
    assert config.crontab() == {
        "minute": "30",
        "hour": "6",
        "day_of_month": "*",
        "month_of_year": "*",
        "day_of_week": "1-5",
    }
    assert SourceConfig.model_validate(VALID).crontab()["hour"] == "3"


def test_generic_json_spider_needs_a_field_mapping() -> None:
    with pytest.raises(ValueError, match=r"needs json_api\.fields"):
        SourceConfig.model_validate({**VALID, "spider": "json_api"})


def test_custom_spider_options_are_validated_by_its_own_model() -> None:
    from crawlers.spiders.catalog import build_spider_class

    config = get_source("federal_register")
    typo = config.model_copy(update={"options": {"issue_agencie": ["x"]}})
    with pytest.raises(SourceConfigError, match="issue_agencie"):
        build_spider_class(typo)


def test_each_source_has_a_spider_class_named_by_its_id() -> None:
    from crawlers.spiders.catalog import spider_class
    from crawlers.spiders.feed import FeedSpider
    from crawlers.spiders.json_api import JsonApiSpider

    assert spider_class("cafc_opinions").name == "cafc_opinions"
    assert issubclass(spider_class("cafc_opinions"), FeedSpider)
    assert issubclass(spider_class("federal_register"), JsonApiSpider)
    assert spider_class("cafc_opinions").custom_settings == {}
    assert spider_class("upc_decisions").custom_settings["DOWNLOAD_DELAY"] >= 1.0


def test_a_source_may_raise_its_body_size_cap_for_the_downloader() -> None:
    from crawlers.spiders.catalog import spider_class

    settings = spider_class("federal_register").custom_settings
    assert settings["DOWNLOAD_MAXSIZE"] == 60 * 1024 * 1024, "GPO daily XML passes 10 MB"
    assert settings["DOWNLOAD_WARNSIZE"] == 30 * 1024 * 1024


CUSTOM_SPIDER = """
from crawlers.spiders.feed import FeedSpider


class ShoutingSpider(FeedSpider):
    def refine_item(self, item, entry, ctx):
        return item.model_copy(update={"title": item.title.upper()})
"""


def test_sources_dir_setting_points_at_another_folder_of_sources(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings
    from crawlers.runner import crawl_in_subprocess

    root = tmp_path / "my_sources"
    write_source(root, {**VALID, "id": "own_feed", "spider": "custom"})
    (root / "own_feed" / "spider.py").write_text(CUSTOM_SPIDER, encoding="utf-8")
    monkeypatch.setenv("IPRWATCH_SOURCES_DIR", str(root))
    get_settings.cache_clear()
    assert list(load_sources()) == ["own_feed"]
    feed = Path(__file__).resolve().parents[1] / "fixtures" / "euipo_news"
    outcome = crawl_in_subprocess("own_feed", feed / "euipo_news_rss_2025-06.xml")
    assert len(outcome.items) == 6 and not outcome.failed
    assert all(item.title == item.title.upper() for item in outcome.items), "its spider.py ran"
    assert {item.source for item in outcome.items} == {"own_feed"}
