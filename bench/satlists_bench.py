"""SAT lists: time the import of a generated full-size 69-B file (default 12 000 rows, about the size of SAT's
complete list, in SAT's format) and the median of `GET /v2/sat-lists/check`, on a fresh SQLite (or
TIMBRE_DATABASE_URL) database.

    .venv/bin/python bench/satlists_bench.py [rows]

Measured: `import_file` in this process (first import, the same file again, a changed file), then the real
command `timbre sat-lists import FILE` in a new process (interpreter start, migrations check, import,
the clients' re-check), then 2 000 checks: the service call and the HTTP request through the app (in-process
ASGI client, API key of `timbre bootstrap`). Wall and CPU seconds are both given: on a loaded shared host the
wall clock mostly measures the other processes. Targets (issue 11): import <= 2 s, check median < 5 ms. The
last line is one JSON object with every number.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.satlists.files import rfc, sixty_nine_b
from timbre.kit.db import session_scope
from timbre.migrate import upgrade
from timbre.satlists.service import sat_lists


def _timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - start, time.process_time() - cpu


def _import(url: str, data: bytes) -> dict[str, Any]:
    with session_scope(url) as session:
        return sat_lists.import_file(session, data)


def _cli(env: dict[str, str], path: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("timbre")), "sat-lists", "import", str(path)], env=env,
                   check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _median_ms(samples: list[float]) -> tuple[float, float]:
    return round(statistics.median(samples) * 1000, 3), round(sorted(samples)[int(len(samples) * 0.99)] * 1000, 3)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 12_000
    data_dir = tempfile.mkdtemp()
    url = os.environ.get("TIMBRE_DATABASE_URL") or f"sqlite:///{data_dir}/bench.db"
    os.environ.update(TIMBRE_DATABASE_URL=url, TIMBRE_DATA_DIR=data_dir)
    env = dict(os.environ)
    upgrade(url)
    report: dict[str, Any] = {"rows": rows, "database": url.split(":", 1)[0]}
    for label, data in (("first_import", sixty_nine_b(rows)), ("same_file", sixty_nine_b(rows)),
                        ("changed_file", sixty_nine_b(rows - 10))):
        result, wall, cpu = _timed(lambda data=data: _import(url, data))  # type: ignore[misc]
        report[label] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "unchanged": result["unchanged"]}
        print(f"{label}: {wall:.3f} s wall, {cpu:.3f} s CPU ({result['rows']} rows, unchanged={result['unchanged']})")
    path = Path(data_dir) / "Listado_Completo_69-B.csv"
    path.write_bytes(sixty_nine_b(rows + 5))
    wall, cpu = _cli(env, path)
    report["cli_import"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
    print(f"timbre sat-lists import (new process): {wall:.3f} s wall, {cpu:.3f} s CPU")

    rfcs = [rfc(i * 7 % (rows * 2)) for i in range(2000)]
    service = []
    with session_scope(url) as session:
        for code in rfcs:
            _found, took, _cpu = _timed(lambda code=code: sat_lists.check(session, code))  # type: ignore[misc]
            service.append(took)
    report["check_service_ms"] = dict(zip(("median", "p99"), _median_ms(service), strict=True))
    print(f"check (service): median {report['check_service_ms']['median']} ms, "
          f"p99 {report['check_service_ms']['p99']} ms")

    from fastapi.testclient import TestClient

    from timbre.app import create_app
    from timbre.config import get_settings

    boot = subprocess.run([str(Path(sys.executable).with_name("timbre")), "bootstrap", "--json"], env=env,
                          check=True, capture_output=True, text=True)
    key = json.loads(boot.stdout)["api_keys"]["test"]
    http, baseline = [], []
    with TestClient(create_app(get_settings())) as client:
        headers = {"Authorization": f"Bearer {key}"}
        for code in rfcs:
            response, took, _cpu = _timed(lambda code=code: client.get(  # type: ignore[misc]
                "/v2/sat-lists/check", params={"rfc": code}, headers=headers))
            assert response.status_code == 200, response.text
            http.append(took)
            _response, took, _cpu = _timed(lambda: client.get("/health"))
            baseline.append(took)  # the same client's cost for the cheapest route: the harness's share
    report["check_http_ms"] = dict(zip(("median", "p99"), _median_ms(http), strict=True))
    report["health_http_ms"] = dict(zip(("median", "p99"), _median_ms(baseline), strict=True))
    print(f"check (HTTP, in-process): median {report['check_http_ms']['median']} ms, "
          f"p99 {report['check_http_ms']['p99']} ms (GET /health: median {report['health_http_ms']['median']} ms)")
    report["meets_target"] = {"import_le_2s": report["first_import"]["wall_s"] <= 2.0,
                              "cli_import_le_2s": report["cli_import"]["wall_s"] <= 2.0,
                              "check_median_lt_5ms": report["check_http_ms"]["median"] < 5.0}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
