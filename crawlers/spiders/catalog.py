"""One Scrapy spider class per source, generated from its YAML and named by its id.

``SPIDER_MODULES`` points here, so ``scrapy list`` shows the source ids and
``scrapy crawl <source_id>`` runs one. A ``spider: custom`` source's class subclasses the one
spider class its ``spider.py`` defines; the others subclass the generic spider they name.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from functools import cache
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from crawlers.config import SourceConfig
from crawlers.errors import SourceConfigError
from crawlers.registry import (
    SOURCES_DIR,
    describe_validation_error,
    get_source,
    load_sources,
    source_dir,
)
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.json_api import JsonApiSpider
from crawlers.spiders.listing import ListingSpider

GENERIC_SPIDERS: dict[str, type[SourceSpider]] = {
    "feed": FeedSpider,
    "json_api": JsonApiSpider,
    "listing": ListingSpider,
}
SPIDER_FILE = "spider.py"


@cache
def spider_class(source_id: str) -> type[SourceSpider]:
    """The spider class of a source (built once per process).

    Raises:
        UnknownSourceError: When no source has this id.
        SourceConfigError: When its ``spider.py`` or ``options:`` are invalid.
    """
    return build_spider_class(get_source(source_id))


def build_spider_class(config: SourceConfig) -> type[SourceSpider]:
    """A new spider class for a source: its base class plus the source's attributes."""
    base = base_spider_class(config)
    _check_options(config, base)
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"{config.title.en} ({config.publisher}).",
        "name": config.id,
        "source": config,
        "start_urls": list(config.start_urls),
        "custom_settings": politeness_settings(config),
    }
    return type(class_name(config.id), (base,), attrs)


def base_spider_class(config: SourceConfig) -> type[SourceSpider]:
    """The class a source's spider subclasses: generic, or the one in its ``spider.py``."""
    has_module = (source_dir(config.id) / SPIDER_FILE).is_file()
    if config.spider != "custom":
        if has_module:
            raise SourceConfigError(
                f"{config.id}: has {SPIDER_FILE} but says spider: {config.spider}; "
                "say spider: custom to use it"
            )
        return GENERIC_SPIDERS[config.spider]
    if not has_module:
        raise SourceConfigError(f"{config.id}: spider: custom needs {SPIDER_FILE} in its folder")
    return _custom_spider_class(config.id)


def politeness_settings(config: SourceConfig) -> dict[str, Any]:
    """Scrapy settings for a source's politeness overrides (pace and body size cap).

    A per-crawl override (``crawlers.runner.crawl(settings=...)``) still takes precedence.
    """
    settings: dict[str, Any] = {}
    if config.politeness.download_delay is not None:
        settings["DOWNLOAD_DELAY"] = config.politeness.download_delay
        settings["AUTOTHROTTLE_START_DELAY"] = config.politeness.download_delay
    if config.politeness.concurrent_requests is not None:
        settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = config.politeness.concurrent_requests
    if config.politeness.max_body_bytes is not None:
        settings["DOWNLOAD_MAXSIZE"] = config.politeness.max_body_bytes
        settings["DOWNLOAD_WARNSIZE"] = config.politeness.max_body_bytes // 2
    return settings


def class_name(source_id: str) -> str:
    """``federal_register`` → ``FederalRegisterSpider``."""
    return "".join(part.capitalize() for part in source_id.split("_")) + "Spider"


def _custom_spider_class(source_id: str) -> type[SourceSpider]:
    module = _spider_module(source_id)
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, SourceSpider)
        and obj.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise SourceConfigError(
            f"{module.__file__}: defines {len(found)} SourceSpider subclasses; expected exactly 1"
        )
    return found[0]


def _spider_module(source_id: str) -> ModuleType:
    """A source's ``spider.py``: a package module in ``crawlers/sources``, else its file."""
    path = source_dir(source_id) / SPIDER_FILE
    if path.parent.parent.resolve() == SOURCES_DIR.resolve():
        return importlib.import_module(f"crawlers.sources.{source_id}.spider")
    name = f"iprwatch_sources.{source_id}.spider"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SourceConfigError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up by name
    spec.loader.exec_module(module)
    return module


def _check_options(config: SourceConfig, base: type[SourceSpider]) -> None:
    try:
        base.options_model.model_validate(config.options)
    except ValidationError as exc:
        raise SourceConfigError(f"{config.id}: options: {describe_validation_error(exc)}") from None
    if issubclass(base, ListingSpider) and config.listing is None:
        raise SourceConfigError(f"{config.id}: a listing spider needs listing: options")


def _register_all() -> None:
    for source_id in load_sources():
        cls = spider_class(source_id)
        globals()[cls.__name__] = cls


_register_all()
