"""Benchmark: the SAT mirror's list (`GET /v2/invoices/sat`) over 1,000,000 mirrored CFDI of one team, on
PostgreSQL, over HTTP.

Creates a database on the PostgreSQL server given (`--database-url`, a superuser URL such as the one
`scripts/pg.sh start` prints), migrates it, bootstraps a team, seeds its mirror with COPY (default 1,000,000
CFDI over two years: issued and received, five types, 5 % cancelled, 2,000 counterparties; metadata only, no
XML), runs `ANALYZE`, starts one `timbre serve` and asks for 100 CFDI `--requests` times per query (one at a
time): filtered by direction and a date window (the issue's target), by direction alone, by counterparty,
by status, and the next page through `starting_after`; and, for scale, a baseline endpoint that reads one row
(what the machine's load alone costs a request).

    .venv/bin/python bench/sat_mirror.py --database-url postgresql+psycopg://postgres@127.0.0.1:55442/postgres

Target (issue 12): p50 <= 20 ms listing 100 of 1,000,000 filtered by direction and date. Its last line is one
JSON object: `{"rows", "seed_s", "queries": [{"name", "path", "p50_ms", "p99_ms", "meets_target"}, ...]}`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
from lists import DAY_MS, START_MS, _copy, _plain, _timbre, measure, start_server

DB = "timbre_bench_sat_mirror"
MEXICO = ZoneInfo("America/Mexico_City")
TYPES = "IIIIIIEPPN"  # mostly income, some credit notes, payments and payroll


def seed(url: str, team_id: str, rows: int) -> dict[str, Any]:
    with psycopg.connect(_plain(url), autocommit=False) as conn:
        started = time.perf_counter()
        step = 730 * DAY_MS // max(rows, 1)

        def mirror_rows() -> Iterator[dict[str, Any]]:
            for i in range(rows):
                issued = START_MS + i * step
                other = f"XAX{i % 2000:06d}AB{i % 10}"
                received = i % 3 != 0
                yield {"id": f"satinv_bench{i:010d}", "team_id": team_id, "livemode": False,
                       "created_at": issued, "updated_at": issued, "uuid": f"{i:08X}-0000-4000-8000-{i:012X}",
                       "direction": "received" if received else "issued", "invoice_type": TYPES[i % len(TYPES)],
                       "version": "4.0", "issuer_rfc": other if received else "EKU9003173C9",
                       "issuer_name": f"PROVEEDOR {i % 2000:04d}" if received else "ESCUELA KEMPER URGATE",
                       "receiver_rfc": "EKU9003173C9" if received else other,
                       "receiver_name": "ESCUELA KEMPER URGATE" if received else f"CLIENTE {i % 2000:04d}",
                       "pac_rfc": "SPR190613I52", "total": f"{(i % 50_000) + 100}.00", "currency": "MXN",
                       "status": "Cancelado" if i % 20 == 0 else "Vigente", "issued_at": issued,
                       "certified_at": issued + 60_000, "resource_status": "metadata", "source": "download",
                       "details": "{}"}

        count = _copy(conn, "sat_invoices", mirror_rows())
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE sat_invoices")
        return {"rows": count, "seed_s": round(time.perf_counter() - started, 1)}


def _seeded(url: str) -> int:
    """Rows a previous run left (0 when the database does not exist)."""
    try:
        with psycopg.connect(_plain(url)) as conn:
            row = conn.execute("SELECT count(*) FROM sat_invoices").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return 0


def _in_database_ms(url: str, month_from: str, month_to: str) -> dict[str, float]:
    """What PostgreSQL itself spends on the target query's page and capped count (EXPLAIN ANALYZE)."""
    low = int(datetime.fromisoformat(f"{month_from}T00:00:00").replace(tzinfo=MEXICO).timestamp() * 1000)
    high = int(datetime.fromisoformat(f"{month_to}T23:59:59").replace(tzinfo=MEXICO).timestamp() * 1000)
    where = ("team_id = (SELECT team_id FROM sat_invoices LIMIT 1) AND livemode = false AND direction = 'received'"
             f" AND issued_at BETWEEN {low} AND {high}")
    queries = {"page": f"SELECT * FROM sat_invoices WHERE {where} ORDER BY issued_at DESC, id DESC LIMIT 101",
               "count": f"SELECT count(*) FROM (SELECT id FROM sat_invoices WHERE {where} LIMIT 1001) AS s"}
    found: dict[str, float] = {}
    with psycopg.connect(_plain(url)) as conn:
        for name, sql in queries.items():
            times = []
            for _ in range(20):
                plan = conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}").fetchone()
                assert plan is not None
                times.append(float(plan[0][0]["Execution Time"]))
            found[f"db_{name}_p50_ms"] = round(sorted(times)[len(times) // 2], 3)
    return found


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, MEXICO).date().isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("TIMBRE_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL superuser URL (the bench creates and drops its own database)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100, help="requests per query")
    parser.add_argument("--port", type=int, default=18792)
    parser.add_argument("--reuse", action="store_true", help="keep the database a previous run seeded")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or TIMBRE_BENCH_POSTGRES_URL) is required: start one with scripts/pg.sh")
    url = args.database_url.rsplit("/", 1)[0] + f"/{DB}"
    reuse = args.reuse and _seeded(url)
    if not reuse:
        with psycopg.connect(_plain(args.database_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB}"')
    data = Path(tempfile.gettempdir()) / DB  # kept with the database: its secret signs the bench's API keys
    if not reuse:
        shutil.rmtree(data, ignore_errors=True)
    data.mkdir(mode=0o700, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMBRE_")}
    env.update({"TIMBRE_DATA_DIR": str(data), "TIMBRE_DATABASE_URL": url,
                "TIMBRE_PUBLIC_URL": f"http://127.0.0.1:{args.port}", "TIMBRE_LOG_LEVEL": "warning"})
    keys = json.loads(subprocess.run([_timbre(), "bootstrap", "--json"], env=env, capture_output=True, text=True,
                                     check=True).stdout)
    if reuse:
        counts: dict[str, Any] = {"rows": _seeded(url), "seed_s": 0.0}
    else:
        print(f"seeding {args.rows} mirrored CFDI with COPY...", file=sys.stderr)
        counts = seed(url, keys["team_id"], args.rows)
        print(f"seeded in {counts['seed_s']} s", file=sys.stderr)
    server, base = start_server(env, args.port, data / "serve.log")
    results = []
    month_from, month_to = _day(START_MS + 365 * DAY_MS), _day(START_MS + 395 * DAY_MS)
    try:
        def full(body: Any) -> None:
            assert isinstance(body["data"], dict) or len(body["data"]) == 100, len(body["data"])

        queries: list[tuple[str, str | None, float | None]] = [
            ("baseline: activation status", "/v2/invoices/download/activate/status", None),
            ("direction + date window", f"/v2/invoices/sat?limit=100&direction=received&from={month_from}"
                                        f"&to={month_to}", 20),
            ("direction", "/v2/invoices/sat?limit=100&direction=issued", 20),
            ("all", "/v2/invoices/sat?limit=100", 20),
            ("issuer_rfc", "/v2/invoices/sat?limit=100&issuer_rfc=XAX000007AB7", 20),
            ("status + direction", "/v2/invoices/sat?limit=100&status=Cancelado&direction=received", 20),
            ("next page", None, 20),
        ]
        headers = {"Authorization": f"Bearer {keys['api_keys']['test']}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
            for name, path, target in queries:
                if path is None:
                    first = http.get(queries[1][1] or "").json()
                    path = f"{queries[1][1]}&starting_after={first['next']}"
                p50, p99, api_cpu, db_cpu = measure(http, path, args.requests, full, server.pid)
                ok = target is None or p50 <= target
                results.append({"name": name, "path": path, "p50_ms": p50, "p99_ms": p99, "api_cpu_ms": api_cpu,
                                "db_cpu_ms": db_cpu, "meets_target": ok})
                print(f"  {name:26s} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms   CPU api {api_cpu:6.2f} db {db_cpu:6.2f} ms"
                      f"   {'ok' if ok else 'OVER TARGET'}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
    counts.update(_in_database_ms(url, month_from, month_to))
    print(f"  in PostgreSQL: page {counts['db_page_p50_ms']} ms, count {counts['db_count_p50_ms']} ms",
          file=sys.stderr)
    print(json.dumps({**counts, "requests_per_query": args.requests, "load_average": os.getloadavg()[0],
                      "all_meet_target": all(r["meets_target"] for r in results), "queries": results}))


if __name__ == "__main__":
    main()
