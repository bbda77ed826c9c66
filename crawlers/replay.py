"""Replay: crawling saved responses instead of the network, through the same parse code.

A replay path is one saved response or a folder of them. In a folder, golden-test
companions (``*.expected.json``, ``*.origin.txt``) and hidden files are skipped.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from crawlers.errors import ReplayError

COMPANION_SUFFIXES: tuple[str, ...] = (".expected.json", ".origin.txt")


def is_companion(path: Path) -> bool:
    """Whether a file sits beside fixtures without being one (golden output, provenance)."""
    return path.name.startswith(".") or path.name.endswith(COMPANION_SUFFIXES)


def replay_files(path: Path) -> list[Path]:
    """The saved responses to replay, sorted by name.

    Raises:
        ReplayError: When the path does not exist or holds no saved response.
    """
    if path.is_file():
        return [path.resolve()]
    if not path.exists():
        raise ReplayError(str(path), "no such file or folder")
    if not path.is_dir():
        raise ReplayError(str(path), "neither a file nor a folder")
    files = sorted(p.resolve() for p in path.iterdir() if p.is_file() and not is_companion(p))
    if not files:
        raise ReplayError(str(path), "folder holds no saved responses")
    return files


def path_from_file_url(url: str) -> str:
    """The local path of a ``file://`` URL (other URLs are returned unchanged)."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        return url
    return unquote(parts.path)
