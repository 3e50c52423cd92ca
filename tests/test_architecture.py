"""The shape of the code, as the house style states it: the pipeline reads top to bottom
(ingest -> chunk -> embed -> index -> retrieve -> present), the library never reaches up into its
front ends, and no module leans on another module's private names."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import REPO

LIBRARY = REPO / "assistant"


def python_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in ([root] if root.is_file() else root.rglob("*.py")))


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a file, relative imports resolved to ``assistant.*``."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def test_no_module_imports_a_private_name_of_another():
    offenders = [
        f"{path.relative_to(REPO)}: {name} from {module}"
        for path in python_files(LIBRARY, REPO / "benchmarks", REPO / "tests", REPO / "tui.py")
        for module, names in imports(path)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert offenders == []


def test_the_index_never_imports_retrieval_and_the_library_never_imports_its_front_ends():
    offenders = []
    for path in python_files(LIBRARY):
        inside = path.relative_to(LIBRARY).parts
        for module, _ in imports(path):
            if inside[0] == "index" and module.startswith("assistant.retrieve"):
                offenders.append(f"{path.relative_to(REPO)} imports {module}")
            if inside[0] not in ("cli.py", "tui", "__main__.py") and (
                module == "assistant.cli" or module.startswith("assistant.tui")
            ):
                offenders.append(f"{path.relative_to(REPO)} imports {module}")
            if inside[0] in ("ingest", "chunk.py", "embed.py") and module.startswith(
                ("assistant.index", "assistant.retrieve", "assistant.present")
            ):
                offenders.append(f"{path.relative_to(REPO)} imports {module}")
    assert offenders == []


def test_evaluation_ranks_through_the_public_api_of_the_retriever():
    source = (LIBRARY / "evaluate.py").read_text(encoding="utf-8")
    private = {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
    }
    assert private == set()
