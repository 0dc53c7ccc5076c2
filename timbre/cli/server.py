"""Run Timbre: the API server, the job consumers, the migrations."""

from __future__ import annotations

import click

from timbre.cli.common import observe, prepare, public_url
from timbre.config import get_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes")
def serve(host: str, port: int, workers: int) -> None:
    """Run the API (in embedded mode also the job consumer); applies pending migrations first. Without
    TIMBRE_PUBLIC_URL, links point to this host and port."""
    import os

    import uvicorn

    from timbre.kit.logs import logging_config
    from timbre.migrate import upgrade

    if not os.environ.get("TIMBRE_PUBLIC_URL"):
        # Inherited by uvicorn's worker processes, which build their own settings.
        os.environ["TIMBRE_PUBLIC_URL"] = public_url(host, port)
        get_settings.cache_clear()
    settings = get_settings()
    prepare(settings)
    observe(settings)
    upgrade(settings.db_url)
    uvicorn.run("timbre.app:create_server_app", factory=True, host=host, port=port, workers=workers,
                log_level=settings.log_level, proxy_headers=True,
                log_config=logging_config(settings.log_level, settings.log_format))


@click.command()
@click.option("--workers", default=4, show_default=True, type=int, help="Consumer threads")
def worker(workers: int) -> None:
    """Run job consumers (Redis mode: `TIMBRE_REDIS_URL`)."""
    settings = get_settings()
    prepare(settings)
    observe(settings)  # before the consumer's modules import prometheus-client
    from timbre.worker.consumer import run_forever

    if not settings.redis_url:
        click.echo("note: TIMBRE_REDIS_URL is not set; consuming the embedded SQLite queue", err=True)
    run_forever(workers)


@click.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from timbre.migrate import upgrade

    settings = get_settings()
    prepare(settings)
    upgrade(settings.db_url)
    click.echo("migrations applied")
