"""Structure checks that import-linter cannot make, run by `make lint` (and the fast tests).

1. No import cycle among core's modules, counting every `import` statement: inside functions
   and under TYPE_CHECKING too (import-linter skips both). `from core import Library` counts as
   an import of the module that defines it (core/__init__.py imports it on first use).
2. The front ends (desktop/ and core/cli/) import only `core` (its public names) and
   `core.types` from the engine; the CLI also its own modules.
3. The library's SQL lives in the store's modules only (core/store*.py, core/migrations.py);
   core/zotero.py reads Zotero's own database, read-only.
4. No class over 300 lines in core/ or desktop/.

Prints one line per problem; exits 1 if there is any.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRONT_ENDS = ("desktop", "core.cli")
PUBLIC = {"core", "core.types"}
SQL_HOMES = {"core.store", "core.store_records", "core.store_file", "core.store_sources",
             "core.migrations", "core.zotero"}
MAX_CLASS_LINES = 300
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|REPLACE)\s")


def modules(package: str) -> dict[str, Path]:
    """Every module of a top-level package: dotted name -> file."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def public_names() -> dict[str, str]:
    """core's public names -> the module that defines each (core/__init__.py's _MODULES)."""
    tree = ast.parse((ROOT / "core" / "__init__.py").read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If)
                 and isinstance(n.test, ast.Name) and n.test.id == "TYPE_CHECKING")
    return {alias.asname or alias.name: node.module for node in block.body
            if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}


def imports(
    name: str, path: Path, known: dict[str, Path], provider: dict[str, str]
) -> Iterator[tuple[int, str]]:
    """(line, module) for every import statement in the file, wherever it stands; a name of
    `core` found in `provider` counts as its defining module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    yield node.lineno, sub
                elif base == "core" and alias.name in provider:
                    yield node.lineno, provider[alias.name]
                else:
                    yield node.lineno, base


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def class_sizes(path: Path) -> Iterator[tuple[str, int, int]]:
    """(class name, first line, lines) of each class in the file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            yield node.name, first, (node.end_lineno or node.lineno) - first + 1


def problems() -> list[str]:
    core, desktop = modules("core"), modules("desktop")
    provider = public_names()
    out = []
    graph: dict[str, set[str]] = {}
    for name, path in core.items():
        graph[name] = {m for _, m in imports(name, path, core, provider if name != "core" else {})
                       if m in core and m != name}
    for component in cycles(graph):
        out.append("import cycle in core: " + " <-> ".join(component))
    for name, path in {**core, **desktop}.items():
        if not name.startswith(FRONT_ENDS):
            continue
        for line, module in imports(name, path, core, {}):
            inside = module == "core" or module.startswith("core.")
            if inside and module not in PUBLIC and not module.startswith("core.cli"):
                out.append(f"{path.relative_to(ROOT)}:{line}: imports {module}; the front ends "
                           "use only `core` (its public names) and `core.types`")
    for name, path in core.items():
        if name in SQL_HOMES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(
                    node.value):
                out.append(f"{path.relative_to(ROOT)}:{node.lineno}: SQL outside the store's "
                           "modules (core/store*.py)")
    for path in [*core.values(), *desktop.values()]:
        for cls, line, size in class_sizes(path):
            if size > MAX_CLASS_LINES:
                out.append(f"{path.relative_to(ROOT)}:{line}: class {cls} is {size} lines "
                           f"(at most {MAX_CLASS_LINES})")
    return out


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
