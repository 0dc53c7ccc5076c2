"""What the commands share: the data folder and secret, logs and metrics, the public URL of a server."""

from __future__ import annotations

from pathlib import Path

from timbre.config import Settings


def prepare(settings: Settings) -> None:
    """Create the data folder and the secret key (once), before a command touches either."""
    settings.prepare_data_dir()
    settings.secret()


def public_url(host: str, port: int) -> str:
    """The base of the links a server on host:port makes (a wildcard address is reached as 127.0.0.1)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104  # compared, not bound
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def observe(settings: Settings) -> None:
    """JSON logs, and Prometheus' multiprocess mode for this process and those it starts. prometheus-client
    chooses its mode when it is imported: the variable is set before `timbre.kit.metrics` (or anything that
    imports it) is, so that a single-process `timbre serve` or `timbre worker` writes its samples too."""
    import os

    from timbre.kit.private import private_dir

    # prometheus-client creates its files with the process's umask: owner-only, like everything in the data folder.
    os.umask(0o077)
    # It must exist before the import: unlabelled metrics create their files then.
    directory = private_dir(Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(settings.data_dir / "metrics"))))
    from timbre.kit import logs
    from timbre.kit.metrics import prepare_multiprocess_dir

    prepare_multiprocess_dir(directory)
    logs.configure(settings.log_level, settings.log_format)
