"""Import discipline: no `timbre` import inside a function (one that hides an import cycle is forbidden: the
shared piece moves one level down instead), and every task module is known to the worker."""

from __future__ import annotations

import ast
from pathlib import Path

from timbre.worker.registry import TASK_MODULES

ROOT = Path(__file__).resolve().parents[1] / "timbre"
# The command line's modules load what each command runs, no more: `serve` and `worker` must set Prometheus'
# multiprocess mode before anything imports prometheus-client (timbre.kit.metrics), and `timbre --help` or
# `timbre migrate` should not import the whole application. Its package and `__main__` import at module level.
ALLOWED = {f"cli/{name}.py" for name in ("common", "server", "backups", "accounts", "lists")}


def _function_level_timbre_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] == "timbre"):
                found.add((node.lineno, f"from {'.' * node.level}{node.module or ''} import ..."))
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "timbre" for a in node.names):
                found.add((node.lineno, "import timbre..."))
    return sorted(found)


class TestFunctionLevelImports:
    def test_no_module_imports_timbre_inside_a_function(self) -> None:
        problems = []
        for path in sorted(ROOT.rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED:
                continue
            problems += [f"timbre/{rel}:{line}: {text}"
                         for line, text in _function_level_timbre_imports(ast.parse(path.read_text()))]
        assert problems == [], "function-level imports (move the shared piece down instead):\n" + "\n".join(problems)

    def test_the_check_sees_nested_and_relative_imports(self) -> None:
        source = ("class A:\n    def f(self):\n        from timbre.kit import jobs\n"
                  "async def g():\n    from . import x\n    def h():\n        import timbre.app\n    import json\n")
        assert [line for line, _ in _function_level_timbre_imports(ast.parse(source))] == [3, 5, 7]


class TestTaskRegistry:
    def test_every_module_defining_tasks_is_registered(self) -> None:
        defining = set()
        for path in sorted(ROOT.rglob("*.py")):
            text = path.read_text()
            if "@huey.task(" in text or "@huey.periodic_task(" in text:
                defining.add(".".join(path.relative_to(ROOT.parent).with_suffix("").parts))
        assert defining and defining <= set(TASK_MODULES), sorted(defining - set(TASK_MODULES))
