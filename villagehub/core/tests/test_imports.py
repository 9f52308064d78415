"""No import circles between the hub's modules: every import, at the top of a module or inside
a function, is an edge of the graph, so an import moved into a function to dodge a circle
still counts. Imports under `if TYPE_CHECKING:` are not followed at run time and do not."""

import ast
from pathlib import Path

import villagehub

PACKAGE = Path(villagehub.__file__).parent

# Circles known and accepted, each with its reason. The list only shrinks: a circle that is
# gone must be removed from it (see test_known_circles_still_exist).
KNOWN_CIRCLES = {
    # A service enqueues the task that sends its notices, and the task writes through the
    # services (claiming each notice once): the worker's entry points and the writes they
    # call belong to the same app and change together.
    frozenset({"villagehub.events.services", "villagehub.events.tasks"}),
    frozenset({"villagehub.matchmaking.services", "villagehub.matchmaking.tasks"}),
    frozenset({"villagehub.news.services", "villagehub.news.tasks"}),
    frozenset({"villagehub.notices.services", "villagehub.notices.tasks"}),
    frozenset({"villagehub.ngsi.services", "villagehub.ngsi.tasks"}),
    frozenset({"villagehub.contact.services", "villagehub.contact.tasks"}),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.relative_to(PACKAGE).parts
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """The dotted names a module imports (with `from x import y`, both `x` and `x.y`)."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return names


def import_graph() -> dict[str, set[str]]:
    """Each module of the hub, with the hub's modules it imports."""
    modules = _modules()
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = set()
        for name in _imported_names(tree, module, path.name == "__init__.py"):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def _described(component: frozenset[str], graph: dict[str, set[str]]) -> str:
    edges = (
        f"  {module} -> {target}"
        for module in sorted(component)
        for target in sorted(graph[module] & component)
    )
    return "\n".join(edges)


def test_no_import_circles_between_modules():
    graph = import_graph()
    new = [c for c in circles(graph) if c not in KNOWN_CIRCLES]
    assert not new, "Import circles between modules:\n" + "\n\n".join(
        _described(c, graph) for c in new
    )


def test_known_circles_still_exist():
    gone = KNOWN_CIRCLES - set(circles(import_graph()))
    assert not gone, f"No longer circles, remove from KNOWN_CIRCLES: {sorted(map(sorted, gone))}"


def test_graph_sees_imports_inside_functions_and_finds_circles():
    tree = ast.parse(
        "from . import b\n"
        "def f():\n"
        "    from .c import thing\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from .d import Kind\n"
    )
    assert _imported_names(tree, "pkg.a", is_package=False) == {
        "pkg",
        "pkg.b",
        "pkg.c",
        "pkg.c.thing",
        "typing",
        "typing.TYPE_CHECKING",
    }
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert circles(graph) == [frozenset({"a", "b", "c"})]


def _hub_imports(module: str, graph: dict[str, set[str]]) -> set[str]:
    """The apps (and top-level modules) of the hub that a module imports."""
    return {target.split(".")[1] for target in graph[module]}


def test_personal_data_is_declared_by_the_apps_not_gathered_by_accounts():
    """The registry knows no app; accounts' export and erasure reach the apps only through
    it (see "Personal data" in docs/ARCHITECTURE.md)."""
    graph = import_graph()
    assert _hub_imports("villagehub.core.personal_data", graph) == {"core"}
    assert _hub_imports("villagehub.accounts.services", graph) == {"accounts", "core"}
    assert _hub_imports("villagehub.accounts.personal_data", graph) == {"accounts", "core"}
    shares = {
        m for m in graph if m.endswith(".personal_data") and m != "villagehub.core.personal_data"
    }
    assert {m.split(".")[1] for m in shares} == {
        "accounts", "comments", "contact", "contributions", "events", "news",
    }  # fmt: skip
    for share in shares:
        assert _hub_imports(share, graph) == {share.split(".")[1], "core"}, share
