"""The tenancy chokepoint holds: team-owned tables are queried only in repositories, and every such query
filters by team (through `TeamScopedRepository.scoped()` or an explicit `team_id` condition)."""

from __future__ import annotations

import ast
from pathlib import Path

import timbre.models as models
from timbre.models.base import TeamScoped

ROOT = Path(__file__).resolve().parents[1] / "timbre"
SCOPED = {name for name, obj in vars(models).items() if isinstance(obj, type) and issubclass(obj, TeamScoped)}
# Jobs and maintenance that legitimately act across teams by id.
ALLOWED = {"kit/repository.py"}


def _selects(node: ast.AST) -> list[str]:
    found = []
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", "")) in ("select",
                                                                                                      "query"):
            found += [a.id for a in call.args if isinstance(a, ast.Name) and a.id in SCOPED]
    return found


def test_team_scoped_queries_live_in_repositories_and_filter_by_team() -> None:
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or rel.startswith("models/"):
            continue
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            models_queried = _selects(func)
            if not models_queried:
                continue
            source = ast.unparse(func)
            if not rel.endswith("repository.py") and not rel.startswith("kit/"):
                problems.append(f"{rel}:{func.name} queries {models_queried} outside a repository")
            elif "team_id" not in source and "scoped(" not in source:
                problems.append(f"{rel}:{func.name} queries {models_queried} without a team filter")
    assert problems == []
