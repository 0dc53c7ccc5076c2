"""The README's walk-through ("First calls"), run as written: its `sh` blocks, in order, in one bash, against a
real `timbre serve` on a fresh data directory (started without TIMBRE_PUBLIC_URL, so its links must point to
the port it listens on). Each `json` block the README shows after a call must be what that call answered: the
same keys, the same types, the same values except ids, times, seals and links. And the command table lists
every command the CLI has."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from lxml import etree

from tests.procs import env_for, free_port, start, stop, wait_up
from timbre.cli import main

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
MARK = "@@@ readme block @@@"
# Values that differ on every run: compared by type only.
_VARIABLE = {"id", "uuid", "team", "owner", "billing_account", "client_id", "ppd_invoice_id", "complement_id",
             "timestamp", "created_at", "updated_at", "connected_at", "csd_expires_at", "stamp_at", "paid_at",
             "fecha_timbrado", "issued_at", "no_certificado", "verification_url", "pdf", "xml", "sello",
             "sello_sat", "credit_period_start"}


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def _blocks(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in re.finditer(r"```(\w+)\n(.*?)```", text, re.S)]


def _shown(blocks: list[tuple[str, str]]) -> Iterator[tuple[int, Any]]:
    """(index of the sh block, the JSON the README shows after it)."""
    sh = -1
    for lang, body in blocks:
        if lang == "sh":
            sh += 1
        elif lang == "json":
            yield sh, json.loads(body)


def _first_json(output: str) -> Any:
    line = next(line for line in output.splitlines() if line.startswith("{"))
    return json.loads(line)


def _matches(shown: Any, real: Any, path: str = "") -> list[str]:
    """Where the README's `shown` is not a part of the `real` answer."""
    if isinstance(shown, dict):
        if not isinstance(real, dict):
            return [f"{path}: {real!r} is not an object"]
        problems = [f"{path}.{k}: not in the answer" for k in shown if k not in real]
        return problems + [p for k in shown if k in real for p in _matches(shown[k], real[k], f"{path}.{k}")]
    if isinstance(shown, list):
        if not isinstance(real, list) or len(real) < len(shown):
            return [f"{path}: {real!r} does not hold {len(shown)} items"]
        return [p for i, item in enumerate(shown) for p in _matches(item, real[i], f"{path}[{i}]")]
    key = path.rsplit(".", 1)[-1]
    if shown is None or real is None or key not in _VARIABLE:
        return [] if shown == real else [f"{path}: README shows {shown!r}, the server answered {real!r}"]
    return [] if type(shown) is type(real) else [f"{path}: {type(real).__name__}, not {type(shown).__name__}"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    port = free_port()
    env = env_for(tmp_path / "data")  # no TIMBRE_PUBLIC_URL: links follow --port
    proc = start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
    try:
        wait_up(proc, f"http://127.0.0.1:{port}/health")
        yield port, env
    finally:
        stop(proc)


class TestWalkThrough:
    def test_the_first_calls_run_as_written(self, server: tuple[int, dict[str, str]], tmp_path: Path) -> None:
        port, env = server
        blocks = _blocks(_section("First calls"))
        scripts = [body for lang, body in blocks if lang == "sh"]
        assert len(scripts) >= 8
        work = tmp_path / "work"
        work.mkdir()
        (work / ".venv").symlink_to(REPO / ".venv")  # the README runs `.venv/bin/timbre` from the repository
        script = "set -euo pipefail\n" + "".join(f"echo '{MARK}'\n{body}\necho\n" for body in scripts)
        done = subprocess.run(["bash", "-c", script], cwd=work, env={**env, "API": f"http://127.0.0.1:{port}/v2"},
                              capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr
        outputs = done.stdout.split(MARK + "\n")[1:]
        assert len(outputs) == len(scripts)
        problems = [f"block {i}: {p}" for i, shown in _shown(blocks) for p in _matches(shown, _first_json(outputs[i]))]
        assert problems == []
        # The files came through the links, which point to the port the server listens on.
        links = json.loads((work / "files.json").read_text())["data"]
        assert links["pdf"].startswith(f"http://127.0.0.1:{port}/v2/files/")
        assert (work / "invoice.pdf").read_bytes().startswith(b"%PDF-")
        xml = etree.fromstring((work / "invoice.xml").read_bytes())
        uuid = json.loads((work / "invoice.json").read_text())["data"]["uuid"]
        stamp = xml.find(".//{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital")
        assert stamp is not None and stamp.get("UUID") == uuid
        assert xml.find("{http://www.sat.gob.mx/cfd/4}Emisor").get("Rfc") == "EKU9003173C9"


class TestCommandTable:
    def test_every_command_is_listed(self) -> None:
        table = _section("Command line")

        def leaves(group: click.Group, prefix: str) -> Iterator[str]:
            for name, command in group.commands.items():
                if isinstance(command, click.Group):
                    yield from leaves(command, f"{prefix}{name} ")
                else:
                    yield f"{prefix}{name}"

        missing = [name for name in leaves(main, "timbre ") if f"`{name}" not in table]
        assert missing == []


class TestLinks:
    def test_every_file_the_readme_links_exists(self) -> None:
        targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README)
        assert {"docs/invoices.md", "docs/payments.md", "docs/errors.md"} <= set(targets)
        assert [t for t in targets if not (REPO / t).exists()] == []
