"""The repository's layout rules: the product holds no code only tests or benchmarks use,
and nothing edits ``sys.path`` (helpers come from the package ``tests.support``)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
# Alembic's script folder: env.py and the revisions are loaded by path (store/migrate.py).
ALEMBIC_SCRIPTS = SRC / "storywire" / "store" / "schema"


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str) -> set[str]:
    """The storywire modules ``path`` (module ``name``) imports, relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m.startswith("storywire")}


def test_every_product_module_is_used_by_the_product():
    modules = {_module(p): p for p in SRC.rglob("*.py") if ALEMBIC_SCRIPTS not in p.parents}
    graph = {name: _imports(path, name) for name, path in modules.items()}
    # The entry points: the package itself, the console script and python -m storywire.
    seen, todo = set(), ["storywire", "storywire.cli", "storywire.__main__"]
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        parents = [name.rsplit(".", n)[0] for n in range(1, name.count(".") + 1)]
        todo.extend(graph[name] | set(parents))
    assert sorted(set(modules) - seen) == []


def test_nothing_edits_sys_path():
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("src", "tests", "bench", "tools")
        for p in (ROOT / folder).rglob("*.py")
        if p != Path(__file__).resolve() and "sys.path" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


STAGES = ("ingest", "extract", "cluster", "write")
# What a stage may never import: the store, the web, the wiring and the commands.
NOT_FOR_STAGES = ("store", "web", "pipeline", "cli", "cli_base", "cli_outlets", "batch")
# The one stage-to-stage import (docs/architecture.md): an imported corpus line's kind
# comes from the rule extraction applies to pages.
STAGE_TO_STAGE = {("storywire.ingest.corpus", "extract")}


def test_stages_import_no_store_and_no_other_stage_but_the_documented_one():
    found = []
    for path in SRC.rglob("*.py"):
        name = _module(path)
        parts = name.split(".")
        if len(parts) < 2 or parts[1] not in STAGES:
            continue
        for imported in _imports(path, name):
            target = imported.split(".")
            if len(target) < 2 or target[1] == parts[1]:
                continue
            if target[1] in NOT_FOR_STAGES or (
                target[1] in STAGES and (name, target[1]) not in STAGE_TO_STAGE
            ):
                found.append(f"{name} imports {imported}")
    assert sorted(found) == []


def test_tests_share_code_only_through_tests_support():
    """No test module imports another test module or conftest: shared data, helpers and
    fixtures live in the package ``tests.support`` (conftest.py re-exports its fixtures)."""
    offenders = []
    for folder in ("tests", "bench", "tools"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                for name in names:
                    last = name.split(".")[-1]
                    if last == "conftest" or last.startswith("test_"):
                        offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
