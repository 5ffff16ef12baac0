"""Row locks need a transaction: the test database wraps every test in one, so a service that locks a row without
opening its own transaction passes every test and fails in production (a 500 the fuzzer found on
`POST /alerts/{id}/acknowledge`). This reads the source instead: a function that locks (or calls one that does)
outside a transaction it opens is a locker itself, and every locker must be called from inside one."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "monitoring", "responses", "tenants", "config")
LOCKS = {"locked_or_404", "select_for_update"}


def _is_atomic(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return isinstance(target, ast.Attribute) and target.attr == "atomic"


def _called_name(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def _unguarded_calls(tree: ast.AST, lockers: set[str]) -> list[tuple[str, int]]:
    """(function, line) of each call to a locker not inside a transaction that function opens."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str, guarded: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
            guarded = any(_is_atomic(d) for d in node.decorator_list)
        if isinstance(node, ast.With | ast.AsyncWith) and any(_is_atomic(i.context_expr) for i in node.items):
            guarded = True
        if isinstance(node, ast.Call) and _called_name(node) in lockers and not guarded:
            found.append((function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function, guarded)

    visit(tree, "<module>", False)
    return found


def unguarded_entry_points(sources: dict[str, str]) -> list[str]:
    """Lockers nothing calls from inside a transaction: the places a request can reach a lock without one."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    lockers = set(LOCKS)
    while True:
        grown = lockers | {f for tree in trees.values() for f, _ in _unguarded_calls(tree, lockers)}
        if grown == lockers:
            break
        lockers = grown
    called = {_called_name(node) for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return sorted(
        f"{name}:{function}:{line}"
        for name, tree in trees.items()
        for function, line in _unguarded_calls(tree, lockers)
        if function not in called
    )


def test_every_row_lock_is_taken_inside_a_transaction():
    sources = {
        str(path.relative_to(ROOT)): path.read_text()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and path.name != "lookups.py"
    }

    assert unguarded_entry_points(sources) == []


def test_the_check_follows_helpers_to_the_function_that_forgot_its_transaction():
    source = (
        "def _lock(pk):\n    return locked_or_404(Alert, pk, 'alert')\n\n"
        "def acknowledge(pk):\n    return _lock(pk)\n\n"
        "@transaction.atomic\ndef resolve(pk):\n    return _lock(pk)\n"
    )

    assert unguarded_entry_points({"m.py": source}) == ["m.py:acknowledge:5"]
