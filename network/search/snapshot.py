"""Copying the live search index for a backup, and putting a copy back, at the level of files.

The index root holds CURRENT, which names the live index folder (see backend.SearchIndex). Inside it the
engine writes each segment once and never changes it; a commit writes a new table of contents
("_<name>_<generation>.toc", written under a temporary name and renamed) and only then deletes the
segments and older tables of contents it no longer needs. So a copy is consistent when every file
present at the time the newest table of contents was listed is copied, the table of contents last:
if a commit deletes one of them first, the copy starts again. Whatever the layout, a copy counts only
once it opens (SearchIndex.readable()), and the caller falls back to a rebuild from the database.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from network.search.backend import SearchIndex

_TOC = re.compile(r"^_(?P<name>.+)_(?P<generation>\d+)\.toc$")
_NEVER_COPIED = re.compile(r"(_WRITELOCK$|\.toc\.[0-9.]+$|^\.)")  # locks, half-written tables of contents
ATTEMPTS = 20


class SnapshotError(RuntimeError):
    """The live index changed under every attempt, or its copy does not open."""


def live_folder(root: Path) -> Path | None:
    try:
        name = (Path(root) / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    folder = Path(root) / name if name else None
    return folder if folder is not None and folder.is_dir() else None


def copy_live_index(root: Path, dest_root: Path, attempts: int = ATTEMPTS) -> str | None:
    """Copy the live index folder of `root` into `dest_root/<same name>` with its own CURRENT; return
    the folder's name, or None when there is no index to copy. Safe while the indexer commits."""
    dest_root = Path(dest_root)
    for attempt in range(attempts):
        source = live_folder(root)
        if source is None:
            return None
        target = dest_root / source.name
        shutil.rmtree(dest_root, ignore_errors=True)
        target.mkdir(parents=True)
        if _copy_once(source, target):
            (dest_root / "CURRENT").write_text(source.name)
            if SearchIndex(dest_root).readable():
                return source.name
        time.sleep(min(0.05 * (attempt + 1), 0.5))
    shutil.rmtree(dest_root, ignore_errors=True)
    raise SnapshotError(f"could not take a consistent copy of the search index at {root} "
                        f"in {attempts} attempts (it kept changing, or the copy does not open)")


def _copy_once(source: Path, target: Path) -> bool:
    # One listing for both: every segment the newest table of contents in it names is in it too (a
    # commit removes segments only after writing its newer table of contents).
    names = _listing(source)
    if names is None:
        return False
    newest = _newest_tables(names)
    vanished = False
    for name in names:
        if _NEVER_COPIED.search(name) or _TOC.match(name):
            continue
        try:
            shutil.copy2(source / name, target / name)
        except FileNotFoundError:  # a commit or a writer removed it after the listing
            vanished = True
        except IsADirectoryError:
            continue
    try:
        for name in sorted(newest):  # the tables of contents last: they name the segments
            shutil.copy2(source / name, target / name)
    except FileNotFoundError:
        return False
    # A segment named by the copied table of contents is deleted only after a newer one is written: if
    # none was, whatever vanished was not part of it.
    return not vanished or _newest_tables(_listing(source) or []) == newest


def _listing(folder: Path) -> list[str] | None:
    try:
        return sorted(os.listdir(folder))
    except FileNotFoundError:  # a rebuild swapped and removed the folder: read CURRENT again
        return None


def _newest_tables(names: list[str]) -> set[str]:
    tables: dict[str, tuple[int, str]] = {}
    for name in names:
        match = _TOC.match(name)
        if match:
            found = (int(match["generation"]), name)
            tables[match["name"]] = max(tables.get(match["name"], found), found)
    return {name for _generation, name in tables.values()}


def restore_index(source_root: Path, index: SearchIndex) -> bool:
    """Make a copy written by copy_live_index() the live index of `index`; False (nothing changed) when
    the copy is missing or does not open."""
    source = live_folder(source_root)
    if source is None or not SearchIndex(source_root).readable():
        return False
    folder = index.new_folder()
    for path in source.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    index.close()
    index.swap_to(folder)
    return index.readable()
