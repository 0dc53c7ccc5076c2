"""Folders and files only their owner may read: the data folder (0700), the databases and secrets in it (0600).

SQLite creates a database's `-wal` and `-shm` files with the database file's own permissions, so creating the
(empty) database file 0600 before SQLite opens it covers all three.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sqlalchemy.engine import make_url

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create the folder and its missing parents readable by their owner only; existing folders are left as
    they are."""
    missing = []
    current = path
    while not current.is_dir():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process created it first
            folder.mkdir(mode=DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create an empty file readable by its owner only, unless it exists (its folder is made private too)."""
    if not path.exists():
        private_dir(path.parent)
        with contextlib.suppress(FileExistsError):  # another process created it first
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    return path


def private_sqlite(url: str) -> None:
    """Create a SQLite database file 0600 before SQLite does (in-memory databases have none)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        private_file(Path(parsed.database))
