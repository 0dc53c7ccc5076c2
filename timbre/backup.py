"""`timbre backup DIR` / `timbre restore DIR` for the embedded default (SQLite, SQLite queue, local files).

The backup runs while the server serves. The database and the job queue are copied with SQLite's online
backup API (a consistent snapshot: in WAL mode writers go on meanwhile); the stored files are copied after
the database, so every file the snapshot refers to is there (files are written once, by rename, and any
written later are merely extra); the server secret comes along (stored private keys and signed links are
encrypted or signed with keys derived from it). A `manifest.json` lists every file with its SHA-256;
`restore` checks them all before it writes anything, and only into a data directory without a database.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from timbre import __version__
from timbre.config import Settings

DATABASE, QUEUE, SECRET, FILES, MANIFEST = "timbre.db", "jobs.db", "secret.key", "files", "manifest.json"


class BackupError(Exception):
    """The backup or restore cannot proceed; the message says why."""


@dataclass(frozen=True, slots=True)
class Summary:
    directory: str
    files: int
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {"directory": self.directory, "files": self.files, "bytes": self.bytes}


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stored_files(root: Path) -> list[Path]:
    # `.tmp-*` are LocalStorage's half-written files, renamed into place when complete.
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".tmp-")) if root.is_dir() \
        else []


def backup(settings: Settings, target: Path) -> Summary:
    if not settings.is_sqlite:
        raise BackupError("the database is not the embedded SQLite file: back PostgreSQL up with pg_dump "
                          "(and the bucket with its own tools)")
    data = settings.data_dir
    database = Path(settings.db_url.removeprefix("sqlite:///"))
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    target.mkdir(parents=True, exist_ok=True)
    started = time.time()
    _sqlite_copy(database, target / DATABASE)  # first: the snapshot every later copy must cover
    if (data / QUEUE).is_file():
        _sqlite_copy(data / QUEUE, target / QUEUE)
    (target / SECRET).write_text(settings.secret())
    (target / SECRET).chmod(0o600)
    for source in _stored_files(data / FILES):
        destination = target / FILES / source.relative_to(data / FILES)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    listed = {str(p.relative_to(target)): _sha256(p) for p in sorted(target.rglob("*")) if p.is_file()}
    manifest = {"format": 1, "timbre": __version__, "created_at": int(started), "files": listed}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Summary(str(target), len(listed), sum((target / name).stat().st_size for name in listed))


def _verified(source: Path) -> dict[str, str]:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        listed: dict[str, str] = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{source} is not a Timbre backup ({MANIFEST}: {exc})") from exc
    for name, digest in listed.items():
        path = source / name
        if ".." in Path(name).parts or not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{name} is missing or damaged in {source}")
    if DATABASE not in listed:
        raise BackupError(f"{source} has no database")
    return listed


def restore(settings: Settings, source: Path) -> Summary:
    """Into the configured data directory, which must hold no database (restore into a fresh one)."""
    if not settings.is_sqlite:
        raise BackupError("the configured database is not the embedded SQLite file")
    database = Path(settings.db_url.removeprefix("sqlite:///"))
    if database.exists() or (settings.data_dir / QUEUE).exists():
        raise BackupError(f"{settings.data_dir} already has a database: restore into a fresh data directory")
    listed = _verified(source)
    if settings.secret_key and settings.secret_key != (source / SECRET).read_text().strip():
        raise BackupError("TIMBRE_SECRET_KEY differs from the backup's secret: the restored keys and links would "
                          "not decrypt or verify (unset it, or set it to the backup's)")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for name in listed:
        destination = database if name == DATABASE else settings.data_dir / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, destination)
    (settings.data_dir / SECRET).chmod(0o600)
    return Summary(str(settings.data_dir), len(listed), sum((source / n).stat().st_size for n in listed))
