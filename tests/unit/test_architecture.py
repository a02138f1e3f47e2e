"""The layering of docs/architecture.md, read from the imports: a folder that imports what it may not fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


# What each part of newswatch/ may not import (besides the rules for all of newswatch/ below).
FORBIDDEN = {
    "newswatch.text": ["newswatch.sources", "newswatch.analysis", "newswatch.report", "newswatch.evaluation",
                       "newswatch.pipeline"],
    "newswatch.sources": ["newswatch.analysis", "newswatch.report", "newswatch.evaluation", "newswatch.pipeline"],
    "newswatch.analysis": ["newswatch.report", "newswatch.evaluation", "newswatch.pipeline"],
    "newswatch.report": ["newswatch.sources", "newswatch.evaluation", "newswatch.pipeline"],
    "newswatch.models": ["newswatch.sources", "newswatch.text", "newswatch.analysis", "newswatch.report",
                         "newswatch.evaluation", "newswatch.pipeline", "newswatch.config"],
}
ENGINES = ["duckdb", "prefect", "prefect_dask", "storage", "flows"]


@pytest.mark.parametrize("path", _files("newswatch"), ids=lambda p: str(p.relative_to(ROOT)))
def test_newswatch_imports_no_engine_and_respects_its_layers(path: Path) -> None:
    module = _module(path)
    imported = _imports(path)
    if module != "newswatch.cli":  # the entry point starts flows; nothing else in newswatch/ may
        bad = sorted(i for i in imported if any(_under(i, e) for e in ENGINES))
        assert not bad, f"{module} imports {bad}: only newswatch/cli.py may reach duckdb, prefect, storage or flows"
    assert not any(_under(i, "newswatch.cli") for i in imported if module != "newswatch.cli")
    for layer, forbidden in FORBIDDEN.items():
        if _under(module, layer):
            bad = sorted(i for i in imported if any(_under(i, f) for f in forbidden))
            assert not bad, f"{module} ({layer}) imports {bad}"


@pytest.mark.parametrize("path", _files("storage"), ids=lambda p: str(p.relative_to(ROOT)))
def test_storage_imports_only_records_and_errors_from_newswatch(path: Path) -> None:
    imported = _imports(path)
    bad = sorted(i for i in imported if _under(i, "prefect") or _under(i, "flows"))
    assert not bad, f"{path.name} imports {bad}"
    allowed = ("newswatch.models", "newswatch.errors")
    stage = sorted(i for i in imported
                   if _under(i, "newswatch") and i != "newswatch" and not any(_under(i, a) for a in allowed))
    assert not stage, f"storage/{path.name} imports stage code {stage}; pass values in or use newswatch.models"


@pytest.mark.parametrize("path", _files("flows"), ids=lambda p: str(p.relative_to(ROOT)))
def test_flows_reach_the_database_only_through_storage(path: Path) -> None:
    assert "duckdb" not in _imports(path)


def test_the_rules_see_every_stage_folder() -> None:
    folders = {p.name for p in (ROOT / "newswatch").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == {"sources", "text", "analysis", "report", "evaluation"}
