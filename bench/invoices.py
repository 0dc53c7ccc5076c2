"""Benchmark: create-and-stamp invoices over HTTP, against a running embedded Timbre server.

Starts `timbre serve` processes (one per core) on a fresh data directory (or uses `--url` with `--key` for a server
you run yourself), prepares a team ready for test mode (fiscal data, a fresh test CSD, one client),
then POSTs `/v2/invoices/income` — a typical 2-item invoice with IVA 16 %, stamped by the sandbox PAC —
at several concurrencies, and reports invoices/s and latency percentiles for each. In the same run it
measures the raw in-process rate of the CFDI core for the same document (tax engine + satcfdi build +
seal + XSD validation + sandbox stamp, one core: `bench/cfdi_floor.py`) and prints the ratio.

    .venv/bin/python bench/invoices.py                        # concurrencies 1,2,4,8,16; 2 server processes
    .venv/bin/python bench/invoices.py --requests 400 --concurrency 1,8 --servers 2
    .venv/bin/python bench/invoices.py --url http://127.0.0.1:8000 --key <test API key>

It runs in rounds (`--rounds`, default 3): each measures the floor, then every concurrency. The machine is a
shared host whose speed drifts from minute to minute, so each concurrency's throughput and the floor are the
best of their rounds (as `timeit` takes the best of its repeats); latencies are over every request.

Its last line is one JSON object: `invoices_per_s` (the best throughput over the concurrencies),
`p50_ms` and `p99_ms` (latency of one create-and-stamp, at concurrency 1), `floor_per_s`, `ratio`
(invoices_per_s / floor_per_s), plus every concurrency's numbers under `by_concurrency` and every round's.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

RFC, NAME = "EKU9003173C9", "ESCUELA KEMPER URGATE"
BODY = {
    "client": {"id": ""},
    "items": [
        {"description": "Consulting services", "quantity": 10, "unit_price": 1000, "product_key": "80141503",
         "unit_key": "HUR", "taxes": [{"type": "IVA", "rate": 0.16}]},
        {"description": "Software license", "quantity": 1, "unit_price": 5000, "discount": 250,
         "product_key": "81111500", "unit_key": "H87", "taxes": [{"type": "IVA", "rate": 0.16}]},
    ],
    "payment_form": "03", "payment_method": "PUE", "use": "G03", "currency": "MXN",
}


def _timbre() -> str:
    return str(Path(sys.executable).with_name("timbre"))


def start_servers(count: int, port: int, data_dir: Path,
                  database_url: str | None = None) -> tuple[list[subprocess.Popen[bytes]], list[str], str]:
    """`count` single-process `timbre serve` on consecutive ports sharing one data directory (database, files,
    job queue): the deployment DESIGN.md describes (stateless API processes behind a load balancer), the
    load generator playing the balancer. (`timbre serve --workers N` serves the same behind one port, but the
    kernel may hand several keep-alive connections to one worker process while another idles.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMBRE_")}
    env.update({"TIMBRE_DATA_DIR": str(data_dir), "TIMBRE_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "TIMBRE_LOG_LEVEL": "warning"})
    if database_url:
        env["TIMBRE_DATABASE_URL"] = database_url
    keys = json.loads(subprocess.run([_timbre(), "bootstrap", "--json"], env=env, capture_output=True, check=True,
                                     text=True).stdout)
    procs, urls = [], []
    for n in range(count):
        log = (data_dir / f"serve{n}.log").open("wb")
        # Its own process group, so stopping it stops anything it started.
        procs.append(subprocess.Popen([_timbre(), "serve", "--port", str(port + n)], env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True))
        urls.append(f"http://127.0.0.1:{port + n}")
        _wait(urls[-1], procs, data_dir)  # one at a time: each applies pending migrations on start
    return procs, urls, keys["api_keys"]["test"]


def _wait(url: str, procs: list[subprocess.Popen[bytes]], data_dir: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_servers(procs)
    raise SystemExit(f"the server did not start; see {data_dir}/serve*.log")


def stop_servers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def prepare(url: str, key: str, data_dir: Path) -> dict[str, Any]:
    """A team ready to stamp in test mode, and the request body naming its client."""
    from timbre.cfdi import testca

    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        teams = http.get("/v2/teams")
        if teams.status_code != 200:
            raise SystemExit(f"GET /v2/teams answered {teams.status_code}: {teams.text}")
        team = teams.json()["data"][0]["id"]
        http.put(f"/v2/teams/{team}", json={"legal_name": NAME, "tax_id": RFC, "tax_system": "601",
                                            "address": {"zip": "42501", "country": "MEX"}}).raise_for_status()
        csd = testca.make_test_csd(RFC, NAME)
        http.post(f"/v2/teams/{team}/sat-connection", files={"cert": ("a.cer", csd.cer), "key": ("a.key", csd.key)},
                  data={"keyPass": csd.password}).raise_for_status()
        client = http.post("/v2/clients", json={"legal_name": "BERENICE XIMO QUEZADA", "tax_id": "XIQB891116QE4",
                                                "tax_system": "612", "use": "G03",
                                                "address": {"zip": "36257", "country": "MEX"}})
        client.raise_for_status()
    return {**BODY, "client": {"id": client.json()["data"]["id"]}}


class _Connection:
    """A minimal HTTP/1.1 keep-alive client for one fixed request: the load generator shares the machine's two
    cores with the servers, so it should cost as little as possible (http.client parses every response's
    headers with the e-mail parser; this reads the status line and Content-Length only)."""

    def __init__(self, host: str, port: int, request: bytes) -> None:
        self.sock = socket.create_connection((host, port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = request
        self.pending = b""

    def send(self) -> tuple[int, bytes]:
        self.sock.sendall(self.request)
        data = self.pending
        while b"\r\n\r\n" not in data:
            data += self._recv()
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += self._recv()
        self.pending = rest[length:]
        return status, rest[:length]

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk


def run(urls: list[str], key: str, body: dict[str, Any], concurrency: int, requests: int) -> dict[str, Any]:
    """`requests` creations by `concurrency` threads, each on its own keep-alive connection to one of the
    servers (round robin)."""
    payload = json.dumps(body).encode()
    targets = [urlsplit(url) for url in urls]
    latencies: list[float] = []
    failures: list[str] = []
    left = iter(range(requests))
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)

    def worker(n: int) -> None:
        target = targets[n % len(targets)]
        host, port = target.hostname or "127.0.0.1", target.port or 80
        request = (f"POST /v2/invoices/income HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload
        connection = _Connection(host, port, request)
        for _ in range(2):  # warm the connection and the server's worker
            connection.send()
        ready.wait()
        while True:
            with lock:
                if next(left, None) is None:
                    return
            started = time.perf_counter()
            status, content = connection.send()
            elapsed = time.perf_counter() - started
            if status != 201:
                failures.append(f"{status}: {content[:200]!r}")
            latencies.append(elapsed * 1000)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "concurrency": concurrency,
        "requests": requests,
        "invoices_per_s": round(requests / wall, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "latencies": ordered,
    }


def floor(documents: int) -> float:
    """The in-process rate of the CFDI core for the same document (one core)."""
    from datetime import UTC, datetime

    from cfdi_floor import typical_input

    from timbre.cfdi import build, testca, xsd
    from timbre.cfdi.certs import Credential
    from timbre.cfdi.pac.sandbox import MEXICO_TZ, SandboxPAC
    from timbre.cfdi.seal import seal

    files = testca.make_test_csd(RFC, NAME)
    credential = Credential.load(files.cer, files.key, files.password)
    pac = SandboxPAC()
    fecha = datetime.now(UTC).astimezone(MEXICO_TZ).replace(tzinfo=None, microsecond=0)

    def one() -> None:
        xml = seal(build.build(typical_input(fecha)), credential)
        if xsd.validate(xml):
            raise SystemExit("invalid document in the floor measurement")
        pac.stamp(xml)

    for _ in range(50):
        one()
    started = time.perf_counter()
    for _ in range(documents):
        one()
    return documents / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", default="1,2,4,8,16",
                        help="comma-separated concurrencies (default 1,2,4,8,16)")
    parser.add_argument("--requests", type=int, default=300,
                        help="timed requests per concurrency and round (default 300)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of floor + every concurrency; the best of each counts (default 3)")
    parser.add_argument("--servers", type=int, default=2, help="server processes to start (default 2: one per core)")
    parser.add_argument("--port", type=int, default=18765, help="first port of the servers started (default 18765)")
    parser.add_argument("--database-url", help="TIMBRE_DATABASE_URL of the servers started (default: embedded SQLite)")
    parser.add_argument("--url", help="an already running server instead of starting one")
    parser.add_argument("--key", help="a test-mode API key of that server (with --url)")
    parser.add_argument("--floor-documents", type=int, default=1000,
                        help="documents for the floor, spread over the rounds (default 1000)")
    args = parser.parse_args()
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    rounds = max(args.rounds, 1)

    procs: list[subprocess.Popen[bytes]] = []
    floors: list[float] = []
    runs: dict[int, list[dict[str, Any]]] = {c: [] for c in concurrencies}
    with tempfile.TemporaryDirectory(prefix="timbre-bench-") as tmp:
        if args.url:
            if not args.key:
                parser.error("--url needs --key")
            urls, key = [args.url.rstrip("/")], args.key
        else:
            procs, urls, key = start_servers(args.servers, args.port, Path(tmp), args.database_url)
        try:
            body = prepare(urls[0], key, Path(tmp))
            for number in range(1, rounds + 1):
                floors.append(floor(max(args.floor_documents // rounds, 1)))
                print(f"round {number}: floor {floors[-1]:.1f} documents/s", flush=True)
                for concurrency in concurrencies:
                    result = run(urls, key, body, concurrency, args.requests)
                    runs[concurrency].append(result)
                    print(f"  concurrency {concurrency:>3}: {result['invoices_per_s']:>7.1f} invoices/s   "
                          f"p50 {result['p50_ms']:>7.2f} ms   p99 {result['p99_ms']:>7.2f} ms   "
                          f"failures {result['failures']}", flush=True)
        finally:
            stop_servers(procs)
    results = [summary(c, runs[c]) for c in concurrencies]
    floor_per_s = max(floors)
    best = max(results, key=lambda r: r["invoices_per_s"])
    first = results[0]
    for result in results:
        print(f"concurrency {result['concurrency']:>3}: {result['invoices_per_s']:>7.1f} invoices/s (best round)   "
              f"p50 {result['p50_ms']:>7.2f} ms   p99 {result['p99_ms']:>7.2f} ms (all rounds)   "
              f"failures {result['failures']}")
    print(f"floor (CFDI core in process, one core): {floor_per_s:.1f} documents/s (best round)")
    print(f"best: {best['invoices_per_s']} invoices/s at concurrency {best['concurrency']}; "
          f"ratio {best['invoices_per_s'] / floor_per_s:.3f}")
    print(json.dumps({
        "invoices_per_s": best["invoices_per_s"],
        "p50_ms": first["p50_ms"],
        "p99_ms": first["p99_ms"],
        "floor_per_s": round(floor_per_s, 1),
        "ratio": round(best["invoices_per_s"] / floor_per_s, 3),
        "latency_concurrency": first["concurrency"],
        "best_concurrency": best["concurrency"],
        "servers": None if args.url else args.servers,
        "rounds": rounds,
        "floor_rounds": [round(f, 1) for f in floors],
        "by_concurrency": results,
    }))


def summary(concurrency: int, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """A concurrency over the rounds: the best round's throughput (another tenant of the host slows some
    rounds down; the floor is taken the same way), latency percentiles over every request of every round."""
    latencies = sorted(ms for r in rounds for ms in r.pop("latencies"))
    return {
        "concurrency": concurrency,
        "requests": sum(r["requests"] for r in rounds),
        "invoices_per_s": max(r["invoices_per_s"] for r in rounds),
        "rounds_per_s": [r["invoices_per_s"] for r in rounds],
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "failures": sum(r["failures"] for r in rounds),
        "first_failure": next((r["first_failure"] for r in rounds if r["first_failure"]), None),
    }


if __name__ == "__main__":
    main()
