import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_bench_prints_one_json_object_last() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pdf.py"), "--runs", "2", "--items", "3"],
        capture_output=True,
        check=True,
        text=True,
        cwd=ROOT,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["pages"] == 1
    assert result["runs"] == 2
    assert 0 < result["p50_ms"] <= result["p99_ms"]
