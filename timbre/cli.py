"""The `timbre` command: serve, worker, migrate, bootstrap, keys, test-csd (a contract: see DESIGN.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from timbre.config import Settings, get_settings


def _prepare(settings: Settings) -> None:
    settings.prepare_data_dir()
    settings.secret()


def public_url(host: str, port: int) -> str:
    """The base of the links a server on host:port makes (a wildcard address is reached as 127.0.0.1)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104  # compared, not bound
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
def _observe(settings: Settings) -> None:
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


@click.group()
def main() -> None:
    """Timbre: self-hostable CFDI 4.0 invoicing API (gigstack API v2 wire format)."""


@main.command()
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
    _prepare(settings)
    _observe(settings)
    upgrade(settings.db_url)
    uvicorn.run("timbre.app:create_server_app", factory=True, host=host, port=port, workers=workers,
                log_level=settings.log_level, proxy_headers=True,
                log_config=logging_config(settings.log_level, settings.log_format))


@main.command()
@click.option("--workers", default=4, show_default=True, type=int, help="Consumer threads")
def worker(workers: int) -> None:
    """Run job consumers (Redis mode: `TIMBRE_REDIS_URL`)."""
    settings = get_settings()
    _prepare(settings)
    _observe(settings)  # before the consumer's modules import prometheus-client
    from timbre.worker.consumer import run_forever

    if not settings.redis_url:
        click.echo("note: TIMBRE_REDIS_URL is not set; consuming the embedded SQLite queue", err=True)
    run_forever(workers)


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from timbre.migrate import upgrade

    settings = get_settings()
    _prepare(settings)
    upgrade(settings.db_url)
    click.echo("migrations applied")


@main.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
def backup_command(directory: str) -> None:
    """Copy the embedded database, job queue, stored files and secret into DIRECTORY (new or empty), while the
    server runs: SQLite's online backup API takes a consistent snapshot."""
    from pathlib import Path

    from timbre.backup import BackupError, backup

    try:
        summary = backup(get_settings(), Path(directory))
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(json.dumps(summary.to_dict()))


@main.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def restore_command(directory: str) -> None:
    """Restore a `timbre backup` DIRECTORY into the data directory (which must have no database yet); every
    file is checked against the backup's manifest first. Start `timbre serve` afterwards."""
    from pathlib import Path

    from timbre.backup import BackupError, restore

    try:
        summary = restore(get_settings(), Path(directory))
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(json.dumps(summary.to_dict()))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object")
@click.option("--email", default="admin@timbre.local", show_default=True, help="Admin user's e-mail")
@click.option("--legal-name", default="Mi Empresa", show_default=True, help="Master team's legal name")
def bootstrap(as_json: bool, email: str, legal_name: str) -> None:
    """Create (once) a billing account, master team, admin user and a test and a live API key; print them."""
    from timbre.kit.db import session_scope
    from timbre.migrate import upgrade
    from timbre.teams.bootstrap import bootstrap as run_bootstrap

    settings = get_settings()
    _prepare(settings)
    upgrade(settings.db_url)
    with session_scope(settings.db_url) as session:
        result = run_bootstrap(session, settings.secret(), email=email, legal_name=legal_name)
    result["url"] = settings.public_url
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"Timbre is ready at {settings.public_url}  (docs: {settings.public_url}/docs)")
    click.echo(f"team:      {result['team_id']}")
    click.echo(f"user:      {result['user_id']}")
    click.echo(f"test key:  {result['api_keys']['test']}")
    click.echo(f"live key:  {result['api_keys']['live']}")


@main.group()
def keys() -> None:
    """Manage API keys."""


@keys.command("create")
@click.option("--team", "team_id", help="Team id (default: the master team)")
@click.option("--mode", type=click.Choice(["test", "live"]), default="test", show_default=True)
@click.option("--role", type=click.Choice(["admin", "editor", "viewer"]), default="admin", show_default=True)
@click.option("--name", default="", help="A label for the key")
def keys_create(team_id: str | None, mode: str, role: str, name: str) -> None:
    """Create an API key and print it (shown once)."""
    from sqlalchemy import select

    from timbre.apikeys.service import api_key
    from timbre.kit.db import session_scope
    from timbre.models import Team

    settings = get_settings()
    _prepare(settings)
    with session_scope(settings.db_url) as session:
        stmt = select(Team).where(Team.id == team_id) if team_id else \
            select(Team).where(Team.is_master.is_(True)).order_by(Team.created_at)
        team = session.scalars(stmt).first()
        if team is None:
            click.echo("error: team not found (run `timbre bootstrap` first?)", err=True)
            sys.exit(2)
        key, token = api_key.create(session, settings.secret(), team_id=team.id, livemode=mode == "live",
                                    role=role, name=name, created_by=team.owner_id)
        click.echo(json.dumps({"id": key.id, "team": team.id, "livemode": key.livemode, "role": role,
                               "key": token}))


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke an API key by its id (`key_test_…` / `key_live_…`)."""
    from timbre.apikeys.service import api_key
    from timbre.errors import NotFound
    from timbre.kit.db import session_scope

    settings = get_settings()
    try:
        with session_scope(settings.db_url) as session:
            api_key.revoke(session, key_id)
    except NotFound:
        click.echo(f"error: no API key {key_id}", err=True)
        sys.exit(2)
    click.echo(f"revoked {key_id}")


@keys.command("list")
@click.option("--team", "team_id", help="Team id (default: all)")
def keys_list(team_id: str | None) -> None:
    """List API keys (never the secrets)."""
    from sqlalchemy import select

    from timbre.apikeys.service import api_key
    from timbre.kit.db import session_scope
    from timbre.models import ApiKey

    settings = get_settings()
    with session_scope(settings.db_url) as session:
        stmt = select(ApiKey).order_by(ApiKey.created_at)
        if team_id:
            stmt = stmt.where(ApiKey.team_id == team_id)
        for key in session.scalars(stmt):
            click.echo(json.dumps(api_key.serialize(key)))


@main.command("test-csd")
@click.option("--rfc", required=True, help="The taxpayer's RFC (12 characters for a company, 13 for a person)")
@click.option("--name", required=True, help="The taxpayer's name as SAT writes it (e.g. ESCUELA KEMPER URGATE)")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write to")
def test_csd(rfc: str, name: str, out_dir: str) -> None:
    """Write a fresh test CSD (<RFC>.cer, <RFC>.key, <RFC>.password.txt) shaped like SAT's, issued by the
    Timbre Test CA and valid from today: accepted in test mode only, never in live mode."""
    import re
    from pathlib import Path

    from timbre.cfdi import testca

    rfc = rfc.strip().upper()
    if not re.fullmatch(r"[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}", rfc):
        click.echo(f"error: {rfc!r} is not an RFC (3-4 letters, 6 digits, 3 characters)", err=True)
        sys.exit(2)
    if not name.strip():
        click.echo("error: --name must not be empty", err=True)
        sys.exit(2)
    out = Path(out_dir)
    files = testca.make_test_csd(rfc, name.strip().upper(), out)
    password_file = out / f"{rfc}.password.txt"
    password_file.write_text(files.password + "\n")
    click.echo(json.dumps({"cer": str(out / f"{rfc}.cer"), "key": str(out / f"{rfc}.key"),
                           "password_file": str(password_file), "rfc": rfc, "test_only": True}))


@main.group()
def efos() -> None:
    """SAT's article 69-B list (EFOS): clients listed as Definitivo cannot receive a CFDI."""


