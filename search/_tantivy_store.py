"""Generations, locks and open indexes of the tantivy backend (see ``search.tantivy_``).

Layout of the index directory::

    CURRENT             the live generation's name (replaced atomically: os.replace)
    write.lock          flock: one writer at a time, across threads and processes
    reindex.lock        flock: one rebuild at a time
    gen-<timestamp>/    one tantivy index per generation

tantivy allows one ``IndexWriter`` per index; every write takes ``write.lock`` first, so a
Celery worker, the CLI and the API may all write without meeting tantivy's own lock. Readers
never lock: they open the generation ``CURRENT`` names and reload when its ``meta.json``
changes (a commit) or when ``CURRENT`` names another generation (a reindex).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import tantivy

from search._tantivy_schema import build_schema, field_names, register_analyzers

POINTER = "CURRENT"
PREFIX = "gen-"


def open_index(path: Path) -> tantivy.Index:
    """Open (or create) the tantivy index in ``path`` with its analyzers registered.

    Raises:
        OSError, ValueError: tantivy cannot open or create it.
    """
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(build_schema(), path=str(path), reuse=True)
    register_analyzers(index)
    index.config_reader(reload_policy="Manual")
    return index


def new_generation_name() -> str:
    """A fresh generation name, ordered by creation time."""
    return f"{PREFIX}{datetime.now(UTC):%Y%m%d%H%M%S%f}-{os.getpid()}"


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (blocks; released on exit or process death)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Generations:
    """The generations under one root directory and the pointer to the live one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._pointer = str(root / POINTER)  # stat'ed by every search (a str: no pathlib)

    def live(self) -> str | None:
        """The live generation's name, or None before the first one exists."""
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except OSError:  # missing, or unreadable: writing will say why
            return None
        return name or None

    def pointer_stamp(self) -> tuple[int, int, int] | None:
        """Identifies the pointer file's current content, so that a search need not read it.

        ``switch`` replaces the file by another one, created while the old one still existed,
        so its inode differs from the one it replaces (whatever the times). A write in place
        (by hand) changes the modification time, or, within one tick of a coarse file system
        clock, only the size.
        """
        try:
            stat = os.stat(self._pointer)
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def switch(self, name: str) -> None:
        """Point ``CURRENT`` at ``name`` in one atomic rename (call under the write lock)."""
        temporary = self.root / f"{POINTER}.{os.getpid()}.{threading.get_ident()}"
        temporary.write_text(name + "\n", encoding="utf-8")
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / POINTER)

    def ensure_live(self) -> str:
        """The live generation, creating an empty first one if there is none (safe to race)."""
        name = self.live()
        if name:
            return name
        with self.write_lock():
            name = self.live()
            if name:
                return name
            name = new_generation_name()
            open_index(self.root / name)
            self.switch(name)
            return name

    def write_lock(self) -> AbstractContextManager[None]:
        """Held by every writer of the live generation, and by the switch."""
        return file_lock(self.root / "write.lock")

    def reindex_lock(self) -> AbstractContextManager[None]:
        """Held for a whole rebuild, so that two rebuilds never remove each other's work."""
        return file_lock(self.root / "reindex.lock")

    def remove_all_but(self, keep: str) -> list[str]:
        """Delete every generation directory except ``keep``; the names removed.

        Processes still reading a removed generation keep their open files (POSIX).
        """
        removed = []
        for path in sorted(self.root.glob(f"{PREFIX}*")):
            if path.name != keep and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        return removed


def schema_is_current(path: Path) -> bool:
    """Whether the index in ``path`` declares this version's fields (an index built by an
    earlier version cannot be opened with this schema and is rebuilt from the database).
    An unreadable ``meta.json`` counts as current: opening the index will say what is wrong."""
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        names = tuple(str(field["name"]) for field in meta["schema"])
    except (OSError, ValueError, KeyError, TypeError):
        return True
    return names == field_names()


@dataclass
class OpenReader:
    """An index opened for reading, what it was opened at, the pointer that named it, and the
    latest ``published_ts`` its searchers see (read once per reload, when first asked; see
    ``_tantivy_paging.page``).
    """

    name: str
    index: tantivy.Index
    meta: str  # the path of its meta.json
    meta_stamp: tuple[int, int, int] | None = None
    pointer: tuple[int, int, int] | None = None  # ``Generations.pointer_stamp`` when read
    newest: int | None = None
    newest_read: bool = False


def meta_stamp(meta: str) -> tuple[int, int, int] | None:
    """Identifies a generation's last commit from its ``meta.json`` (rewritten by each
    commit; a str path, as every search stats it)."""
    try:
        stat = os.stat(meta)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size
