"""Spiders: the shared base with named hooks, the generic feed and JSON API spiders, and the
catalog that makes one spider class per source (named by source id) from its YAML."""
