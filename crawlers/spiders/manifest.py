"""Replaying a crawl that follows links: a folder of saved pages and the URLs they answer.

A listing replay is a folder holding the saved pages and ``manifest.json``, one object that
maps each URL to the file holding its saved response::

    {
      "https://www.usitc.gov/news_releases": "listing_page0.html",
      "https://www.usitc.gov/press_room/news_release/2025/er0612_1.htm": "er0612_1.htm"
    }

The replay then runs as a live crawl would: from the source's start URLs, each URL it would
request (listing pages, next pages, article pages) read from the file the manifest names.
URLs are compared canonicalised (fragment dropped, query sorted), so the manifest may write
them as the site links them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from w3lib.url import canonicalize_url

from crawlers.checks import is_web_url
from crawlers.errors import ReplayError

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ReplayManifest:
    """The saved pages of a replay folder, by canonical URL."""

    folder: Path
    files: Mapping[str, Path]

    def path_for(self, url: str) -> Path | None:
        """The saved response of ``url``, if the replay holds one."""
        return self.files.get(canonicalize_url(url))


def load_manifest(replay_path: Path) -> ReplayManifest:
    """The manifest of a replay folder, every file it names checked to exist there.

    Raises:
        ReplayError: When the path is not a folder with a valid ``manifest.json``.
    """
    folder = replay_path.resolve()
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise ReplayError(
            str(replay_path), f"a listing replay is a folder holding {MANIFEST_NAME}; none found"
        )
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReplayError(str(path), f"unreadable: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise ReplayError(str(path), "expected a non-empty object mapping URLs to file names")
    files = {
        canonicalize_url(url): _saved_file(folder, path, url, name) for url, name in data.items()
    }
    return ReplayManifest(folder=folder, files=files)


def _saved_file(folder: Path, manifest: Path, url: str, name: Any) -> Path:
    if not is_web_url(url):
        raise ReplayError(str(manifest), f"{url!r} is not an http(s) URL")
    if not isinstance(name, str) or Path(name).name != name or name.startswith("."):
        raise ReplayError(str(manifest), f"{url}: {name!r} is not a file name in the folder")
    saved = folder / name
    if not saved.is_file():
        raise ReplayError(str(manifest), f"{url}: {name} does not exist")
    return saved
