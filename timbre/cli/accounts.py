"""Accounts and credentials: the first account, API keys, test CSDs."""

from __future__ import annotations

import json
import sys

import click

from timbre.cli.common import prepare
from timbre.config import get_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object")
@click.option("--email", default="admin@timbre.local", show_default=True, help="Admin user's e-mail")
@click.option("--legal-name", default="Mi Empresa", show_default=True, help="Master team's legal name")
def bootstrap(as_json: bool, email: str, legal_name: str) -> None:
    """Create (once) a billing account, master team, admin user and a test and a live API key; print them."""
    from timbre.kit.db import session_scope
    from timbre.migrate import upgrade
    from timbre.teams.bootstrap import bootstrap as run_bootstrap

    settings = get_settings()
    prepare(settings)
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


@click.group()
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
    prepare(settings)
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


@click.command("test-csd")
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
