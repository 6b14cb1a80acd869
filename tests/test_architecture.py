"""The import graph of the project's packages: no cycles, and the boundaries between them.

The graph is built from the source with ``ast``: an ``import`` anywhere in a module counts
(inside functions too), relative imports are resolved, and ``from pkg import name`` is an
import of ``pkg.name`` when that is a module, else of ``pkg``. An import under
``if TYPE_CHECKING:`` is never executed, so it is no edge of the graph (the boundaries count
it all the same: an annotation is no reason to reach across one).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sfini_asl", "sfini_cdk", "sfini_runtime")


@dataclass(frozen=True)
class Import:
    """One imported module name (absolute), and whether only ``TYPE_CHECKING`` imports it."""

    target: str
    type_checking: bool


def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of ``packages`` under ``root``: dotted name -> file (a package is its
    ``__init__.py``)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_nodes(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement, with whether it sits in an ``if TYPE_CHECKING:`` body."""
    pending: list[tuple[ast.AST, bool]] = [(tree, False)]
    while pending:
        node, guarded = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, guarded
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend((child, True) for child in node.body)
            pending.extend((child, guarded) for child in node.orelse)
            continue
        pending.extend((child, guarded) for child in ast.iter_child_nodes(node))


def module_imports(name: str, path: Path, modules: Mapping[str, Path]) -> set[Import]:
    """What module ``name`` (the file ``path``) imports, as absolute module names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[Import] = set()
    for node, guarded in _import_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(Import(alias.name, guarded) for alias in node.names)
            continue
        if node.level:
            base = package[: len(package) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        for alias in node.names:
            candidate = f"{source}.{alias.name}"
            found.add(Import(candidate if candidate in modules else source, guarded))
    return found


def _owner(target: str, modules: Mapping[str, Path]) -> str | None:
    """The module of ``modules`` that importing ``target`` runs (its longest known prefix)."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    """module -> the modules of ``packages`` it imports at run time (``TYPE_CHECKING`` ones
    left out)."""
    modules = module_files(root, packages)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in module_imports(name, path, modules):
            owner = _owner(imported.target, modules)
            if owner is not None and owner != name and not imported.type_checking:
                targets.add(owner)
        graph[name] = targets
    return graph


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The components of more than one module (each a set of modules importing one another in
    a cycle), each sorted, sorted by their first module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def a_cycle(graph: Mapping[str, Iterable[str]], component: list[str]) -> list[str]:
    """One cycle through the first module of ``component``: [m, ..., m]."""
    members = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(graph[node]):
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if successor in members and successor not in came_from:
                    came_from[successor] = node
                    following.append(successor)
        frontier = following
    raise AssertionError(f"{component} is no cycle")


def describe_cycles(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Each cycle of ``graph``, as "its modules: m1 -> m2 -> ... -> m1"."""
    return [
        f"{len(component)} modules {component}: {' -> '.join(a_cycle(graph, component))}"
        for component in strongly_connected(graph)
    ]


# -- the project --------------------------------------------------------------------------


def test_the_packages_have_no_import_cycle() -> None:
    graph = import_graph(ROOT, PACKAGES)
    assert len(graph) > 100  # the packages were found
    cycles = describe_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _imports_by_module() -> dict[str, set[str]]:
    """module -> every module name it imports (TYPE_CHECKING ones included)."""
    modules = module_files(ROOT, PACKAGES)
    return {
        name: {imported.target for imported in module_imports(name, path, modules)}
        for name, path in modules.items()
    }


def _reaching(importer_prefix: str, forbidden: Iterable[str]) -> list[str]:
    forbidden = tuple(forbidden)
    return sorted(
        f"{module} imports {target}"
        for module, targets in _imports_by_module().items()
        if module == importer_prefix or module.startswith(importer_prefix + ".")
        for target in targets
        if any(target == f or target.startswith(f + ".") for f in forbidden)
    )


def test_sfini_asl_imports_neither_side_nor_the_cdk() -> None:
    assert _reaching("sfini_asl", ("sfini_cdk", "sfini_runtime", "aws_cdk")) == []


def test_sfini_runtime_imports_no_cdk() -> None:
    assert _reaching("sfini_runtime", ("sfini_cdk", "aws_cdk")) == []


def test_the_local_engine_imports_no_definition_model() -> None:
    assert _reaching("sfini_runtime.local", ("sfini_cdk",)) == []


def test_within_sfini_cdk_only_the_constructs_import_aws_cdk() -> None:
    offenders = [
        line
        for line in _reaching("sfini_cdk", ("aws_cdk",))
        if not line.startswith(("sfini_cdk.constructs ", "sfini_cdk.constructs."))
    ]
    assert offenders == []
    assert _reaching("sfini_cdk.constructs", ("aws_cdk",))  # the check sees aws_cdk imports


# -- the checks themselves, on a package written for them -----------------------------------


def _write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_cycle_through_a_function_level_relative_import_is_found(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.sub import b\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/b.py": "import pkg.sub.c\n",
            "pkg/sub/c.py": "def late():\n    from .. import a\n    return a\n",
            "pkg/lone.py": "import json\nfrom pkg import a\n",
        },
    )
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.sub.c"] == {"pkg.a"}
    assert graph["pkg.lone"] == {"pkg.a"}
    assert strongly_connected(graph) == [["pkg.a", "pkg.sub.b", "pkg.sub.c"]]
    assert describe_cycles(graph) == [
        "3 modules ['pkg.a', 'pkg.sub.b', 'pkg.sub.c']: pkg.a -> pkg.sub.b -> pkg.sub.c -> pkg.a"
    ]


def test_a_type_checking_import_is_no_edge_and_a_name_is_its_package(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "from .a import thing\n",
            "pkg/a.py": (
                "import typing\nif typing.TYPE_CHECKING:\n    from pkg.b import Other\n"
                "else:\n    import os\nthing = 1\n"
            ),
            "pkg/b.py": "from pkg import thing\n",
        },
    )
    graph = import_graph(tmp_path, ["pkg"])
    assert graph == {"pkg": {"pkg.a"}, "pkg.a": set(), "pkg.b": {"pkg"}}
    assert strongly_connected(graph) == []
    modules = module_files(tmp_path, ["pkg"])
    assert module_imports("pkg.a", modules["pkg.a"], modules) == {
        Import("typing", False),
        Import("pkg.b", True),
        Import("os", False),
    }
    # the same import outside the guard closes a cycle: pkg -> pkg.a -> pkg.b -> pkg
    (tmp_path / "pkg/a.py").write_text("from pkg.b import Other\nthing = 1\n", encoding="utf-8")
    assert strongly_connected(import_graph(tmp_path, ["pkg"])) == [["pkg", "pkg.a", "pkg.b"]]


def test_a_module_importing_itself_or_a_two_module_cycle() -> None:
    assert strongly_connected({"x": {"x"}}) == []  # self-imports are left out by import_graph
    assert strongly_connected({"x": {"y"}, "y": {"x"}, "z": {"x"}}) == [["x", "y"]]
    assert a_cycle({"x": {"y"}, "y": {"x"}}, ["x", "y"]) == ["x", "y", "x"]
