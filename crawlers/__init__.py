"""Crawlers: sources (YAML + thin spiders), normalisation to items, crawl runs, replay.

Entry points (each module imports Scrapy only when it needs it):

- ``crawlers.registry``: ``load_sources``, ``get_source``;
- ``crawlers.runner``: ``crawl``, ``crawl_in_subprocess`` (no database);
- ``crawlers.pipeline``: ``run_and_store`` (crawl, store, record the run and health);
- ``crawlers.store``: ``store_items``, ``upsert_source``;
- ``crawlers.errors``: ``ReplayError``, ``UnknownSourceError`` and the rest of the hierarchy.
"""