@efos.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--prune", is_flag=True, help="Also delete RFCs the file no longer lists (for SAT's complete list)")
def efos_import(file: str, prune: bool) -> None:
    """Load SAT's 69-B CSV ("Listado completo 69-B"); importing again applies only the differences."""
    from timbre.clients.efos import EfosParseError
    from timbre.clients.efos_list import import_69b
    from timbre.kit.db import session_scope
    from timbre.migrate import upgrade

    settings = get_settings()
    _prepare(settings)
    upgrade(settings.db_url)
    try:
        with open(file, "rb") as stream, session_scope(settings.db_url) as session:
            result = import_69b(session, stream, prune=prune)
    except EfosParseError as exc:
        click.echo(f"error: {file} is not SAT's 69-B list: {exc}", err=True)
        sys.exit(2)
    click.echo(json.dumps(result.to_dict()))


@main.group()
def rates() -> None:
    """Banxico's FIX exchange rates, the reference of SAT's TipoCambio check (CFDI40118)."""


@rates.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def rates_import(file: str) -> None:
    """Load a Banxico SIE series CSV (SF43718 USD FIX, SF46410 EUR); importing again updates changed days."""
    from timbre.kit.db import session_scope
    from timbre.migrate import upgrade
    from timbre.rates import service as rates_service
    from timbre.rates.banxico import BanxicoError

    settings = get_settings()
    _prepare(settings)
    upgrade(settings.db_url)
    try:
        with open(file, "rb") as stream, session_scope(settings.db_url) as session:
            result = rates_service.import_csv(session, stream.read())
    except BanxicoError as exc:
        click.echo(f"error: {file} is not a Banxico SIE series CSV: {exc}", err=True)
        sys.exit(2)
    click.echo(json.dumps(result.to_dict()))


@rates.command("fetch")
def rates_fetch() -> None:
    """Fetch the last days' FIX rates from Banxico's SIE API now (needs TIMBRE_BANXICO_TOKEN)."""
    from timbre.migrate import upgrade
    from timbre.rates.tasks import fetch_fix_rates

    settings = get_settings()
    if not settings.banxico_token:
        click.echo("error: set TIMBRE_BANXICO_TOKEN (Banxico SIE API token) first", err=True)
        sys.exit(2)
    _prepare(settings)
    upgrade(settings.db_url)
    result = fetch_fix_rates()
    if result is None:
        click.echo("error: Banxico's SIE API did not give the rates (see the log)", err=True)
        sys.exit(1)
    click.echo(json.dumps(result.to_dict()))


@main.group("sat-lists")
def sat_lists_group() -> None:
    """SAT's taxpayer lists (69, 69-B, 69-B Bis) from SAT's CSV files."""


@sat_lists_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def sat_lists_import(files: tuple[str, ...]) -> None:
    """Import SAT list files; each replaces the lists it covers; the same file again changes nothing."""
    from timbre.kit.db import session_scope
    from timbre.migrate import upgrade
    from timbre.satlists.parse import SatListParseError
    from timbre.satlists.service import sat_lists
    from timbre.satlists.tasks import recheck_clients

    settings = get_settings()
    _prepare(settings)
    upgrade(settings.db_url)
    results = {}
    for file in files:
        try:
            with open(file, "rb") as stream, session_scope(settings.db_url) as session:
                results[file] = sat_lists.import_file(session, stream.read())
        except SatListParseError as exc:
            click.echo(f"error: {file} is not one of SAT's lists: {exc}", err=True)
            sys.exit(2)
    with session_scope(settings.db_url) as session:  # the re-check the daily job also makes
        results["clients"] = recheck_clients(session)
    click.echo(json.dumps(results))


if __name__ == "__main__":
    main()
