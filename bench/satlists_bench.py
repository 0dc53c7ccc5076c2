"""SAT lists: time `import_file` on a generated full-size 69-B file (10 000 rows, SAT's format) and the
median of `check` (GET /sat-lists/check's query) over 2 000 RFCs, on a fresh SQLite (or
TIMBRE_DATABASE_URL) database.

    .venv/bin/python bench/satlists_bench.py [rows]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.satlists.files import rfc, sixty_nine_b
from timbre.kit.db import session_scope
from timbre.migrate import upgrade
from timbre.satlists.service import sat_lists


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    url = os.environ.get("TIMBRE_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    upgrade(url)
    raw = sixty_nine_b(rows)
    for label in ("first import", "re-import (same file)", "import (changed file)"):
        data = raw if label != "import (changed file)" else sixty_nine_b(rows - 10)
        start, cpu = time.perf_counter(), time.process_time()
        with session_scope(url) as session:
            result = sat_lists.import_file(session, data)
        # CPU time too: on a loaded shared host the wall clock mostly measures the other processes.
        print(f"{label}: {time.perf_counter() - start:.3f} s wall, {time.process_time() - cpu:.3f} s CPU "
              f"({result['rows']} rows, unchanged={result['unchanged']})")
    timings = []
    with session_scope(url) as session:
        for i in range(2000):
            start = time.perf_counter()
            sat_lists.check(session, rfc(i * 7 % (rows * 2)))
            timings.append(time.perf_counter() - start)
    print(f"check: median {statistics.median(timings) * 1000:.3f} ms, p99 "
          f"{sorted(timings)[int(len(timings) * 0.99)] * 1000:.3f} ms over {len(timings)} RFCs")


if __name__ == "__main__":
    main()
