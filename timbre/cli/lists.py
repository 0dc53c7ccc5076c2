"""Reference data SAT and Banxico publish: the 69-B list, FIX exchange rates, the 69 / 69-B / 69-B Bis lists."""

from __future__ import annotations

import json
import sys

import click

from timbre.cli.common import prepare
from timbre.config import get_settings


@click.group()
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
    prepare(settings)
    upgrade(settings.db_url)
    try:
        with open(file, "rb") as stream, session_scope(settings.db_url) as session:
            result = import_69b(session, stream, prune=prune)
    except EfosParseError as exc:
        click.echo(f"error: {file} is not SAT's 69-B list: {exc}", err=True)
        sys.exit(2)
    click.echo(json.dumps(result.to_dict()))


@click.group()
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
    prepare(settings)
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
    prepare(settings)
    upgrade(settings.db_url)
    result = fetch_fix_rates()
    if result is None:
        click.echo("error: Banxico's SIE API did not give the rates (see the log)", err=True)
        sys.exit(1)
    click.echo(json.dumps(result.to_dict()))


@click.group("sat-lists")
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
    prepare(settings)
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
