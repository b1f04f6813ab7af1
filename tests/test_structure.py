"""The package's rooms as contracts: the stages import only downward (import-linter's layers in
pyproject.toml), no module imports itself back through others, no definition or module grows past what a
reader takes in, and the linters the project relies on pass. Each check is shown to fail on a bad example."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "factsheets"
MAX_DEFINITION = 150  # lines of a function or class, its decorators and docstring included
MAX_MODULE = 500  # lines of a module


def _tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    return str(found) if found.exists() else shutil.which(name) or pytest.fail(f"{name} is not installed (pip install -e '.[test]')")


def circles(graph) -> list[list[str]]:
    """The strongly connected sets of modules (Tarjan): each a circle of imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            members = []
            while True:
                member = stack.pop()
                on.discard(member)
                members.append(member)
                if member == module:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def too_long(path: Path, root: Path = ROOT) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = [f"{path.relative_to(root)}: {len(text.splitlines())} lines"] if len(text.splitlines()) > MAX_MODULE else []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if (length := node.end_lineno - start + 1) > MAX_DEFINITION:
                found.append(f"{path.relative_to(root)}:{node.lineno}: {node.name} is {length} lines")
    return found


def test_the_stages_import_only_downward():
    result = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "BROKEN" not in result.stdout, result.stdout + result.stderr
    assert "Stages import only downward KEPT" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "factsheets", ignore=shutil.ignore_patterns("__pycache__", "templates", "styles",
                                                                               "examples", "locale", "static"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    fund = copy / "factsheets" / "fund" / "model.py"
    fund.write_text(fund.read_text(encoding="utf-8") + "\nfrom ..build import pipeline  # noqa\n", encoding="utf-8")
    result = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=copy, capture_output=True, text=True,
                            env={"PYTHONPATH": str(copy), "PATH": ""})
    assert result.returncode != 0 and "factsheets.fund is not allowed to import factsheets.build" in result.stdout


def test_no_module_imports_itself_back():
    assert circles(grimp.build_graph("factsheets")) == []


def test_a_circle_is_found():
    class Graph:
        modules = {"a", "b", "c", "d"}
        edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

        def find_modules_directly_imported_by(self, module):
            return self.edges.get(module, set())

    assert circles(Graph()) == [["a", "b", "c"]]


def test_no_definition_or_module_is_too_long():
    found = [problem for path in sorted(PACKAGE.rglob("*.py")) for problem in too_long(path)]
    assert found == [], "\n".join(found)


def test_a_long_definition_is_found(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_DEFINITION))
    (tmp_path / "long.py").write_text(f"def f():\n{body}\n", encoding="utf-8")
    assert too_long(tmp_path / "long.py", tmp_path) == [f"long.py:1: f is {MAX_DEFINITION + 1} lines"]


def test_ruff_passes():
    result = subprocess.run([_tool("ruff"), "check", "factsheets", "tests", "scripts", "bench"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
