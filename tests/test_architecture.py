"""The layering of docs/architecture.rst, enforced on the source."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sklearn_spectral"


def _imports(path):
    """Top-level package names and relative targets imported by a file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.add(node.module.split(".")[0])
            else:
                names.add("." * node.level + (node.module or ""))
    return names


@pytest.mark.parametrize(
    "folder, forbidden",
    [("nn", {"sklearn", "skorch"}), ("_training", {"sklearn"})],
)
def test_layers_import_only_what_they_may(folder, forbidden):
    for path in (PACKAGE / folder).glob("*.py"):
        assert not (_imports(path) & forbidden), f"{path.name} imports {forbidden}"


def test_nn_does_not_reach_up_into_the_package():
    for path in (PACKAGE / "nn").glob("*.py"):
        up = {name for name in _imports(path) if name.startswith("..")}
        assert not up, f"nn/{path.name} imports {up}"


def test_no_import_cycle_between_nn_modules():
    graph = {}
    for path in (PACKAGE / "nn").glob("*.py"):
        graph[path.stem] = {
            name[1:].split(".")[0]
            for name in _imports(path)
            if name.startswith(".") and not name.startswith("..")
        }

    def reaches(start, target, seen=()):
        return any(
            nxt == target or (nxt not in seen and reaches(nxt, target, (*seen, nxt)))
            for nxt in graph.get(start, ())
        )

    cycles = [name for name in graph if reaches(name, name)]
    assert not cycles, f"import cycle through {cycles}"
