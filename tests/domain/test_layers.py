"""The import structure the architecture relies on (docs/architecture.md, "Domain and time").

Read from the source with ``ast`` (imports under TYPE_CHECKING count: a cycle hidden there is still a cycle).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules() -> dict[str, Path]:
    """Every module of the wheel, by import name, from pyproject's package-dir mapping."""
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    modules: dict[str, Path] = {}
    for package, folder in mapping.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = [part for part in path.relative_to(ROOT / folder).with_suffix("").parts if part != "__init__"]
            modules.setdefault(".".join([package, *parts]), path)
    return modules


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports (``from package import module`` names the module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found & modules.keys()


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative enough for this size)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in order:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], order[target])
        if low[node] == order[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def test_given_the_package_then_no_modules_import_each_other_in_a_circle() -> None:
    graph = _graph()
    assert "elevate_sandbox.domain.backend" in graph  # the mapping was read
    assert _cycles(graph) == []


def test_given_the_cycle_finder_then_it_sees_a_circle_of_three() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Outside the domain, it may use the clock and the list pipeline's filter vocabulary (listing.py imports
# only the domain's errors): the resource tables name each field's filter syntax.
DOMAIN_MAY_USE = frozenset({"elevate_sandbox.clock", "elevate_sandbox.listing"})


def test_given_the_domain_then_it_imports_nothing_of_the_sandbox_but_the_clock_and_the_list_vocabulary() -> None:
    graph = _graph()
    outside = {
        (name, target)
        for name, targets in graph.items()
        if name.startswith("elevate_sandbox.domain")
        for target in targets
        if not target.startswith("elevate_sandbox.domain") and target not in DOMAIN_MAY_USE
    }
    assert outside == set()
    assert not any(
        target.startswith("elevate_sandbox.") and not target.startswith("elevate_sandbox.domain")
        for target in graph.get("elevate_sandbox.listing", ())
    ), "listing.py must stay HTTP-free"


def test_given_the_time_package_then_it_never_reaches_for_the_backend() -> None:
    graph = _graph()
    time_modules = [name for name in graph if name.startswith("elevate_sandbox.domain.time")]
    assert len(time_modules) >= 6
    assert all("elevate_sandbox.domain.backend" not in graph[name] for name in time_modules)
