"""The files in deploy/ that operators copy to their hosts: the systemd units are valid for systemd, and the
example environment names every setting Timbre reads."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from timbre.config import Settings
from timbre.invoices.stamping import PacSettings
from timbre.kit.storage import S3Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


class TestUnits:
    @pytest.mark.parametrize("unit", ["timbre-api@.service", "timbre-worker@.service"])
    def test_systemd_accepts_the_unit(self, unit: str, tmp_path: Path) -> None:
        if shutil.which("systemd-analyze") is None:
            pytest.skip("systemd-analyze is not installed")
        text = (DEPLOY / "systemd" / unit).read_text()
        # The unit as installed, but pointing at this checkout's venv (verify wants the executable to exist).
        (tmp_path / unit).write_text(text.replace("/opt/timbre/.venv/bin/timbre", str(ROOT / ".venv/bin/timbre")))
        instance = unit.replace("@.", "@8000.")
        done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / instance)],
                              capture_output=True, text=True, check=False, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip() == ""

    def test_workers_stop_gracefully(self) -> None:
        """Huey finishes running jobs on SIGINT; SIGTERM would abandon them."""
        assert "KillSignal=SIGINT" in (DEPLOY / "systemd" / "timbre-worker@.service").read_text()


class TestEnvironmentExample:
    def _names(self) -> set[str]:
        text = (DEPLOY / "timbre.env.example").read_text()
        return set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", text, re.M))

    @staticmethod
    def _settings(model: type[BaseSettings]) -> set[str]:
        prefix = str(model.model_config.get("env_prefix", ""))
        return {f"{prefix}{name}".upper() for name in model.model_fields}

    def test_every_setting_is_named(self) -> None:
        wanted = self._settings(Settings) | self._settings(S3Settings) | self._settings(PacSettings) | \
            {"TIMBRE_STORAGE", "FORWARDED_ALLOW_IPS"}
        wanted -= {"TIMBRE_INPROCESS_JOBS"}  # does not apply with Redis (the example says so)
        assert wanted - self._names() == set()

    def test_it_names_nothing_timbre_does_not_read(self) -> None:
        known = self._settings(Settings) | self._settings(S3Settings) | self._settings(PacSettings) | \
            {"TIMBRE_STORAGE", "FORWARDED_ALLOW_IPS"}
        assert self._names() - known == set()

    def test_sh_reads_it_as_systemd_does(self) -> None:
        """Values with spaces or `;` are quoted: `set -a; . FILE` gives the same values systemd does."""
        done = subprocess.run(["bash", "-c", f"set -a; . {DEPLOY / 'timbre.env.example'}; set +a; "
                               "printf '%s\\n' \"$TIMBRE_SMTP_FROM\" \"$TIMBRE_RATE_LIMIT_KEY\""],
                              capture_output=True, text=True, check=True)
        assert done.stdout.splitlines() == ["Facturas <facturas@example.com>", "2000/second;100000/minute"]
