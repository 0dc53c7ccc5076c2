"""Settings from `TIMBRE_*` environment variables; secrets not given are generated once into the data dir."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict

from timbre.kit.private import private_dir, private_file


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIMBRE_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str | None = None
    redis_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    smtp_url: str | None = None
    smtp_from: str = "Timbre <no-reply@timbre.local>"
    secret_key: str | None = Field(default=None, repr=False)
    pac: str | None = None
    pac_username: str | None = Field(default=None, repr=False)
    pac_password: str | None = Field(default=None, repr=False)
    # Banxico SIE API token: with it, a daily job keeps the FIX exchange rates (timbre.rates).
    banxico_token: str | None = Field(default=None, repr=False)
    # Jobs run in the request's process unless Redis is configured (then `timbre worker` runs them).
    inprocess_jobs: bool = True
    log_level: str = "info"
    # Largest request body that is not a multipart upload (uploads have their own limits): a 413 beyond.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Webhook URLs resolving to private, loopback or link-local addresses: unset = allowed for test-mode
    # webhooks only (a developer points one at localhost), true = allowed for both modes, false = never.
    webhooks_allow_private: bool | None = None
    log_format: Literal["json", "text"] = "json"  # `timbre serve` / `timbre worker` log lines
    # Rate limits in the `limits` notation ("N/second;M/minute"; empty: none): per API key, and per client IP
    # for requests without a genuine key. Generous: they stop floods, not normal traffic or benchmarks.
    rate_limit_key: str = "2000/second;100000/minute"
    rate_limit_ip: str = "50/second;3000/minute"
    # The simulated SAT of test mode (timbre.satws): verifications before a download request finishes, documents
    # per package, lifetime requests of one query, downloads of one package. SAT's own values by default.
    sat_sim_steps: int = Field(default=2, ge=0)
    sat_sim_package_size: int = Field(default=200_000, ge=1)
    sat_sim_quota: int = Field(default=2, ge=1)
    sat_sim_downloads: int = Field(default=2, ge=1)
    # Seconds before a call to SAT's web services (live mode) gives up.
    sat_timeout: float = Field(default=30.0, gt=0)
    # SAT mirror downloads (timbre.satmirror): how long a run waits before asking SAT again about a request it
    # is still preparing, and how long a worker's hold on a run lasts without renewal (a killed worker's run is
    # resumed once it lapses).
    sat_poll_seconds: float = Field(default=60.0, gt=0)
    sat_lease_seconds: float = Field(default=120.0, gt=0)
    # Read once: every request needs them (a file read and a path resolution each time cost ~0.3 ms).
    _db_url: str | None = PrivateAttr(default=None)
    _secret: str | None = PrivateAttr(default=None)

    @property
    def db_url(self) -> str:
        if self._db_url is None:
            self._db_url = self.database_url or f"sqlite:///{(self.data_dir / 'timbre.db').resolve()}"
        return self._db_url

    def prepare_data_dir(self) -> Path:
        """The data folder, created readable by its owner only."""
        return private_dir(self.data_dir)

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    def secret(self) -> str:
        """The server secret: given, or generated once into `<data_dir>/secret.key` (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        if self._secret is None:
            self._secret = self._stored_secret()
        return self._secret

    def _stored_secret(self) -> str:
        path = self.data_dir / "secret.key"
        if not path.exists():
            tmp = private_file(path.with_suffix(f".{os.getpid()}.tmp"))  # 0600 before the secret is written
            tmp.write_text(secrets.token_urlsafe(48))
            try:
                # link() fails if another process won the race, so every process ends with the same secret.
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
