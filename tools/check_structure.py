"""Check the three rules of docs/architecture.md on the product packages.

Prints every product module with its line count, the functions over the limit, the
import cycles between modules and any import that goes up the layers; exits 1 on a
breach. Run by `make check-structure` (and so by `make test` and CI).

    python tools/check_structure.py [--list]

Layers, lowest first: ``kg`` (the core) < ``loaders`` < ``api`` < ``cli`` (the CLI
serves the API with ``kg serve``). A module may import its own layer or a lower one.
Every import counts, at module level or inside a function: a deferred import is
still a dependency. Every third-party package product code imports must be a declared
runtime dependency in pyproject.toml, and every declared one must be imported.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kg", "loaders", "api", "cli")
LAYER = {"kg": 0, "loaders": 1, "api": 2, "cli": 3}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def modules() -> dict[str, Path]:
    """Every product module by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The product modules that ``name`` imports (resolved to modules, not names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _package_inits(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Drop edges into package ``__init__`` modules that only re-export: an import of
    ``kg.store`` from ``kg.store.oxigraph`` is the package, not a cycle of modules."""
    return {
        name: {t for t in targets if not (name.startswith(t + ".") and t in graph)}
        for name, targets in graph.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Imports from a lower layer into a higher one."""
    found = []
    for name, targets in sorted(graph.items()):
        own = name.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            if other != own and LAYER[other] >= LAYER[own]:
                found.append(f"{name} imports {target}")
    return found


def third_party(path: Path) -> set[str]:
    """Top-level names of the modules ``path`` imports that are neither ours nor stdlib."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in LAYER}


def _distribution(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def dependency_problems(paths: list[Path]) -> list[str]:
    """Imports of product code missing from ``[project] dependencies``, and declared
    runtime dependencies that product code never imports."""
    declared = {
        _distribution(r)
        for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    providers = packages_distributions()
    used: dict[str, str] = {}
    problems = []
    for path in paths:
        for module in sorted(third_party(path)):
            dists = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
            if not dists & declared:
                problems.append(
                    f"{path.relative_to(ROOT)} imports {module}, not a declared dependency"
                )
            for dist in dists & declared:
                used[dist] = module
    problems += [
        f"declared dependency {d} is never imported by product code"
        for d in sorted(declared - set(used))
    ]
    return problems


def long_functions(path: Path) -> list[tuple[str, int, int]]:
    """(qualified name, first line, length) of every function over the limit."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qualified = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    length = child.end_lineno - first + 1
                    if length > MAX_FUNCTION_LINES:
                        found.append((qualified, child.lineno, length))
                visit(child, qualified + ".")

    visit(tree, "")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every module's size")
    args = parser.parse_args(argv)
    known = modules()
    graph = _package_inits({name: imports(name, path, known) for name, path in known.items()})
    breaches = 0

    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in known.items()
    }
    print(f"{len(known)} product modules, {sum(sizes.values())} lines")
    for name, lines in sorted(sizes.items()):
        over = lines > MAX_MODULE_LINES
        breaches += over
        if over or args.list:
            print(f"  {'OVER ' if over else ''}{known[name].relative_to(ROOT)}: {lines} lines")

    for path in sorted(known.values()):
        for function, line, length in long_functions(path):
            breaches += 1
            print(
                f"  function over {MAX_FUNCTION_LINES} lines: "
                f"{path.relative_to(ROOT)}:{line} {function} ({length})"
            )
    for problem in dependency_problems(list(known.values())):
        breaches += 1
        print(f"  dependency: {problem}")
    for component in cycles(graph):
        breaches += 1
        print(f"  import cycle: {' <-> '.join(component)}")
    for line in upward(graph):
        breaches += 1
        print(f"  upward import: {line}")
    print(
        f"{breaches} breaches"
        if breaches
        else "structure ok: sizes, no cycle, no upward import, dependencies as used"
    )
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
