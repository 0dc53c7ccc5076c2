"""Helpers to run real processes (the `timbre` CLI, servers) in tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

TIMBRE = str(Path(sys.executable).with_name("timbre"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMBRE_")}
    env.update({"TIMBRE_DATA_DIR": str(data_dir), **extra})
    return env


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TIMBRE, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


class Started(subprocess.Popen[bytes]):
    """A process whose output (stdout and stderr) goes to `log`."""

    def __init__(self, command: list[str], env: dict[str, str] | None, log: Path) -> None:
        self.log = log
        with log.open("wb") as handle:  # the child keeps its own copy of the descriptor
            super().__init__(command, env=env, stdout=handle, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start(args: list[str], env: dict[str, str], log: Path) -> Started:
    """Start `timbre ARGS…` with its output in `log`."""
    return Started([TIMBRE, *args], env, log)


# How long a server may take to answer: generous, since a loaded CI host (2 cores, several suites) has taken over
# a minute to start one. A process that exits fails the wait at once instead.
START_DEADLINE_S = 300


def wait_up(proc: Started, url: str, timeout: float = START_DEADLINE_S) -> None:
    """Wait until the server `proc` answers `url` with less than a 500; fail with its output if it exits first or
    does not answer within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args} exited with {proc.returncode} before answering {url}:\n{proc.output()}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{proc.args} did not answer {url} within {timeout:.0f} s:\n{proc.output()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
