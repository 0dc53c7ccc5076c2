"""Benchmark: lists and searches of a large tenant on PostgreSQL, over HTTP.

Creates a database on the PostgreSQL server given (`--database-url`, a superuser URL such as the one
`scripts/pg.sh start` prints), migrates it, bootstraps a team, seeds it with COPY (default 1,000,000 invoices,
100,000 clients, 100,000 payments, spread over two years, four statuses, three series, 1,000 clients'
invoices each, with realistic items, stamps and XML), runs `VACUUM (ANALYZE)`, starts one `timbre serve` on it and
asks each documented list filter for 100 objects `--requests` times (one at a time), then `/search`. Reports p50/p99
per query and the CPU milliseconds each request cost the API process and PostgreSQL (from /proc): wall times follow
the machine's load, CPU costs do not. `--reuse` keeps a database an earlier run seeded with the same counts.

    .venv/bin/python bench/lists.py --database-url postgresql+psycopg://postgres@127.0.0.1:55447/postgres
    .venv/bin/python bench/lists.py --database-url ... --invoices 100000 --clients 10000 --payments 10000

Targets (issue 15): lists p50 <= 20 ms and p99 <= 60 ms, invoice search p50 <= 50 ms. Its last line is one
JSON object: `{"invoices": n, ..., "queries": [{"name", "path", "p50_ms", "p99_ms", "meets_target"}, ...]}`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
DB = "timbre_bench_lists"
DAY_MS = 86_400_000
START_MS = 1_700_000_000_000
# No `pending` invoices: a real one is stamped or failed within minutes, while 1 in 6 seeded stale pending invoices
# (session 4's seed) kept the embedded job consumer's recovery sweep re-sending 100 of them every 5 minutes inside
# the very API process being measured. A reused database of that seed is brought in line (`_settle_pending`).
STATUSES = ("valid", "valid", "valid", "cancelled", "failed", "valid")


def _timbre() -> str:
    return str(Path(sys.executable).with_name("timbre"))


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _columns(conn: psycopg.Connection[Any], table: str) -> list[tuple[str, str, bool]]:
    rows = conn.execute("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                        "WHERE table_name = %s ORDER BY ordinal_position", (table,)).fetchall()
    return [(str(name), str(kind), nullable == "YES") for name, kind, nullable in rows]


def _default(kind: str) -> str:
    if kind in ("integer", "bigint", "numeric", "smallint"):
        return "0"
    if kind == "boolean":
        return "f"
    if kind in ("json", "jsonb"):
        return "{}"
    return ""


def _copy(conn: psycopg.Connection[Any], table: str, rows: Iterator[dict[str, Any]]) -> int:
    """COPY rows (dicts of some columns) into `table`; every other column is NULL, or a neutral value when
    it may not be."""
    columns = _columns(conn, table)
    fallback = {name: None if nullable else _default(kind) for name, kind, nullable in columns}
    names = [name for name, _, _ in columns]
    count = 0
    quoted = ", ".join(f'"{name}"' for name in names)
    with conn.cursor().copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] if name in row else fallback[name] for name in names])
            count += 1
    return count


def seed(url: str, team_id: str, invoices: int, clients: int, payments: int) -> dict[str, Any]:
    with psycopg.connect(_plain(url), autocommit=False) as conn:
        started = time.perf_counter()
        client_ids = [f"client_bench{i:08d}" for i in range(clients)]

        def client_rows() -> Iterator[dict[str, Any]]:
            for i, cid in enumerate(client_ids):
                created = START_MS + i * (730 * DAY_MS // max(clients, 1))
                name = f"CLIENTE {i:06d} SA DE CV"
                yield {"id": cid, "team_id": team_id, "livemode": False, "created_at": created, "updated_at": created,
                       "legal_name": name, "name": name, "tax_id": f"XAX{i % 1000000:06d}AB{i % 10}",
                       "email": f"client{i}@example.com", "tax_system": "601", "use": "G03",
                       "address": json.dumps({"zip": "42501", "country": "MEX"}),
                       "metadata": json.dumps({"crm_id": str(i)}),
                       "search_text": f"|{name.lower()}|client{i}@example.com|"}

        item = json.dumps([{"id": "item_1", "service_id": None, "description": "Servicio de consultoría",
                            "quantity": "1", "unit_price": "1160", "unit_price_before_taxes": "1000",
                            "discount": "0", "amount": "1000",
                            "subtotal": "1000", "total": "1160", "sku": "CONS-1", "product_key": "80111600",
                            "unit_key": "E48", "unit_name": "Servicio", "taxability": "02",
                            "taxes": [{"type": "IVA", "rate": "0.16", "factor": "Tasa", "withholding": False}],
                            "third_party": None}])
        seal = "A" * 344  # the length of a base64 RSA-2048 signature

        def stamp(uuid: str) -> str:
            return json.dumps({"stamp_at": 1735689600, "uuid": uuid.upper(), "fecha_timbrado": "2025-01-01T00:00:05",
                               "sello": seal, "sello_sat": seal, "no_certificado": "30001000000500003416",
                               "no_certificado_sat": "30001000000500003456", "rfc_prov_certif": "SPR190613I52",
                               "rfc_emisor": "EKU9003173C9"})

        xml = b"<?xml version='1.0' encoding='UTF-8'?>\n<cfdi:Comprobante " + b"x" * 3000 + b"/>"  # a CFDI's size

        def invoice_rows() -> Iterator[dict[str, Any]]:
            for i in range(invoices):
                created = START_MS + i * (730 * DAY_MS // max(invoices, 1))
                series = "ABC"[i % 3]
                client = i % clients
                status = STATUSES[i % len(STATUSES)]
                uuid = f"{i:08x}-0000-4000-8000-{i:012x}" if status != "failed" else None
                yield {"id": f"invoice_bench{i:010d}", "team_id": team_id, "livemode": False, "created_at": created,
                       "updated_at": created, "invoice_type": "I" if i % 10 else "E", "status": status,
                       "uuid": uuid, "subtotal": "1000", "taxes_transferred": "160", "total": "1160",
                       "series": series, "folio_number": i // 3 + 1, "client_id": client_ids[client],
                       "client": json.dumps({"id": client_ids[client], "legal_name": f"CLIENTE {client:06d} SA DE CV",
                                             "tax_id": f"XAX{client:06d}AB{client % 10}", "tax_system": "601",
                                             "zip": "42501", "country": "MEX", "use": "G03"}), "items": item,
                       "currency": "MXN", "payment_method": "PPD" if i % 4 == 0 else "PUE", "payment_form": "03",
                       "use": "G03", "issued_at": "2025-01-01T00:00:00", "related_text": "|",
                       "metadata": json.dumps({"order": str(i)}), "xml": xml if uuid else None,
                       "stamp": stamp(uuid) if uuid else None, "error": None,
                       "search_text": f"|{series}{i // 3 + 1}|{series}-{i // 3 + 1}|cliente {client:06d} sa de cv|"}

        def payment_rows() -> Iterator[dict[str, Any]]:
            for i in range(payments):
                created = START_MS + i * (730 * DAY_MS // max(payments, 1))
                yield {"id": f"payment_bench{i:09d}", "team_id": team_id, "livemode": False, "created_at": created,
                       "updated_at": created, "status": ("succeeded", "requires_payment_method", "cancelled")[i % 3],
                       "client_id": client_ids[i % clients], "currency": "MXN" if i % 5 else "USD",
                       "amount": "100.00", "metadata": json.dumps({"order": str(i)}),
                       "search_text": f"|payment_bench{i:09d}|"}

        counts = {"clients": _copy(conn, "clients", client_rows()),
                  "invoices": _copy(conn, "invoices", invoice_rows()),
                  "payments": _copy(conn, "payments", payment_rows())}
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")  # what autovacuum does after a bulk insert: statistics, visibility map
        counts["seed_s"] = round(time.perf_counter() - started, 1)
        return counts


def _seeded(url: str) -> dict[str, int] | None:
    """The row counts of the bench database, or None when there is none."""
    try:
        with psycopg.connect(_plain(url), autocommit=True) as conn:
            return {table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
                    for table in ("clients", "invoices", "payments")}
    except psycopg.Error:
        return None


def _settle_pending(conn: psycopg.Connection[Any]) -> None:
    """A database seeded with stale `pending` invoices (or whose sweep failed some) as the current seed makes it."""
    conn.execute("UPDATE invoices SET status = 'valid', error = NULL, attempts = 0 "
                 "WHERE id LIKE 'invoice_bench%%' AND uuid IS NOT NULL AND status IN ('pending', 'failed')")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _cpu_ms(pids: list[int]) -> float:
    """CPU time (user + system) the processes used so far, in ms (from /proc: Linux only)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def _backends() -> list[int]:
    """The PostgreSQL backends serving the bench database (when the server runs on this machine)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f" {DB} ".encode() in (entry / "cmdline").read_bytes().replace(b"\0", b" "):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def start_server(env: dict[str, str], port: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`timbre serve` on `port`, once it answers `/health` (its stderr in `log`), and its base URL."""
    server = subprocess.Popen([_timbre(), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"timbre serve exited with {server.returncode}; see {log}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"timbre serve did not answer /health; see {log}")


def measure(http: httpx.Client, path: str, requests: int, check: Callable[[Any], None],
            server: int) -> tuple[float, float, float, float]:
    """p50 and p99 wall time, and the CPU ms per request of the API process and of PostgreSQL."""
    http.get(path)  # warm the plan cache and the pages
    backends = _backends()
    api_before, db_before = _cpu_ms([server]), _cpu_ms(backends)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        res = http.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if res.status_code != 200:
            raise RuntimeError(f"{path}: {res.status_code} {res.text[:300]}")
        check(res.json())
    api, db = (_cpu_ms([server]) - api_before) / requests, (_cpu_ms(backends) - db_before) / requests
    return round(statistics.median(times), 2), round(_percentile(times, 0.99), 2), round(api, 2), round(db, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("TIMBRE_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL superuser URL (the bench creates and drops its own database)")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="requests per query")
    parser.add_argument("--port", type=int, default=18790)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database a previous run seeded with the same counts (migrations still apply)")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or TIMBRE_BENCH_POSTGRES_URL) is required: start one with scripts/pg.sh")
    url = args.database_url.rsplit("/", 1)[0] + f"/{DB}"
    wanted = {"clients": args.clients, "invoices": args.invoices, "payments": args.payments}
    reused = args.reuse and _seeded(url) == wanted
    if not reused:
        with psycopg.connect(_plain(args.database_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB}"')
    data = Path(tempfile.gettempdir()) / f"timbre-{DB}"  # its secret opens the reused database's API keys
    if not reused:
        shutil.rmtree(data, ignore_errors=True)
    data.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMBRE_")}
    env.update({"TIMBRE_DATA_DIR": str(data), "TIMBRE_DATABASE_URL": url,
                "TIMBRE_PUBLIC_URL": f"http://127.0.0.1:{args.port}", "TIMBRE_LOG_LEVEL": "warning"})
    keys = json.loads(subprocess.run([_timbre(), "bootstrap", "--json"], env=env, capture_output=True, text=True,
                                     check=True).stdout)
    if reused:
        counts: dict[str, Any] = {**wanted, "seed_s": None}
        with psycopg.connect(_plain(url), autocommit=True) as conn:
            _settle_pending(conn)
            conn.execute("VACUUM (ANALYZE)")
    else:
        print(f"seeding {args.invoices} invoices, {args.clients} clients, {args.payments} payments with COPY...",
              file=sys.stderr)
        counts = seed(url, keys["team_id"], args.invoices, args.clients, args.payments)
        print(f"seeded in {counts['seed_s']} s", file=sys.stderr)
    server, base = start_server(env, args.port, data / "serve.log")
    try:
        middle = (START_MS + 365 * DAY_MS) // 1000
        client = "client_bench00000042"
        wanted = args.invoices // 2 + 1 if (args.invoices // 2 + 1) % 10 else args.invoices // 2 + 2  # an income one

        def full(body: Any) -> None:
            assert len(body["data"]) == 100, len(body["data"])

        def some(body: Any) -> None:
            assert body["data"], "no results"

        queries = [
            ("invoices", "/v2/invoices/income?limit=100", full, 20),
            ("invoices status", "/v2/invoices/income?limit=100&status=cancelled", full, 20),
            ("invoices client", f"/v2/invoices/income?limit=100&client_id={client}", some, 20),
            ("invoices series", "/v2/invoices/income?limit=100&series=B", full, 20),
            ("invoices payment_method", "/v2/invoices/income?limit=100&payment_method=PPD", full, 20),
            ("invoices date range", f"/v2/invoices/income?limit=100&created_gte={middle}"
                                    f"&created_lte={middle + 30 * 86400}", full, 20),
            ("invoices metadata", f"/v2/invoices/income?limit=100&metadata.order={wanted}", some, 20),
            ("invoices next page", None, full, 20),
            ("invoices search", "/v2/invoices/search?q=cliente%20000042&limit=100", some, 50),
            ("clients", "/v2/clients?limit=100", full, 20),
            ("clients metadata", f"/v2/clients?limit=100&metadata.crm_id={args.clients // 3}", some, 20),
            ("clients search", f"/v2/clients/search?q=cliente%20{args.clients // 2:06d}", some, 50),
            ("payments", "/v2/payments?limit=100", full, 20),
            ("payments status", "/v2/payments?limit=100&status=cancelled", full, 20),
            ("payments client", f"/v2/payments?limit=100&client_id={client}", some, 20),
            ("payments date range", f"/v2/payments?limit=100&created_gte={middle}&created_lte={middle + 30 * 86400}",
             full, 20),
            ("payments metadata", f"/v2/payments?limit=100&metadata.order={args.payments // 3}", some, 20),
            ("payments search", f"/v2/payments/search?q=payment_bench{args.payments // 2:09d}", some, 50),
        ]
        results = []
        headers = {"Authorization": f"Bearer {keys['api_keys']['test']}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
            for name, path, check, target in queries:
                if path is None:  # the second page, through the cursor of the first
                    first = http.get("/v2/invoices/income?limit=100").json()
                    path = "/v2/invoices/income?limit=100&next=" + first["next"]
                p50, p99, api_cpu, db_cpu = measure(http, path, args.requests, check, server.pid)
                ok = p50 <= target and (p99 <= 60 if target == 20 else True)
                results.append({"name": name, "path": path, "p50_ms": p50, "p99_ms": p99, "api_cpu_ms": api_cpu,
                                "db_cpu_ms": db_cpu, "meets_target": ok})
                print(f"  {name:26s} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms   cpu api {api_cpu:6.2f} db {db_cpu:5.2f} ms"
                      f"   {'ok' if ok else 'OVER TARGET'}",
                      file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps({**counts, "requests_per_query": args.requests, "load_average": os.getloadavg()[0],
                      "all_meet_target": all(r["meets_target"] for r in results), "queries": results}))


if __name__ == "__main__":
    main()
